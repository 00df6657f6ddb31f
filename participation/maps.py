"""Placeholder: the maps of proposals are being written."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404("Not built yet.")


proposal_map = _todo
