"""What everyone sees of projects: the list, a project's page, works near a place, the yearly figures."""

from django.http import HttpRequest, HttpResponse


def project_list(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def works_near(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def yearly_figures(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def yearly_figures_csv(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
