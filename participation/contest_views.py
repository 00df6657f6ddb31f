"""Placeholder: contest pages."""

from django.http import Http404


def contest_list(request, *args, **kwargs):
    raise Http404


def contest_detail(request, *args, **kwargs):
    raise Http404


def contest_map(request, *args, **kwargs):
    raise Http404


def entry_create(request, *args, **kwargs):
    raise Http404


def entry_detail(request, *args, **kwargs):
    raise Http404


def entry_hide(request, *args, **kwargs):
    raise Http404


def jury(request, *args, **kwargs):
    raise Http404


def score(request, *args, **kwargs):
    raise Http404


def results(request, *args, **kwargs):
    raise Http404


def close(request, *args, **kwargs):
    raise Http404


def contest_create(request, *args, **kwargs):
    raise Http404


def contest_edit(request, *args, **kwargs):
    raise Http404
