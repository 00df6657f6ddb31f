"""Residents' proposals on the map.

Only published proposals are in the layer, for everyone: a proposal waiting
for moderation or hidden by a moderator is in no output of the registry (its
author and the moderators see it on its own page). There may be hundreds of
thousands, so the map asks for them as clusters counted on each proposal's
anchor (a point on it, in Web Mercator) and gets the proposals themselves,
lines and areas as drawn, only where few are left in view.

A proposal is coloured by its status, so the city's answers read at a glance:
pink while waiting, amber under review, violet when accepted, green when
implemented, grey and faint when rejected or a duplicate.
"""

from django.utils.translation import gettext_lazy as _

from gis_data.registry import Layer, Variant, register
from participation.filters import ProposalFilterForm
from participation.models import Proposal, Status

PROPOSAL_COLOUR = "#be185d"


def _colour(colour: str, **extra) -> dict:
    return {"color": colour, "fillColor": colour, **extra}


STATUS_VARIANTS = (
    Variant("status", Status.PUBLISHED.value, Status.PUBLISHED.label, _colour(PROPOSAL_COLOUR)),
    Variant("status", Status.UNDER_REVIEW.value, Status.UNDER_REVIEW.label, _colour("#b45309")),
    Variant("status", Status.ACCEPTED.value, Status.ACCEPTED.label, _colour("#6d28d9")),
    Variant("status", Status.IMPLEMENTED.value, Status.IMPLEMENTED.label, _colour("#15803d", fillOpacity=0.6)),
    Variant("status", Status.REJECTED.value, Status.REJECTED.label, _colour("#57534e", opacity=0.7, fillOpacity=0.2)),
    Variant(
        "status",
        Status.DUPLICATE.value,
        Status.DUPLICATE.label,
        _colour("#78716c", dashArray="4 4", opacity=0.6, fillOpacity=0.15),
    ),
)


register(
    Layer(
        name="proposals",
        title=_("Residents' proposals"),
        queryset=lambda: Proposal.objects.published(),
        # Points, lines and areas in one layer.
        legend="mixed",
        attributes=("title", "kind", "category=category__slug", "status"),
        # Also the colour of the clusters' count markers (white text on it meets WCAG AA).
        style=_colour(PROPOSAL_COLOUR, weight=4, opacity=0.9, fillOpacity=0.4, radius=7),
        variants=STATUS_VARIANTS,
        # Clusters keep the whole city readable at any zoom.
        min_zoom=0,
        cluster_field="anchor",
        filter_form=ProposalFilterForm,
        label="title",
        link="participation:detail",
    )
)
