"""Placeholder: replaced as the corridors issue is built."""

from django.http import Http404


def cost_surface_png(request, **kwargs):
    raise Http404


def py(request, **kwargs):
    raise Http404


def suggest_json(request, **kwargs):
    raise Http404
