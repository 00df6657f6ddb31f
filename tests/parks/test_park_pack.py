"""The parks of the real Almaty pack: loading the pack imports them, named, with their districts and areas."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from gis_data.loading import load_city_pack
from parks.loading import UNNAMED_MIN_M2, import_pack_parks
from parks.models import Park

SHARED = Path(settings.CITY_PACK).parent
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not SHARED.is_dir(), reason="the shared Almaty data is not beside the repository"),
]


@pytest.fixture(scope="module")
def almaty(django_db_setup, django_db_blocker):
    """The real Almaty pack, loaded once for this module (its parks with it) and rolled back after it."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        report = load_city_pack(settings.CITY_PACK)
        yield report.city
        transaction.set_rollback(True)


def scalar(sql: str, params=()) -> float:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_every_named_park_garden_and_recreation_ground_and_every_large_unnamed_one_is_a_park(almaty, db):
    # Counted here in SQL, independently of parks.loading.
    expected = scalar(
        """
        SELECT count(*) FROM gis_data_greenarea
        WHERE kind IN ('park', 'garden', 'recreation_ground')
          AND (name <> '' OR name_kk <> '' OR name_ru <> '' OR name_en <> ''
               OR ST_Area(ST_Transform(geom, 32643)) >= %s)
        """,
        [UNNAMED_MIN_M2],
    )
    assert expected > 30
    assert Park.objects.in_city(almaty).count() == expected
    assert Park.objects.filter(osm_id__isnull=True).count() == 0


def test_the_parks_carry_the_names_of_the_pack(almaty, db):
    names = {park.osm_id: (park.name_ru, park.name_en) for park in Park.objects.all()}
    assert names[23650750] == ("парк им. Горького", "")
    assert names[124165635] == ("Парк имени Первого Президента", "")
    assert names[43314571] == ("", "Kunaevskie fountains")
    assert names[128739017][1] == "Unnamed recreation ground (OSM way/128739017)"


def test_the_districts_are_derived(almaty, db):
    parks = Park.objects.select_related("district")
    districts = {park.osm_id: park.district.name_en for park in parks if park.district is not None}
    assert districts[23650750] == "Medeu District"
    assert districts[124165635] == "Bostandyk District"
    assert districts[27294600] == "Auezov District"
    # A park outside every district (beyond the city's boundary of 2012) has none.
    inside = scalar(
        """
        SELECT count(*) FROM parks_park p
        WHERE EXISTS (SELECT 1 FROM gis_data_district d WHERE ST_Intersects(d.geom, p.boundary))
        """
    )
    assert len(districts) == inside


def test_the_areas_are_those_of_postgis_on_the_spheroid(almaty, db):
    gorky = Park.objects.get(osm_id=23650750)
    geography = scalar("SELECT ST_Area(boundary::geography) FROM parks_park WHERE id = %s", [gorky.pk])
    assert gorky.area_m2 == pytest.approx(geography, rel=0.01)
    assert 550_000 < gorky.area_m2 < 650_000


def test_importing_the_loaded_pack_again_creates_nothing(almaty, db):
    count = Park.objects.count()
    report = import_pack_parks(almaty)
    assert report.created == 0
    assert report.existing == count
    assert Park.objects.count() == count
