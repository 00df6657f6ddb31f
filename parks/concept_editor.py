"""Placeholder: filled in by the parks issue's work in progress."""

from django.http import Http404


def concept_create(request, *args, **kwargs):
    raise Http404


def concept_edit(request, *args, **kwargs):
    raise Http404


def concept_zones(request, *args, **kwargs):
    raise Http404


def concept_plans(request, *args, **kwargs):
    raise Http404


def concept_status(request, *args, **kwargs):
    raise Http404
