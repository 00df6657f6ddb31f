"""Benchmark: the corridor network (corridors.network, on igraph) against networkx doing the same work.

Run against a database with the city pack loaded (after `make run`, or on a
database of its own: `DATABASE_URL=postgres://…/qala_bench`; an empty
database gets the pack loaded first):

    .venv/bin/python bench/corridor_network.py [--keep] [--pairs 200]

Inside a transaction that is rolled back at the end (kept with ``--keep``), it
draws plausible corridors along the pack's real rivers, canal and railways
(a path 20 m off the water or the tracks, inside the districts, cut into
segments of about 1.5 km; every sixth segment is left out, as a missing link,
so that the network has parts and gaps). Then, on the full Almaty network
(streets and corridors), it times:

- building the network (cold, no cache);
- routes: the shortest and the gentlest route between random pairs of points
  (the same pairs for both ways), each way given the same snapped start and
  end and the same stretches from them to their edges' ends: the search of
  ``corridors.network._search`` (igraph: a copy of the graph with the start
  and end as two more nodes, one Dijkstra stopped at the end) against the
  same search with networkx (``bidirectional_dijkstra`` over the same nodes
  and weights, the start and end added to the graph and removed after);
- coverage: ``coverage()`` as the pages call it (the cells snapped to the
  network once and kept, then one multi-source Dijkstra with a cut-off), its
  search done as network.py does it (``scipy.sparse.csgraph.dijkstra`` with
  ``limit``: igraph has no cut-off) and by networkx's
  ``multi_source_dijkstra_path_length(cutoff=)``; and that search alone;
- gap-finding: ``gaps()`` (one cut-off search per part of the network), the
  same two ways; and the parts themselves (connected components of the
  corridor edges: igraph against networkx).

Both ways run in the same process on the same graph, one after the other;
their answers are checked to be the same. Median of REPEATS runs after a
warm-up; the results are recorded in bench/RESULTS.md. Not a test: compare the
ratios.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402 (settings must be chosen first)

django.setup()

import igraph as ig  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from django.contrib.gis.db.models.functions import AsWKB, Transform  # noqa: E402
from django.contrib.gis.geos import GEOSGeometry  # noqa: E402
from django.db import transaction  # noqa: E402
from shapely.ops import substring  # noqa: E402

from corridors import network  # noqa: E402
from corridors.models import Corridor, Segment  # noqa: E402
from gis_data.models import District, PopulationCell, Railway, Waterway  # noqa: E402
from gis_data.packs import current_city  # noqa: E402

REPEATS = 7
SEGMENT_METRES = 1500
OFFSET_METRES = 20
MISSING_EVERY = 6
# The lines corridors are drawn along: (model, kinds, corridor kind), the longest first.
NATURAL_LINES = [
    (Waterway, ("river", "canal"), "river_promenade"),
    (Railway, ("rail", "disused", "abandoned"), "rails_to_trails"),
]
STATUSES = ["existing", "planned", "proposed"]


def median_seconds(run, repeats: int = REPEATS) -> float:
    run()  # warm the caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def compare(ours, theirs, repeats: int = REPEATS) -> tuple[float, float]:
    """The median times of two ways of doing the same work, run in turn in each repeat (the machine is shared:
    a slow moment then slows both, not one)."""
    ours()
    theirs()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for run, kept in ((ours, times[0]), (theirs, times[1])):
            start = time.perf_counter()
            run()
            kept.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


# The corridors drawn for the bench.


def draw_corridors(city) -> int:
    """Corridors along the pack's rivers, canal and railways inside the districts; returns the segment count."""
    srid = city.metric_srid
    districts = District.objects.filter(source__city=city).annotate(metric=AsWKB(Transform("geom", srid)))
    inside = shapely.union_all(shapely.from_wkb([bytes(d.metric) for d in districts]))
    count = 0
    for model, kinds, corridor_kind in NATURAL_LINES:
        rows = (
            model.objects.filter(source__city=city, kind__in=kinds)
            .annotate(metric=AsWKB(Transform("geom", srid)))
            .values_list("name", "metric")
        )
        by_name: dict[str, list] = {}
        for name, wkb in rows:
            by_name.setdefault(name or "", []).append(shapely.from_wkb(bytes(wkb)))
        for name, lines in sorted(by_name.items()):
            merged = shapely.intersection(shapely.line_merge(shapely.union_all(lines)), inside)
            for part in shapely.get_parts(merged):
                if part.geom_type != "LineString" or part.length < 1000:
                    continue
                path = part.offset_curve(OFFSET_METRES)
                if path.geom_type != "LineString" or path.length < 1000 or not path.is_simple:
                    continue
                count += _corridor_along(path, name, corridor_kind, srid, count)
    return count


def _corridor_along(path, name: str, kind: str, srid: int, drawn: int) -> int:
    label = name or kind.replace("_", " ")
    corridor = Corridor.objects.create(
        name_en=f"{label} (bench)", kind=kind, status=STATUSES[drawn % 3], is_published=True, is_demo=True
    )
    pieces = max(1, round(path.length / SEGMENT_METRES))
    step = path.length / pieces
    segments = []
    for index in range(pieces):
        if (drawn + index) % MISSING_EVERY == MISSING_EVERY - 1:
            continue
        piece = substring(path, index * step, (index + 1) * step)
        geom = GEOSGeometry(memoryview(shapely.to_wkb(piece)), srid=srid).transform(4326, clone=True)
        segments.append(Segment(corridor=corridor, position=index, geom=geom, status=STATUSES[(drawn + index) % 3]))
    Segment.objects.bulk_create(segments)
    return len(segments)


# networkx doing the same work on the same graph.


def networkx_graphs(built: network.Network) -> tuple[nx.Graph, nx.DiGraph]:
    """The network's graph in networkx: lengths (undirected) and gentle weights (directed), the lighter of
    parallel edges kept (the same shortest paths)."""
    lengths = nx.Graph()
    lengths.add_nodes_from(range(built.node_count))
    gentle = nx.DiGraph()
    gentle.add_nodes_from(range(built.node_count))
    weights = built.gentle_weights
    count = built.edge_count
    for edge, (u, v, length) in enumerate(zip(built.u.tolist(), built.v.tolist(), built.length.tolist(), strict=True)):
        if not lengths.has_edge(u, v) or lengths[u][v]["weight"] > length:
            lengths.add_edge(u, v, weight=length, edge=edge)
        for there, back, weight, directed in ((u, v, weights[edge], edge), (v, u, weights[count + edge], count + edge)):
            if not gentle.has_edge(there, back) or gentle[there][back]["weight"] > weight:
                gentle.add_edge(there, back, weight=weight, edge=directed)
    return lengths, gentle


def networkx_search(graphs, built: network.Network, ends, gentle: bool) -> tuple[float, list[int]]:
    """``network._search`` with networkx: the least cost from the snapped start to the snapped end, and its edges.

    The start and the end join the graph as two more nodes for the search and
    leave it after, as ``_search`` does on its copy of the igraph graph.
    """
    graph = graphs[1] if gentle else graphs[0]
    for node, piece in ends.leave:
        if not graph.has_edge("start", node) or graph["start"][node]["weight"] > piece.cost(gentle):
            graph.add_edge("start", node, weight=piece.cost(gentle))
    for node, piece in ends.arrive:
        if not graph.has_edge(node, "end") or graph[node]["end"]["weight"] > piece.cost(gentle):
            graph.add_edge(node, "end", weight=piece.cost(gentle))
    try:
        best, path = nx.bidirectional_dijkstra(graph, "start", "end", weight="weight")
        edges = [graph[a][b]["edge"] for a, b in zip(path[1:-2], path[2:-1], strict=True)]
    finally:
        graph.remove_nodes_from(["start", "end"])
    if ends.direct is not None and ends.direct.cost(gentle) <= best:
        return ends.direct.cost(gentle), []
    return best, edges


def networkx_reach(lengths: nx.Graph):
    def reach(built: network.Network, sources: np.ndarray, metres: float) -> np.ndarray:
        distance = np.full(built.node_count, np.inf)
        if len(sources):
            found = nx.multi_source_dijkstra_path_length(lengths, set(sources.tolist()), cutoff=metres)
            distance[list(found)] = list(found.values())
        return distance

    return reach


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the drawn corridors (no rollback)")
    parser.add_argument("--pairs", type=int, default=200, help="random route pairs")
    args = parser.parse_args()

    city = current_city()
    if city is None:
        from gis_data.loading import load_city_pack

        print("Loading the city pack…")
        city = load_city_pack().city
    if not PopulationCell.objects.filter(city=city).exists():
        from gis_data.population import rebuild_population

        rebuild_population(city)

    with transaction.atomic():
        segments = draw_corridors(city)
        run(city, segments, args.pairs)
        if not args.keep:
            transaction.set_rollback(True)


def run(city, segments: int, pair_count: int) -> None:
    def cold_build():
        network.clear_cache()
        return network.build_network(city)

    build = median_seconds(cold_build, repeats=5)
    built = network.build_network(city)
    parts = network.components(built)
    graphs = networkx_graphs(built)
    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, igraph {ig.__version__}, networkx {nx.__version__}"
    )
    print(
        f"Network: {built.node_count} nodes, {built.edge_count} edges "
        f"({int(built.is_corridor.sum())} on corridors, from {segments} segments); "
        f"streets {built.street_length_m / 1000:.0f} km, corridors {built.corridor_length_m / 1000:.1f} km; "
        f"{len(parts)} corridor parts; built in {build * 1000:.0f} ms (median of 5, cold)"
    )

    rng = random.Random(42)  # noqa: S311 (random pairs of places, not secrets)
    largest = np.flatnonzero(built.membership == np.bincount(built.membership).argmax())
    pairs = []
    while len(pairs) < pair_count:
        a, b = (built.node_xy[rng.choice(largest)] + [rng.uniform(-50, 50), rng.uniform(-50, 50)] for _i in range(2))
        start, end = network._snap(built, a), network._snap(built, b)
        # A point may snap to a street the largest part does not reach: route() answers NoRoute there.
        if built.membership[built.u[start.edge]] == built.membership[built.u[end.edge]]:
            pairs.append((start, end, network._ends(built, start, end)))

    rows = []
    for gentle, label in ((False, "route, shortest"), (True, "route, gentlest")):
        ours = [network._search(built, ends, gentle).cost for _s, _t, ends in pairs]
        theirs = [networkx_search(graphs, built, ends, gentle)[0] for _s, _t, ends in pairs]
        same = np.allclose(ours, theirs, rtol=1e-9, atol=1e-6)
        our_time, networkx_time = compare(
            lambda gentle=gentle: [network._search(built, e, gentle) for _s, _t, e in pairs],
            lambda gentle=gentle: [networkx_search(graphs, built, e, gentle) for _s, _t, e in pairs],
        )
        rows.append((f"{label}: search, {pair_count} pairs", "igraph", our_time, networkx_time, same))

    start, end, _ends = pairs[0]
    whole_route = median_seconds(
        lambda: network.route(city, network._point(start.xy, built.srid), network._point(end.xy, built.srid), built)
    )

    reach_ours = network._reach
    reach_networkx = networkx_reach(graphs[0])

    def using(reach, run):
        def patched():
            network._reach = reach
            try:
                return run()
            finally:
                network._reach = reach_ours

        return patched

    def coverage_now():
        return network.coverage(city, network=built)

    def gaps_now():
        return network.gaps(built, limit=1000)

    answers = {
        name: (using(reach, coverage_now)(), using(reach, gaps_now)())
        for name, reach in (("ours", reach_ours), ("networkx", reach_networkx))
    }
    times = {
        "coverage": compare(using(reach_ours, coverage_now), using(reach_networkx, coverage_now)),
        "search": compare(
            lambda: reach_ours(built, built.corridor_nodes, 500.0),
            lambda: reach_networkx(built, built.corridor_nodes, 500.0),
        ),
        "gaps": compare(using(reach_ours, gaps_now), using(reach_networkx, gaps_now)),
    }
    coverage_same = answers["ours"][0].covered_cell_ids == answers["networkx"][0].covered_cell_ids
    gaps_same = [(g.component_ids, round(g.newly_connected, 3)) for g in answers["ours"][1]] == [
        (g.component_ids, round(g.newly_connected, 3)) for g in answers["networkx"][1]
    ]
    rows.append(("coverage (whole call)", "scipy", *times["coverage"], coverage_same))
    rows.append(("coverage: the cut-off search only", "scipy", *times["search"], coverage_same))
    rows.append(("gap-finding (whole call)", "scipy", *times["gaps"], gaps_same))

    def networkx_parts():
        corridor = np.flatnonzero(built.is_corridor)
        graph = nx.Graph()
        graph.add_edges_from(zip(built.u[corridor].tolist(), built.v[corridor].tolist(), strict=True))
        label = {node: index for index, part in enumerate(nx.connected_components(graph)) for node in part}
        return corridor, np.array([label[node] for node in built.u[corridor].tolist()])

    same_parts = len(np.unique(networkx_parts()[1])) == len(np.unique(network._corridor_parts(built)[1]))
    rows.append(
        (
            "corridor parts (connected components)",
            "igraph",
            *compare(lambda: network._corridor_parts(built), networkx_parts),
            same_parts,
        )
    )

    result = answers["ours"][0]
    print(
        f"Coverage: {result.covered:,.0f} of {result.residents:,.0f} residents ({result.share:.1%}) within "
        f"{result.metres:.0f} m; {len(answers['ours'][1])} gaps under {network.GAP_MAX_METRES:.0f} m; "
        f"one route() call (snap, both searches, geometry, profile): {whole_route * 1000:.1f} ms"
    )
    print()
    print("| work | graph library | network.py (ms) | networkx (ms) | networkx / network.py | same answer |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, library, ours, theirs, same in rows:
        answer = "yes" if same else "NO"
        print(f"| {label} | {library} | {ours * 1000:.1f} | {theirs * 1000:.1f} | {theirs / ours:.1f} | {answer} |")


if __name__ == "__main__":
    main()
