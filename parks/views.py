"""Placeholder: filled in by the parks issue's work in progress."""

from django.http import Http404


def park_list(request, *args, **kwargs):
    raise Http404


def park_detail(request, *args, **kwargs):
    raise Http404


def concept_compare(request, *args, **kwargs):
    raise Http404


def concept_detail(request, *args, **kwargs):
    raise Http404


def programme(request, *args, **kwargs):
    raise Http404
