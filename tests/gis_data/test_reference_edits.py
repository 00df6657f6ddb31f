"""Reference features edited in the admin pass the same geometry rules as the city pack loader."""

import pytest
from django.contrib.gis.geos import LineString, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.urls import reverse

from gis_data.models import District, GreenArea, Waterway
from tests.factories import DistrictFactory, WaterwayFactory

pytestmark = pytest.mark.django_db


def test_a_district_moved_outside_the_city_is_refused():
    district = DistrictFactory()
    district.geom = MultiPolygon(Polygon.from_bbox((70.0, 40.0, 70.1, 40.1)), srid=4326)

    with pytest.raises(ValidationError) as caught:
        district.full_clean()

    assert "outside" in " ".join(caught.value.message_dict["geom"])


def test_a_self_intersecting_district_is_repaired_before_it_is_saved():
    district = DistrictFactory()
    bow_tie = Polygon(((76.90, 43.20), (76.95, 43.25), (76.95, 43.20), (76.90, 43.25), (76.90, 43.20)))
    district.geom = MultiPolygon(bow_tie, srid=4326)

    district.full_clean()
    district.save()

    district.refresh_from_db()
    assert district.geom.valid


def test_the_admin_refuses_a_river_line_outside_the_city_and_keeps_the_old_one(client, urbanist):
    waterway = WaterwayFactory()
    before = waterway.geom.wkt
    client.force_login(urbanist)
    url = reverse("admin:gis_data_waterway_change", args=[waterway.pk])
    outside = LineString((70.0, 40.0), (70.1, 40.1), srid=4326)

    response = client.post(
        url,
        {
            "name": waterway.name,
            "name_kk": "",
            "name_ru": "",
            "name_en": "",
            "kind": waterway.kind,
            "geom": outside.ewkt,
            "source": waterway.source_id,
            "osm_type": waterway.osm_type,
            "osm_id": waterway.osm_id,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "outside" in response.content.decode()
    waterway.refresh_from_db()
    assert waterway.geom.wkt == before
    assert Waterway.objects.count() == 1 and District.objects.count() == 0


def test_reference_features_near_a_place_are_found_within_metres_on_the_ground_nearest_first(db):
    from django.contrib.gis.geos import Point

    from tests.factories import GreenAreaFactory

    park = GreenAreaFactory(name="Gorky Park")
    # 300 m west of the park's western edge (76.9655° E), on the same latitude.
    place = Point(76.9655 - 300 / (111_320 * 0.7285), 43.2600, srid=4326)

    assert list(GreenArea.objects.near(place, 350)) == [park]
    assert list(GreenArea.objects.near(place, 250)) == []
    assert GreenArea.objects.near(place, 350).get().distance.m == pytest.approx(300, rel=0.02)
