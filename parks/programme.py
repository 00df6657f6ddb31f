"""The renovation programme as the city reports it: concepts per workshop and where their parks stand.

Everything is counted from the concepts themselves every time it is asked
for; no total is stored. A concept counts in the workshop it came from;
concepts from an urbanist or a resident's proposal make a group of their own.
Parks are counted once per group, at the furthest step any of the group's
concepts for them has reached: a park with one completed concept and one in
design is a park repaired. A park whose concepts were all set aside counts as
set aside. Only published concepts count in the public figures.

    >>> programme_total().sentence
    '23 concepts: 8 parks repaired, 15 in design'
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from gis_data.models import City
from parks.models import ConceptStatus, RenovationConcept
from participation.models import Workshop

# The steps from the furthest along to the least; a park is counted at the first one any of its concepts reached.
STAGES = (
    ConceptStatus.COMPLETED,
    ConceptStatus.IN_REPAIR,
    ConceptStatus.IN_DESIGN,
    ConceptStatus.SHORTLISTED,
    ConceptStatus.CONCEPT,
    ConceptStatus.SET_ASIDE,
)


def _stage_phrase(stage: str, count: int, first: bool) -> str:
    """One group of the sentence: "8 parks repaired" when it comes first, "15 in design" after it.

    The city's sentence names the parks once, in its first group; the others
    are read as parks too.
    """
    if first:
        phrases = {
            ConceptStatus.COMPLETED: ngettext("%(count)s park repaired", "%(count)s parks repaired", count),
            ConceptStatus.IN_REPAIR: ngettext("%(count)s park in repair", "%(count)s parks in repair", count),
            ConceptStatus.IN_DESIGN: ngettext("%(count)s park in design", "%(count)s parks in design", count),
            ConceptStatus.SHORTLISTED: ngettext("%(count)s park shortlisted", "%(count)s parks shortlisted", count),
            ConceptStatus.CONCEPT: ngettext(
                "%(count)s park with concepts only", "%(count)s parks with concepts only", count
            ),
            ConceptStatus.SET_ASIDE: ngettext("%(count)s park set aside", "%(count)s parks set aside", count),
        }
    else:
        phrases = {
            # Translators: a group of parks after the first in "23 concepts: 8 parks repaired, 15 in design".
            ConceptStatus.COMPLETED: ngettext("%(count)s repaired", "%(count)s repaired", count),
            ConceptStatus.IN_REPAIR: ngettext("%(count)s in repair", "%(count)s in repair", count),
            ConceptStatus.IN_DESIGN: ngettext("%(count)s in design", "%(count)s in design", count),
            ConceptStatus.SHORTLISTED: ngettext("%(count)s shortlisted", "%(count)s shortlisted", count),
            ConceptStatus.CONCEPT: ngettext("%(count)s with concepts only", "%(count)s with concepts only", count),
            ConceptStatus.SET_ASIDE: ngettext("%(count)s set aside", "%(count)s set aside", count),
        }
    return phrases[stage] % {"count": count}


def stage_title(stage: str) -> str:
    """The heading of a group of parks on the programme page."""
    titles = {
        ConceptStatus.COMPLETED: _("Parks repaired"),
        ConceptStatus.IN_REPAIR: _("Parks in repair"),
        ConceptStatus.IN_DESIGN: _("Parks in design"),
        ConceptStatus.SHORTLISTED: _("Parks shortlisted"),
        ConceptStatus.CONCEPT: _("Parks with concepts only"),
        ConceptStatus.SET_ASIDE: _("Parks whose concepts were all set aside"),
    }
    return titles[stage]


@dataclass
class StageGroup:
    stage: str
    title: str
    park_ids: list[int]

    @property
    def count(self) -> int:
        return len(self.park_ids)


@dataclass
class WorkshopSummary:
    """The concepts of one workshop (or of none: ``workshop`` None) and where their parks stand."""

    workshop: Workshop | None
    is_total: bool = False
    concepts: int = 0
    # Each park of the group at the furthest step reached, in STAGES' order: park id → stage.
    park_stages: dict[int, str] = field(default_factory=dict)

    def parks_at(self, stage: str) -> int:
        return sum(1 for reached in self.park_stages.values() if reached == stage)

    @property
    def parks(self) -> int:
        return len(self.park_stages)

    @property
    def parks_repaired(self) -> int:
        return self.parks_at(ConceptStatus.COMPLETED)

    @property
    def parks_in_repair(self) -> int:
        return self.parks_at(ConceptStatus.IN_REPAIR)

    @property
    def parks_in_design(self) -> int:
        return self.parks_at(ConceptStatus.IN_DESIGN)

    @property
    def parks_shortlisted(self) -> int:
        return self.parks_at(ConceptStatus.SHORTLISTED)

    @property
    def parks_with_concepts_only(self) -> int:
        return self.parks_at(ConceptStatus.CONCEPT)

    @property
    def parks_set_aside(self) -> int:
        return self.parks_at(ConceptStatus.SET_ASIDE)

    @property
    def title(self) -> str:
        if self.is_total:
            return _("All concepts")
        if self.workshop is None:
            return _("Concepts not from a workshop")
        return self.workshop.title

    @property
    def groups(self) -> list[StageGroup]:
        """The non-empty groups of parks, furthest along first."""
        groups = []
        for stage in STAGES:
            park_ids = sorted(pk for pk, reached in self.park_stages.items() if reached == stage)
            if park_ids:
                groups.append(StageGroup(stage, stage_title(stage), park_ids))
        return groups

    @property
    def sentence(self) -> str:
        """ "23 concepts: 8 parks repaired, 15 in design": the concepts, then each non-empty group of parks."""
        if not self.concepts:
            return _("No concepts yet.")
        concepts = ngettext("%(count)s concept", "%(count)s concepts", self.concepts) % {"count": self.concepts}
        # Translators: what separates the groups of parks in "8 parks repaired, 15 in design".
        separator = pgettext("list separator", ", ")
        parks = separator.join(
            _stage_phrase(group.stage, group.count, first=index == 0) for index, group in enumerate(self.groups)
        )
        # Translators: "23 concepts: 8 parks repaired, 15 in design".
        return _("%(concepts)s: %(parks)s") % {"concepts": concepts, "parks": parks}

    def add(self, park_id: int, status: str) -> None:
        self.concepts += 1
        reached = self.park_stages.get(park_id)
        if reached is None or STAGES.index(status) < STAGES.index(reached):
            self.park_stages[park_id] = status


def _concept_rows(city: City | None, published_only: bool) -> list[tuple[int | None, int, str]]:
    concepts = RenovationConcept.objects.all()
    if published_only:
        concepts = concepts.published()
    if city is not None:
        concepts = concepts.filter(park__city=city)
    return list(concepts.order_by().values_list("workshop_id", "park_id", "status"))


def programme_summary(city: City | None = None, *, published_only: bool = True) -> list[WorkshopSummary]:
    """One summary per workshop that has concepts (earliest first), then one for the concepts from no workshop.

    ``city`` keeps the concepts for its parks (all cities when None);
    ``published_only`` False counts drafts too, for those who edit concepts.
    """
    by_workshop: dict[int | None, WorkshopSummary] = defaultdict(lambda: WorkshopSummary(workshop=None))
    for workshop_id, park_id, status in _concept_rows(city, published_only):
        by_workshop[workshop_id].add(park_id, status)
    workshops = Workshop.objects.in_bulk([pk for pk in by_workshop if pk is not None])
    summaries = []
    for workshop in sorted(workshops.values(), key=lambda workshop: (workshop.starts_on, workshop.pk)):
        summary = by_workshop[workshop.pk]
        summary.workshop = workshop
        summaries.append(summary)
    if None in by_workshop:
        summaries.append(by_workshop[None])
    return summaries


def programme_total(city: City | None = None, *, published_only: bool = True) -> WorkshopSummary:
    """Every concept counted once and every park once, whatever workshop its concepts came from."""
    total = WorkshopSummary(workshop=None, is_total=True)
    for _workshop_id, park_id, status in _concept_rows(city, published_only):
        total.add(park_id, status)
    return total
