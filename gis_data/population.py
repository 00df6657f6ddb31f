"""Where the residents live: a grid of estimated residents built from the city pack.

The pack gives the population of the city and of its populated places, not a
population grid and not district totals. Qala spreads those totals over the
homes the map shows, on a grid of ``CELL_METRES`` squares; everything that
counts residents (corridor coverage, gaps, later the parks' access) reads
these cells. The rule:

1. **Cells.** A grid of ``CELL_METRES`` (200 m) squares in the city's metric
   spatial reference (its UTM zone), aligned on that reference's origin, over
   the union of the districts. A cell is kept when its centre lies in a
   district, which is recorded (the first by id when the centre lies on a
   shared boundary).
2. **Weight.** A cell weighs the footprint (m²) of the residential buildings
   in it, times their ``levels`` where tagged, plus ``FRONTAGE_M2_PER_METRE``
   (10 m²) for each metre of residential street (``highway`` = residential,
   living_street) in it. Buildings and streets are cut at the cell's edges.
   The 2012 extract maps buildings mainly in the centre; the suburbs' homes
   show only as residential streets, hence the street term.
3. **Totals.** The city total is the population of the pack's largest place
   (by population) inside the districts (Almaty's node: 2,228,515). Every
   other place with a population inside the districts (an annexed village) is
   spread over the cells whose centre lies within ``VILLAGE_METRES`` (1.5 km)
   of it, by weight; when none of them weighs, the village goes to its own
   cell (the nearest cell centre). The villages are taken from the city total;
   the rest is spread over all cells by weight (evenly when no cell weighs).
4. **Urban blocks.** A cell is urban (inside the city's blocks, where a
   corridor's landscape is free-form) when mapped buildings, of any use,
   cover at least ``URBAN_COVER`` (8 %) of it, or when at least
   ``URBAN_NEIGHBOURS`` (5) of its 8 neighbours do. The neighbour test is
   made once, on the covered cells only: it fills courtyards and small
   squares inside blocks without spreading block by block into the suburbs.

What it gets wrong: the 2012 extract's buildings are sparse outside the centre,
so a suburb's residents follow its street length, not its homes; streets of
industrial estates tagged residential draw residents; the pack has no district
totals to check the spread against, so each district's figure is only as good
as the map under it. docs/population.md says more.

Everything is computed by PostGIS in a few statements (ST_SquareGrid,
ST_Intersection): about two seconds for Almaty's 17,558 cells.
"""

import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gis_data.geometry import SRID
from gis_data.models import Building, City, DataSource, District, PopulatedPlace, PopulationCell, Street

CELL_METRES = 200
# The floor area one metre of residential street stands for: a row of houses on both sides.
FRONTAGE_M2_PER_METRE = 10
RESIDENTIAL_STREETS = ("residential", "living_street")
# An annexed village's residents live within this distance of its node.
VILLAGE_METRES = 1500
# The share of a cell covered by buildings that makes it part of the city's blocks.
URBAN_COVER = 0.08
# How many of a cell's 8 neighbours must be covered for a courtyard or square to count as a block too.
URBAN_NEIGHBOURS = 5
# The DataSource that carries the estimate's attribution: it is derived from several of the pack's sources.
ESTIMATE_SOURCE_KEY = "population_estimate"

# Shown beside every figure drawn from the cells. The 200 metres are CELL_METRES: change both together.
ESTIMATE_NOTE = gettext_lazy(
    "These resident numbers are an estimate, not a census. Qala takes the population the map data gives for "
    "the city and its villages and spreads it over squares of 200 by 200 metres, in proportion to the homes "
    "mapped in each square (the floor area of residential buildings) and the length of its residential streets. "
    "Where the map shows few buildings, as in many suburbs, the figures are rough."
)

# The working table lives for the length of one rebuild, in the session's temporary schema.
_WORK = "qala_population_work"
_DISTRICTS = "qala_population_districts"


@dataclass
class VillageShare:
    """An annexed village: how many residents it has and over how many cells they were spread."""

    name: str
    population: int
    cells: int
    own_cell: bool


@dataclass
class PopulationReport:
    """What ``rebuild_population`` made: cells, residents, urban cells and anything a reader should know."""

    city: City
    cells: int = 0
    residents: float = 0.0
    urban_cells: int = 0
    city_place: str = ""
    city_population: int = 0
    villages: list[VillageShare] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _execute(sql: str, params: dict | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _fetch(sql: str, params: dict | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _city_places(city: City) -> list[tuple[int, str, int]]:
    """The city's places with a population inside its districts, as (pk, name, population), largest first."""
    rows = _fetch(
        f"""
        SELECT p.id, p.population
        FROM {PopulatedPlace._meta.db_table} p
        JOIN {DataSource._meta.db_table} s ON s.id = p.source_id
        WHERE s.city_id = %(city)s AND p.population IS NOT NULL AND EXISTS (
            SELECT 1 FROM {District._meta.db_table} d JOIN {DataSource._meta.db_table} ds ON ds.id = d.source_id
            WHERE ds.city_id = %(city)s AND ST_Covers(d.geom, p.geom)
        )
        ORDER BY p.population DESC, p.id
        """,  # noqa: S608 (table names come from the models; values are parameters)
        {"city": city.pk},
    )
    places = PopulatedPlace.objects.in_bulk([pk for pk, _population in rows])
    # The place's name in the reader's language, else its OSM name, else its OSM type and id.
    return [(pk, str(places[pk]), population) for pk, population in rows]


def _make_cells(city: City) -> None:
    """Step 1: the working table of cells (grid indices i, j), with their district, in the metric SRID.

    The districts are cut into small pieces (ST_Subdivide) under a spatial
    index, so each cell's centre is tested against the few pieces near it,
    not against whole district boundaries of thousands of vertices.
    """
    params = {"city": city.pk, "srid": city.metric_srid, "size": CELL_METRES}
    _execute(f"DROP TABLE IF EXISTS {_WORK}, {_DISTRICTS}")
    _execute(
        f"""
        CREATE TEMPORARY TABLE {_DISTRICTS} AS
        SELECT d.id, ST_Subdivide(ST_Transform(d.geom, %(srid)s), 64) AS geom
        FROM {District._meta.db_table} d JOIN {DataSource._meta.db_table} s ON s.id = d.source_id
        WHERE s.city_id = %(city)s
        """,  # noqa: S608 (table names come from the models and constants; values are parameters)
        params,
    )
    _execute(f"CREATE INDEX ON {_DISTRICTS} USING gist (geom)")
    _execute(f"ANALYZE {_DISTRICTS}")
    _execute(
        f"""
        CREATE TEMPORARY TABLE {_WORK} AS
        WITH grid AS (
            SELECT g.i, g.j, g.geom, ST_Centroid(g.geom) AS centre
            FROM ST_SquareGrid(
                %(size)s, (SELECT ST_SetSRID(ST_Extent(geom)::geometry, %(srid)s) FROM {_DISTRICTS})
            ) AS g
        )
        SELECT DISTINCT ON (g.i, g.j)
            g.i, g.j, g.geom, g.centre, d.id AS district_id,
            0::float8 AS covered_m2, 0::float8 AS footprint_m2, 0::float8 AS floor_m2, 0::float8 AS street_m,
            0::float8 AS weight, 0::float8 AS residents, FALSE AS dense, FALSE AS is_urban
        FROM grid g JOIN {_DISTRICTS} d ON ST_Intersects(d.geom, g.centre)
        ORDER BY g.i, g.j, d.id
        """,  # noqa: S608 (table names are constants; values are parameters)
        params,
    )
    _execute(f"DROP TABLE {_DISTRICTS}")
    _execute(f"ALTER TABLE {_WORK} ADD PRIMARY KEY (i, j)")
    _execute(f"CREATE INDEX ON {_WORK} USING gist (centre)")
    _execute(f"ANALYZE {_WORK}")


def _weigh_cells(city: City) -> None:
    """Step 2: building cover, residential footprint and floor area, residential street length, weight.

    Each building and street is cut by the grid squares over its own bounds
    (ST_SquareGrid gives the same i, j as the cells), so no spatial join over
    the whole grid is needed: the parts meet their cells by (i, j).
    """
    params = {
        "city": city.pk,
        "srid": city.metric_srid,
        "size": CELL_METRES,
        "streets": list(RESIDENTIAL_STREETS),
        "frontage": FRONTAGE_M2_PER_METRE,
    }
    _execute(
        f"""
        WITH buildings AS (
            SELECT ST_Transform(b.geom, %(srid)s) AS geom, b.is_residential, COALESCE(b.levels, 1) AS levels
            FROM {Building._meta.db_table} b JOIN {DataSource._meta.db_table} s ON s.id = b.source_id
            WHERE s.city_id = %(city)s
        ), parts AS (
            SELECT g.i, g.j, b.is_residential, b.levels,
                   CASE WHEN ST_CoveredBy(b.geom, g.geom) THEN ST_Area(b.geom)
                        ELSE ST_Area(ST_Intersection(b.geom, g.geom)) END AS area
            FROM buildings b CROSS JOIN LATERAL ST_SquareGrid(%(size)s, b.geom) AS g
            WHERE ST_Intersects(b.geom, g.geom)
        ), sums AS (
            SELECT i, j, SUM(area) AS covered,
                   COALESCE(SUM(area) FILTER (WHERE is_residential), 0) AS footprint,
                   COALESCE(SUM(area * levels) FILTER (WHERE is_residential), 0) AS floor
            FROM parts GROUP BY i, j
        )
        UPDATE {_WORK} c SET covered_m2 = sums.covered, footprint_m2 = sums.footprint, floor_m2 = sums.floor
        FROM sums WHERE c.i = sums.i AND c.j = sums.j
        """,  # noqa: S608 (table names come from the models and constants; values are parameters)
        params,
    )
    _execute(
        f"""
        WITH streets AS (
            SELECT ST_Transform(t.geom, %(srid)s) AS geom
            FROM {Street._meta.db_table} t JOIN {DataSource._meta.db_table} s ON s.id = t.source_id
            WHERE s.city_id = %(city)s AND t.highway = ANY(%(streets)s)
        ), parts AS (
            SELECT g.i, g.j, ST_Length(ST_Intersection(t.geom, g.geom)) AS length
            FROM streets t CROSS JOIN LATERAL ST_SquareGrid(%(size)s, t.geom) AS g
            WHERE ST_Intersects(t.geom, g.geom)
        ), sums AS (
            SELECT i, j, SUM(length) AS length FROM parts GROUP BY i, j
        )
        UPDATE {_WORK} c SET street_m = sums.length FROM sums WHERE c.i = sums.i AND c.j = sums.j
        """,  # noqa: S608 (table names come from the models and constants; values are parameters)
        params,
    )
    params["share"] = URBAN_COVER
    _execute(
        f"UPDATE {_WORK} SET weight = floor_m2 + %(frontage)s * street_m, "  # noqa: S608 (constant table name)
        "dense = covered_m2 >= %(share)s * ST_Area(geom)",
        params,
    )


def _spread_villages(city: City, villages: list[tuple[int, str, int]]) -> list[tuple[int, int, bool]]:
    """Step 3a: each village over the cells within VILLAGE_METRES by weight, else into its own cell.

    Returns, for each village, (place pk, cells it was spread over, whether it fell back to its own cell).
    """
    if not villages:
        return []
    params = {
        "srid": city.metric_srid,
        "metres": VILLAGE_METRES,
        "ids": [pk for pk, _name, _population in villages],
    }
    place_table = PopulatedPlace._meta.db_table
    _execute(
        f"""
        WITH places AS (
            SELECT p.id, p.population::float8 AS population, ST_Transform(p.geom, %(srid)s) AS geom
            FROM {place_table} p WHERE p.id = ANY(%(ids)s)
        ), near AS (
            SELECT p.id, p.population, c.i, c.j, c.weight, SUM(c.weight) OVER (PARTITION BY p.id) AS total
            FROM places p JOIN {_WORK} c ON ST_DWithin(c.centre, p.geom, %(metres)s)
        ), shares AS (
            SELECT i, j, population * weight / total AS residents FROM near WHERE total > 0
            UNION ALL
            SELECT own.i, own.j, p.population
            FROM places p CROSS JOIN LATERAL (
                SELECT c.i, c.j FROM {_WORK} c ORDER BY c.centre <-> p.geom, c.i, c.j LIMIT 1
            ) AS own
            WHERE NOT EXISTS (SELECT 1 FROM near WHERE near.id = p.id AND near.total > 0)
        ), sums AS (
            SELECT i, j, SUM(residents) AS residents FROM shares GROUP BY i, j
        )
        UPDATE {_WORK} c SET residents = c.residents + sums.residents FROM sums WHERE c.i = sums.i AND c.j = sums.j
        """,  # noqa: S608 (table names come from the models and constants; values are parameters)
        params,
    )
    rows = _fetch(
        f"""
        SELECT p.id, COUNT(c.i) FILTER (WHERE c.weight > 0)
        FROM {place_table} p LEFT JOIN {_WORK} c ON ST_DWithin(c.centre, ST_Transform(p.geom, %(srid)s), %(metres)s)
        WHERE p.id = ANY(%(ids)s) GROUP BY p.id
        """,  # noqa: S608 (table names come from the models and constants; values are parameters)
        params,
    )
    counts = dict(rows)
    return [(pk, counts.get(pk, 0) or 1, not counts.get(pk)) for pk, _name, _population in villages]


def _spread_rest(rest: float) -> bool:
    """Step 3b: the rest of the city total over all cells by weight; evenly when none weighs (returns True)."""
    ((total_weight, cells),) = _fetch(f"SELECT COALESCE(SUM(weight), 0), COUNT(*) FROM {_WORK}")  # noqa: S608
    if not cells or rest <= 0:
        return False
    if total_weight > 0:
        _execute(
            f"UPDATE {_WORK} SET residents = residents + %(rest)s * weight / %(total)s",  # noqa: S608 (constant table)
            {"rest": rest, "total": total_weight},
        )
        return False
    _execute(
        f"UPDATE {_WORK} SET residents = residents + %(rest)s / %(cells)s",  # noqa: S608 (constant table)
        {"rest": rest, "cells": cells},
    )
    return True


def _mark_urban() -> None:
    """Step 4: covered cells, then the cells at least URBAN_NEIGHBOURS of whose 8 neighbours are covered.

    One pass: the neighbours counted are the covered cells (``dense``), never
    cells made urban by this same test.
    """
    _execute(
        f"""
        WITH neighbours AS (
            SELECT c.i + di AS i, c.j + dj AS j
            FROM {_WORK} c CROSS JOIN generate_series(-1, 1) AS di CROSS JOIN generate_series(-1, 1) AS dj
            WHERE c.dense AND (di, dj) <> (0, 0)
        ), filled AS (
            SELECT i, j FROM neighbours GROUP BY i, j HAVING COUNT(*) >= %(neighbours)s
        )
        UPDATE {_WORK} c SET is_urban = TRUE
        WHERE c.dense OR EXISTS (SELECT 1 FROM filled f WHERE f.i = c.i AND f.j = c.j)
        """,  # noqa: S608 (the table name is a constant; values are parameters)
        {"neighbours": URBAN_NEIGHBOURS},
    )


def _store_cells(city: City) -> int:
    """Replace the city's PopulationCell rows with the working table, in longitude/latitude."""
    table = PopulationCell._meta.db_table
    _execute(f"DELETE FROM {table} WHERE city_id = %(city)s", {"city": city.pk})  # noqa: S608 (model table)
    return _execute(
        f"""
        INSERT INTO {table}
            (city_id, geom, centre, district_id, building_area_m2, street_length_m, residents, is_urban)
        SELECT %(city)s, ST_Transform(geom, {SRID}), ST_Transform(centre, {SRID}), district_id,
               footprint_m2, street_m, residents, is_urban
        FROM {_WORK} ORDER BY j, i
        """,  # noqa: S608 (table names come from the models and constants; values are parameters)
        {"city": city.pk},
    )


def _record_estimate_source(city: City) -> None:
    """The estimate's DataSource: the attributions of the districts, places, buildings and streets it comes from.

    A layer names one source; the cells come from the ODbL districts and
    places and from the CC BY-SA buildings and streets, so their layer carries
    this source, whose attribution repeats every line it owes.
    """
    used = (
        DataSource.objects.filter(city=city)
        .exclude(key=ESTIMATE_SOURCE_KEY)
        .filter(
            pk__in=[
                *District.objects.filter(source__city=city).values_list("source", flat=True).distinct(),
                *PopulatedPlace.objects.filter(source__city=city, population__isnull=False)
                .values_list("source", flat=True)
                .distinct(),
                *Building.objects.filter(source__city=city).values_list("source", flat=True).distinct(),
                *Street.objects.filter(source__city=city, highway__in=RESIDENTIAL_STREETS)
                .values_list("source", flat=True)
                .distinct(),
            ]
        )
    )
    attributions, licences = [], []
    for source in used.order_by("key"):
        if source.attribution not in attributions:
            attributions.append(source.attribution)
        if source.licence not in licences:
            licences.append(source.licence)
    DataSource.objects.update_or_create(
        city=city,
        key=ESTIMATE_SOURCE_KEY,
        defaults={
            # Stored text, like the pack's own titles: in English.
            "title": "Resident estimate (Qala), derived from the sources above",
            "file": "",
            "licence": "; ".join(licences)[:200],
            "attribution": "; ".join(attributions)[:500],
            "sha256": "",
            "loaded_at": timezone.now(),
        },
    )


def rebuild_population(city: City) -> PopulationReport:
    """Delete the city's population cells and make them again from its districts, places, buildings and streets.

    Runs in one transaction, in SQL (see the module docstring for the rule).
    The report counts the cells, the residents and the urban cells, and notes
    what a reader should know: no place population (every cell has 0
    residents), villages that found no weighing cell, villages that add up to
    more than the city.
    """
    started = time.perf_counter()
    report = PopulationReport(city=city)
    with transaction.atomic():
        _make_cells(city)
        _weigh_cells(city)
        places = _city_places(city)
        if not places:
            report.notes.append(
                _(
                    "No populated place with a population lies inside the districts: "
                    "every cell has 0 residents, and the grid only shows where the homes are."
                )
            )
        else:
            _pk, report.city_place, report.city_population = places[0]
            villages = places[1:]
            spread = _spread_villages(city, villages)
            for (_pk, name, population), (_same, cells, own_cell) in zip(villages, spread, strict=True):
                if own_cell:
                    report.notes.append(
                        _(
                            "No mapped home lies within %(metres)d m of %(place)s: "
                            "its %(population)d residents are put in its own cell."
                        )
                        % {"metres": VILLAGE_METRES, "place": name, "population": population}
                    )
                report.villages.append(VillageShare(name, population, cells, own_cell))
            taken = sum(population for _pk, _name, population in villages)
            rest = report.city_population - taken
            if rest < 0:
                report.notes.append(
                    _(
                        "The villages inside the districts count %(villages)d residents, more than the "
                        "%(total)d of %(city)s: no one is left for the rest of the city."
                    )
                    % {"villages": taken, "city": report.city_place, "total": report.city_population}
                )
            if _spread_rest(max(rest, 0)):
                report.notes.append(
                    _("No cell has a mapped home or residential street: the residents are spread evenly.")
                )
        _mark_urban()
        report.cells = _store_cells(city)
        _execute(f"DROP TABLE {_WORK}")
        _record_estimate_source(city)
        totals = PopulationCell.objects.filter(city=city).aggregate(residents=Sum("residents"))
        report.residents = totals["residents"] or 0.0
        report.urban_cells = PopulationCell.objects.filter(city=city, is_urban=True).count()
    report.seconds = time.perf_counter() - started
    return report


def residents_by_district(city: City) -> dict[int, float]:
    """Estimated residents of each of the city's districts (district pk -> residents; 0 for a district without)."""
    totals = dict.fromkeys(District.objects.filter(source__city=city).values_list("pk", flat=True), 0.0)
    rows = (
        PopulationCell.objects.filter(city=city, district__isnull=False)
        .values_list("district")
        .annotate(residents=Sum("residents"))
        .order_by()
    )
    totals.update({district: float(residents) for district, residents in rows})
    return totals
