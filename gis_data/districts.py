"""Which district a geometry belongs to, when it may cross a district's boundary."""

from django.contrib.gis.geos import GEOSGeometry

from gis_data.geometry import SRID
from gis_data.models import City, District


def district_holding_most(geometry: GEOSGeometry, city: City) -> District | None:
    """The district of ``city`` holding the largest part of ``geometry``; None when it lies in none.

    The part is measured in the city's metric spatial reference: the area of
    the intersection for an area, its length for a line; a point belongs to the
    district it lies in. Ties go to the district with the lowest id, so the
    answer does not change from one call to the next. One query; the spatial
    index narrows the districts to those the geometry touches.
    """
    if geometry is None or geometry.empty:
        return None
    districts = District.objects.raw(
        """
        WITH g AS (SELECT ST_Transform(ST_GeomFromWKB(%(wkb)s, %(srid)s), %(lonlat)s) AS geom)
        SELECT d.*
        FROM gis_data_district d
        JOIN gis_data_datasource s ON s.id = d.source_id
        CROSS JOIN g
        WHERE s.city_id = %(city)s AND ST_Intersects(d.geom, g.geom)
        ORDER BY
            CASE ST_Dimension(g.geom)
                WHEN 2 THEN ST_Area(ST_Transform(ST_Intersection(d.geom, g.geom), %(metric)s))
                WHEN 1 THEN ST_Length(ST_Transform(ST_Intersection(d.geom, g.geom), %(metric)s))
                ELSE 0
            END DESC,
            d.id
        LIMIT 1
        """,
        {
            "wkb": bytes(geometry.wkb),
            "srid": geometry.srid or SRID,
            "lonlat": SRID,
            "city": city.pk,
            "metric": city.metric_srid,
        },
    )
    return next(iter(districts), None)
