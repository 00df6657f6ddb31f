"""Fill the loaded city with a few dozen demo projects drawn on its real streets and parks.

Every demo project is flagged ``is_demo`` and published, so the map is never
empty on a fresh install, and ``--remove`` takes them all away (with their
photos, timelines and history) without touching a real project. The projects
are made from a seeded random generator over the pack's features in a fixed
order: the same pack gives the same projects.
"""

import datetime
import math
import random
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from django.contrib.gis.db.models import Union
from django.contrib.gis.geos import GEOSGeometry, LineString, MultiLineString, Point, Polygon
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gis_data.geometry import SRID, GeometryRuleError, check_geometry, rules_for_city
from gis_data.models import City, District, GreenArea, Street
from gis_data.packs import current_city
from photos.models import Photo
from projects.models import Category, Project, Status, StatusChange

SEED = 2017  # the year Almaty reported "over 60 km of pedestrian zones"
FIRST_YEAR = 2015
# How the demo projects' statuses are spread: mostly done, some under way, a few planned, stopped or dropped.
PHASES = (
    (Status.COMPLETED, 60),
    (Status.CONSTRUCTION, 14),
    (Status.DESIGN, 8),
    (Status.PLANNED, 8),
    (Status.SUSPENDED, 5),
    (Status.CANCELLED, 5),
)
LANGUAGES = ("kk", "ru", "en")

# Who answers for each category (the city's departments), and who builds (fictitious, marked as demo).
MOBILITY = "Управление городской мобильности"
PLANNING = "Управление городского планирования и урбанистики"
ENERGY = "Управление энергетики и коммунального хозяйства"
GREEN = "Управление зелёной экономики"
SPORT = "Управление физической культуры и спорта"
DISTRICT_AKIMAT = "district"  # the akimat of the district the project lies in
DEPARTMENTS = {
    "road_repair": MOBILITY,
    "bike_lane": MOBILITY,
    "street_reconstruction": MOBILITY,
    "sidewalk": MOBILITY,
    "pedestrian_zone": PLANNING,
    "square": PLANNING,
    "heating_network": ENERGY,
    "lighting": ENERGY,
    "aryk": GREEN,
    "green_planting": GREEN,
    "sports_ground": SPORT,
    "playground": DISTRICT_AKIMAT,
    "yard_improvement": DISTRICT_AKIMAT,
}
CONTRACTORS = ("ТОО «Демо Жол Құрылыс»", "ТОО «Демо Қала Сервис»", "ТОО «Демо Жасыл Бақ»", "ТОО «Демо Энерго Монтаж»")

# Cost of the works in KZT: per metre for lines, per square metre for polygons, per project otherwise.
RATES = {
    "road_repair": 180_000,
    "bike_lane": 45_000,
    "street_reconstruction": 400_000,
    "pedestrian_zone": 350_000,
    "heating_network": 220_000,
    "aryk": 25_000,
    "lighting": 30_000,
    "sidewalk": 18_000,
    "square": 45_000,
}
LUMP_SUMS = {
    "playground": (25_000_000, 60_000_000),
    "sports_ground": (35_000_000, 90_000_000),
    "green_planting": (80_000_000, 300_000_000),
    "yard_improvement": (40_000_000, 120_000_000),
}
# How long the works last, in months (shortest, longest).
DURATIONS = {
    "road_repair": (3, 7),
    "bike_lane": (3, 9),
    "street_reconstruction": (8, 18),
    "pedestrian_zone": (8, 16),
    "heating_network": (4, 9),
    "aryk": (3, 6),
    "lighting": (2, 5),
    "sidewalk": (2, 6),
    "square": (6, 14),
    "playground": (2, 4),
    "sports_ground": (2, 5),
    "green_planting": (2, 7),
    "yard_improvement": (3, 6),
}
# What the works are, in each language; {place} is the street, park or crossing.
DESCRIPTIONS = {
    "road_repair": (
        "{place}: жол жабынын, жиектастарды және жол таңбаларын ауыстыру.",
        "{place}: замена дорожного покрытия, бордюров и разметки.",
        "{place}: new road surface, kerbs and road markings.",
    ),
    "bike_lane": (
        "{place}: жиектаспен бөлінген екі бағытты велосипед жолы.",
        "{place}: двусторонняя велодорожка, отделённая бордюром.",
        "{place}: a two-way bike lane separated from traffic by a kerb.",
    ),
    "street_reconstruction": (
        "{place}: көшені толық қайта жаңарту, кең тротуарлар, ағаштар және жерасты желілері.",
        "{place}: полная реконструкция улицы, широкие тротуары, деревья и подземные сети.",
        "{place}: the street rebuilt, with wide sidewalks, trees and new underground networks.",
    ),
    "pedestrian_zone": (
        "{place}: көлік жүрмейтін жаяу жүргіншілер аймағы, орындықтар мен жарықтандыру.",
        "{place}: пешеходная зона без машин, со скамейками и освещением.",
        "{place}: a car-free pedestrian zone with benches and lighting.",
    ),
    "heating_network": (
        "{place}: ескірген жылу желісін оқшауланған құбырларға ауыстыру.",
        "{place}: замена изношенной теплосети на трубы в изоляции.",
        "{place}: worn heating mains replaced with pre-insulated pipes.",
    ),
    "aryk": (
        "{place}: арықтарды тазалау және бетон науалармен қайта салу.",
        "{place}: расчистка арыков и укладка бетонных лотков.",
        "{place}: irrigation ditches cleared and relined with concrete channels.",
    ),
    "lighting": (
        "{place}: жарықдиодты шамдармен көше жарықтандыруы.",
        "{place}: светодиодное уличное освещение.",
        "{place}: LED street lighting.",
    ),
    "sidewalk": (
        "{place}: көшенің екі жағындағы тротуарларды қайта төсеу, пандустар.",
        "{place}: новые тротуары с обеих сторон улицы, пандусы на переходах.",
        "{place}: new sidewalks on both sides of the street, with ramps at the crossings.",
    ),
    "square": (
        "{place}: алаңды абаттандыру, субұрқақ, орындықтар және көгалдар.",
        "{place}: благоустройство площади, фонтан, скамейки и газоны.",
        "{place}: the square repaved, with a fountain, benches and lawns.",
    ),
    "playground": (
        "{place}: қауіпсіз жабыны бар балалар алаңы.",
        "{place}: детская площадка с безопасным покрытием.",
        "{place}: a children's playground with a safe surface.",
    ),
    "sports_ground": (
        "{place}: баскетбол және шағын футбол алаңы.",
        "{place}: площадка для баскетбола и мини-футбола.",
        "{place}: a basketball and five-a-side football ground.",
    ),
    "green_planting": (
        "{place}: ағаштар мен бұталар отырғызу, суару жүйесі.",
        "{place}: посадка деревьев и кустарников, система полива.",
        "{place}: trees and shrubs planted, with drip irrigation.",
    ),
    "yard_improvement": (
        "{place}: аулаларды абаттандыру, тұрақ, ойын алаңы және жарықтандыру.",
        "{place}: благоустройство двора, парковка, игровая площадка и освещение.",
        "{place}: courtyard improved, with parking, a play area and lighting.",
    ),
}


@dataclass
class Plan:
    """One demo project before it is saved: where, what, and its place's name in each language."""

    category: str
    geometry: GEOSGeometry  # in SRID 4326
    place: dict[str, str]
    metres: float = 0.0  # the length or area the budget is priced on


def _clean_name(name: str) -> str:
    # OSM joins alternative names with ";" ("ул. Джандосова;ул.Джандосова").
    return name.split(";")[0].strip()


def _names(feature) -> dict[str, str]:
    fallback = _clean_name(feature.name)
    return {code: _clean_name(getattr(feature, f"name_{code}") or fallback) for code in LANGUAGES}


def _between(a: tuple[float, float], b: tuple[float, float], t: float) -> tuple[float, float]:
    return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))


def _section(line: LineString, length: float) -> LineString:
    """The middle ``length`` metres of a line in a metric SRID (the whole line when shorter)."""
    total = line.length
    if total <= length:
        return line
    start, end = (total - length) / 2, (total + length) / 2
    coords, walked = [], 0.0
    for a, b in pairwise(line.coords):
        step = math.dist(a, b)
        if step == 0:
            continue
        if walked <= start < walked + step:
            coords.append(_between(a, b, (start - walked) / step))
        if start < walked + step and walked < end:
            if walked + step >= end:
                coords.append(_between(a, b, (end - walked) / step))
                break
            coords.append(b)
        walked += step
    return LineString(coords, srid=line.srid)


def _box(center: Point, width: float, height: float) -> Polygon:
    x, y = center.x, center.y
    box = Polygon.from_bbox((x - width / 2, y - height / 2, x + width / 2, y + height / 2))
    box.srid = center.srid
    return box


class DemoBuilder:
    """Draws the demo plans on the city's features, with one seeded random generator."""

    def __init__(self, city: City, today: datetime.date) -> None:
        self.city = city
        self.srid = city.metric_srid
        self.today = today
        self.random = random.Random(SEED)  # noqa: S311 (demo data must repeat, not be secret)
        self.categories = {category.slug: category for category in Category.objects.all()}
        districts = District.objects.filter(source__city=city)
        self.area = districts.aggregate(area=Union("geom"))["area"] if districts.exists() else city.extent
        self.streets = Street.objects.filter(source__city=city, geom__intersects=self.area).exclude(name="")
        self.used: set[tuple[str, str]] = set()

    def metric(self, geometry: GEOSGeometry) -> GEOSGeometry:
        return geometry.transform(self.srid, clone=True)

    def lonlat(self, geometry: GEOSGeometry) -> GEOSGeometry:
        return geometry.transform(SRID, clone=True)

    # Features to draw on.

    def street_lines(self, classes: tuple[str, ...], count: int, metres: tuple[int, int], category: str) -> list:
        """Up to ``count`` streets of ``classes``, each as one stretch of ``metres`` (shortest, longest)."""
        by_name: dict[str, list[Street]] = {}
        for street in self.streets.filter(highway__in=classes).order_by("name", "osm_type", "osm_id"):
            by_name.setdefault(_clean_name(street.name), []).append(street)
        names = [name for name in sorted(by_name) if (category, name) not in self.used]
        self.random.shuffle(names)
        found = []
        for name in names:
            if len(found) == count:
                break
            # One street is many OSM ways: joined, cut to the city, and the longest stretch kept.
            ways = MultiLineString([way.geom for way in by_name[name]], srid=SRID)
            inside = ways.merged.intersection(self.area)
            parts = list(inside) if inside.geom_type in ("MultiLineString", "GeometryCollection") else [inside]
            parts = [part for part in parts if part.geom_type == "LineString" and not part.empty]
            if not parts:
                continue
            longest = max((self.metric(part) for part in parts), key=lambda line: line.length)
            if longest.length < metres[0]:
                continue
            stretch = _section(longest, self.random.uniform(*metres))
            self.used.add((category, name))
            found.append((stretch, _names(by_name[name][0])))
        return found

    def parks(self) -> list[tuple[GEOSGeometry, dict[str, str]]]:
        """The city's parks, named ones first (largest first), as metric geometries with their names."""
        parks = GreenArea.objects.filter(
            source__city=self.city, kind__in=("park", "garden", "recreation_ground"), geom__intersects=self.area
        ).order_by("osm_type", "osm_id")
        found = []
        for park in parks:
            geometry = self.metric(park.geom)
            if park.name:
                names = _names(park)
            else:
                district = self.district_of(park.geom)
                if district is None:
                    continue
                names = {
                    "kk": f"{district.name_kk or district.name}, саябақ",
                    "ru": f"{district.name_ru or district.name}, сквер",
                    "en": f"{district.name_en or district.name}, park",
                }
            found.append((geometry, names, bool(park.name)))
        found.sort(key=lambda item: (not item[2], -item[0].area))
        return [(geometry, names) for geometry, names, _named in found]

    def district_of(self, geometry: GEOSGeometry) -> District | None:
        point = geometry.point_on_surface
        return District.objects.filter(source__city=self.city, geom__intersects=point).order_by("pk").first()

    def point_in(self, area: GEOSGeometry, margin: float) -> Point | None:
        """A random point at least ``margin`` metres inside ``area`` (metric)."""
        inner = area.buffer(-margin)
        if inner.empty:
            return None
        xmin, ymin, xmax, ymax = inner.extent
        for _attempt in range(200):
            point = Point(self.random.uniform(xmin, xmax), self.random.uniform(ymin, ymax), srid=area.srid)
            if inner.contains(point):
                return point
        return None

    def crossings(self, count: int) -> list[tuple[Point, dict[str, str]]]:
        """Up to ``count`` crossings of two named main roads, at least 1 km apart, as metric points."""
        main = {street.pk: street for street in self.streets.filter(is_main=True)}
        table = Street._meta.db_table
        with connection.cursor() as cursor:
            # Table name from the model, ids from the database: nothing from input.
            cursor.execute(
                f"SELECT a.id, b.id, ST_AsBinary(ST_PointOnSurface(ST_Intersection(a.geom, b.geom))) "  # noqa: S608
                f"FROM {table} a JOIN {table} b ON a.id < b.id AND ST_Intersects(a.geom, b.geom) "
                "WHERE a.id = ANY(%s) AND b.id = ANY(%s) ORDER BY a.osm_id, b.osm_id",
                [list(main), list(main)],
            )
            pairs = [
                (main[a], main[b], GEOSGeometry(memoryview(wkb), srid=SRID))
                for a, b, wkb in cursor.fetchall()
                if _clean_name(main[a].name) != _clean_name(main[b].name)
            ]
        self.random.shuffle(pairs)
        found: list[tuple[Point, dict[str, str]]] = []
        for a, b, crossing in pairs:
            if len(found) == count:
                break
            point = self.metric(crossing)
            if point.empty or any(point.distance(other) < 1000 for other, _names_ in found):
                continue
            first, second = _names(a), _names(b)
            found.append((point, {code: f"{first[code]} / {second[code]}" for code in LANGUAGES}))
        return found

    # The plans.

    def plans(self) -> list[Plan]:
        plans: list[Plan] = []

        def lines(category: str, classes: tuple[str, ...], count: int, metres: tuple[int, int]) -> None:
            for line, names in self.street_lines(classes, count, metres, category):
                plans.append(Plan(category, self.lonlat(line), names, line.length))

        main = Street.MAIN_CLASSES
        lines("pedestrian_zone", ("pedestrian", "living_street"), 3, (150, 900))
        lines("bike_lane", ("cycleway",), 1, (500, 3000))
        lines("bike_lane", main, 3, (1200, 3500))
        lines("road_repair", main, 5, (600, 2500))
        lines("street_reconstruction", ("secondary", "tertiary"), 2, (500, 1500))
        lines("heating_network", ("secondary", "tertiary", "residential"), 2, (400, 1500))
        lines("aryk", ("tertiary", "residential"), 2, (300, 1000))
        lines("lighting", ("residential", "tertiary"), 2, (300, 900))

        for line, names in self.street_lines(("residential", "tertiary"), 4, (200, 700), "sidewalk"):
            # Sidewalks 3 m wide on both sides of a 10 m carriageway.
            strips = line.buffer_with_style(8, end_cap_style=2).difference(line.buffer_with_style(5, end_cap_style=2))
            # buffer(0) mends the slivers at bends that the transform to longitude/latitude makes invalid.
            plans.append(Plan("sidewalk", self.lonlat(strips).buffer(0), names, strips.area))

        for line, names in self.street_lines(("residential",), 2, (150, 600), "yard_improvement"):
            # The courtyard behind the houses along the street: 50 m off its middle, on its left.
            (x0, y0), (x1, y1) = line.coords[0], line.coords[-1]
            along = math.hypot(x1 - x0, y1 - y0) or 1
            middle = line.interpolate(line.length / 2)
            center = Point(middle.x - 50 * (y1 - y0) / along, middle.y + 50 * (x1 - x0) / along, srid=self.srid)
            plans.append(Plan("yard_improvement", self.lonlat(_box(center, 80, 50)), names))

        parks = self.parks()
        small = [(g, n) for g, n in parks if 2_000 <= g.area <= 30_000]
        large = [(g, n) for g, n in parks if g.area > 30_000]
        for geometry, names in small[:2]:
            plans.append(Plan("square", self.lonlat(geometry), names, geometry.area))
        for point, names in self.crossings(2):
            # A square on the corner of the crossing, clear of the carriageways.
            square = _box(Point(point.x + 55, point.y + 45, srid=self.srid), 70, 50)
            plans.append(Plan("square", self.lonlat(square), names, square.area))
        for geometry, names in large[:2]:
            plans.append(Plan("green_planting", self.lonlat(geometry), names))
        for index, (kind, size, count) in enumerate((("playground", (30, 24), 5), ("sports_ground", (44, 24), 3))):
            for number in range(count):
                if not large:
                    break
                geometry, names = large[(number + index) % len(large)]
                point = self.point_in(geometry, 25)
                if point is not None:
                    plans.append(Plan(kind, self.lonlat(_box(point, *size)), names))
        return plans

    # Dates, statuses and money.

    def day_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(days=self.random.randint(0, max(0, (last - first).days)))

    def schedule(self, category: str) -> tuple[dict, list[tuple[str, datetime.date]]]:
        """Dates and the status timeline of one project, every step on or before today."""
        today, day = self.today, datetime.timedelta(days=1)
        status = self.random.choices([status for status, _weight in PHASES], [weight for _s, weight in PHASES])[0]
        duration = 30 * day * self.random.randint(*DURATIONS[category])
        if status in (Status.PLANNED, Status.DESIGN):
            planned_start = self.day_between(today + 30 * day, today + 300 * day)
        elif status == Status.CONSTRUCTION:
            planned_start = self.day_between(today - duration + 10 * day, today - 20 * day)
        elif status == Status.SUSPENDED:
            planned_start = self.day_between(today - 700 * day, today - 90 * day)
        else:  # completed or cancelled: since the first year, and done before today
            planned_start = self.day_between(datetime.date(FIRST_YEAR, 3, 1), today - duration - 150 * day)
        dates = {"planned_start": planned_start, "planned_end": planned_start + duration}
        created = min(today - 20 * day, planned_start - self.random.randint(120, 400) * day)
        design = self.day_between(created + day, min(today, planned_start) - day)
        steps = [(Status.PLANNED, created)]
        if status == Status.PLANNED:
            return dates, steps
        steps.append((Status.DESIGN, design))
        if status == Status.DESIGN:
            return dates, steps
        if status == Status.CANCELLED:
            steps.append((Status.CANCELLED, self.day_between(design, planned_start)))
            return dates, steps
        start = min(today, planned_start + self.random.randint(0, 30) * day)
        dates["actual_start"] = start
        steps.append((Status.CONSTRUCTION, start))
        if status == Status.SUSPENDED:
            steps.append((Status.SUSPENDED, self.day_between(start, today)))
        elif status == Status.COMPLETED:
            end = min(today - day, dates["planned_end"] + self.random.randint(-15, 120) * day)
            dates["actual_end"] = max(start, end)
            steps.append((Status.COMPLETED, dates["actual_end"]))
        return dates, steps

    def budget(self, plan: Plan) -> Decimal:
        if plan.category in RATES:
            amount = RATES[plan.category] * (plan.metres or plan.geometry.transform(self.srid, clone=True).length)
        else:
            amount = self.random.uniform(*LUMP_SUMS.get(plan.category, (10_000_000, 50_000_000)))
        amount *= self.random.uniform(0.8, 1.25)
        return Decimal(round(amount, -6) or 1_000_000)

    def department(self, plan: Plan) -> str:
        department = DEPARTMENTS.get(plan.category, MOBILITY)
        if department != DISTRICT_AKIMAT:
            return department
        district = self.district_of(plan.geometry)
        name = (district.name_ru or district.name) if district else ""
        # "Алмалинский район" -> "Аппарат акима Алмалинского района"
        if name.endswith("ский район"):
            return "Аппарат акима " + name.removesuffix("ский район") + "ского района"
        return f"Аппарат акима: {name}" if name else PLANNING

    def save(self, plan: Plan) -> Project | None:
        category = self.categories.get(plan.category)
        if category is None:
            return None
        try:
            geometry = check_geometry(plan.geometry, rules_for_city(self.city, category.geometry_types)).geometry
        except GeometryRuleError:
            return None  # a feature the rules refuse (outside the extent, degenerate): draw the next one
        dates, steps = self.schedule(plan.category)
        builds = steps[-1][0] in (Status.CONSTRUCTION, Status.COMPLETED, Status.SUSPENDED)
        project = Project(
            category=category,
            geom=geometry,
            status=steps[-1][0],
            budget=self.budget(plan),
            department=self.department(plan),
            contractor=self.random.choice(CONTRACTORS) if builds else "",
            is_published=True,
            is_demo=True,
            **dates,
        )
        for number, code in enumerate(LANGUAGES):
            setattr(project, f"title_{code}", f"{getattr(category, f'name_{code}')}: {plan.place[code]}"[:200])
            setattr(project, f"description_{code}", DESCRIPTIONS[plan.category][number].format(place=plan.place[code]))
        project._change_reason = "Demo project"
        project.save()
        StatusChange.objects.bulk_create(
            StatusChange(project=project, status=status, date=date) for status, date in steps
        )
        return project


@transaction.atomic
def remove_demo_projects() -> int:
    """Delete every demo project with its photos (rows and files), timeline and history; return how many."""
    demo = Project.objects.filter(is_demo=True)
    ids = list(demo.values_list("pk", flat=True))
    photos = Photo.objects.of_model(Project).filter(object_id__in=ids)
    files = [image for photo in photos for image in (photo.image, photo.thumbnail) if image]
    photos.delete()
    demo.delete()
    Project.history.filter(id__in=ids).delete()
    # Files go once the rows are gone for good: a rolled-back removal keeps its photos.
    transaction.on_commit(lambda: [image.storage.delete(image.name) for image in files])
    return len(ids)


class Command(BaseCommand):
    help = "Fill the loaded city with demo projects on its real streets and parks (replacing earlier demo ones)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing when any project exists")
        parser.add_argument("--remove", action="store_true", help="delete every demo project, and nothing else")
        parser.add_argument("--language", default="en", help="language of the messages: kk, ru or en")

    def handle(self, *args, if_empty=False, remove=False, language="en", **options):
        with translation.override(language):
            if remove:
                removed = remove_demo_projects()
                self.stdout.write(_("%(count)d demo projects removed.") % {"count": removed})
                return
            if if_empty and Project.objects.exists():
                self.stdout.write(_("There are projects already: no demo projects added."))
                return
            city = current_city()
            if city is None:
                raise CommandError(_("No city is loaded: load a city pack first (manage.py gis_load_city)."))
            builder = DemoBuilder(city, timezone.localdate())
            if not builder.streets.exists():
                message = _("%(city)s has no named streets: the demo projects are drawn on real streets.") % {
                    "city": city
                }
                if if_empty:
                    # The set-up (make run) goes on for a city pack without a street layer: the map stays empty.
                    self.stderr.write(message)
                    return
                raise CommandError(message)
            with transaction.atomic():
                removed = remove_demo_projects()
                created = [project for plan in builder.plans() if (project := builder.save(plan)) is not None]
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(city)s: %(count)d demo projects added (%(removed)d earlier ones replaced).")
                    % {"city": city, "count": len(created), "removed": removed}
                )
            )
