"""Benchmark: the registry's GeoJSON against the raw SQL it should match and Django's GeoJSON serializer.

Run against a database with the city pack loaded (after `make run`):

    .venv/bin/python bench/layer_geojson.py

Prints, for each layer and bounding box, the median time of each way and the
ratios to the raw SQL; the results are recorded in bench/RESULTS.md. Not a test:
absolute times on a shared machine mean little, the ratios are what to compare.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402 (settings must be chosen first)

django.setup()

from django.core.serializers import serialize  # noqa: E402
from django.db import connection  # noqa: E402

from gis_data.registry import feature_collection, registry  # noqa: E402

REPEATS = 15
CENTRE = (76.90, 43.22, 76.98, 43.28)  # about 6 km by 7 km in the city centre
CITY = (76.6, 43.0, 77.3, 43.6)

RAW_SQL = """
SELECT json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(json_build_object(
    'type', 'Feature', 'id', t.id, 'geometry', ST_AsGeoJSON(t.geom, 6, 0)::json,
    'properties', json_build_object('name', t.name, 'name_kk', t.name_kk, 'name_ru', t.name_ru, 'name_en', t.name_en)
)), '[]'::json))::text
FROM {table} t
WHERE t.geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326) AND ST_Intersects(t.geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))
{condition}
"""


def median_seconds(run) -> float:
    run()  # warm the caches
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    print("| layer | bbox | features | raw SQL (ms) | registry / raw | Django serializer / raw |")
    print("| --- | --- | --- | --- | --- | --- |")
    # The raw SQL repeats each layer's filter by hand.
    conditions = {"districts": "", "main_roads": "AND t.is_main", "streets": ""}
    for name, condition in conditions.items():
        layer = registry.get(name)
        table = layer.queryset().model._meta.db_table
        for label, bbox in (("centre", CENTRE), ("city", CITY)):
            queryset = layer.features(bbox)
            count = queryset.count()

            def raw(table=table, bbox=bbox, condition=condition):
                with connection.cursor() as cursor:
                    cursor.execute(RAW_SQL.format(table=table, condition=condition), (*bbox, *bbox))
                    return cursor.fetchone()[0]

            def ours(layer=layer, bbox=bbox):
                return feature_collection(layer, layer.features(bbox))

            def django_serializer(layer=layer, bbox=bbox):
                return serialize("geojson", layer.features(bbox), geometry_field="geom", fields=layer.attributes)

            reference = median_seconds(raw)
            print(
                f"| {name} | {label} | {count} | {reference * 1000:.1f} | "
                f"{median_seconds(ours) / reference:.2f} | {median_seconds(django_serializer) / reference:.2f} |"
            )


if __name__ == "__main__":
    main()
