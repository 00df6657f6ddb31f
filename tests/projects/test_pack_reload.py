"""A reloaded city pack re-derives the projects' districts from the new boundaries."""

from django.contrib.gis.geos import LineString

from gis_data.loading import load_city_pack
from tests.factories import ProjectFactory
from tests.gis_data.test_city_pack import collection, district, square, write_pack


def test_a_project_follows_its_district_when_the_pack_moves_the_boundary(db, tmp_path):
    manifest = write_pack(tmp_path, collection(district(101, "North", square(76.9, 43.25))))
    load_city_pack(manifest)
    project = ProjectFactory(geom=LineString((76.905, 43.26), (76.915, 43.26), srid=4326))
    assert list(project.districts.values_list("name", flat=True)) == ["North"]

    write_pack(tmp_path, collection(district(101, "North", square(76.95, 43.25))))
    load_city_pack(manifest)

    assert list(project.districts.all()) == []


def test_an_unchanged_pack_skipped_on_reload_keeps_the_projects_districts(db, tmp_path):
    manifest = write_pack(tmp_path, collection(district(101, "North", square(76.9, 43.25))))
    load_city_pack(manifest)
    project = ProjectFactory(geom=LineString((76.905, 43.26), (76.915, 43.26), srid=4326))

    report = load_city_pack(manifest, if_changed=True)

    assert report.skipped is True
    assert list(project.districts.values_list("name", flat=True)) == ["North"]
