"""The walkable street network of a city pack (gis_data.streets), on toy streets drawn in metres.

Streets are drawn in metres east and north of an origin in central Almaty, in
the city's UTM zone (EPSG:32643), and stored in longitude/latitude.
"""

import numpy as np
import pytest
from django.contrib.gis.geos import LineString, Point
from django.utils import timezone

from gis_data import streets
from tests.factories import CityFactory, StreetFactory

pytestmark = pytest.mark.django_db

METRIC = 32643
ORIGIN = Point(76.915, 43.23, srid=4326).transform(METRIC, clone=True)


def lonlat(x: float, y: float) -> tuple[float, float]:
    point = Point(ORIGIN.x + x, ORIGIN.y + y, srid=METRIC).transform(4326, clone=True)
    return point.x, point.y


def street(*points: tuple[float, float], highway: str = "residential"):
    return StreetFactory(geom=LineString([lonlat(*p) for p in points], srid=4326), highway=highway, is_main=False)


@pytest.fixture(autouse=True)
def fresh_cache():
    streets.clear_cache()
    yield
    streets.clear_cache()


@pytest.fixture
def city():
    return CityFactory()


def test_a_street_is_split_at_the_vertex_another_shares(city):
    # A cross: the east-west street and the north-south one share their middle vertex.
    street((0, 0), (500, 0), (1000, 0))
    street((500, -300), (500, 0), (500, 300))

    built = streets.street_network(city)

    assert built.node_count == 5
    assert built.edge_count == 4
    assert sorted(np.round(built.length).tolist()) == [300, 300, 500, 500]
    assert sorted(np.bincount(np.concatenate([built.u, built.v])).tolist()) == [1, 1, 1, 1, 4]


def test_a_street_keeps_its_inner_vertices_that_no_other_shares(city):
    # An L-shaped street: its corner is a vertex of its own, not a junction.
    street((0, 0), (300, 0), (300, 400))

    built = streets.street_network(city)

    assert built.edge_count == 1
    assert built.length[0] == pytest.approx(700, abs=0.01)


def test_streets_crossing_without_a_shared_vertex_stay_apart(city):
    # A bridge: the second street passes over the first with no vertex in common.
    street((0, 0), (1000, 0))
    street((500, -300), (500, 300))

    built = streets.street_network(city)

    assert built.edge_count == 2
    assert built.node_count == 4


def test_motorways_are_left_out(city):
    street((0, 0), (1000, 0))
    street((0, 100), (1000, 100), highway="motorway")
    street((0, 200), (1000, 200), highway="motorway_link")

    assert streets.street_network(city).edge_count == 1


def test_each_edge_runs_from_its_first_node_to_its_second_and_names_its_street(city):
    way = street((0, 0), (400, 0))

    built = streets.street_network(city)

    start, end = built.geoms[0].coords[0], built.geoms[0].coords[-1]
    assert tuple(built.node_xy[built.u[0]]) == pytest.approx(start)
    assert tuple(built.node_xy[built.v[0]]) == pytest.approx(end)
    assert built.node_xy[built.v[0]][0] - built.node_xy[built.u[0]][0] == pytest.approx(400, abs=0.01)
    assert built.street_id.tolist() == [way.pk]


def test_the_lengths_matrix_keeps_the_shorter_of_two_streets_between_the_same_nodes(city):
    street((0, 0), (1000, 0))
    street((0, 0), (500, 300), (1000, 0))

    matrix = streets.street_network(city).lengths_matrix

    assert matrix.nnz == 2
    assert matrix.max() == pytest.approx(1000, abs=0.01)


def test_a_city_without_streets_has_an_empty_network(city):
    built = streets.street_network(city)

    assert (built.node_count, built.edge_count) == (0, 0)


def test_the_network_is_kept_while_the_streets_stay_the_same(city):
    street((0, 0), (1000, 0))

    assert streets.street_network(city) is streets.street_network(city)


def test_the_network_is_built_again_when_a_street_is_added(city):
    street((0, 0), (1000, 0))
    first = streets.street_network(city)

    street((1000, 0), (1000, 500))

    assert streets.street_network(city).edge_count == 2
    assert first.edge_count == 1


def test_the_network_is_built_again_when_a_street_is_removed(city):
    street((0, 0), (1000, 0))
    last = street((1000, 0), (1000, 500))
    assert streets.street_network(city).edge_count == 2

    last.delete()

    assert streets.street_network(city).edge_count == 1


def test_the_network_is_built_again_for_a_new_pack(city):
    street((0, 0), (1000, 0))
    first = streets.street_network(city)

    city.loaded_at = timezone.now()
    city.save()

    assert streets.street_network(city) is not first
