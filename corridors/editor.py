"""Placeholder: replaced as the corridors issue is built."""

from django.http import Http404


def corridor_create(request, **kwargs):
    raise Http404


def corridor_edit(request, **kwargs):
    raise Http404


def corridor_history(request, **kwargs):
    raise Http404


def corridor_photos(request, **kwargs):
    raise Http404


def corridor_publish(request, **kwargs):
    raise Http404


def corridor_restore(request, **kwargs):
    raise Http404


def py(request, **kwargs):
    raise Http404


def segment_create(request, **kwargs):
    raise Http404


def segment_delete(request, **kwargs):
    raise Http404


def segment_edit(request, **kwargs):
    raise Http404


def segment_restore(request, **kwargs):
    raise Http404
