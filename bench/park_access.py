"""Benchmark: park access for the whole city (parks.access, scipy) against networkx doing the same search.

Run against a database with the city pack loaded (after `make run`, or on a
database of its own: `DATABASE_URL=postgres://…/qala_bench`; an empty
database gets the pack loaded first, which imports its parks):

    .venv/bin/python bench/park_access.py

On the pack's walkable streets (gis_data.streets), its parks (those
parks.loading imported from the green areas, all open) and the resident
estimate's cells, it times:

- park access for the whole city, as the pages ask for it when a park has
  changed (``park_access`` with its result cache emptied: the cells stay
  snapped, the parks' entry points are found again, one search, the shares
  counted), with its search done as parks/access.py does it (one
  ``scipy.sparse.csgraph.dijkstra`` from one node per park, ``min_only``,
  ``limit``) and by networkx (``multi_source_dijkstra`` with a cut-off from
  the same park nodes, added to a graph of the same streets and removed
  after; the nearest park read from the first node of each path);
- that search alone;
- a what-if park (one more pass from a drawn park's entry points), the same
  two ways.

Both ways run in the same process on the same graph, in turn within each
repeat; every row checks that the answers are the same (each cell's distance
to 1e-6 m, each park's residents served). Median of REPEATS runs after a
warm-up; the results are recorded in bench/RESULTS.md. Not a test: compare the
ratios.
"""

import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402 (settings must be chosen first)

django.setup()

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import scipy  # noqa: E402
from django.contrib.gis.geos import MultiPolygon, Polygon  # noqa: E402

from gis_data.models import PopulationCell  # noqa: E402
from gis_data.packs import current_city  # noqa: E402
from gis_data.streets import street_network  # noqa: E402
from parks import access  # noqa: E402
from parks.models import Park  # noqa: E402

REPEATS = 15
# The what-if park: a 600 m square in Auezov district, where few residents are within reach of a park.
WHAT_IF = MultiPolygon(Polygon.from_bbox((76.8540, 43.2170, 76.8614, 43.2224)), srid=4326)


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


def networkx_graph(streets) -> nx.Graph:
    """The streets in networkx: the same nodes, the shorter of parallel edges (the same shortest paths)."""
    graph = nx.Graph()
    graph.add_nodes_from(range(streets.node_count))
    for u, v, length in zip(streets.u.tolist(), streets.v.tolist(), streets.length.tolist(), strict=True):
        if u != v and (not graph.has_edge(u, v) or graph[u][v]["weight"] > length):
            graph.add_edge(u, v, weight=length)
    return graph


def networkx_reach(graph: nx.Graph):
    """``access._reach`` with networkx: each park a node joined to its entry nodes, one multi-source search."""

    def reach(streets, entries, park_count, metres):
        distance = np.full(streets.node_count, np.inf)
        park = np.full(streets.node_count, -1, dtype=np.int64)
        if park_count == 0 or len(entries.park) == 0:
            return distance, park
        at_node = entries.node >= 0
        edge = entries.edge[~at_node]
        offset, along = entries.offset[~at_node], entries.along[~at_node]
        steps = [
            (entries.park[at_node], entries.node[at_node], entries.offset[at_node]),
            (entries.park[~at_node], streets.u[edge], offset + along),
            (entries.park[~at_node], streets.v[edge], offset + streets.length[edge] - along),
        ]
        sources = [("park", index) for index in range(park_count)]
        graph.add_nodes_from(sources)  # a park no street reaches is still a source, of nothing
        for parks, nodes, weights in steps:
            for index, node, weight in zip(parks.tolist(), nodes.tolist(), weights.tolist(), strict=True):
                source = ("park", index)
                if not graph.has_edge(source, node) or graph[source][node]["weight"] > weight:
                    graph.add_edge(source, node, weight=weight)
        try:
            found, paths = nx.multi_source_dijkstra(graph, set(sources), cutoff=metres)
        finally:
            graph.remove_nodes_from(sources)
        for node, length in found.items():
            if isinstance(node, int):
                distance[node] = length
                park[node] = paths[node][0][1]
        return distance, park

    return reach


def main() -> None:
    city = current_city()
    if city is None:
        from gis_data.loading import load_city_pack

        print("Loading the city pack…")
        city = load_city_pack().city
    if not PopulationCell.objects.filter(city=city).exists():
        from gis_data.population import rebuild_population

        rebuild_population(city)
    if not Park.objects.filter(city=city).exists():
        from parks.loading import import_pack_parks

        import_pack_parks(city)

    streets = street_network(city)
    streets.lengths_matrix  # noqa: B018 (built once, as every process keeps it)
    graph = networkx_graph(streets)
    reach_ours = access._reach
    reach_networkx = networkx_reach(graph)

    def using(reach, run):
        def patched():
            access._reach = reach
            try:
                return run()
            finally:
                access._reach = reach_ours

        return patched

    def whole_city():
        access._cache.clear()  # the result, not the snapped cells: as after an edit of a park
        return access.park_access(city)

    def change():
        return access.what_if(city, WHAT_IF)

    answers = {name: using(reach, whole_city)() for name, reach in (("ours", reach_ours), ("networkx", reach_networkx))}
    changes = {name: using(reach, change)() for name, reach in (("ours", reach_ours), ("networkx", reach_networkx))}
    ours, theirs = answers["ours"], answers["networkx"]
    same_cells = ours._state.cell_distance.shape == theirs._state.cell_distance.shape and np.allclose(
        ours._state.cell_distance, theirs._state.cell_distance, rtol=0, atol=1e-6
    )
    park_ids = list(Park.objects.filter(city=city).values_list("pk", flat=True))
    same_served = all(abs(ours.served(pk) - theirs.served(pk)) < 1e-6 for pk in park_ids)
    same_access = same_cells and same_served and ours.citywide == theirs.citywide
    same_change = changes["ours"].after == changes["networkx"].after

    state = ours._state
    parks, metres = state.parks, ours.metres
    entries = access._entries(streets, parks)
    same_search = np.array_equal(
        np.round(reach_ours(streets, entries, len(parks), metres)[0], 6),
        np.round(reach_networkx(streets, entries, len(parks), metres)[0], 6),
    )
    rows = [
        (
            "park access, whole city",
            *compare(using(reach_ours, whole_city), using(reach_networkx, whole_city)),
            same_access,
        ),
        (
            "the multi-source search only",
            *compare(
                lambda: reach_ours(streets, entries, len(parks), metres),
                lambda: reach_networkx(streets, entries, len(parks), metres),
            ),
            same_search,
        ),
        (
            "what-if park (one more pass)",
            *compare(using(reach_ours, change), using(reach_networkx, change)),
            same_change,
        ),
    ]

    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, scipy {scipy.__version__}, networkx {nx.__version__}"
    )
    print(
        f"Streets: {streets.node_count} nodes, {streets.edge_count} edges; {ours.park_count} open parks, "
        f"{len(entries.park)} entry points; {len(state.cells.ids)} populated cells"
    )
    print(
        f"Access: {ours.citywide.within:,.0f} of {ours.citywide.residents:,.0f} residents "
        f"({ours.citywide.share:.1%}) within {metres:.0f} m; the what-if park adds {changes['ours'].gained:,.0f}"
    )
    print()
    print("| work | parks/access.py, scipy (ms) | networkx (ms) | networkx / access.py | same answer |")
    print("| --- | --- | --- | --- | --- |")
    for label, mine, other, same in rows:
        answer = "yes" if same else "NO"
        print(f"| {label} | {mine * 1000:.1f} | {other * 1000:.1f} | {other / mine:.1f} | {answer} |")


if __name__ == "__main__":
    main()
