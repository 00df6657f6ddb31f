"""Placeholder: filled in by the parks issue's work in progress."""

from django.http import Http404


def access_page(request, *args, **kwargs):
    raise Http404


def what_if_json(request, *args, **kwargs):
    raise Http404


def outside_geojson(request, *args, **kwargs):
    raise Http404
