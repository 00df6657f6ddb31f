"""What may be put on a ballot, and how each item is titled, linked and drawn.

A ballot lists records of the kinds in ``BALLOT_ITEM_MODELS``. Each of those
models has a ``title``, a ``get_absolute_url`` and a ``drawing()`` (its
shapes as GeoJSON features, with a ``role`` of "outline" or "shape", a
``colour`` and a ``label``), so this module names no sibling app: it reaches
them through their content types, as the ballot's items do.

Only records everybody may see go on a ballot (``candidates``): published
concepts, corridors, projects and proposals.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from participation.workshop_models import BALLOT_ITEM_MODELS, BallotItem

# The name of each kind, as an organiser picks items and a voter reads them.
KIND_NAMES = {
    "parks.renovationconcept": _("Park renovation concept"),
    "corridors.corridor": _("Corridor alternative"),
    "projects.project": _("Project"),
    "participation.proposal": _("Residents' proposal"),
}


def item_content_types() -> dict[str, ContentType]:
    """The content type of each kind a ballot may list, by its label (app_label.model)."""
    return {label: ContentType.objects.get_by_natural_key(*label.split(".")) for label in BALLOT_ITEM_MODELS}


def label_of(content_type: ContentType) -> str:
    return f"{content_type.app_label}.{content_type.model}"


def candidates(label: str) -> QuerySet:
    """The records of one kind that may go on a ballot: those everybody sees."""
    if label not in BALLOT_ITEM_MODELS:
        raise ValueError(f"{label!r} cannot be on a ballot; the kinds are {', '.join(BALLOT_ITEM_MODELS)}.")
    model = item_content_types()[label].model_class()
    return model.objects.visible_to(None)


def is_candidate(record: Model) -> bool:
    """Whether ``record`` may go on a ballot: of a listed kind, and visible to everybody."""
    label = record._meta.label_lower
    return label in BALLOT_ITEM_MODELS and candidates(label).filter(pk=record.pk).exists()


@dataclass
class ItemView:
    """One ballot item as a page shows it."""

    item: BallotItem
    kind: str
    title: str
    url: str | None
    features: list[dict[str, Any]]

    @property
    def pk(self) -> int:
        return self.item.pk


def describe(items, *, drawings: bool = True) -> list[ItemView]:
    """The ballot's items with their kind, title, link and drawing; a removed record is named as such.

    Without ``drawings`` the features are left empty (and not read): for what shows no map.
    """
    views = []
    for item in items:
        record = item.subject
        kind = KIND_NAMES.get(label_of(item.content_type), item.content_type.name)
        if record is None:
            views.append(ItemView(item, kind, str(_("(removed)")), None, []))
            continue
        features = record.drawing() if drawings else []
        views.append(ItemView(item, kind, str(record), record.get_absolute_url(), features))
    return views
