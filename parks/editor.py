"""Placeholder: filled in by the parks issue's work in progress."""

from django.http import Http404


def park_create(request, *args, **kwargs):
    raise Http404


def park_edit(request, *args, **kwargs):
    raise Http404


def park_photos(request, *args, **kwargs):
    raise Http404


def park_history(request, *args, **kwargs):
    raise Http404


def park_restore(request, *args, **kwargs):
    raise Http404
