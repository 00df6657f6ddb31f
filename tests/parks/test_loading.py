"""Parks imported from the pack's green areas: which become parks, their names, and that an import is done once."""

from io import StringIO

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.management import call_command

from gis_data.models import DataSource
from gis_data.signals import city_pack_loaded
from parks import services
from parks.loading import import_pack_parks, name_language
from parks.models import Park
from tests.factories import GORKY_PARK, CityFactory, DistrictFactory, GreenAreaFactory

pytestmark = pytest.mark.django_db


def box(west: float, south: float, east: float, north: float) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((west, south, east, north)), srid=4326)


# About 160 m by 110 m (1.8 ha), 80 m by 55 m (0.4 ha) and 8 m by 5 m (40 m²), west of Gorky Park.
LARGE = box(76.9500, 43.2500, 76.9520, 43.2510)
SMALL = box(76.9530, 43.2500, 76.9540, 43.2505)
TINY = box(76.9550, 43.2500, 76.9551, 43.25005)
UNNAMED = {"name": "", "name_kk": "", "name_ru": "", "name_en": ""}


@pytest.fixture
def city(db):
    city = CityFactory()
    DistrictFactory(name="Medeu", name_en="Medeu District", geom=box(76.94, 43.24, 77.00, 43.28))
    return city


@pytest.fixture
def areas(city):
    """Gorky Park, a named garden, a recreation ground, a forest and a cemetery."""
    return {
        "park": GreenAreaFactory(osm_id=23650750),
        "garden": GreenAreaFactory(kind="garden", **UNNAMED | {"name": "Ботанический сад"}, geom=SMALL.clone()),
        "recreation": GreenAreaFactory(
            kind="recreation_ground", **UNNAMED | {"name": "Family парк", "name_en": "Family Park"}, geom=LARGE.clone()
        ),
        "forest": GreenAreaFactory(kind="forest", name="Лес", geom=box(76.96, 43.24, 76.962, 43.242)),
        "cemetery": GreenAreaFactory(kind="cemetery", name="Кладбище", geom=box(76.97, 43.24, 76.972, 43.242)),
    }


def test_parks_gardens_and_recreation_grounds_become_parks(areas, city):
    report = import_pack_parks(city)
    assert report.created == 3
    imported = {(park.osm_type, park.osm_id) for park in Park.objects.all()}
    expected = {(areas[key].osm_type, areas[key].osm_id) for key in ("park", "garden", "recreation")}
    assert imported == expected


def test_an_imported_park_keeps_its_names_source_and_derived_figures(areas, city):
    import_pack_parks(city)
    park = Park.objects.get(osm_id=23650750)
    assert (park.name_kk, park.name_ru, park.name_en) == (
        "Горький атындағы орталық саябақ",
        "Центральный парк им. Горького",
        "Gorky Central Park",
    )
    assert park.source == DataSource.objects.get(key="osm2012")
    assert park.osm_type == "way"
    assert park.state == "open"
    assert park.boundary.equals_exact(GORKY_PARK, 1e-9)
    assert park.district.name_en == "Medeu District"
    assert 500_000 < park.area_m2 < 700_000


def test_the_plain_name_fills_the_language_it_is_written_in(areas, city):
    import_pack_parks(city)
    garden = Park.objects.get(osm_id=areas["garden"].osm_id)
    assert (garden.name_kk, garden.name_ru, garden.name_en) == ("", "Ботанический сад", "")
    recreation = Park.objects.get(osm_id=areas["recreation"].osm_id)
    assert (recreation.name_ru, recreation.name_en) == ("Family парк", "Family Park")


@pytest.mark.parametrize(
    ("name", "language"),
    [("Парк 28 героев-панфиловцев", "ru"), ("Бостандық саябағы", "kk"), ("Otegen-batyr Park", "en")],
)
def test_the_language_of_a_name_is_told_by_its_letters(name, language):
    assert name_language(name) == language


def test_an_unnamed_large_green_area_gets_a_name_saying_so(city):
    area = GreenAreaFactory(**UNNAMED, geom=LARGE.clone())
    import_pack_parks(city)
    park = Park.objects.get()
    assert park.name_en == f"Unnamed park (OSM way/{area.osm_id})"


def test_an_unnamed_green_area_under_half_a_hectare_is_skipped_and_reported(city):
    area = GreenAreaFactory(**UNNAMED, geom=SMALL.clone())
    report = import_pack_parks(city)
    assert not Park.objects.exists()
    assert len(report.unnamed) == 1
    assert report.unnamed[0].startswith(f"OSM way/{area.osm_id}: ")


def test_a_named_area_too_small_for_a_park_is_refused_and_the_others_imported(city):
    GreenAreaFactory(**UNNAMED | {"name": "Клумба"}, geom=TINY.clone())
    GreenAreaFactory()
    report = import_pack_parks(city)
    assert report.created == 1
    assert len(report.refused) == 1
    assert "a park covers at least 100 m²" in report.refused[0]
    assert Park.objects.get().name_en == "Gorky Central Park"


def test_importing_again_creates_nothing(areas, city):
    import_pack_parks(city)
    versions = Park.history.count()
    report = import_pack_parks(city)
    assert report.created == 0
    assert report.existing == 3
    assert Park.objects.count() == 3
    assert Park.history.count() == versions


def test_a_park_an_urbanist_edited_is_not_overwritten(areas, city, urbanist):
    import_pack_parks(city)
    park = Park.objects.get(osm_id=23650750)
    park.name_en, park.state = "Gorky Park", "closed"
    services.save_park(park, user=urbanist)

    import_pack_parks(city)

    park.refresh_from_db()
    assert (park.name_en, park.state) == ("Gorky Park", "closed")
    assert park.history.latest().history_user == urbanist


def test_a_park_an_urbanist_deleted_is_not_brought_back(areas, city):
    import_pack_parks(city)
    Park.objects.get(osm_id=23650750).delete()
    report = import_pack_parks(city)
    assert report.created == 0
    assert not Park.objects.filter(osm_id=23650750).exists()


def test_the_history_says_the_park_was_imported(areas, city):
    import_pack_parks(city)
    record = Park.objects.get(osm_id=23650750).history.get()
    assert record.history_change_reason == "Imported from the city pack (OSM way/23650750)"
    assert record.history_user is None


def test_a_loaded_pack_imports_its_parks(areas, city):
    city_pack_loaded.send(sender=None, city=city)
    assert Park.objects.count() == 3


def test_the_command_imports_into_the_loaded_city_and_prints_the_report(areas, city):
    GreenAreaFactory(**UNNAMED, geom=SMALL.clone())
    out = StringIO()
    call_command("parks_import", stdout=out)
    output = out.getvalue()
    assert "Almaty: 3 parks imported from the city pack." in output
    assert "1 unnamed green area under 5,000 m² skipped:" in output

    out = StringIO()
    call_command("parks_import", stdout=out)
    assert "Almaty: 0 parks imported from the city pack." in out.getvalue()
    assert "3 green areas were imported before and are left as they are." in out.getvalue()
