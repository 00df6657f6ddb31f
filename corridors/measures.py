"""What is measured from a segment's line, and summed for its corridor (docs/corridors.md says why each rule).

- Length: in the city's metric spatial reference (its UTM zone), never in degrees.
- Districts: those the line intersects.
- Follows: the river, canal or railway the segment runs along. Every candidate
  line within ``CORRIDOR_FOLLOW_METRES`` is measured in one PostGIS query: the
  share of the segment's length inside a buffer of that width around it. Ways
  of the same kind and name count as one (OpenStreetMap cuts a river into many
  ways). The largest share wins if it reaches ``FOLLOW_MIN_SHARE``; a railway in
  use is taken only when no disused one reaches it (a disused line is the one
  a trail can take).
- Urban share and landscape: the share of the length inside the urban blocks
  (``PopulationCell.is_urban``, see docs/population.md); free-form from
  ``URBAN_MIN_SHARE``, natural below. A city without cells gets neither: the
  type is left blank, "not derived".
- Profile: heights sampled from the DEM every ``CORRIDOR_PROFILE_STEP_METRES``
  along the line and at its end; climb, descent and grades come only from
  consecutive samples that both have a height, and the length between samples
  without one is reported as a gap, never filled.
"""

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from django.db.models import QuerySet

from gis_data.geometry import SRID
from gis_data.models import City, DataSource, District, PopulationCell, Railway, Waterway
from gis_data.packs import current_city
from gis_data.raster import Elevation

from .models import Corridor, Follows, Landscape, Segment

if TYPE_CHECKING:
    from collections.abc import Iterable

# A segment follows a line when at least this share of its length is within CORRIDOR_FOLLOW_METRES of it.
FOLLOW_MIN_SHARE = 0.3
# A segment's landscape is free-form when at least this share of its length is inside the urban blocks.
URBAN_MIN_SHARE = 0.5
# The waterways and railways a corridor can follow. Streams, ditches and drains are too small to walk along;
# metro lines are underground, tram lines run in the streets, lines under construction are not there yet.
FOLLOWED_WATERWAYS = ("river", "canal")
FOLLOWED_RAILWAYS = ("rail", "light_rail", "narrow_gauge", "preserved", *Railway.DISUSED_KINDS)
# A regular sample closer than this share of a step to the line's end is dropped: the end is sampled anyway,
# and a pair of samples a hair apart would make a grade out of rounding.
END_TOLERANCE = 0.01


@dataclass
class Profile:
    """Heights along a line: ``elevations[i]`` at ``distances[i]`` metres from the start, None without data.

    Grades are fractions (0.05 is 5 %). ``climb_m``, ``descent_m`` and the
    grades are None when no two consecutive samples have heights; ``gap_m`` is
    the length between samples of which at least one has no height.
    """

    distances: list[float]
    elevations: list[float | None]
    climb_m: float | None
    descent_m: float | None
    mean_grade: float | None
    max_grade: float | None
    gap_m: float
    step: float = 30

    @property
    def length_m(self) -> float:
        return self.distances[-1] if self.distances else 0.0

    @property
    def has_data(self) -> bool:
        return any(height is not None for height in self.elevations)

    def as_json(self) -> dict[str, Any]:
        """The profile as ``Segment.profile`` keeps it (and the pages chart it): metres to the decimetre."""
        return {
            "step": self.step,
            "distances": [round(distance, 1) for distance in self.distances],
            "elevations": [None if height is None else round(height, 1) for height in self.elevations],
        }


def sample_distances(length: float, step: float) -> np.ndarray:
    """Where a line of ``length`` metres is sampled: every ``step`` metres from the start, and at its end."""
    if length <= 0:
        return np.zeros(1)
    distances = np.arange(0.0, length, step)
    if length - distances[-1] < step * END_TOLERANCE and len(distances) > 1:
        distances = distances[:-1]
    return np.append(distances, length)


def profile_along(coords: np.ndarray, srid: int, elevation: Elevation | None, step: float) -> Profile:
    """The elevation profile of the line through ``coords`` ((n, 2) vertices in the metric EPSG:``srid``).

    Samples every ``step`` metres and at the end. Climb and descent sum the
    rises and falls between consecutive samples that both have a height; the
    mean grade is (climb + descent) / the length with heights; the maximum
    grade is the steepest rise or fall between consecutive samples. With no
    DEM, every height is None, the figures are None and the whole line is a gap.
    """
    coords = np.asarray(coords, dtype=np.float64).reshape(-1, 2)
    pieces = np.hypot(*np.diff(coords, axis=0).T)
    # Repeated vertices would stall the interpolation along the line.
    keep = np.concatenate([[True], pieces > 0])
    coords, along = coords[keep], np.concatenate([[0.0], np.cumsum(pieces[pieces > 0])])
    distances = sample_distances(float(along[-1]), step)
    if elevation is None:
        heights = np.full(distances.shape, np.nan)
    else:
        xs = np.interp(distances, along, coords[:, 0])
        ys = np.interp(distances, along, coords[:, 1])
        heights = elevation.at(xs, ys, srid=srid)

    runs, rises = np.diff(distances), np.diff(heights)
    measured = np.isfinite(rises)
    gap = float(runs[~measured].sum()) if elevation is not None else float(distances[-1])
    climb = descent = mean_grade = max_grade = None
    if measured.any():
        rises, runs = rises[measured], runs[measured]
        climb = float(rises[rises > 0].sum())
        descent = float(-rises[rises < 0].sum())
        mean_grade = (climb + descent) / float(runs.sum())
        max_grade = float(np.max(np.abs(rises) / runs))
    return Profile(
        distances=[float(d) for d in distances],
        elevations=[float(h) if math.isfinite(h) else None for h in heights],
        climb_m=climb,
        descent_m=descent,
        mean_grade=mean_grade,
        max_grade=max_grade,
        gap_m=gap,
        step=step,
    )


@dataclass(frozen=True)
class LineMeasures:
    """What one query tells of a segment's line (see ``_measure_line``)."""

    length_m: float
    metric_coords: np.ndarray
    urban_length_m: float | None
    follows: list[tuple[str, str, float]]


# One query for everything PostGIS measures of a segment: its length and vertices in the metric SRID, its length
# inside the urban cells (NULL when the city has no cells), and for each river, canal or railway (ways of one kind
# and name together) the length of the segment within the follow distance of it. The candidate lines are clipped
# to the segment's box grown by that distance before they are buffered: a 20 km river costs no more than a bridge.
MEASURE_SQL = """
WITH segment AS (
    SELECT line, ST_Transform(line, %(srid)s) AS metric FROM (SELECT ST_GeomFromWKB(%(line)s, 4326) AS line) AS given
), box AS (
    SELECT ST_Expand(ST_Envelope(metric), %(follow)s + 1) AS metric,
           ST_Envelope(ST_Transform(ST_Expand(ST_Envelope(metric), %(follow)s + 10), 4326)) AS lonlat
    FROM segment
), candidates AS (
    SELECT w.kind AS follows, w.id AS id,
           COALESCE(NULLIF(w.name, ''), NULLIF(w.name_en, ''), NULLIF(w.name_ru, ''), NULLIF(w.name_kk, '')) AS label,
           ST_ClipByBox2D(ST_Transform(w.geom, %(srid)s), box.metric::box2d) AS metric
    FROM {waterway} w JOIN {source} s ON s.id = w.source_id, box
    WHERE s.city_id = %(city)s AND w.kind = ANY(%(waterways)s) AND w.geom && box.lonlat
    UNION ALL
    SELECT CASE WHEN r.kind = ANY(%(disused)s) THEN 'disused_railway' ELSE 'railway' END, r.id,
           COALESCE(NULLIF(r.name, ''), NULLIF(r.name_en, ''), NULLIF(r.name_ru, ''), NULLIF(r.name_kk, '')),
           ST_ClipByBox2D(ST_Transform(r.geom, %(srid)s), box.metric::box2d)
    FROM {railway} r JOIN {source} s ON s.id = r.source_id, box
    WHERE s.city_id = %(city)s AND r.kind = ANY(%(railways)s) AND r.geom && box.lonlat
), lines AS (
    SELECT follows, label, ST_Union(metric) AS metric FROM candidates
    WHERE NOT ST_IsEmpty(metric)
    GROUP BY follows, label, CASE WHEN label IS NULL THEN id END
)
SELECT
    ST_Length(segment.metric),
    ST_AsBinary(segment.metric),
    CASE WHEN EXISTS (SELECT 1 FROM {cell} WHERE city_id = %(city)s) THEN COALESCE((
        SELECT ST_Length(ST_Intersection(segment.metric, ST_Union(ST_Transform(c.geom, %(srid)s))))
        FROM {cell} c WHERE c.city_id = %(city)s AND c.is_urban AND c.geom && segment.line
    ), 0) END,
    (SELECT json_agg(json_build_array(
        lines.follows, COALESCE(lines.label, ''),
        ST_Length(ST_Intersection(segment.metric, ST_Buffer(lines.metric, %(follow)s)))
     )) FROM lines)
FROM segment
"""


def _measure_line(line: GEOSGeometry, city: City, follow_metres: float) -> LineMeasures:
    tables = {
        "waterway": Waterway._meta.db_table,
        "railway": Railway._meta.db_table,
        "source": DataSource._meta.db_table,
        "cell": PopulationCell._meta.db_table,
    }
    params = {
        "line": bytes(line.wkb),
        "srid": int(city.metric_srid),
        "city": city.pk,
        "follow": float(follow_metres),
        "waterways": list(FOLLOWED_WATERWAYS),
        "railways": list(FOLLOWED_RAILWAYS),
        "disused": list(Railway.DISUSED_KINDS),
    }
    with connection.cursor() as cursor:
        # The table names come from the models, every value is a parameter.
        cursor.execute(MEASURE_SQL.format(**tables), params)
        length, wkb, urban_length, follows = cursor.fetchone()
    metric = GEOSGeometry(memoryview(wkb))
    if isinstance(follows, str):  # a driver that does not decode json
        import json

        follows = json.loads(follows)
    return LineMeasures(
        length_m=float(length),
        metric_coords=np.asarray(metric.coords, dtype=np.float64),
        urban_length_m=None if urban_length is None else float(urban_length),
        follows=[(kind, label, float(along or 0)) for kind, label, along in follows or []],
    )


def choose_follows(candidates: "Iterable[tuple[str, str, float]]", length: float) -> tuple[str, str, float] | None:
    """The line a segment of ``length`` metres follows, from (kind, name, metres along it) candidates, or None.

    The largest share wins once it reaches FOLLOW_MIN_SHARE, except that a
    railway in use is taken only when no disused railway reaches it.
    """
    if length <= 0:
        return None
    shares = [(kind, name, min(along / length, 1.0)) for kind, name, along in candidates]
    shares = [candidate for candidate in shares if candidate[2] >= FOLLOW_MIN_SHARE]
    if any(kind == Follows.DISUSED_RAILWAY for kind, _name, _share in shares):
        shares = [candidate for candidate in shares if candidate[0] != Follows.RAILWAY]
    # Ties go to the kind listed first in Follows (river, canal, railway, disused railway), then to the name.
    order = {kind: index for index, kind in enumerate(Follows.values)}
    return min(shares, key=lambda c: (-c[2], order.get(c[0], len(order)), c[1]), default=None)


def _length_on_spheroid(line: GEOSGeometry) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Length(ST_GeomFromWKB(%s, 4326)::geography)", [bytes(line.wkb)])
        return float(cursor.fetchone()[0])


def _lonlat(line: GEOSGeometry) -> GEOSGeometry:
    return line if line.srid in (None, SRID) else line.transform(SRID, clone=True)


def measure_segment(segment: Segment, city: City | None = None) -> None:
    """Set every derived field of ``segment`` from its line (not its districts: see ``segment_districts``).

    ``city`` is the loaded city by default. Without one, only the length is
    measured (on the spheroid) and every other figure is left empty. Nothing
    is saved.
    """
    city = city or current_city()
    line = _lonlat(segment.geom)
    step = settings.CORRIDOR_PROFILE_STEP_METRES
    if city is None:
        segment.length_m = _length_on_spheroid(line)
        measures, elevation = None, None
        profile = Profile([0.0, segment.length_m], [None, None], None, None, None, None, segment.length_m, step)
    else:
        measures = _measure_line(line, city, settings.CORRIDOR_FOLLOW_METRES)
        segment.length_m = measures.length_m
        elevation = Elevation.for_city(city)
        profile = profile_along(measures.metric_coords, city.metric_srid, elevation, step)

    segment.profile = profile.as_json()
    segment.climb_m, segment.descent_m = profile.climb_m, profile.descent_m
    segment.mean_grade, segment.max_grade = profile.mean_grade, profile.max_grade
    segment.dem_gap_m = profile.gap_m

    if measures is None or measures.urban_length_m is None or measures.length_m <= 0:
        segment.urban_share, segment.landscape_derived = None, ""
    else:
        segment.urban_share = min(measures.urban_length_m / measures.length_m, 1.0)
        urban = segment.urban_share >= URBAN_MIN_SHARE
        segment.landscape_derived = Landscape.FREE_FORM if urban else Landscape.NATURAL

    chosen = choose_follows(measures.follows, measures.length_m) if measures is not None else None
    if chosen is None:
        segment.follows, segment.follows_name, segment.follows_share = "", "", None
    else:
        segment.follows, name, segment.follows_share = chosen
        segment.follows_name = name[: Segment._meta.get_field("follows_name").max_length]


def segment_districts(segment: Segment, city: City | None = None) -> QuerySet[District]:
    """The districts ``segment``'s line crosses (of ``city``'s pack, the loaded city by default)."""
    city = city or current_city()
    districts = District.objects.filter(geom__intersects=_lonlat(segment.geom))
    return districts.filter(source__city=city) if city is not None else districts


# The segment fields measure_segment sets, for saving them without touching the rest.
MEASURED_FIELDS = (
    "length_m",
    "urban_share",
    "landscape_derived",
    "follows",
    "follows_name",
    "follows_share",
    "profile",
    "climb_m",
    "descent_m",
    "mean_grade",
    "max_grade",
    "dem_gap_m",
)


def refresh_corridor(corridor: Corridor) -> None:
    """Sum ``corridor``'s figures over its segments and save them (no history record: they are derived).

    Length and DEM gap are sums; climb and descent sum over the segments that
    have heights (each in the direction it is drawn), None when none has; the
    mean grade is weighted by the length with heights, so it equals
    (climb + descent) / that length; the maximum grade is the steepest
    segment's; the districts are every segment's together.
    """
    rows = list(corridor.segments.values_list("length_m", "dem_gap_m", "climb_m", "descent_m", "max_grade"))
    measured = [row for row in rows if row[2] is not None]
    figures: dict[str, float | None] = {
        "length_m": sum(row[0] for row in rows),
        "dem_gap_m": sum(row[1] for row in rows),
        "climb_m": None,
        "descent_m": None,
        "mean_grade": None,
        "max_grade": None,
    }
    if measured:
        climb = sum(row[2] for row in measured)
        descent = sum(row[3] or 0 for row in measured)
        with_heights = sum(max(row[0] - row[1], 0) for row in measured)
        figures["climb_m"], figures["descent_m"] = climb, descent
        figures["mean_grade"] = (climb + descent) / with_heights if with_heights > 0 else None
        figures["max_grade"] = max((row[4] for row in measured if row[4] is not None), default=None)
    Corridor.objects.filter(pk=corridor.pk).update(**figures)
    for name, value in figures.items():
        setattr(corridor, name, value)
    through = Segment.districts.through
    corridor.districts.set(
        District.objects.filter(pk__in=through.objects.filter(segment__corridor=corridor).values("district_id"))
    )
