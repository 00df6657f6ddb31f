"""Placeholder: the open311 of proposals are being written."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404("Not built yet.")


discovery = _todo
service_list = _todo
service_definition = _todo
requests = _todo
request_detail = _todo
