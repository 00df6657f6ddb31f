"""Placeholder: replaced as the corridors issue is built."""

from django.http import Http404


def corridor_detail(request, **kwargs):
    raise Http404


def corridor_list(request, **kwargs):
    raise Http404


def cost_surface_png(request, **kwargs):
    raise Http404


def network_page(request, **kwargs):
    raise Http404


def py(request, **kwargs):
    raise Http404


def route_json(request, **kwargs):
    raise Http404


def route_planner(request, **kwargs):
    raise Http404


def suggest_json(request, **kwargs):
    raise Http404
