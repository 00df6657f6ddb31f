"""Placeholder: the participants' workshop and ballot pages."""

from django.http import Http404


def workshop_list(request, *args, **kwargs):
    raise Http404


def workshop_detail(request, *args, **kwargs):
    raise Http404


def ballot(request, *args, **kwargs):
    raise Http404


def code_entry(request, *args, **kwargs):
    raise Http404


def results(request, *args, **kwargs):
    raise Http404


def results_json(request, *args, **kwargs):
    raise Http404


def results_csv(request, *args, **kwargs):
    raise Http404


def projector(request, *args, **kwargs):
    raise Http404


def any_code_entry(request, *args, **kwargs):
    raise Http404
