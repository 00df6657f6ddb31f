"""Benchmark: the clusters of the proposals layer, and the map of proposals, with 200,000 proposals.

Run against a database with the city pack loaded (after `make run`, or on a
database of its own: `DATABASE_URL=postgres://…/qala_bench`):

    .venv/bin/python bench/proposal_clusters.py [--keep]

Inside a transaction that is rolled back at the end (kept with ``--keep``, to
look at the plans in psql), it writes 200,000 proposals with SQL: spread over
the city's districts, denser towards the centre; every kind, category and
status; one in seven a line or an area; a few pending or hidden, which no
answer may count. Anchors and districts are derived as ``Proposal.save``
derives them. Then it asks the cluster endpoint (Django's test Client: URL,
middleware, view, filter form, ORM) for the view of a 1280 × 800 screen over
the centre at zooms 11 (the whole city), 13 and 16, with and without a
filter, and times each against the same answer written by hand in SQL and run
on a cursor in the same process: the count that stops at the limit, then the
grid (or every feature, when few are in view). The map page is timed against
itself before the proposals were written. Median of REPEATS runs after a
warm-up; the results are recorded in bench/RESULTS.md. Not a test: compare
the ratios.
"""

import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402 (settings must be chosen first)

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.gis.db.models import Extent  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from gis_data.clusters import ALL_FEATURES_ZOOM, cell_size  # noqa: E402
from gis_data.models import District  # noqa: E402
from gis_data.packs import current_city  # noqa: E402
from participation.models import Category, Proposal  # noqa: E402
from projects.models import Category as ProjectCategory  # noqa: E402
from projects.models import Project  # noqa: E402

REPEATS = 15
COUNT = 200_000
SCREEN = (1280, 800)

# The rows are made in a temporary table first, so that deriving their districts leaves no dead rows in the
# proposals' table (a bloated table would make every scan slower than in a real, vacuumed database).
GENERATE = """
CREATE TEMPORARY TABLE bench_proposal ON COMMIT DROP AS
SELECT g.*, ST_Transform(ST_PointOnSurface(g.geom), 3857) AS anchor, NULL::bigint AS district_id
FROM (
    SELECT s.n, s.created_at,
        (ARRAY['problem', 'problem', 'public_space', 'corridor', 'park'])[1 + floor(random() * 5)::int] AS kind,
        (%(categories)s::bigint[])[1 + floor(random() * cardinality(%(categories)s::bigint[]))::int] AS category_id,
        CASE WHEN s.v < 0.05 THEN 'pending' WHEN s.v < 0.08 THEN 'hidden' ELSE 'published' END AS visibility,
        CASE WHEN s.t < 0.5 THEN 'published' WHEN s.t < 0.7 THEN 'under_review' WHEN s.t < 0.82 THEN 'accepted'
             WHEN s.t < 0.9 THEN 'implemented' ELSE 'rejected' END AS status,
        CASE
            WHEN s.shape < 0.86 THEN ST_SetSRID(ST_MakePoint(s.x, s.y), 4326)
            WHEN s.shape < 0.95 THEN ST_SetSRID(ST_MakeLine(
                ST_MakePoint(s.x, s.y), ST_MakePoint(s.x + (random() - 0.5) * 0.008, s.y + (random() - 0.5) * 0.006)
            ), 4326)
            ELSE ST_MakeEnvelope(s.x, s.y, s.x + 0.002, s.y + 0.0015, 4326)
        END AS geom
    FROM (
        SELECT n, random() AS v, random() AS t, random() AS shape,
            now() - random() * interval '3 years' AS created_at,
            -- Six in ten anywhere in the districts' extent, four in ten gathered around the centre.
            CASE WHEN n %% 10 < 6 THEN %(west)s + random() * (%(east)s - %(west)s)
                 ELSE %(cx)s + (random() + random() + random() - 1.5) * 0.08 END AS x,
            CASE WHEN n %% 10 < 6 THEN %(south)s + random() * (%(north)s - %(south)s)
                 ELSE %(cy)s + (random() + random() + random() - 1.5) * 0.06 END AS y
        FROM generate_series(1, %(count)s) AS n
    ) AS s
) AS g
"""
# As Proposal.save derives it: the district that holds the anchor.
ANCHOR_DISTRICT = """
UPDATE bench_proposal b SET district_id = d.id FROM gis_data_district d
WHERE ST_Intersects(d.geom, ST_Transform(b.anchor, 4326))
"""
INSERT = """
INSERT INTO participation_proposal (
    kind, title, description, language, geom, anchor, district_id, contact_name, contact_email, submission_key,
    sender_network, visibility, moderation_reason, status, published_at, created_at, updated_at, category_id,
    implemented_by_id
)
SELECT
    b.kind, 'Bench proposal ' || b.n, 'Written by bench/proposal_clusters.py.', 'ru', b.geom, b.anchor, b.district_id,
    '', '', gen_random_uuid(), '', b.visibility, CASE WHEN b.visibility = 'hidden' THEN 'Bench' ELSE '' END,
    b.status, CASE WHEN b.visibility = 'published' THEN b.created_at + interval '1 day' END,
    b.created_at, now(), b.category_id, CASE WHEN b.status = 'implemented' THEN %(project)s END
FROM bench_proposal b
ORDER BY b.n
"""
# A duplicate points to an earlier proposal, so those are made once the rows have their ids (one in 200).
DUPLICATES = """
UPDATE participation_proposal SET status = 'duplicate', duplicate_of_id = id - 1
WHERE id > %(first)s + 1 AND id %% 20 = 0 AND status = 'rejected'
"""
# As Proposal.save derives them: every district the geometry touches.
DISTRICTS = """
INSERT INTO participation_proposal_districts (proposal_id, district_id)
SELECT p.id, d.id FROM gis_data_district d JOIN participation_proposal p ON ST_Intersects(d.geom, p.geom)
WHERE p.id > %(first)s
"""

# The hand-written reference: the same two statements as the endpoint, filters repeated by hand.
RAW_COUNT = """
SELECT count(*) FROM (
    SELECT 1 FROM participation_proposal p {joins}
    WHERE p.visibility = 'published' {condition}
      AND p.anchor && ST_Transform(ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326), 3857)
    LIMIT %(limit)s + 1
) AS s
"""
RAW_FEATURE = """
json_build_object('type', 'Feature', 'id', p.id, 'geometry', ST_AsGeoJSON(p.geom, 6, 0)::json,
    'properties', json_build_object('title', p.title, 'kind', p.kind, 'category', c.slug, 'status', p.status))
"""
RAW_FEATURES = f"""
SELECT json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg({RAW_FEATURE}), '[]'::json))::text
FROM participation_proposal p JOIN participation_category c ON c.id = p.category_id {{joins}}
WHERE p.visibility = 'published' {{condition}}
  AND p.anchor && ST_Transform(ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326), 3857)
"""  # noqa: S608 (constant SQL)
RAW_CLUSTERS = f"""
WITH cells AS MATERIALIZED (
    SELECT floor(a.x / %(cell)s) AS i, floor(a.y / %(cell)s) AS j, count(*) AS n,
        sum(a.x) / count(*) AS x, sum(a.y) / count(*) AS y,
        min(a.x) AS xmin, min(a.y) AS ymin, max(a.x) AS xmax, max(a.y) AS ymax, min(a.id) AS lone_id
    FROM (
        SELECT p.id, ST_X(p.anchor) AS x, ST_Y(p.anchor) AS y
        FROM participation_proposal p {{joins}}
        WHERE p.visibility = 'published' {{condition}}
          AND p.anchor && ST_Transform(ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326), 3857)
        OFFSET 0
    ) AS a
    GROUP BY 1, 2
),
features AS (
    SELECT 0 AS part, c.i, c.j, json_build_object('type', 'Feature',
        'geometry', ST_AsGeoJSON(ST_Transform(ST_SetSRID(ST_MakePoint(c.x, c.y), 3857), 4326), 6, 0)::json,
        'properties', json_build_object('cluster', true, 'count', c.n, 'bbox', json_build_array(
            round(ST_X(sw)::numeric, 6), round(ST_Y(sw)::numeric, 6),
            round(ST_X(ne)::numeric, 6), round(ST_Y(ne)::numeric, 6)))) AS feature
    FROM cells c,
        ST_Transform(ST_SetSRID(ST_MakePoint(c.xmin, c.ymin), 3857), 4326) AS sw,
        ST_Transform(ST_SetSRID(ST_MakePoint(c.xmax, c.ymax), 3857), 4326) AS ne
    WHERE c.n > 1
    UNION ALL
    SELECT 1, cells.i, cells.j, {RAW_FEATURE}
    FROM cells
    JOIN participation_proposal p ON p.id = cells.lone_id
    JOIN participation_category c ON c.id = p.category_id
    WHERE cells.n = 1
)
SELECT json_build_object('type', 'FeatureCollection',
    'features', COALESCE(json_agg(feature ORDER BY part, i, j), '[]'::json))::text
FROM features
"""  # noqa: S608 (constant SQL)


def median_seconds(run) -> float:
    run()  # warm the caches
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def screen_bbox(lon: float, lat: float, zoom: int) -> tuple[float, float, float, float]:
    """What static/js/map.js asks for: a screen's view around (lon, lat), widened to its grid of 128 pixels."""
    world = 256 * 2**zoom

    def to_pixels(lon: float, lat: float) -> tuple[float, float]:
        y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
        return (lon + 180) / 360 * world, (1 - y / math.pi) / 2 * world

    def to_degrees(x: float, y: float) -> tuple[float, float]:
        return x / world * 360 - 180, math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / world))))

    x, y = to_pixels(lon, lat)
    west, north = to_degrees(x - SCREEN[0] / 2, y - SCREEN[1] / 2)
    east, south = to_degrees(x + SCREEN[0] / 2, y + SCREEN[1] / 2)
    step = 180 / 2**zoom
    return (
        math.floor(west / step) * step,
        math.floor(south / step) * step,
        math.ceil(east / step) * step,
        math.ceil(north / step) * step,
    )


def generate() -> int:
    """COUNT proposals written with SQL; returns the last id before them."""
    city = current_city()
    project = Project.objects.filter(is_published=True).first()
    if project is None:
        category = ProjectCategory.objects.first()
        project = Project.objects.create(
            title_en="Bench project", category=category, geom="SRID=4326;POINT(76.93 43.25)", is_published=True
        )
    districts = District.objects.aggregate(extent=Extent("geom"))["extent"]
    west, south, east, north = districts or city.extent.extent
    first = Proposal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    parameters = {
        "count": COUNT,
        "project": project.pk,
        "categories": list(Category.objects.values_list("pk", flat=True)),
        "west": west,
        "south": south,
        "east": east,
        "north": north,
        "cx": city.center.x,
        "cy": city.center.y,
        "first": first,
    }
    with connection.cursor() as cursor:
        for sql in (GENERATE, ANCHOR_DISTRICT, INSERT, DUPLICATES, DISTRICTS):
            cursor.execute(sql, parameters)
        cursor.execute("ANALYZE participation_proposal")
        cursor.execute("ANALYZE participation_proposal_districts")
    return first


def raw_answer(bbox, zoom: int, joins: str, condition: str, values: dict) -> str:
    parameters = dict(zip(("west", "south", "east", "north"), bbox, strict=True))
    parameters |= {"limit": settings.MAP_CLUSTER_FEATURE_LIMIT, "cell": cell_size(zoom), **values}
    with connection.cursor() as cursor:
        cursor.execute(RAW_COUNT.format(joins=joins, condition=condition), parameters)
        few = cursor.fetchone()[0] <= settings.MAP_CLUSTER_FEATURE_LIMIT
        sql = RAW_FEATURES if zoom >= ALL_FEATURES_ZOOM or few else RAW_CLUSTERS
        cursor.execute(sql.format(joins=joins, condition=condition), parameters)
        return cursor.fetchone()[0]


def main() -> None:
    city = current_city()
    if city is None:
        raise SystemExit("No city is loaded: run `make run` (or gis_load_city) first.")
    keep = "--keep" in sys.argv[1:]
    client = Client(SERVER_NAME="127.0.0.1")
    map_url = reverse("participation:map")
    clusters_url = reverse("gis_data:layer_clusters", args=["proposals"])
    lighting = Category.objects.get(slug="lighting")
    central = District.objects.filter(geom__contains=city.center).first()

    with transaction.atomic():
        empty_page = median_seconds(lambda: client.get(map_url))
        start = time.perf_counter()
        generate()
        published = Proposal.objects.published().count()
        print(
            f"{COUNT} proposals written in {time.perf_counter() - start:.0f} s ({published} published), "
            f"MAP_CLUSTER_FEATURE_LIMIT {settings.MAP_CLUSTER_FEATURE_LIMIT}\n"
        )
        print("| view | filter | in view | features sent | raw SQL (ms) | endpoint (ms) | endpoint / raw |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        filters = [
            ("none", {}, "", "", {}),
            ("category", {"category": "lighting"}, "", "AND p.category_id = %(category)s", {"category": lighting.pk}),
        ]
        if central is not None:
            filters.append(
                (
                    f"district ({central.name})",
                    {"district": central.pk},
                    "JOIN participation_proposal_districts pd ON pd.proposal_id = p.id",
                    "AND pd.district_id = %(district)s",
                    {"district": central.pk},
                )
            )
        for zoom in (11, 13, 16):
            bbox = screen_bbox(city.center.x, city.center.y, zoom)
            for label, query, joins, condition, values in filters:
                if label.startswith("district") and zoom != 13:
                    continue
                url = f"{clusters_url}?bbox={','.join(f'{v:.6f}' for v in bbox)}&zoom={zoom}"
                url += "".join(f"&{key}={value}" for key, value in query.items())
                response = client.get(url)
                assert response.status_code == 200, response.content
                data = response.json()
                counted = sum(
                    f["properties"]["count"] if f["properties"].get("cluster") else 1 for f in data["features"]
                )
                reference = median_seconds(
                    lambda b=bbox, z=zoom, j=joins, c=condition, v=values: raw_answer(b, z, j, c, v)
                )
                ours = median_seconds(lambda u=url: client.get(u))
                print(
                    f"| zoom {zoom} | {label} | {counted} | {len(data['features'])} | {reference * 1000:.1f} | "
                    f"{ours * 1000:.1f} | {ours / reference:.2f} |"
                )
        page = median_seconds(lambda: client.get(map_url))
        print(f"\n| page | with no proposal (ms) | with {COUNT} (ms) | ratio |\n| --- | --- | --- | --- |")
        print(f"| map of proposals | {empty_page * 1000:.1f} | {page * 1000:.1f} | {page / empty_page:.2f} |")
        if not keep:
            transaction.set_rollback(True)


if __name__ == "__main__":
    main()
