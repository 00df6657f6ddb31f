"""The corridor network (corridors.network): noding, routes against networkx, coverage, parts and gaps.

Toy networks are drawn in metres east and north of an origin in central
Almaty, in the city's UTM zone (EPSG:32643), then stored in longitude/latitude
as the app stores them, so that every expected figure can be worked out by
hand from the coordinates below.
"""

import math

import networkx as nx
import numpy as np
import pytest
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon

from corridors import network
from corridors.network import NoRoute, Route
from gis_data.models import PopulationCell
from tests.factories import (
    DEM_HEIGHT,
    DEM_RES,
    DEM_SOUTH,
    DEM_WIDTH,
    CityFactory,
    CorridorFactory,
    DistrictFactory,
    GreenAreaFactory,
    PopulatedPlaceFactory,
    RasterFactory,
    SegmentFactory,
    StreetFactory,
    write_dem,
)

pytestmark = pytest.mark.django_db

METRIC = 32643
# The origin of the toy networks, inside the synthetic DEM of tests.factories (76.90–76.964 E, 43.222–43.27 N).
ORIGIN = Point(76.915, 43.23, srid=4326).transform(METRIC, clone=True)
# The synthetic DEM used by the route tests: a plane rising this many metres per pixel row (111 m) to the north.
RISE_PER_ROW = 3.0


def lonlat(x: float, y: float) -> tuple[float, float]:
    """The longitude and latitude of the point ``x`` metres east and ``y`` metres north of the origin."""
    point = Point(ORIGIN.x + x, ORIGIN.y + y, srid=METRIC).transform(4326, clone=True)
    return point.x, point.y


def line(*points: tuple[float, float]) -> LineString:
    return LineString([lonlat(x, y) for x, y in points], srid=4326)


def at(x: float, y: float) -> Point:
    return Point(*lonlat(x, y), srid=4326)


def street(*points: tuple[float, float], highway: str = "residential"):
    return StreetFactory(geom=line(*points), highway=highway, is_main=False, name="", name_en="")


def segment(*points: tuple[float, float], corridor=None, **fields):
    return SegmentFactory(geom=line(*points), **({"corridor": corridor} if corridor else {}), **fields)


def square(x: float, y: float, half: float = 100) -> Polygon:
    corners = [(x - half, y - half), (x + half, y - half), (x + half, y + half), (x - half, y + half)]
    return Polygon([lonlat(*corner) for corner in [*corners, corners[0]]], srid=4326)


def cell(x: float, y: float, residents: float, district=None) -> PopulationCell:
    """A 200 m population cell centred ``x`` m east and ``y`` m north of the origin."""
    return PopulationCell.objects.create(
        city=CityFactory(), geom=square(x, y), centre=at(x, y), residents=residents, district=district
    )


def metric_xy(point: Point) -> tuple[float, float]:
    """Where a point (longitude/latitude) lies, in metres from the origin."""
    projected = point.transform(METRIC, clone=True)
    return projected.x - ORIGIN.x, projected.y - ORIGIN.y


@pytest.fixture(autouse=True)
def fresh_cache():
    network.clear_cache()
    yield
    network.clear_cache()


@pytest.fixture
def city():
    return CityFactory()


@pytest.fixture
def plane_dem(tmp_path, city):
    """The synthetic DEM's place, as a plane rising RISE_PER_ROW metres per row to the north."""
    rows = np.arange(DEM_HEIGHT, dtype=np.float64)[:, None]
    elevation = 800 + RISE_PER_ROW * (DEM_HEIGHT - 1 - rows) * np.ones((1, DEM_WIDTH))
    return RasterFactory(path=str(write_dem(tmp_path / "plane.tif", elevation)))


def plane_height(x: float, y: float) -> float:
    """The plane DEM's height at a point: linear in latitude (pixel rows are centred half a pixel in)."""
    _lon, lat = lonlat(x, y)
    return 800 + RISE_PER_ROW * ((lat - DEM_SOUTH) / DEM_RES - 0.5)


# Noding.


def test_a_segment_crossing_a_street_midway_joins_it(city):
    street((0, 0), (1000, 0))
    segment((500, -200), (500, 200))

    built = network.build_network(city)

    # The street and the segment are each cut in two at the crossing, whose node joins all four pieces.
    assert built.edge_count == 4
    assert built.node_count == 5
    assert sorted(np.bincount(np.concatenate([built.u, built.v])).tolist()) == [1, 1, 1, 1, 4]
    result = network.route(city, at(500, 200), at(0, 0), network=built)
    assert isinstance(result, Route)
    assert result.shortest.length_m == pytest.approx(700, abs=0.01)
    assert result.shortest.green_share == pytest.approx(200 / 700, abs=1e-4)


def test_streets_are_split_at_the_vertices_their_ways_share(city):
    # Two ways crossing at a shared vertex, and a third crossing without one (a bridge): only the first joins.
    street((0, 0), (500, 0), (1000, 0))
    street((500, -300), (500, 0), (500, 300))
    street((800, -300), (800, 300), highway="primary")

    built = network.build_network(city)

    assert built.edge_count == 5
    assert len(set(built.membership.tolist())) == 2


def test_motorways_are_not_in_the_network(city):
    street((0, 0), (1000, 0), highway="motorway")
    street((0, 100), (1000, 100))

    assert network.build_network(city).edge_count == 1


def test_a_segment_end_5_m_from_another_segment_snaps_to_it(city):
    segment((0, 0), (1000, 0))
    segment((400, 5), (400, 300))

    built = network.build_network(city)

    [part] = network.components(built)
    # The first segment cut at the foot of the second's end, the second, and the 5 m connector between them.
    assert built.edge_count == 4
    assert part.length_m == pytest.approx(1000 + 295 + 5, abs=0.01)
    result = network.route(city, at(0, 0), at(400, 300), network=built)
    assert result.shortest.length_m == pytest.approx(400 + 5 + 295, abs=0.01)
    assert result.shortest.green_share == pytest.approx(1)


def test_segment_ends_within_10_m_of_each_other_are_joined(city):
    segment((0, 0), (500, 0))
    segment((506, 0), (1000, 0))

    [part] = network.components(network.build_network(city))

    assert part.length_m == pytest.approx(500 + 6 + 494, abs=0.01)


def test_a_segment_end_15_m_away_stays_apart(city):
    segment((0, 0), (1000, 0))
    segment((400, 15), (400, 300))

    assert len(network.components(network.build_network(city))) == 2


def test_a_segment_end_near_a_street_is_joined_to_it(city):
    street((0, 0), (1000, 0))
    segment((300, 8), (300, 400))

    built = network.build_network(city)
    result = network.route(city, at(0, 0), at(300, 400), network=built)

    assert result.shortest.length_m == pytest.approx(300 + 8 + 392, abs=0.01)


def test_crossing_segments_are_one_part(city):
    segment((0, 0), (1000, 1000))
    segment((0, 1000), (1000, 0))

    built = network.build_network(city)

    assert built.edge_count == 4
    [part] = network.components(built)
    assert part.length_m == pytest.approx(2 * math.hypot(1000, 1000), abs=0.01)


def test_visitors_network_leaves_out_the_segments_of_draft_corridors(city):
    draft = CorridorFactory(is_published=False)
    segment((0, 0), (1000, 0))
    segment((0, 500), (1000, 500), corridor=draft)

    everything = network.build_network(city)
    published = network.build_network(city, published_only=True)

    assert len(network.components(everything)) == 2
    [part] = network.components(published)
    assert draft.pk not in part.corridor_ids


def test_publishing_a_corridor_rebuilds_the_visitors_network(city):
    draft = CorridorFactory(is_published=False)
    segment((0, 0), (1000, 0), corridor=draft)
    assert network.components(network.build_network(city, published_only=True)) == []

    draft.is_published = True
    draft.save()

    [part] = network.components(network.build_network(city, published_only=True))
    assert part.corridor_ids == (draft.pk,)


def test_the_network_is_rebuilt_when_a_segment_changes(city):
    drawn = segment((0, 0), (1000, 0))
    first = network.build_network(city)
    assert network.build_network(city) is first

    drawn.geom = line((0, 0), (2000, 0))
    drawn.save()
    second = network.build_network(city)

    assert second is not first
    assert second.corridor_length_m == pytest.approx(2000, abs=0.01)
    assert network.build_network(city, statuses=["existing"]).corridor_length_m == 0


# Routes against networkx.

# The hand-built network: a 600 m grid of streets (each row and column one way, sharing the crossing vertices),
# joined by a street along y = 0 to a gadget west of it where the shortest and the gentlest routes differ:
# from A to B (400 m north, so 400 m of northing to climb on the plane) a street overshoots north to M and
# comes back down (651 m, climbing 500 m of northing), while a corridor segment goes round by N, climbing
# steadily (721 m, 400 m of northing).
GRID = [0, 200, 400, 600]
A, B, M, N = (-400, 0), (-400, 400), (-300, 500), (-700, 200)
STREETS = [
    *([(x, y) for x in GRID] for y in GRID),
    *([(x, y) for y in GRID] for x in GRID),
    [A, (-200, 0), (0, 0)],
    [B, (0, 400)],
    [A, M, B],
]
SEGMENTS = [[A, N, B]]


def reference_graphs() -> tuple[nx.Graph, nx.DiGraph]:
    """The same network in networkx, from the coordinates alone: lengths, and climbs on the plane DEM."""
    lengths, gentle = nx.Graph(), nx.DiGraph()
    for way in STREETS + SEGMENTS:
        for first, second in zip(way, way[1:], strict=False):
            length = math.dist(first, second)
            lengths.add_edge(first, second, weight=length)
            rise = plane_height(*second) - plane_height(*first)
            for there, back, up in ((first, second, rise), (second, first, -rise)):
                weight = max(up, 0) + network.GENTLE_LENGTH_WEIGHT * length
                if not gentle.has_edge(there, back) or gentle[there][back]["weight"] > weight:
                    gentle.add_edge(there, back, weight=weight, length=length, climb=max(up, 0))
    return lengths, gentle


@pytest.fixture
def hand_built(city, plane_dem):
    for way in STREETS:
        street(*way)
    for way in SEGMENTS:
        segment(*way)
    return network.build_network(city)


def test_the_shortest_and_gentlest_routes_match_networkx(city, hand_built):
    lengths, gentle = reference_graphs()
    places = [A, B, (0, 0), (600, 600), (200, 400), (400, 0), (-200, 0), (0, 600)]

    for start in places:
        for end in places:
            if start == end:
                continue
            result = network.route(city, at(*start), at(*end), network=hand_built)
            expected_length = nx.dijkstra_path_length(lengths, start, end)
            expected_gentle = nx.dijkstra_path_length(gentle, start, end)
            assert result.shortest.length_m == pytest.approx(expected_length, abs=0.05), (start, end)
            gentlest = result.gentlest.climb_m + network.GENTLE_LENGTH_WEIGHT * result.gentlest.length_m
            assert gentlest == pytest.approx(expected_gentle, abs=0.01), (start, end)


def test_the_gentlest_route_goes_round_the_overshoot(city, hand_built):
    _lengths, gentle = reference_graphs()
    path = nx.dijkstra_path(gentle, A, B)
    expected_length = sum(gentle[a][b]["length"] for a, b in zip(path, path[1:], strict=False))
    expected_climb = sum(gentle[a][b]["climb"] for a, b in zip(path, path[1:], strict=False))

    result = network.route(city, at(*A), at(*B), network=hand_built)

    assert result.shortest.length_m == pytest.approx(math.dist(A, M) + math.dist(M, B), abs=0.05)
    assert result.shortest.green_share == 0
    assert path == [A, N, B]
    assert result.gentlest.length_m == pytest.approx(expected_length, abs=0.05)
    assert result.gentlest.climb_m == pytest.approx(expected_climb, abs=0.01)
    assert result.gentlest.climb_m < result.shortest.climb_m
    assert result.gentlest.green_share == pytest.approx(1)
    assert result.gentlest.profile.climb_m == pytest.approx(expected_climb, abs=0.5)
    assert result.gentlest.geometry.srid == 4326
    assert metric_xy(Point(result.gentlest.geometry.coords[0], srid=4326)) == pytest.approx(A, abs=0.01)
    assert metric_xy(Point(result.gentlest.geometry.coords[-1], srid=4326)) == pytest.approx(B, abs=0.01)


def test_a_route_starts_and_ends_where_the_points_snap_mid_edge(city, hand_built):
    # 30 m south of the street along y = 0, 50 m into its stretch from (0, 0) to (200, 0);
    # to the column x = 600 at y = 300, 20 m east of it.
    result = network.route(city, at(50, -30), at(620, 300), network=hand_built)

    assert result.start_snap_m == pytest.approx(30, abs=0.01)
    assert result.end_snap_m == pytest.approx(20, abs=0.01)
    assert metric_xy(result.start) == pytest.approx((50, 0), abs=0.01)
    assert result.shortest.length_m == pytest.approx(550 + 300, abs=0.05)


def test_a_route_within_one_edge_stays_on_it(city, hand_built):
    result = network.route(city, at(-250, 10), at(-350, 10), network=hand_built)

    assert result.shortest.length_m == pytest.approx(100, abs=0.01)


# Unconnected points.


def test_points_the_network_does_not_join_get_no_route_and_the_nearest_reachable_point(city):
    street((0, 0), (1000, 0))
    street((0, 500), (1000, 500))

    result = network.route(city, at(0, 0), at(900, 500))

    assert isinstance(result, NoRoute)
    assert "not connected" in result.message
    # Of the nodes the start reaches, (1000, 0) is the nearest to the end: √(100² + 500²) ≈ 509.9 m.
    assert metric_xy(result.nearest_reachable) == pytest.approx((1000, 0), abs=0.01)
    assert result.distance_m == pytest.approx(math.hypot(100, 500), abs=0.01)
    assert "510 m" in result.message


def test_a_city_without_streets_or_segments_has_no_route(city):
    result = network.route(city, at(0, 0), at(100, 0))

    assert isinstance(result, NoRoute)
    assert result.nearest_reachable is None


# Climb where the DEM has no data.


def test_a_stretch_without_elevation_data_climbs_nothing(city, tmp_path):
    # The synthetic cone DEM has no data in its four westmost columns (76.900–76.904 E), 1,000 m west of the origin.
    RasterFactory(path=str(write_dem(tmp_path / "cone.tif")))
    street((-1150, 0), (-1150, 300))

    built = network.build_network(city)

    assert built.climb_forward.tolist() == [0]
    assert built.climb_backward.tolist() == [0]
    result = network.route(city, at(-1150, 0), at(-1150, 300), network=built)
    assert result.shortest.climb_m == 0
    assert result.shortest.profile.gap_m == pytest.approx(300, abs=0.01)


# Coverage.


def test_coverage_counts_residents_within_walking_distance_of_the_corridors(city):
    west, east = DistrictFactory(name_en="West"), DistrictFactory(name_en="East")
    # A street from west to east and a corridor crossing it at x = 1000: corridor nodes at y = -300, 0, 300.
    street((0, 0), (2000, 0))
    segment((1000, -300), (1000, 300))
    # Residents by cell centre, with each one's walk by hand (snap to the nearest edge + over the graph):
    cell(1000, 100, 100, west)  # on the corridor: 0 m, covered
    cell(1300, 20, 200, west)  # 20 m to the street at x = 1300, then 300 m to the crossing: 320 m, covered
    cell(1450, 60, 400, west)  # 60 m + 450 m = 510 m: not covered, though the corridor is 450 m away
    cell(600, -30, 50, east)  # 30 m + 400 m = 430 m, covered
    cell(1200, 250, 80, east)  # the corridor (200 m) is nearer than the street (250 m): 200 m, covered
    cell(1900, 400, 1000, east)  # 400 m to the street, 900 m along it: 1,300 m, not covered
    cell(1000, 50, 0, east)  # nobody lives here

    result = network.coverage(city)

    assert result.metres == 500
    assert result.residents == 1830
    assert result.covered == 100 + 200 + 50 + 80
    assert result.share == pytest.approx(430 / 1830)
    rows = {row.name: row for row in result.districts}
    assert (rows["East"].residents, rows["East"].covered) == (1130, 130)
    assert (rows["West"].residents, rows["West"].covered) == (700, 300)
    assert rows["West"].share == pytest.approx(300 / 700)
    assert network.coverage(city, metres=520).covered == 430 + 400


def test_coverage_follows_population_cells_rebuilt_after_the_network(city):
    segment((0, 0), (1000, 0))
    built = network.build_network(city)
    cell(500, 100, 40)
    assert network.coverage(city, network=built).covered == 40

    # gis_data.population replaces every cell when it runs: the snapped cells kept with the network must follow.
    PopulationCell.objects.all().delete()
    cell(500, 100, 60)
    cell(500, 900, 500)

    result = network.coverage(city, network=built)
    assert (result.residents, result.covered) == (560, 60)


def test_coverage_without_corridors_is_nothing(city):
    street((0, 0), (2000, 0))
    cell(100, 10, 300)

    result = network.coverage(city)

    assert (result.residents, result.covered) == (300, 0)
    assert result.share == 0


# Parts of the network, what they reach, and the gaps between them.


@pytest.fixture
def parts(city):
    """Four parts: a 2 km promenade (two corridors joined end to end and by a 5 m snap), a 500 m and a 400 m
    piece, and one more than 3 km from everything."""
    promenade, spur = CorridorFactory(name_en="Promenade"), CorridorFactory(name_en="Spur")
    segment((0, 0), (1000, 0), corridor=promenade)
    segment((1000, 0), (2000, 0), corridor=promenade)
    segment((2000, 5), (2000, 300), corridor=spur)
    segment((3000, 0), (3500, 0))
    segment((0, 2000), (0, 2400))
    segment((9000, 0), (9300, 0))
    # No streets: a cell is covered by the part its nearest edge belongs to, when that edge is within 500 m.
    cell(3200, 100, 500)  # by the 500 m piece
    cell(2400, 0, 70)  # 400 m from the promenade, 600 m from the 500 m piece: by the promenade only
    cell(0, 2300, 100)  # by the 400 m piece
    cell(500, 300, 1000)  # by the promenade only: it gains nothing from a link
    return promenade, spur


def test_components_are_the_connected_parts_of_the_corridors_longest_first(city, parts):
    promenade, spur = parts

    found = network.components(network.build_network(city))

    assert [part.id for part in found] == [1, 2, 3, 4]
    assert [round(part.length_m) for part in found] == [2300, 500, 400, 300]
    assert set(found[0].corridor_ids) == {promenade.pk, spur.pk}
    assert len(found[0].segment_ids) == 3
    assert found[0].geometry.geom_type == "MultiLineString"


def test_gaps_are_ranked_by_the_people_they_newly_connect(city, parts):
    found = network.gaps(network.build_network(city))

    # Promenade ↔ 500 m piece: 1,000 m apart (x = 2000 to 3000); the piece's 500 residents gain the promenade.
    # Promenade ↔ 400 m piece: 2,000 m apart (y = 0 to 2000); 100 residents. The 500 m and the 400 m pieces are
    # √(3000² + 2000²) ≈ 3,606 m apart and the last part is more than 3 km from all: no gap.
    assert [(gap.component_ids, gap.newly_connected) for gap in found] == [((2, 1), 500), ((3, 1), 100)]
    assert [round(gap.length_m) for gap in found] == [1000, 2000]
    assert metric_xy(Point(found[0].geometry.coords[0], srid=4326)) == pytest.approx((3000, 0), abs=0.01)
    assert metric_xy(Point(found[0].geometry.coords[-1], srid=4326)) == pytest.approx((2000, 0), abs=0.01)
    assert len(network.gaps(network.build_network(city), limit=1)) == 1


def test_a_corridor_reaches_the_parks_of_the_corridors_joined_to_it(city, parts):
    promenade, spur = parts
    GreenAreaFactory(geom=MultiPolygon(square(500, -150, 60)), name_en="Riverside Park")  # 90 m from the promenade
    GreenAreaFactory(geom=MultiPolygon(square(3200, -300, 100)), name_en="Far Park")  # 200 m from the 500 m piece
    GreenAreaFactory(geom=MultiPolygon(square(1500, 120, 30)), kind="forest", name_en="Grove")  # not a park
    DistrictFactory(geom=MultiPolygon(square(2000, 200, 300)), name_en="Suburb District")
    PopulatedPlaceFactory(geom=at(2500, 300), name_en="Kalkaman")  # 500 m from the spur
    PopulatedPlaceFactory(geom=at(2000, 600), name_en="Almaty", place="city")  # the city itself is no suburb

    built = network.build_network(city)
    links = network.corridor_links(spur, built)

    assert links.park_names() == ["Riverside Park"]
    assert links.district_names() == ["Suburb District"]
    assert links.place_names() == ["Kalkaman"]
    assert [(link.suburb.localized_name, [p.localized_name for p in link.parks]) for link in links.links] == [
        ("Suburb District", ["Riverside Park"]),
        ("Kalkaman", ["Riverside Park"]),
    ]
    assert links.links_a_suburb_to_a_park
    assert network.components(built)[1].park_names() == []
    assert network.corridor_links(promenade, built).park_names() == ["Riverside Park"]


def test_a_corridor_without_segments_links_nothing(city, parts):
    links = network.corridor_links(CorridorFactory(name_en="Not drawn yet"), network.build_network(city))

    assert (links.components, links.parks, links.districts, links.places, links.links) == ((), (), (), (), ())
    assert not links.links_a_suburb_to_a_park
