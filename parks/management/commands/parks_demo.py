"""Add a demo park-renovation workshop to the loaded city: 23 concepts on its largest parks, and a planned park.

It mirrors what the city reports of its three-day workshop: 23 concepts, one
per park, of which 8 parks were then repaired and 15 went into design. The
parks are the city's largest open parks imported from its pack (parks.loading),
largest first, so the demo works on any city that has 23 of them (fewer: one
concept per park it has, and a message). Each concept's plan is drawn inside
its park from the park's own shape: a playground around a point inside it, a
main path across it, a lawn, and benches; the zones go through
parks.concepts like those an urbanist draws, so every rule and derived
figure applies. The steps of each concept are dated from the workshop on.

The planned park is put where the estimate of residents is densest and no
park is within a kilometre as the crow flies: a square of about 3 ha, with a
concept of its own, so the what-if of park access has something to show.

Six compensatory plantings line the main paths of the first repaired parks,
for the trees their repair felled, five of them inspected a year on.

Everything is flagged ``is_demo`` and named "(demo)"; ``--remove`` deletes
the demo workshop, its concepts, the planned park and the demo plantings, and
nothing else.
"""

import datetime
from dataclasses import dataclass

from django.contrib.gis.geos import GEOSGeometry, LineString, MultiPolygon, Point, Polygon
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from gis_data.geometry import SRID
from gis_data.models import City
from gis_data.packs import current_city
from parks import concepts, plantings, services
from parks.models import (
    ConceptStatus,
    Inspection,
    Origin,
    Park,
    Planting,
    PlantingReason,
    Purpose,
    RenovationConcept,
    State,
    Zone,
)
from participation.models import Workshop

CONCEPTS = 23
REPAIRED = 8
WORKSHOP_DAYS = (datetime.date(2023, 5, 12), datetime.date(2023, 5, 14))
# The dated way of a repaired park's concept, and of one still in design.
REPAIRED_STEPS = (
    (ConceptStatus.SHORTLISTED, datetime.date(2023, 6, 9)),
    (ConceptStatus.IN_DESIGN, datetime.date(2023, 9, 1)),
    (ConceptStatus.IN_REPAIR, datetime.date(2024, 4, 1)),
    (ConceptStatus.COMPLETED, datetime.date(2024, 10, 15)),
)
IN_DESIGN_STEPS = REPAIRED_STEPS[:2]
# A park smaller than this has no room for the demo's plan.
MIN_PARK_M2 = 5000.0
# Zones keep this far inside their park's boundary, so that none touches it.
INSET_METRES = 3.0
PLAYGROUND_METRES = 20.0
# The planned park: a square of this side where residents are densest and no park is within FAR_METRES.
PLANNED_SIDE_METRES = 170.0
FAR_METRES = 1000.0
# Demo plantings along the main paths of the repaired parks, in compensation for the trees their repair felled:
# species, trees planted, trees felled, and the trees found alive at the inspection a year on (None: not inspected).
PLANTINGS = (
    ("Ulmus pumila", 40, 20, 37),
    ("Acer platanoides", 24, 12, 19),
    ("Tilia cordata", 30, 15, 29),
    ("Fraxinus pennsylvanica", 36, 18, 25),
    ("Pinus sylvestris", 20, 10, None),
    ("Quercus robur", 16, 8, 15),
)
PLANTED_ON = datetime.date(2024, 10, 20)
INSPECTED_ON = datetime.date(2025, 10, 14)
TEAMS = ("Алатау", "Жетісу", "Көктем", "Самал", "Орбита", "Тастақ", "Бостандық", "Арман")


@dataclass(frozen=True)
class Plan:
    """The zones of one demo concept, in longitude/latitude, each with its purpose and label."""

    zones: tuple[tuple[str, str, GEOSGeometry], ...]


def _metric(geom: GEOSGeometry, city: City) -> GEOSGeometry:
    return geom.transform(city.metric_srid, clone=True)


def _lonlat(geom: GEOSGeometry) -> GEOSGeometry:
    return geom.transform(SRID, clone=True)


def _longest_line(geom: GEOSGeometry) -> LineString | None:
    lines = [
        part for part in (geom if geom.geom_type.startswith("Multi") else [geom]) if part.geom_type == "LineString"
    ]
    return max(lines, key=lambda line: line.length, default=None)


def plan_for(park: Park, city: City) -> Plan | None:
    """A playground, a path across, a lawn and a bench inside ``park``; None when it has no room for them."""
    inner = _metric(park.boundary, city).buffer(-INSET_METRES)
    if inner.empty or inner.area < MIN_PARK_M2 / 2:
        return None
    centre = inner.point_on_surface
    playground = centre.buffer(PLAYGROUND_METRES, quadsegs=2).envelope.intersection(inner)
    west, south, east, north = inner.extent
    across = LineString((west - 1, centre.y), (east + 1, centre.y), srid=city.metric_srid).intersection(inner)
    path = _longest_line(across)
    lawn = inner.difference(playground.buffer(5)).difference(path.buffer(3) if path else Polygon())
    lawn = max(lawn if lawn.geom_type == "MultiPolygon" else [lawn], key=lambda part: part.area, default=None)
    bench = Point(centre.x, centre.y + PLAYGROUND_METRES + 6, srid=city.metric_srid)
    if not inner.contains(bench):
        bench = (lawn or inner).point_on_surface
    zones = [(Purpose.PLAYGROUND, "Playground", playground)]
    if path is not None and path.length > 10:
        zones.append((Purpose.PATH, "Main path", path))
    if lawn is not None and lawn.area > 100:
        zones.append((Purpose.LAWN, "Lawn", lawn.buffer(-1).simplify(1)))
    zones.append((Purpose.SEATING, "Benches", bench))
    return Plan(zones=tuple((purpose, label, _lonlat(geom)) for purpose, label, geom in zones if not geom.empty))


def largest_parks(city: City, count: int) -> list[Park]:
    return list(
        Park.objects.filter(city=city, state=State.OPEN, is_demo=False, area_m2__gte=MIN_PARK_M2).order_by(
            "-area_m2", "pk"
        )[: count * 2]
    )


def planned_park_site(city: City) -> Polygon | None:
    """A square around the centre of the densest resident cell with no park within FAR_METRES, or None."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT ST_AsBinary(cell.centre) FROM gis_data_populationcell AS cell
            WHERE cell.city_id = %s AND cell.residents > 0 AND NOT EXISTS (
                SELECT 1 FROM parks_park AS park
                WHERE park.city_id = cell.city_id
                  AND ST_DWithin(park.boundary::geography, cell.centre::geography, %s)
            )
            ORDER BY cell.residents DESC, cell.id LIMIT 1
            """,
            [city.pk, FAR_METRES],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    centre = _metric(GEOSGeometry(memoryview(row[0]), srid=SRID), city)
    half = PLANNED_SIDE_METRES / 2
    square = Polygon.from_bbox((centre.x - half, centre.y - half, centre.x + half, centre.y + half))
    square.srid = city.metric_srid
    return _lonlat(square)


def _names(english: str, russian: str, kazakh: str) -> dict[str, str]:
    return {"name_en": english, "name_ru": russian, "name_kk": kazakh}


@transaction.atomic
def remove_demo() -> int:
    """Delete the demo workshop, concepts, parks and plantings, with their history; return the concepts."""
    planting_ids = list(Planting.objects.filter(is_demo=True).values_list("pk", flat=True))
    Planting.objects.filter(pk__in=planting_ids).delete()
    Planting.history.filter(id__in=planting_ids).delete()
    demo_concepts = RenovationConcept.objects.filter(is_demo=True)
    concept_ids = list(demo_concepts.values_list("pk", flat=True))
    demo_concepts.delete()
    RenovationConcept.history.filter(id__in=concept_ids).delete()
    for workshop in Workshop.objects.filter(is_demo=True, concepts__isnull=True):
        # The demo workshop's ballot (workshops_demo) goes with it, its votes first: they protect a ballot.
        for ballot in workshop.ballots.all():
            ballot.votes.all().delete()
        workshop.delete()
    park_ids = list(Park.objects.filter(is_demo=True, concepts__isnull=True).values_list("pk", flat=True))
    Park.objects.filter(pk__in=park_ids).delete()
    Park.history.filter(id__in=park_ids).delete()
    return len(concept_ids)


class Demo:
    def __init__(self, city: City) -> None:
        self.city = city
        self.workshop = Workshop.objects.create(
            title_kk="Саябақтарды жаңарту шеберханасы (демо)",
            title_ru="Мастерская по обновлению парков (демо)",
            title_en="Park renovation workshop (demo)",
            description_en="Three days in which residents designed the renovation of their parks.",
            description_ru="Три дня, за которые жители придумали обновление своих парков.",
            description_kk="Тұрғындар өз саябақтарын жаңартуды ойлап тапқан үш күн.",
            starts_on=WORKSHOP_DAYS[0],
            ends_on=WORKSHOP_DAYS[1],
            venue=city.center,
            is_demo=True,
        )

    def concept(self, park: Park, plan: Plan, number: int, steps, origin=Origin.WORKSHOP) -> RenovationConcept:
        name_en, name_ru, name_kk = park.name_en or park.name, park.name_ru or park.name, park.name_kk or park.name
        concept = RenovationConcept(
            park=park,
            title_en=f"Renovation: {name_en} (demo)",
            title_ru=f"Обновление: {name_ru} (демо)",
            title_kk=f"Жаңарту: {name_kk} (демо)",
            description_en="A playground at the heart of the park, a path across it, a lawn and benches.",
            description_ru="Детская площадка в центре парка, дорожка через него, газон и скамейки.",
            description_kk="Саябақтың ортасында балалар алаңы, оны кесіп өтетін жол, көгал және орындықтар.",
            team=f"«{TEAMS[number % len(TEAMS)]}» {number + 1}",
            origin=origin,
            workshop=self.workshop if origin == Origin.WORKSHOP else None,
            cost_estimate=150_000_000 + 10_000_000 * (number % 7),
            is_published=True,
            is_demo=True,
        )
        concepts.save_concept(concept, user=None, drawn_on=WORKSHOP_DAYS[1])
        for purpose, label, geom in plan.zones:
            concepts.save_zone(Zone(concept=concept, purpose=purpose, label=label, geom=geom))
        for status, date in steps:
            concepts.change_concept_status(concept, status, date, note="", user=None)
        return concept

    def planting(self, concept: RenovationConcept, row: tuple) -> Planting | None:
        """Trees along the concept's main path, for those its park's repair felled at the park's heart."""
        species, count, felled, alive = row
        path = concept.zones.filter(purpose=Purpose.PATH).first()
        if path is None:
            return None
        planting = Planting(
            city=self.city,
            geom=path.geom,
            species=species,
            count=count,
            planted_on=PLANTED_ON,
            reason=PlantingReason.COMPENSATION,
            felled_place=concept.park.boundary.point_on_surface,
            felled_on=REPAIRED_STEPS[2][1],
            felled_count=felled,
            responsible="Parks department (demo)",
            is_demo=True,
        )
        plantings.save_planting(planting)
        if alive is not None:
            inspection = Inspection(planting=planting, inspected_on=INSPECTED_ON, alive=alive, dead=count - alive)
            plantings.record_inspection(inspection)
        return planting

    def planned_park(self, site: Polygon) -> Park:
        park = Park(
            city=self.city,
            **_names(
                "Park of the new district (demo)", "Парк нового микрорайона (демо)", "Жаңа шағын аудан саябағы (демо)"
            ),
            state=State.PLANNED,
            boundary=MultiPolygon(site, srid=SRID),
            is_demo=True,
        )
        return services.save_park(park, user=None)


class Command(BaseCommand):
    help = "Add a demo park-renovation workshop (23 concepts: 8 parks repaired, 15 in design) and a planned park."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing when any concept exists")
        parser.add_argument("--remove", action="store_true", help="delete the demo workshop, concepts and parks only")
        parser.add_argument("--language", default="en", help="language of the messages: kk, ru or en")

    def handle(self, *args, if_empty=False, remove=False, language="en", **options):
        with translation.override(language):
            if remove:
                self.stdout.write(_("%(count)d demo concepts removed.") % {"count": remove_demo()})
                return
            if if_empty and RenovationConcept.objects.exists():
                self.stdout.write(_("There are renovation concepts already: no demo workshop added."))
                return
            city = current_city()
            if city is None:
                raise CommandError(_("No city is loaded: load a city pack first (manage.py gis_load_city)."))
            with transaction.atomic():
                remove_demo()
                added = self.add(city)
            self.stdout.write(self.style.SUCCESS(added))

    def add(self, city: City) -> str:
        demo = Demo(city)
        made = 0
        repaired: list[RenovationConcept] = []
        for park in largest_parks(city, CONCEPTS):
            if made == CONCEPTS:
                break
            plan = plan_for(park, city)
            if plan is None:
                continue
            steps = REPAIRED_STEPS if made < REPAIRED else IN_DESIGN_STEPS
            try:
                with transaction.atomic():
                    concept = demo.concept(park, plan, made, steps)
            except ValidationError as error:
                self.stderr.write(
                    _("“%(park)s” is skipped: %(reason)s") % {"park": park, "reason": " ".join(error.messages)}
                )
                continue
            made += 1
            if steps is REPAIRED_STEPS:
                repaired.append(concept)
        planted = [
            planting
            for concept, row in zip(repaired, PLANTINGS, strict=False)
            if (planting := demo.planting(concept, row)) is not None
        ]
        if made < CONCEPTS:
            self.stdout.write(
                _("The city has room for %(made)d demo concepts only, not %(wanted)d.")
                % {"made": made, "wanted": CONCEPTS}
            )
        site = planned_park_site(city)
        planned = ""
        if site is not None:
            park = demo.planned_park(site)
            plan = plan_for(park, city)
            if plan is not None:
                demo.concept(park, plan, made, (), origin=Origin.URBANIST)
            planned = _(" A planned park (demo) is drawn in %(district)s.") % {"district": park.district or city}
        return (
            _("%(city)s: a demo workshop with %(count)d concepts and %(plantings)d plantings added.")
            % {"city": city, "count": made, "plantings": len(planted)}
            + planned
        )
