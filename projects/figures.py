"""The yearly figures the city reports its public-space work in, computed in SQL from geometries and statuses.

Nothing here is stored: every figure is summed by PostGIS from the published,
completed projects, in the year of their actual end, so a corrected geometry
or status corrects the figures at once. Lengths and areas are measured in the
city's metric spatial reference (geography when no city is loaded).

By district, a line or polygon that crosses districts is split: each district
counts the length or area of the part inside it. A project counted by number
goes to the one district that holds ST_PointOnSurface of its geometry, so the
districts' counts add up to the city's.
"""

from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gis_data.models import District
from projects.models import Category, Project, Status, city_metric_srid, measure_sql

# The figures, in the order of the table, the chart and the CSV.
FIGURES = (
    ("pedestrian_km", _("Pedestrian zones (km)")),
    ("bike_lane_km", _("Bike lanes (km)")),
    ("sidewalk_m2", _("Sidewalks (m²)")),
    ("square_m2", _("Squares (m²)")),
    ("playgrounds", _("Playgrounds")),
    ("sports_grounds", _("Sports grounds")),
    ("completed", _("Completed projects")),
)
# What each figure adds up: the category (None: every category) and how (km, m² or a count).
FIGURE_SOURCES: dict[str, tuple[str | None, str]] = {
    "pedestrian_km": ("pedestrian_zone", "km"),
    "bike_lane_km": ("bike_lane", "km"),
    "sidewalk_m2": ("sidewalk", "m2"),
    "square_m2": ("square", "m2"),
    "playgrounds": ("playground", "count"),
    "sports_grounds": ("sports_ground", "count"),
    "completed": (None, "count"),
}


@dataclass
class FigureRow:
    """The figures of one year, for the whole city (``district`` None) or one district."""

    year: int
    district: District | None
    pedestrian_km: float
    bike_lane_km: float
    sidewalk_m2: float
    square_m2: float
    playgrounds: int
    sports_grounds: int
    completed: int

    def values(self) -> list[float | int]:
        """The figures in the order of FIGURES."""
        return [getattr(self, key) for key, _label in FIGURES]


def _figure_sql(key: str, geometry: str, counted: str, srid: int | None) -> tuple[str, list]:
    """One aggregate of the SELECT: the SQL and its parameters.

    ``geometry`` is what is measured (the project's geometry, or its part inside a
    district) and ``counted`` the condition for counting a project in the row.
    """
    slug, how = FIGURE_SOURCES[key]
    if how == "count":
        if slug is None:
            return f"COUNT(*) FILTER (WHERE {counted})", []
        return f"COUNT(*) FILTER (WHERE c.slug = %s AND {counted})", [slug]
    length, area = measure_sql(geometry, srid)
    if how == "km":
        return f"COALESCE(SUM({length}) FILTER (WHERE c.slug = %s), 0) / 1000.0", [slug]
    return f"COALESCE(SUM({area}) FILTER (WHERE c.slug = %s), 0)", [slug]


def yearly_figures(*, by_district: bool = False, district: District | None = None) -> list[FigureRow]:
    """The figures per year, newest first; with ``by_district``, per year and district (by name).

    Counted: published projects whose status is completed, in the year of their
    actual end. By district, only districts with something to count get a row;
    ``district`` limits them to one (the intersections are then computed for it alone).
    """
    by_district = by_district or district is not None
    district_filter, district_params = "", []
    if district is not None:
        district_filter, district_params = " AND d.id = %s", [district.pk]
    if by_district:
        # The part of the project inside the district; the district holding its point on surface counts it.
        # Most projects lie inside one district: the intersection, costly on detailed boundaries, is only
        # computed for those that cross one (bench/yearly_figures.py).
        geometry = "CASE WHEN ST_CoveredBy(p.geom, d.geom) THEN p.geom ELSE ST_Intersection(p.geom, d.geom) END"
        counted = "ST_Intersects(d.geom, ST_PointOnSurface(p.geom))"
        district_column = "d.id"
        district_join = f"JOIN {District._meta.db_table} d ON ST_Intersects(p.geom, d.geom)"
    else:
        geometry, counted, district_column, district_join = "p.geom", "TRUE", "NULL::bigint", ""
    srid = city_metric_srid()
    aggregates, params = [], []
    for key, _label in FIGURES:
        sql, sql_params = _figure_sql(key, geometry, counted, srid)
        aggregates.append(sql)
        params += sql_params
    # Table names come from the models, the SQL of the figures from the constants above: no input.
    query = (
        f"SELECT EXTRACT(year FROM p.actual_end)::integer AS year, {district_column} AS district, "  # noqa: S608
        + ", ".join(aggregates)
        + f" FROM {Project._meta.db_table} p JOIN {Category._meta.db_table} c ON c.id = p.category_id {district_join}"
        " WHERE p.is_published AND p.status = %s AND p.actual_end IS NOT NULL" + district_filter + " GROUP BY 1, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, Status.COMPLETED, *district_params])
        results = cursor.fetchall()
    districts = District.objects.in_bulk({row[1] for row in results if row[1] is not None})
    rows = []
    for year, district_id, *values in results:
        row = FigureRow(year, districts.get(district_id), *values)
        # A project that only touches a district (along its border) leaves a row of zeros there.
        if district_id is None or any(row.values()):
            rows.append(row)
    rows.sort(key=lambda row: (-row.year, row.district.localized_name if row.district else ""))
    return rows


def figures_csv_rows(rows: list[FigureRow], *, by_district: bool = False) -> list[list[str]]:
    """The rows of the CSV export, heading first: year, (district,) then the figures in the order of FIGURES.

    Numbers are written for spreadsheets, not readers: a decimal point and no
    grouping, kilometres to the metre, square metres whole.
    """
    heading = [gettext("Year"), *([gettext("District")] if by_district else []), *(str(label) for _k, label in FIGURES)]
    lines = [heading]
    for row in rows:
        values = []
        for (key, _label), value in zip(FIGURES, row.values(), strict=True):
            how = FIGURE_SOURCES[key][1]
            values.append(f"{value:.3f}" if how == "km" else str(round(value)))
        district = [row.district.localized_name if row.district else ""] if by_district else []
        lines.append([str(row.year), *district, *values])
    return lines
