"""Placeholder: the views of proposals are being written."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404("Not built yet.")


proposal_list = _todo
proposal_create = _todo
my_proposals = _todo
nearby = _todo
proposal_detail = _todo
proposal_support = _todo
proposal_follow = _todo
comment_create = _todo
proposal_flag = _todo
comment_edit = _todo
comment_flag = _todo
