"""Placeholder: event pages."""

from django.http import Http404


def event_list(request, *args, **kwargs):
    raise Http404


def event_detail(request, *args, **kwargs):
    raise Http404


def register(request, *args, **kwargs):
    raise Http404


def cancel(request, *args, **kwargs):
    raise Http404


def calendar(request, *args, **kwargs):
    raise Http404


def event_create(request, *args, **kwargs):
    raise Http404


def event_edit(request, *args, **kwargs):
    raise Http404


def attendees(request, *args, **kwargs):
    raise Http404


def attendees_csv(request, *args, **kwargs):
    raise Http404
