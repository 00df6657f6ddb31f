"""What urbanists edit: projects drawn on the web map, their status, photos and history."""

from django.http import HttpRequest, HttpResponse


def project_create(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def project_status(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def project_publish(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def project_photos(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def project_history(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def project_restore(request: HttpRequest, pk: int, history_id: int) -> HttpResponse:
    raise NotImplementedError
