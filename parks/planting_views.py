"""Placeholder: filled in by the parks issue's work in progress."""

from django.http import Http404


def planting_list(request, *args, **kwargs):
    raise Http404


def planting_detail(request, *args, **kwargs):
    raise Http404


def planting_create(request, *args, **kwargs):
    raise Http404


def planting_edit(request, *args, **kwargs):
    raise Http404


def inspection_create(request, *args, **kwargs):
    raise Http404


def planting_import(request, *args, **kwargs):
    raise Http404
