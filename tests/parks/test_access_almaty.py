"""Park access on the real Almaty pack, checked against networkx computing the same thing independently.

The only module of the parks tests that loads the real pack (about 30 s). Its
parks are those parks.loading imports from the pack's green areas; three get
drawn entrances (so that gates are tested too) and two are closed.

The check builds its own graph from the street network's edges: every edge
is cut, as a chain of networkx nodes, at each point that matters (each cell's
snapped point, each entry point of a park), each park is one node joined to
its entry points by its step, each cell one node joined to its snapped point;
``nx.multi_source_dijkstra`` from all the parks at once gives each cell's
distance and nearest park. parks.access instead keeps the streets' graph as
it is and walks along an edge's two ends in arithmetic (scipy, one park node
per park with directed steps). The entry points themselves follow the
module's rules, written again here.
"""

from collections import defaultdict

import networkx as nx
import numpy as np
import pytest
import shapely
from django.conf import settings
from django.contrib.gis.db.models.functions import AsWKB, Transform
from django.contrib.gis.geos import MultiPoint, Point

from gis_data.loading import load_city_pack
from gis_data.models import PopulationCell
from gis_data.streets import clear_cache as clear_street_cache
from gis_data.streets import street_network
from parks import access
from parks.access import ENTRY_METRES
from parks.models import Park

SHARED = settings.CITY_PACK.parent
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="the shared Almaty data is not beside the repository")


@pytest.fixture(scope="module")
def almaty(django_db_setup, django_db_blocker):
    """The real Almaty pack with its parks, loaded once for this module and rolled back after it."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        city = load_city_pack(settings.CITY_PACK).city
        if not Park.objects.filter(city=city).exists():
            from parks.loading import import_pack_parks

            import_pack_parks(city)
        parks = list(Park.objects.filter(city=city).order_by("-area_m2", "pk"))
        # Gates on three of the largest parks: the first vertex of each one's outer ring, on its edge.
        for park in parks[:3]:
            first = park.boundary[0][0][0]
            park.entrances = MultiPoint(Point(first[0], first[1], srid=4326), srid=4326)
            park.save()
        for park in parks[3:5]:
            park.state = "closed"
            park.save()
        access.clear_cache()
        clear_street_cache()
        yield city
        access.clear_cache()
        clear_street_cache()
        transaction.set_rollback(True)


def metric(queryset, srid, field, *values):
    rows = list(queryset.annotate(m=AsWKB(Transform(field, srid))).values_list(*values, "m"))
    return rows


def networkx_access(city, metres):
    """Each cell's walking distance (inf beyond ``metres``) and nearest park id, by networkx (see the docstring)."""
    streets = street_network(city)
    srid = streets.srid
    tree = shapely.STRtree(streets.geoms)
    graph = nx.Graph()
    on_edge = defaultdict(list)  # edge → [(metres along, node)]

    def place(xy, key):
        """Put ``key`` at the point of the nearest edge to ``xy``; return the edge, the point and the distance."""
        point = shapely.Point(xy)
        edge = int(tree.nearest(point))
        line = streets.geoms[edge]
        along = line.project(point)
        on_edge[edge].append((along, key))
        snapped = line.interpolate(along)
        return snapped, point.distance(snapped)

    parks = metric(Park.objects.filter(city=city, state="open").order_by("pk"), srid, "boundary", "pk", "entrances")
    boundaries = {pk: shapely.from_wkb(bytes(wkb)) for pk, _gates, wkb in parks}
    open_sides = {}
    for pk, gates, _wkb in parks:
        source = ("park", pk)
        graph.add_node(source)
        if gates is not None:
            for number, gate in enumerate(gates.transform(srid, clone=True)):
                _snapped, step = place((gate.x, gate.y), ("gate", pk, number))
                graph.add_edge(source, ("gate", pk, number), weight=step)
            continue
        area = boundaries[pk]
        open_sides[pk] = area
        for node in np.flatnonzero(shapely.distance(shapely.points(streets.node_xy), area) <= ENTRY_METRES):
            graph.add_edge(source, int(node), weight=shapely.distance(shapely.Point(streets.node_xy[node]), area))
        reach = area.buffer(ENTRY_METRES, quad_segs=16).boundary
        for edge in np.flatnonzero(shapely.distance(streets.geoms, area) <= ENTRY_METRES):
            line = streets.geoms[edge]
            points = [shapely.shortest_line(line, area).coords[0]]
            for ring in (reach, area.boundary):
                for part in shapely.get_parts(line.intersection(ring)):
                    if part.is_empty:
                        continue
                    points.extend([part.coords[0], part.coords[-1]] if part.geom_type == "LineString" else part.coords)
            for number, xy in enumerate(points):
                key = ("entry", pk, int(edge), number)
                on_edge[int(edge)].append((line.project(shapely.Point(xy)), key))
                graph.add_edge(source, key, weight=min(shapely.Point(xy).distance(area), ENTRY_METRES))

    cells = metric(PopulationCell.objects.filter(city=city, residents__gt=0).order_by("pk"), srid, "centre", "pk")
    centres = {pk: shapely.from_wkb(bytes(wkb)) for pk, wkb in cells}
    for pk, centre in centres.items():
        snapped, step = place(centre.coords[0], ("snap", pk))
        graph.add_edge(("snap", pk), ("cell", pk), weight=step)
        for park_pk, area in open_sides.items():
            if snapped.distance(area) <= ENTRY_METRES:
                graph.add_edge(("park", park_pk), ("snap", pk), weight=snapped.distance(area))

    ends = zip(streets.u.tolist(), streets.v.tolist(), streets.length.tolist(), strict=True)
    for edge, (u, v, length) in enumerate(ends):
        stops = [(0.0, u), *sorted(on_edge.get(edge, []), key=lambda stop: stop[0]), (length, v)]
        for (start, first), (end, second) in zip(stops, stops[1:], strict=False):
            if first == second:
                continue
            weight = end - start
            if not graph.has_edge(first, second) or graph[first][second]["weight"] > weight:
                graph.add_edge(first, second, weight=weight)

    distances, paths = nx.multi_source_dijkstra(graph, {("park", pk) for pk, _g, _w in parks}, cutoff=metres)
    result = {}
    for pk, centre in centres.items():
        inside = [park_pk for park_pk, area in boundaries.items() if area.intersects(centre)]
        if inside:
            result[pk] = (0.0, inside[0])
        elif ("cell", pk) in distances:
            result[pk] = (distances[("cell", pk)], paths[("cell", pk)][0][1])
        else:
            result[pk] = (np.inf, None)
    return result


@pytest.fixture(scope="module")
def both(almaty, django_db_blocker):
    with django_db_blocker.unblock():
        ours = access.park_access(almaty)
        theirs = networkx_access(almaty, ours.metres)
    return ours, theirs


def test_almaty_has_parks_to_walk_to(both):
    ours, _theirs = both
    assert ours.park_count >= 10
    assert 0.05 < ours.citywide.share < 0.95


def test_every_cell_walks_as_far_as_networkx_finds(both):
    ours, theirs = both
    mine = ours.cell_distances()
    assert mine.keys() == theirs.keys()
    for pk, (distance, _park) in theirs.items():
        if distance <= ours.metres:
            assert mine[pk] == pytest.approx(distance, abs=1e-3), pk
        else:
            assert mine[pk] == np.inf, pk


def test_the_citywide_share_is_the_one_networkx_finds(both, almaty, db):
    ours, theirs = both
    residents = dict(PopulationCell.objects.filter(city=almaty).values_list("pk", "residents"))
    within = sum(residents[pk] for pk, (distance, _park) in theirs.items() if distance <= ours.metres)
    assert ours.citywide.within == pytest.approx(within, rel=1e-9)
    assert ours.citywide.residents == pytest.approx(sum(residents[pk] for pk in theirs), rel=1e-9)


def test_each_district_counts_the_residents_networkx_finds_within(both, almaty, db):
    ours, theirs = both
    rows = PopulationCell.objects.filter(city=almaty, residents__gt=0).values_list("pk", "district_id", "residents")
    by_district = defaultdict(float)
    for pk, district, residents in rows:
        if theirs[pk][0] <= ours.metres:
            by_district[district] += residents
    for row in ours.districts:
        assert row.within == pytest.approx(by_district[row.district_id], rel=1e-9, abs=1e-6), row.name


def test_each_park_serves_the_residents_networkx_walks_to_it(both, almaty, db):
    ours, theirs = both
    residents = dict(PopulationCell.objects.filter(city=almaty).values_list("pk", "residents"))
    park_ids = list(Park.objects.filter(city=almaty).values_list("pk", flat=True))
    served = defaultdict(float)
    for pk, (distance, park) in theirs.items():
        if distance <= ours.metres:
            served[park] += residents[pk]
    # Two parks at exactly the same walk may be told apart differently; the totals must still agree.
    assert sum(ours.served(pk) for pk in park_ids) == pytest.approx(sum(served.values()), rel=1e-9)
    mismatched = [pk for pk in park_ids if ours.served(pk) != pytest.approx(served[pk], rel=1e-6, abs=1e-6)]
    assert len(mismatched) <= 2, mismatched
