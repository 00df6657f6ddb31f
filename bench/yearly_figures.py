"""Benchmark: the yearly figures summed by PostGIS against the same figures computed in Python with GEOS.

Run against a database with the city pack loaded (after `make run`):

    .venv/bin/python bench/yearly_figures.py

Inside a transaction that is rolled back at the end, it copies the city's
projects (the demo projects, at least) until there are about 5,000 completed
ones, then times ``yearly_figures`` (one SQL query) against a reference that
loads every project and measures it with Django's GEOS/GDAL bindings
(transform to the city's metric SRID, ``.length`` / ``.area``, the
intersection with each district in GEOS). Both must give the same numbers;
the ratio is recorded in bench/RESULTS.md. Not a test: compare the ratios.
"""

import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402 (settings must be chosen first)

django.setup()

from django.db import transaction  # noqa: E402

from gis_data.models import District  # noqa: E402
from gis_data.packs import current_city  # noqa: E402
from projects.figures import FIGURE_SOURCES, FIGURES, yearly_figures  # noqa: E402
from projects.models import Project, Status  # noqa: E402

REPEATS = 5
TARGET = 5000


def median_seconds(run) -> float:
    run()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def python_figures(srid: int, by_district: bool) -> dict:
    """The figures computed in Python: every project loaded, transformed and measured with GEOS."""
    projects = Project.objects.filter(is_published=True, status=Status.COMPLETED, actual_end__isnull=False)
    districts = [(d.pk, d.geom.transform(srid, clone=True)) for d in District.objects.all()] if by_district else []
    totals: dict = defaultdict(lambda: defaultdict(float))
    for project in projects.select_related("category"):
        metric = project.geom.transform(srid, clone=True)
        year = project.actual_end.year
        parts = [(None, metric)] if not by_district else [(pk, metric.intersection(g)) for pk, g in districts]
        holder = metric.point_on_surface
        for district, part in parts:
            if by_district and part.empty:
                continue
            row = totals[(year, district)]
            for key, (slug, how) in FIGURE_SOURCES.items():
                if slug is not None and project.category.slug != slug:
                    continue
                if how == "km":
                    row[key] += part.length / 1000
                elif how == "m2":
                    row[key] += part.area
                elif district is None or dict(districts)[district].intersects(holder):
                    row[key] += 1
    return totals


def copy_projects() -> int:
    """Copies of the completed projects until there are about TARGET of them (rolled back at the end)."""
    originals = list(Project.objects.filter(status=Status.COMPLETED, is_published=True, actual_end__isnull=False))
    if not originals:
        raise SystemExit("No completed project: run `manage.py projects_demo` first.")
    copies = []
    while len(originals) + len(copies) < TARGET:
        for project in originals:
            project.pk = None
            project.id = None
            copies.append(Project(**{f.attname: getattr(project, f.attname) for f in Project._meta.concrete_fields}))
    Project.objects.bulk_create(copies)
    return len(originals) + len(copies)


def main() -> None:
    city = current_city()
    if city is None:
        raise SystemExit("No city is loaded: run `make run` (or gis_load_city) first.")
    with transaction.atomic():
        count = copy_projects()
        print(f"{count} completed projects, metric SRID EPSG:{city.metric_srid}\n")
        print("| figures | SQL (ms) | Python + GEOS / SQL | same numbers |")
        print("| --- | --- | --- | --- |")
        central = District.objects.filter(geom__contains=city.center).first()
        cases = (("per year", {}, False), ("per year and district", {"by_district": True}, True))
        if central is not None:
            cases += ((f"per year, one district ({central.name})", {"district": central}, True),)
        for label, arguments, by_district in cases:
            rows = yearly_figures(**arguments)
            reference = python_figures(city.metric_srid, by_district)
            same = all(
                abs(getattr(row, key) - reference[(row.year, row.district.pk if row.district else None)][key])
                <= 1e-6 * max(1.0, abs(getattr(row, key)))
                for row in rows
                for key, _label in FIGURES
            )
            sql_time = median_seconds(lambda a=arguments: yearly_figures(**a))
            # The reference measures every district even for one: GEOS has no index to narrow it.
            python_time = median_seconds(lambda b=by_district: python_figures(city.metric_srid, b))
            print(f"| {label} | {sql_time * 1000:.0f} | {python_time / sql_time:.1f} | {'yes' if same else 'NO'} |")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
