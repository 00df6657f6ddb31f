"""The city pack loader: a good pack loads, every kind of broken pack is refused and changes nothing."""

import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from gis_data.loading import load_city_pack
from gis_data.models import City, DataSource, District, PopulatedPlace, Raster, Waterway
from gis_data.packs import PackError

SHARED = settings.BASE_DIR.parent / "shared" / "data" / "almaty"


def square(west: float, south: float, size: float = 0.02) -> dict:
    east, north = west + size, south + size
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


def district(osm_id: int, name: str, geometry: dict) -> dict:
    return {"type": "Feature", "properties": {"name": name, "osm_id": osm_id}, "geometry": geometry}


def collection(*features: dict, **extra) -> dict:
    return {"type": "FeatureCollection", "features": list(features), **extra}


MANIFEST = """
slug = "testville"
data_dir = "data"
extent = [76.8, 43.1, 77.1, 43.4]
center = [76.95, 43.25]
zoom = 12
metric_srid = {metric_srid}

[name]
kk = "Тествиль"
ru = "Тествиль"
en = "Testville"

[sources.districts]
title = "Districts"
file = "districts.geojson"
format = "geojson"
srid = {srid}
licence = "ODbL 1.0"
attribution = "© OpenStreetMap contributors, ODbL"

[layers.districts]
source = "districts"
fields = {{ name = "name", osm_id = "osm_id" }}

[layers.districts.names]
101 = {{ ru = "Северный район", kk = "Солтүстік ауданы" }}
"""

PLACES = """
[sources.places]
title = "Places"
file = "places.geojson"
format = "geojson"
licence = "ODbL 1.0"
attribution = "© OpenStreetMap contributors, ODbL"

[layers.places]
source = "places"
"""


def write_pack(
    root: Path, districts: dict | str, *, srid: int = 4326, metric_srid: int = 32643, extra: str = ""
) -> Path:
    (root / "data").mkdir(parents=True, exist_ok=True)
    text = districts if isinstance(districts, str) else json.dumps(districts)
    (root / "data" / "districts.geojson").write_text(text, encoding="utf-8")
    manifest = root / "pack.toml"
    manifest.write_text(MANIFEST.format(srid=srid, metric_srid=metric_srid) + extra, encoding="utf-8")
    return manifest


def two_districts() -> dict:
    return collection(district(101, "North", square(76.9, 43.25)), district(102, "South", square(76.9, 43.2)))


@pytest.fixture
def good_pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "good", two_districts())


@pytest.fixture
def loaded(db, good_pack: Path) -> Path:
    """A small pack already loaded, so a refused pack can be shown to change nothing."""
    load_city_pack(good_pack)
    return good_pack


def database_state() -> list:
    return [
        list(City.objects.values_list("slug", "name_en", "manifest_sha256")),
        list(DataSource.objects.values_list("key", "sha256")),
        list(District.objects.order_by("osm_id").values_list("pk", "osm_id", "name", "name_ru")),
    ]


def refused(manifest: Path) -> str:
    with translation.override("en"), pytest.raises(PackError) as caught:
        load_city_pack(manifest)
    return str(caught.value)


def test_a_small_pack_loads_its_districts_with_names_in_three_languages(db, good_pack):
    report = load_city_pack(good_pack)

    north = District.objects.get(osm_id=101)
    assert (north.name, north.name_ru, north.name_kk, north.osm_type) == (
        "North",
        "Северный район",
        "Солтүстік ауданы",
        "relation",
    )
    assert north.geom.geom_type == "MultiPolygon"
    assert north.source.attribution == "© OpenStreetMap contributors, ODbL"
    assert [(layer.layer, layer.created) for layer in report.layers] == [("districts", 2)]
    assert City.objects.get().metric_srid == 32643


def test_loading_the_same_pack_again_updates_in_place_and_never_duplicates(loaded):
    before = database_state()

    report = load_city_pack(loaded)

    assert database_state() == before
    assert [(layer.created, layer.updated, layer.deleted) for layer in report.layers] == [(0, 2, 0)]


def test_a_changed_feature_is_updated_in_place_and_a_missing_one_removed(loaded):
    north_pk = District.objects.get(osm_id=101).pk
    write_pack(loaded.parent, collection(district(101, "North renamed", square(76.92, 43.25))))

    load_city_pack(loaded)

    north = District.objects.get()
    assert (north.pk, north.name) == (north_pk, "North renamed")
    assert north.geom.extent[0] == pytest.approx(76.92)


def test_if_changed_skips_a_pack_whose_files_are_unchanged(loaded):
    report = load_city_pack(loaded, if_changed=True)

    assert report.skipped is True


def test_if_changed_loads_a_pack_whose_file_changed(loaded):
    write_pack(loaded.parent, collection(district(101, "North", square(76.9, 43.25))))

    report = load_city_pack(loaded, if_changed=True)

    assert report.skipped is False
    assert District.objects.count() == 1


def test_a_missing_file_is_refused_naming_it_and_nothing_changes(loaded):
    before = database_state()
    (loaded.parent / "data" / "districts.geojson").unlink()

    message = refused(loaded)

    assert "districts.geojson" in message and "does not exist" in message
    assert database_state() == before


def test_a_missing_manifest_is_refused(tmp_path, db):
    assert "manifest does not exist" in refused(tmp_path / "nowhere")


def test_an_unreadable_geojson_file_is_refused_naming_it_and_nothing_changes(loaded):
    before = database_state()
    write_pack(loaded.parent, '{"type": "FeatureCollection", "features": [')

    message = refused(loaded)

    assert "districts.geojson" in message and "cannot be read as GeoJSON" in message
    assert database_state() == before


def test_a_geojson_file_with_nan_coordinates_is_refused(loaded):
    write_pack(
        loaded.parent,
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"osm_id": 1}, '
        '"geometry": {"type": "Point", "coordinates": [NaN, 43.2]}}]}',
    )

    assert "not a finite number" in refused(loaded)


def test_an_unreadable_osm_extract_is_refused_naming_it(loaded):
    before = database_state()
    (loaded.parent / "data" / "broken.osm.pbf").write_bytes(b"\x00\x00\x00\x0dthis is not a pbf" * 20)
    extra = """
[sources.osm]
title = "OSM"
file = "broken.osm.pbf"
format = "osm"
licence = "CC BY-SA 2.0"
attribution = "© OpenStreetMap contributors, CC BY-SA 2.0"

[layers.waterways]
source = "osm"
"""
    manifest = write_pack(loaded.parent, two_districts(), extra=extra)

    message = refused(manifest)

    assert "broken.osm.pbf" in message and "cannot be read as an OpenStreetMap extract" in message
    assert database_state() == before


def test_a_feature_of_the_wrong_geometry_type_is_refused_naming_the_file_and_feature(loaded):
    before = database_state()
    point = {"type": "Point", "coordinates": [76.95, 43.25]}
    write_pack(loaded.parent, collection(district(101, "North", square(76.9, 43.25)), district(103, "Dot", point)))

    message = refused(loaded)

    assert "districts.geojson" in message and "feature 2" in message and "103" in message and "Point" in message
    assert database_state() == before


def test_a_geometry_outside_the_stated_extent_is_refused_and_nothing_changes(loaded):
    before = database_state()
    write_pack(
        loaded.parent, collection(district(101, "North", square(76.9, 43.25)), district(104, "Far", square(70.0, 40.0)))
    )

    message = refused(loaded)

    assert "feature 2" in message and "extent" in message
    assert database_state() == before


def test_an_srid_not_on_the_allowed_list_is_refused(loaded):
    before = database_state()
    manifest = write_pack(loaded.parent, two_districts(), srid=2154)

    message = refused(manifest)

    assert "2154" in message and "not on the allowed list" in message
    assert database_state() == before


def test_a_geojson_file_said_to_be_in_utm_is_refused(loaded):
    manifest = write_pack(loaded.parent, two_districts(), srid=32643)

    assert "longitude and latitude (EPSG:4326), not EPSG:32643" in refused(manifest)


def test_a_metric_srid_not_on_the_allowed_list_is_refused(db, tmp_path):
    manifest = write_pack(tmp_path, two_districts(), metric_srid=9999)

    assert "9999" in refused(manifest)


def test_a_geojson_crs_member_is_refused(loaded):
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    write_pack(loaded.parent, collection(district(101, "North", square(76.9, 43.25)), crs=crs))

    assert "crs" in refused(loaded)


def test_a_failure_in_a_later_layer_leaves_the_earlier_layers_as_they_were(loaded):
    before = database_state()
    write_pack(loaded.parent, collection(district(101, "North renamed", square(76.9, 43.25))), extra=PLACES)
    place = {
        "type": "Feature",
        "properties": {"osm_id": 7, "place": "village", "population": "many"},
        "geometry": {"type": "Point", "coordinates": [76.95, 43.25]},
    }
    (loaded.parent / "data" / "places.geojson").write_text(json.dumps(collection(place)))

    message = refused(loaded)

    assert "places.geojson" in message and "population" in message
    assert database_state() == before
    assert not PopulatedPlace.objects.exists()


def test_an_invalid_polygon_is_repaired_and_reported(db, tmp_path):
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[76.9, 43.2], [76.95, 43.25], [76.95, 43.2], [76.9, 43.25], [76.9, 43.2]]],
    }
    manifest = write_pack(tmp_path, collection(district(105, "Bow tie", bow_tie)))

    report = load_city_pack(manifest)

    assert len(report.layers[0].repaired) == 1
    assert District.objects.get().geom.valid


def test_the_command_reports_a_broken_pack_and_exits_with_an_error(loaded):
    (loaded.parent / "data" / "districts.geojson").unlink()

    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("gis_load_city", str(loaded))


@pytest.fixture(scope="module")
def almaty(django_db_setup, django_db_blocker):
    """The real Almaty pack, loaded once for this module and rolled back after it."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        report = load_city_pack(settings.CITY_PACK)
        yield report
        transaction.set_rollback(True)


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared Almaty data is not beside the repository")
class TestTheAlmatyPack:
    def test_it_loads_the_eight_districts_with_kazakh_and_russian_names(self, almaty, db):
        names = dict(District.objects.values_list("name_en", "name_ru"))
        assert len(names) == 8
        assert names["Medeu District"] == "Медеуский район"
        assert District.objects.get(name_en="Bostandyk District").name_kk == "Бостандық ауданы"

    def test_it_loads_rivers_and_canals_from_the_osm_extract(self, almaty, db):
        kinds = set(Waterway.objects.values_list("kind", flat=True))
        assert {"river", "canal"} <= kinds
        assert Waterway.objects.filter(source__licence="CC BY-SA 2.0").count() == Waterway.objects.count() >= 79

    def test_it_keeps_the_odbl_and_cc_by_sa_sources_apart(self, almaty, db):
        licences = dict(DataSource.objects.values_list("key", "licence"))
        # The resident estimate (gis_data.population) is derived from both and names both, in a source of its own.
        assert licences == {
            "districts": "ODbL 1.0",
            "places": "ODbL 1.0",
            "osm2012": "CC BY-SA 2.0",
            "dem": "Public domain",
            "population_estimate": "ODbL 1.0; CC BY-SA 2.0",
        }
        assert not District.objects.exclude(source__key="districts").exists()

    def test_it_loads_railways_tram_lines_parks_streets_and_places(self, almaty, db):
        counts = {layer.layer: layer.created for layer in almaty.layers}
        assert counts["railways"] == 90
        assert counts["green_areas"] >= 61
        assert counts["streets"] > 4000
        assert counts["places"] == 100
        assert PopulatedPlace.objects.get(osm_id=26544289).population == 2228515

    def test_it_registers_the_elevation_model(self, almaty, db):
        dem = Raster.objects.get()
        assert (dem.kind, dem.srid, dem.width, dem.height) == ("dem", 4326, 661, 601)
        assert Path(dem.path).name == "almaty_srtm3_dem.tif"

    def test_loading_it_again_creates_nothing_new(self, almaty, db):
        report = load_city_pack(settings.CITY_PACK)
        assert sum(layer.created + layer.deleted for layer in report.layers) == 0
        assert District.objects.count() == 8


def test_an_unknown_layer_in_the_manifest_is_refused(db, tmp_path):
    manifest = write_pack(tmp_path, two_districts(), extra='\n[layers.volcanoes]\nsource = "districts"\n')

    assert "volcanoes" in refused(manifest)


def test_a_data_file_outside_the_data_folder_is_refused(db, tmp_path):
    manifest = write_pack(tmp_path, two_districts())
    shutil.copy(tmp_path / "data" / "districts.geojson", tmp_path / "outside.geojson")
    manifest.write_text(manifest.read_text().replace('file = "districts.geojson"', 'file = "../outside.geojson"'))

    assert "inside the data folder" in refused(manifest)
