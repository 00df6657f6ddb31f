"""Placeholder: the moderation of proposals are being written."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404("Not built yet.")


queue = _todo
proposal_moderate = _todo
comment_moderate = _todo
department_queue = _todo
overdue = _todo
proposal_status = _todo
