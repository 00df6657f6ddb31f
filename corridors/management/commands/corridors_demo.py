"""Draw a handful of demo corridors along the real rivers, canal and railways of the loaded city.

Each demo corridor follows one reference line of the pack: the Malaya and
Bolshaya Almatinka, the Vesnovka (the Esentai), the Big Almaty Canal (found
by their names in gis_data's Waterway layer), and a railway branch for a
"rails to trails" (a disused line when the pack has one). The stretch nearest
the city's centre, inside its districts, is cut into 2-4 segments with
ST_LineSubstring, a few metres off the river's line where the offset stays a
simple line (the path runs on the embankment, not in the water). Segments are
saved through corridors.services, so every derived figure is measured as for
a segment an urbanist draws. A line the pack does not have is skipped with a
message. Demo corridors are flagged ``is_demo``, published, and named
"(demo)"; ``--remove`` deletes them (segments, photos and history) and nothing else.
"""

from dataclasses import dataclass

from django.contrib.gis.geos import GEOSGeometry, LineString
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from corridors import services
from corridors.models import Corridor, Kind, Lighting, Mode, Segment, Status, Surface
from gis_data.geometry import SRID
from gis_data.models import City, District, Railway, Waterway
from gis_data.packs import current_city
from photos.models import Photo

LANGUAGES = ("kk", "ru", "en")
# A river's path runs on its embankment: this far to the left of the line, when the offset stays a simple line.
EMBANKMENT_METRES = 15.0
# Vertices closer than this to the line through their neighbours are dropped (the pack's rivers are dense).
SIMPLIFY_METRES = 1.0
# A part of a reference line shorter than this inside the city makes no corridor.
MIN_PART_METRES = 2000.0


@dataclass(frozen=True)
class Piece:
    """One segment of a demo corridor: its share of the corridor's length and what it is like."""

    share: float
    mode: str
    status: str
    surface: str = ""
    lighting: str = ""
    width_m: float | None = None


@dataclass(frozen=True)
class Plan:
    """One demo corridor: the reference line it follows, its names and descriptions, and its segments."""

    layer: str  # "waterway" or "railway"
    line_names: tuple[str, ...]  # names the line may have in the pack (any of its name fields); none for railways
    label: str  # the line, in English, for the command's messages
    names: tuple[str, str, str]  # kk, ru, en
    descriptions: tuple[str, str, str]
    kind: str
    status: str
    metres: float  # the length of the stretch (less when the line inside the city is shorter)
    pieces: tuple[Piece, ...]
    offset: bool = True
    reverse: bool = False  # drawn against the reference line's direction (a river's is downstream)


PLANS = (
    Plan(
        layer="waterway",
        line_names=("Малая Алматинка", "Кіші Алматы", "Malaya Almatinka"),
        label="Malaya Almatinka",
        names=(
            "Кіші Алматы өзенінің жағалауы (демо)",
            "Набережная Малой Алматинки (демо)",
            "Malaya Almatinka promenade (demo)",
        ),
        descriptions=(
            "Демо дәліз: қала пакетіндегі Кіші Алматы өзенінің бойымен сызылған. Қаланың жоспары емес.",
            "Демонстрационный коридор, проведённый вдоль Малой Алматинки из пакета города. Не план города.",
            "A demo corridor drawn along the Malaya Almatinka of the city pack. Not a plan of the city.",
        ),
        kind=Kind.RIVER_PROMENADE,
        status=Status.EXISTING,
        metres=4500,
        pieces=(
            Piece(0.3, Mode.PEDESTRIAN, Status.EXISTING, Surface.PAVING, Lighting.FULL, 6),
            Piece(0.4, Mode.SHARED, Status.EXISTING, Surface.ASPHALT, Lighting.FULL, 5),
            Piece(0.3, Mode.SHARED, Status.PLANNED, Surface.COMPACTED, Lighting.PARTIAL, 4),
        ),
    ),
    Plan(
        layer="waterway",
        line_names=("р. Большая Алматинка", "Большая Алматинка", "Үлкен Алматы", "Bolshaya Almatinka"),
        label="Bolshaya Almatinka",
        names=(
            "Үлкен Алматы өзені бойындағы жасыл дәліз (демо)",
            "Зелёный коридор вдоль Большой Алматинки (демо)",
            "Bolshaya Almatinka green corridor (demo)",
        ),
        descriptions=(
            "Демо дәліз: шеткі аудандарды Үлкен Алматы өзенінің бойымен саябақтарға қосады. Қаланың жоспары емес.",
            "Демонстрационный коридор: связывает окраины с парками вдоль Большой Алматинки. Не план города.",
            "A demo corridor linking the suburbs with parks along the Bolshaya Almatinka. Not a plan of the city.",
        ),
        kind=Kind.GREEN_CORRIDOR,
        status=Status.PLANNED,
        metres=5000,
        pieces=(
            Piece(0.35, Mode.SHARED, Status.EXISTING, Surface.ASPHALT, Lighting.PARTIAL, 4),
            Piece(0.35, Mode.SHARED, Status.PLANNED, Surface.GRAVEL, Lighting.NONE, 4),
            Piece(0.3, Mode.PEDESTRIAN, Status.PROPOSED, Surface.GROUND, Lighting.NONE, 2.5),
        ),
    ),
    Plan(
        layer="waterway",
        line_names=("Весновка", "Весновка өзені", "Vesnovka"),
        label="Vesnovka",
        names=(
            "Весновка жасыл дәлізі (демо)",
            "Зелёный коридор реки Весновки (демо)",
            "Vesnovka green corridor (demo)",
        ),
        descriptions=(
            "Демо дәліз: Весновка өзенінің бойымен сызылған. Қаланың жоспары емес.",
            "Демонстрационный коридор вдоль реки Весновки. Не план города.",
            "A demo corridor along the Vesnovka river. Not a plan of the city.",
        ),
        kind=Kind.GREEN_CORRIDOR,
        status=Status.PROPOSED,
        metres=3000,
        pieces=(
            Piece(0.5, Mode.SHARED, Status.PROPOSED, Surface.COMPACTED, Lighting.NONE, 3),
            Piece(0.5, Mode.PEDESTRIAN, Status.PROPOSED, Surface.BOARDWALK, Lighting.PARTIAL, 2.5),
        ),
    ),
    Plan(
        layer="waterway",
        line_names=("Big Almaty Canal", "Большой Алматинский канал", "БАК", "Үлкен Алматы каналы"),
        label="Big Almaty Canal",
        names=(
            "Үлкен Алматы каналы бойындағы велобағыт (демо)",
            "Веломаршрут вдоль Большого Алматинского канала (демо)",
            "Big Almaty Canal bike route (demo)",
        ),
        descriptions=(
            "Демо велобағыт: қаланың солтүстігіндегі арнаның бойымен. Қаланың жоспары емес.",
            "Демонстрационный веломаршрут вдоль канала на севере города. Не план города.",
            "A demo bike route along the canal in the north of the city. Not a plan of the city.",
        ),
        kind=Kind.BIKE_ROUTE,
        status=Status.PROPOSED,
        metres=6000,
        pieces=(
            Piece(0.25, Mode.BIKE, Status.PLANNED, Surface.ASPHALT, Lighting.PARTIAL, 3),
            Piece(0.25, Mode.BIKE, Status.PROPOSED, Surface.ASPHALT, Lighting.NONE, 3),
            Piece(0.25, Mode.BIKE, Status.PROPOSED, Surface.CONCRETE, Lighting.NONE, 3),
            Piece(0.25, Mode.SHARED, Status.PROPOSED, Surface.GRAVEL, Lighting.NONE, 4),
        ),
    ),
    Plan(
        layer="railway",
        line_names=(),
        label="a railway branch",
        names=(
            "Теміржол тармағындағы серуен жолы (демо)",
            "Тропа на месте железнодорожной ветки (демо)",
            "Rails to trails on a railway branch (demo)",
        ),
        descriptions=(
            "Демо: пакеттегі теміржол тармағы пайдаланылмай қалса, оның орнында салынатын жол. Қаланың жоспары емес.",
            "Демонстрация: тропа, которая могла бы пройти по ветке из пакета города, если её закроют. Не план города.",
            "A demo: the trail a railway branch of the city pack could become. Not a plan of the city.",
        ),
        kind=Kind.RAILS_TO_TRAILS,
        status=Status.PROPOSED,
        metres=3000,
        pieces=(
            Piece(0.5, Mode.SHARED, Status.PROPOSED, Surface.GRAVEL, Lighting.NONE, 4),
            Piece(0.5, Mode.BIKE, Status.PROPOSED, Surface.ASPHALT, Lighting.PARTIAL, 3),
        ),
        offset=False,  # the trail takes the track bed itself
    ),
    Plan(
        layer="waterway",
        line_names=("Малая Алмаатинка",),
        label="Malaya Almatinka (upstream, towards Medeu)",
        names=(
            "Медеуге апаратын жаяу жол (демо)",
            "Пешеходный маршрут к Медеу вдоль Малой Алматинки (демо)",
            "Pedestrian route to Medeu along the Malaya Almatinka (demo)",
        ),
        descriptions=(
            "Демо жаяу жол: Кіші Алматы шатқалымен жоғары. Қаланың жоспары емес.",
            "Демонстрационный пешеходный маршрут вверх по ущелью Малой Алматинки. Не план города.",
            "A demo walking route up the Malaya Almatinka gorge. Not a plan of the city.",
        ),
        kind=Kind.PEDESTRIAN_ROUTE,
        status=Status.EXISTING,
        metres=3000,
        pieces=(
            Piece(0.5, Mode.PEDESTRIAN, Status.EXISTING, Surface.ASPHALT, Lighting.PARTIAL, 3),
            Piece(0.5, Mode.PEDESTRIAN, Status.PLANNED, Surface.GROUND, Lighting.NONE, 2),
        ),
        reverse=True,  # up the gorge, towards Medeu
    ),
)

# Which reference lines a plan may follow, tried in order. The fragments are the command's own, never input.
WATERWAY_CHOICES = (
    "l.kind IN ('river', 'canal') AND %(names)s::text[] && ARRAY[l.name, l.name_kk, l.name_ru, l.name_en]::text[]",
)
RAILWAY_CHOICES = (
    # A disused or abandoned line is what a trail takes; the pack may have none.
    "l.kind IN ('disused', 'abandoned') OR NOT l.in_use",
    # Else a branch: the unnamed lines (sidings, spurs), not the named main line.
    "l.kind = 'rail' AND l.name = ''",
)

# The part of the reference line inside the city's districts (its extent when it has none) nearest the city's
# centre and long enough to draw on, in the city's metric SRID, as EWKB. OpenStreetMap cuts a river into many
# ways: they are merged first, and the merged line may still fall into parts (islands, branches).
PART_SQL = """
WITH area AS (
    SELECT COALESCE(ST_Union(d.geom), ST_GeomFromEWKB(%(extent)s)) AS geom
    FROM {districts} d JOIN gis_data_datasource s ON s.id = d.source_id WHERE s.city_id = %(city)s
),
lines AS (
    SELECT l.geom FROM {table} l JOIN gis_data_datasource s ON s.id = l.source_id
    WHERE s.city_id = %(city)s AND ({condition})
),
parts AS (
    SELECT (ST_Dump(ST_LineMerge(ST_CollectionExtract(ST_Intersection(ST_Union(lines.geom), area.geom), 2)))).geom
    FROM lines, area GROUP BY area.geom
)
SELECT ST_AsEWKB(ST_Transform(geom, %(srid)s)) FROM parts
WHERE ST_Length(geom::geography) >= %(minimum)s
ORDER BY ST_Distance(geom, ST_GeomFromEWKB(%(centre)s)) LIMIT 1
"""

# The stretch, offset to the embankment when that stays one simple line, cut into its pieces.
PIECES_SQL = """
WITH cut AS (SELECT ST_LineSubstring(ST_GeomFromEWKB(%(line)s), %(start)s, %(end)s) AS geom),
stretch AS (SELECT CASE WHEN %(reverse)s THEN ST_Reverse(geom) ELSE geom END AS geom FROM cut),
path AS (
    SELECT CASE WHEN GeometryType(o) = 'LINESTRING' AND NOT ST_IsEmpty(o) AND ST_IsSimple(o) THEN o ELSE s.geom END
    AS geom FROM stretch s, LATERAL (SELECT ST_OffsetCurve(s.geom, %(offset)s) AS o) offset_curve
)
SELECT ST_AsBinary(ST_Transform(ST_SimplifyPreserveTopology(ST_LineSubstring(path.geom, a, b), %(simplify)s), 4326))
FROM path, unnest(%(starts)s::float8[], %(ends)s::float8[]) AS cuts(a, b)
"""


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(value, high))


class DemoBuilder:
    """Finds each plan's reference line in the city and cuts its segments."""

    def __init__(self, city: City) -> None:
        self.city = city
        self.srid = city.metric_srid

    def part(self, plan: Plan) -> LineString | None:
        """The part of the plan's reference line to draw on, in the city's metric SRID, or None."""
        if plan.layer == "railway":
            table, conditions = Railway._meta.db_table, RAILWAY_CHOICES
        else:
            table, conditions = Waterway._meta.db_table, WATERWAY_CHOICES
        for condition in conditions:
            sql = PART_SQL.format(districts=District._meta.db_table, table=table, condition=condition)
            params = {
                "city": self.city.pk,
                "extent": self.city.extent.ewkb,
                "centre": self.city.center.ewkb,
                "srid": self.srid,
                "minimum": MIN_PART_METRES,
                "names": list(plan.line_names),
            }
            with connection.cursor() as cursor:
                cursor.execute(sql, params)  # noqa: S608 (tables and conditions are this module's; values are parameters)
                row = cursor.fetchone()
            if row is not None:
                return GEOSGeometry(memoryview(row[0]))
        return None

    def lines(self, plan: Plan, part: LineString) -> list[LineString]:
        """The plan's segments: the stretch of ``plan.metres`` nearest the city's centre, cut by the shares."""
        total = part.length
        length = min(plan.metres, total)
        centre = self.city.center.transform(self.srid, clone=True)
        middle = part.project(centre)
        start = clamp(middle - length / 2, 0, total - length)
        starts, ends, walked = [], [], 0.0
        for piece in plan.pieces:
            starts.append(walked)
            walked += piece.share
            ends.append(min(walked, 1.0))
        params = {
            "line": part.ewkb,
            "start": start / total,
            "end": (start + length) / total,
            "offset": EMBANKMENT_METRES if plan.offset else 0.0,
            "reverse": plan.reverse,
            "simplify": SIMPLIFY_METRES,
            "starts": starts,
            "ends": ends,
        }
        with connection.cursor() as cursor:
            cursor.execute(PIECES_SQL, params)
            return [GEOSGeometry(memoryview(wkb), srid=SRID) for (wkb,) in cursor.fetchall()]

    def build(self, plan: Plan, lines: list[LineString]) -> Corridor:
        corridor = Corridor(kind=plan.kind, status=plan.status, is_published=True, is_demo=True)
        for code, name, description in zip(LANGUAGES, plan.names, plan.descriptions, strict=True):
            setattr(corridor, f"name_{code}", name)
            setattr(corridor, f"description_{code}", description)
        services.create_corridor(corridor, user=None)
        for piece, line in zip(plan.pieces, lines, strict=True):
            segment = Segment(
                corridor=corridor,
                geom=line,
                mode=piece.mode,
                status=piece.status,
                surface=piece.surface,
                lighting=piece.lighting,
                width_m=piece.width_m,
            )
            services.save_segment(segment, user=None)
        corridor.refresh_from_db()
        return corridor


@transaction.atomic
def remove_demo_corridors() -> int:
    """Delete every demo corridor with its segments, photos (rows and files) and history; return how many."""
    demo = Corridor.objects.filter(is_demo=True)
    ids = list(demo.values_list("pk", flat=True))
    photos = Photo.objects.of_model(Corridor).filter(object_id__in=ids)
    files = [image for photo in photos for image in (photo.image, photo.thumbnail) if image]
    photos.delete()
    demo.delete()
    Segment.history.filter(corridor_id__in=ids).delete()
    Corridor.history.filter(id__in=ids).delete()
    # Files go once the rows are gone for good: a rolled-back removal keeps its photos.
    transaction.on_commit(lambda: [image.storage.delete(image.name) for image in files])
    return len(ids)


class Command(BaseCommand):
    help = "Draw demo corridors along the real rivers, canal and railways of the loaded city (replacing earlier ones)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing when any corridor exists")
        parser.add_argument("--remove", action="store_true", help="delete every demo corridor, and nothing else")
        parser.add_argument("--language", default="en", help="language of the messages: kk, ru or en")

    def handle(self, *args, if_empty=False, remove=False, language="en", **options):
        with translation.override(language):
            if remove:
                removed = remove_demo_corridors()
                self.stdout.write(_("%(count)d demo corridors removed.") % {"count": removed})
                return
            if if_empty and Corridor.objects.exists():
                self.stdout.write(_("There are corridors already: no demo corridors added."))
                return
            city = current_city()
            if city is None:
                raise CommandError(_("No city is loaded: load a city pack first (manage.py gis_load_city)."))
            builder = DemoBuilder(city)
            created: list[Corridor] = []
            with transaction.atomic():
                removed = remove_demo_corridors()
                for plan in PLANS:
                    corridor = self.draw(builder, plan)
                    if corridor is not None:
                        created.append(corridor)
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(city)s: %(count)d demo corridors added (%(removed)d earlier ones replaced).")
                    % {"city": city, "count": len(created), "removed": removed}
                )
            )

    def draw(self, builder: DemoBuilder, plan: Plan) -> Corridor | None:
        part = builder.part(plan)
        if part is None:
            self.stdout.write(
                _("%(line)s is not in the city pack (or not inside the city): “%(corridor)s” is skipped.")
                % {"line": plan.label, "corridor": plan.names[2]}
            )
            return None
        lines = builder.lines(plan, part)
        try:
            # One savepoint per corridor: a line the rules refuse leaves no half-drawn corridor behind.
            with transaction.atomic():
                corridor = builder.build(plan, lines)
        except ValidationError as error:
            values = {"corridor": plan.names[2], "reason": " ".join(error.messages)}
            self.stderr.write(_("“%(corridor)s” is skipped: %(reason)s") % values)
            return None
        self.stdout.write(
            _("“%(corridor)s”: %(count)d segments, %(length)s m along %(line)s.")
            % {"corridor": plan.names[2], "count": len(lines), "length": round(corridor.length_m), "line": plan.label}
        )
        return corridor
