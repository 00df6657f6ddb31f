"""Placeholder: the organisers' workshop and ballot pages."""

from django.http import Http404


def workshop_create(request, *args, **kwargs):
    raise Http404


def workshop_edit(request, *args, **kwargs):
    raise Http404


def ballot_create(request, *args, **kwargs):
    raise Http404


def ballot_edit(request, *args, **kwargs):
    raise Http404


def codes(request, *args, **kwargs):
    raise Http404


def audit(request, *args, **kwargs):
    raise Http404
