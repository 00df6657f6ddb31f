"""Buildings from a pack's OpenStreetMap extract: their tags, bad footprints, one transaction, updates in place."""

from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from gis_data.loading import load_city_pack
from gis_data.models import Building, PopulationCell
from gis_data.packs import PackError
from gis_data.signals import city_pack_loaded
from tests.gis_data.test_city_pack import two_districts, write_pack

pytestmark = pytest.mark.django_db

OSM_SOURCE = """
[sources.osm]
title = "OpenStreetMap extract"
file = "extract.osm"
format = "osm"
licence = "CC BY-SA 2.0"
attribution = "© OpenStreetMap contributors, CC BY-SA 2.0"

[layers.buildings]
source = "osm"
"""

# Nodes by id: (longitude, latitude), inside the district "North" of the test pack (76.90-76.92 E, 43.25-43.27 N).
NODES = {
    1: (76.9000, 43.2500),
    2: (76.9010, 43.2500),
    3: (76.9010, 43.2510),
    4: (76.9000, 43.2510),
    5: (76.9020, 43.2520),
    6: (76.9030, 43.2520),
    7: (76.9030, 43.2530),
    8: (76.9020, 43.2530),
    9: (76.9040, 43.2540),
    10: (76.9050, 43.2540),
    11: (76.9050, 43.2550),
    12: (76.9040, 43.2550),
    # A wide commercial area around the building of nodes 9-12.
    13: (76.9035, 43.2535),
    14: (76.9055, 43.2535),
    15: (76.9055, 43.2555),
    16: (76.9035, 43.2555),
    # A bow tie: its edges cross.
    17: (76.9100, 43.2600),
    18: (76.9110, 43.2610),
    19: (76.9110, 43.2600),
    20: (76.9100, 43.2610),
}

# (way id, node refs, tags)
GOOD_WAYS = [
    (101, [1, 2, 3, 4, 1], {"building": "yes", "building:levels": "5", "name": "Дом"}),
    (102, [5, 6, 7, 8, 5], {"building": "school"}),
    (103, [9, 10, 11, 12, 9], {"building": "apartments", "building:levels": "2-3"}),
    (104, [13, 14, 15, 16, 13], {"landuse": "commercial"}),
]


def osm_xml(ways: list[tuple[int, list[int], dict[str, str]]], relations: str = "", extra_nodes=None) -> str:
    nodes = "\n".join(
        f'  <node id="{node}" version="1" lat="{lat}" lon="{lon}"/>'
        for node, (lon, lat) in (NODES | (extra_nodes or {})).items()
    )
    way_xml = []
    for way, refs, tags in ways:
        body = "".join(f'<nd ref="{ref}"/>' for ref in refs)
        body += "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())
        way_xml.append(f'  <way id="{way}" version="1">{body}</way>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="qala-tests">\n'
        + nodes
        + "\n"
        + "\n".join(way_xml)
        + relations
        + "\n</osm>\n"
    )


def write_extract(root: Path, ways, relations: str = "", extra_nodes=None) -> Path:
    manifest = write_pack(root, two_districts(), extra=OSM_SOURCE)
    (root / "data" / "extract.osm").write_text(osm_xml(ways, relations, extra_nodes), encoding="utf-8")
    return manifest


def buildings() -> dict[int, tuple]:
    return {b.osm_id: (b.osm_type, b.building, b.levels, b.is_residential) for b in Building.objects.order_by("osm_id")}


def test_buildings_are_read_with_their_levels_and_whether_people_may_live_there(tmp_path):
    report = load_city_pack(write_extract(tmp_path, GOOD_WAYS))

    assert buildings() == {
        101: ("way", "yes", 5, True),
        102: ("way", "school", None, False),
        # "2-3" is not a whole number of levels: unknown, so counted as one.
        103: ("way", "apartments", None, True),
    }
    assert Building.objects.get(osm_id=101).name == "Дом"
    assert Building.objects.get(osm_id=101).geom.geom_type == "MultiPolygon"
    layer = next(layer for layer in report.layers if layer.layer == "buildings")
    assert (layer.created, layer.updated, layer.deleted, layer.source) == (3, 0, 0, "osm")


def test_a_land_use_on_the_building_itself_makes_it_a_workplace(tmp_path):
    ways = [(101, [1, 2, 3, 4, 1], {"building": "yes", "landuse": "commercial"})]

    load_city_pack(write_extract(tmp_path, ways))

    assert buildings()[101][3] is False


def test_a_building_inside_a_commercial_area_may_still_hold_residents(tmp_path):
    load_city_pack(write_extract(tmp_path, GOOD_WAYS))

    # Building 103 lies inside the commercial area 104: only a tag on the building itself counts.
    assert buildings()[103][3] is True


def test_a_multipolygon_relation_is_a_building_keyed_as_a_relation(tmp_path):
    relation = """
  <relation id="900" version="1"><member type="way" ref="105" role="outer"/>
    <tag k="type" v="multipolygon"/><tag k="building" v="yes"/></relation>"""
    ways = [(105, [1, 2, 3, 4, 1], {})]

    load_city_pack(write_extract(tmp_path, ways, relation))

    assert buildings() == {900: ("relation", "yes", None, True)}


def test_a_closed_way_of_two_or_three_nodes_is_skipped_and_reported(tmp_path):
    # GDAL makes rings of 2 and 3 points of these: no area, and GEOS cannot even read the first.
    ways = [*GOOD_WAYS, (106, [5, 5], {"building": "yes"}), (107, [5, 6, 5], {"building": "garage"})]

    with translation.override("en"):
        report = load_city_pack(write_extract(tmp_path, ways))

    layer = next(layer for layer in report.layers if layer.layer == "buildings")
    assert set(buildings()) == {101, 102, 103}
    assert len(layer.skipped) == 2
    assert "(106)" in layer.skipped[0] and "fewer than 4 points" in layer.skipped[0]
    assert "(107)" in layer.skipped[1] and "fewer than 4 points" in layer.skipped[1]


def test_a_footprint_drawn_along_a_line_is_skipped_and_reported(tmp_path):
    # Four points, but all on one line: nothing is left once ST_MakeValid has repaired it.
    ways = [(110, [1, 98, 2, 1], {"building": "yes"})]

    with translation.override("en"):
        report = load_city_pack(write_extract(tmp_path, ways, extra_nodes={98: (76.9005, 43.25)}))

    layer = next(layer for layer in report.layers if layer.layer == "buildings")
    assert not Building.objects.exists()
    assert len(layer.skipped) == 1 and "(110)" in layer.skipped[0] and "Nothing of the geometry" in layer.skipped[0]


def test_a_self_crossing_footprint_is_repaired_and_reported(tmp_path):
    ways = [(108, [17, 18, 19, 20, 17], {"building": "yes"})]

    report = load_city_pack(write_extract(tmp_path, ways))

    layer = next(layer for layer in report.layers if layer.layer == "buildings")
    assert len(layer.repaired) == 1 and "(108)" in layer.repaired[0]
    assert Building.objects.get(osm_id=108).geom.valid


def test_loading_again_updates_buildings_in_place_and_keeps_the_counts(tmp_path):
    manifest = write_extract(tmp_path, GOOD_WAYS)
    load_city_pack(manifest)
    pks = dict(Building.objects.values_list("osm_id", "pk"))
    cells = PopulationCell.objects.count()

    report = load_city_pack(manifest)

    layer = next(layer for layer in report.layers if layer.layer == "buildings")
    assert (layer.created, layer.updated, layer.deleted) == (0, 3, 0)
    assert dict(Building.objects.values_list("osm_id", "pk")) == pks
    assert PopulationCell.objects.count() == cells > 0


def test_a_building_gone_from_the_extract_is_deleted_and_a_changed_one_updated(tmp_path):
    manifest = write_extract(tmp_path, GOOD_WAYS)
    load_city_pack(manifest)
    pk = Building.objects.get(osm_id=101).pk

    write_extract(tmp_path, [(101, [1, 2, 3, 4, 1], {"building": "yes", "building:levels": "9"})])
    load_city_pack(manifest)

    assert buildings() == {101: ("way", "yes", 9, True)}
    assert Building.objects.get(osm_id=101).pk == pk


def test_a_refused_extract_leaves_the_buildings_and_the_cells_as_they_were(tmp_path):
    manifest = write_extract(tmp_path, GOOD_WAYS)
    load_city_pack(manifest)
    before = (
        list(Building.objects.order_by("pk").values_list("pk", "osm_id", "levels")),
        list(PopulationCell.objects.order_by("pk").values_list("pk", "residents", "is_urban")),
    )
    outside = {99: (75.0, 43.3)}  # west of the pack's extent
    write_extract(tmp_path, [*GOOD_WAYS, (109, [1, 2, 99, 1], {"building": "yes"})], extra_nodes=outside)

    with translation.override("en"), pytest.raises(PackError, match="extent"):
        load_city_pack(manifest)

    after = (
        list(Building.objects.order_by("pk").values_list("pk", "osm_id", "levels")),
        list(PopulationCell.objects.order_by("pk").values_list("pk", "residents", "is_urban")),
    )
    assert after == before


def test_the_population_is_rebuilt_before_other_apps_hear_of_the_new_pack(tmp_path):
    seen = []

    def count_cells(sender, city, **kwargs):
        seen.append(PopulationCell.objects.filter(city=city).count())

    city_pack_loaded.connect(count_cells, dispatch_uid="tests.count_cells")
    try:
        report = load_city_pack(write_extract(tmp_path, GOOD_WAYS))
    finally:
        city_pack_loaded.disconnect(dispatch_uid="tests.count_cells")

    assert seen == [report.population.cells] and report.population.cells > 0


def test_the_building_admin_is_read_only(client, urbanist, tmp_path):
    load_city_pack(write_extract(tmp_path, GOOD_WAYS))
    building = Building.objects.get(osm_id=101)
    client.force_login(urbanist)

    with translation.override("en"):
        listing = client.get(reverse("admin:gis_data_building_changelist"), {"q": "Дом"})
        page = client.get(reverse("admin:gis_data_building_change", args=[building.pk]), HTTP_ACCEPT_LANGUAGE="en")

    assert listing.status_code == 200 and "Дом" in listing.content.decode()
    assert page.status_code == 200
    # 0.001° by 0.001° is about 81 m by 111 m here, measured in the city's metric projection (UTM 43N).
    assert "9,020" in page.content.decode()
    assert client.get(reverse("admin:gis_data_building_add")).status_code == 403
    assert not admin.site._registry[Building].has_change_permission(page.wsgi_request, building)
