"""The walkable street network of a city pack, as a graph in the city's metric spatial reference.

Corridors (``corridors.network``, which adds its segments to it) and parks
(``parks.access``) walk over the same streets; this module builds them once.

- **Which streets.** The pack's streets except motorways
  (``EXCLUDED_HIGHWAYS``): no place to walk or cycle.
- **Noding.** Each street is split at every vertex that two or more ways
  share (OpenStreetMap's topology: an exact coordinate match, to the
  millimetre after projection) and at its ends. Streets that cross without a
  shared vertex (bridges, tunnels) stay apart.
- **Metres.** Coordinates are transformed by PostGIS (``ST_Transform``) into
  ``City.metric_srid`` (the city's UTM zone): every length is in metres on the
  ground.

The result is cached per process by ``street_key``: the city, its metric SRID,
its pack's ``loaded_at`` (a new pack), and the count and highest id of its
streets (streets can be added or removed in the admin). An edit that moves a
street's line in the admin without adding or removing one is not seen until
the process restarts or the pack is reloaded. Almaty's network (about 4,300
ways) builds in a few tenths of a second.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import shapely
from django.contrib.gis.db.models.functions import AsWKB, Transform
from django.db.models import Count, Max, QuerySet

from gis_data.models import City, Street

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

# Motorways are no place to walk or cycle.
EXCLUDED_HIGHWAYS = ("motorway", "motorway_link")
# How many cities' networks a process keeps.
CACHE_SIZE = 4


def metric_shapes(
    queryset: QuerySet, srid: int, *fields: str, geometry: str = "geom"
) -> tuple[list[tuple], np.ndarray]:
    """The rows' ``fields`` and their ``geometry`` as shapely shapes in ``srid`` (transformed by PostGIS)."""
    rows = list(queryset.annotate(metric=AsWKB(Transform(geometry, srid))).values_list(*fields, "metric"))
    geoms = shapely.from_wkb([bytes(row[-1]) for row in rows]) if rows else np.empty(0, dtype=object)
    return [row[:-1] for row in rows], geoms


def lengths_matrix(node_count: int, u: np.ndarray, v: np.ndarray, length: np.ndarray) -> "csr_matrix":
    """Undirected edges as a sparse matrix of lengths, both ways, the shortest of parallel edges (for scipy).

    Self-loops are dropped (they never shorten a walk); every weight is kept
    positive, as scipy reads a stored zero as no edge in some paths.
    """
    from scipy.sparse import csr_matrix

    rows, columns = np.concatenate([u, v]), np.concatenate([v, u])
    lengths = np.concatenate([length, length])
    order = np.lexsort((lengths, columns, rows))
    first = np.ones(len(order), dtype=bool)
    first[1:] = (rows[order][1:] != rows[order][:-1]) | (columns[order][1:] != columns[order][:-1])
    keep = order[first & (rows[order] != columns[order])]
    weights = np.maximum(lengths[keep], 1e-9)
    return csr_matrix((weights, (rows[keep], columns[keep])), shape=(node_count, node_count))


@dataclass(eq=False)
class StreetNetwork:
    """A city's walkable streets in its metric SRID: edge ``i`` runs from node ``u[i]`` to node ``v[i]``.

    Shared by every caller in the process: treat its arrays as read-only.
    """

    city_id: int
    srid: int
    key: tuple
    node_xy: np.ndarray  # (n, 2) metres
    u: np.ndarray
    v: np.ndarray
    geoms: np.ndarray  # shapely LineStrings, from u to v
    length: np.ndarray  # metres
    street_id: np.ndarray  # the Street each edge is a piece of

    @property
    def node_count(self) -> int:
        return len(self.node_xy)

    @property
    def edge_count(self) -> int:
        return len(self.u)

    @cached_property
    def lengths_matrix(self) -> "csr_matrix":
        return lengths_matrix(self.node_count, self.u, self.v, self.length)

    @cached_property
    def edge_tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.geoms)

    @cached_property
    def node_tree(self) -> shapely.STRtree:
        return shapely.STRtree(shapely.points(self.node_xy))


def walkable_streets(city: City) -> QuerySet[Street]:
    return Street.objects.filter(source__city=city).exclude(highway__in=EXCLUDED_HIGHWAYS)


def street_key(city: City) -> tuple:
    """What a built street network depends on: the city's pack and the count and highest id of its streets."""
    state = walkable_streets(city).aggregate(count=Count("pk"), last=Max("pk"))
    return (city.pk, int(city.metric_srid), city.loaded_at, state["count"], state["last"])


_cache: "OrderedDict[tuple, StreetNetwork]" = OrderedDict()
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def street_network(city: City, key: tuple | None = None) -> StreetNetwork:
    """The walkable street network of ``city``, cached per process (one query tells whether it is current).

    ``key`` is ``street_key(city)`` when the caller has just asked for it.
    """
    key = key or street_key(city)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    srid = int(city.metric_srid)
    rows, lines = metric_shapes(walkable_streets(city).order_by("pk"), srid, "pk")
    node_xy, u, v, geoms, street_id = split_streets(np.array([row[0] for row in rows], dtype=np.int64), lines)
    built = StreetNetwork(
        city_id=city.pk,
        srid=srid,
        key=key,
        node_xy=node_xy,
        u=u,
        v=v,
        geoms=geoms,
        length=shapely.length(geoms) if len(geoms) else np.zeros(0),
        street_id=street_id,
    )
    with _lock:
        _cache[key] = built
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return built


def split_streets(ids: np.ndarray, lines: np.ndarray) -> tuple[np.ndarray, ...]:
    """Streets split at the vertices two or more ways share and at their ends.

    Returns (node coordinates, u, v, edge lines, street id of each edge). A
    vertex that occurs twice in the city's ways (in two ways, or twice in
    one) is a junction; the match is exact, to the millimetre.
    """
    if len(lines) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return np.zeros((0, 2)), empty, empty, np.empty(0, dtype=object), empty
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    repeated = np.zeros(len(coords), dtype=bool)
    repeated[1:] = (owner[1:] == owner[:-1]) & np.all(coords[1:] == coords[:-1], axis=1)
    coords, owner = coords[~repeated], owner[~repeated]
    first = np.ones(len(owner), dtype=bool)
    first[1:] = owner[1:] != owner[:-1]
    last = np.ones(len(owner), dtype=bool)
    last[:-1] = owner[1:] != owner[:-1]
    millimetres = np.round(coords * 1000).astype(np.int64)
    _unique, vertex, counts = np.unique(millimetres, axis=0, return_inverse=True, return_counts=True)
    vertex = vertex.reshape(-1)
    cut = np.flatnonzero(first | last | (counts[vertex] > 1))
    starts, ends = cut[:-1], cut[1:]
    within = owner[starts] == owner[ends]
    starts, ends = starts[within], ends[within]

    used = np.unique(vertex[np.concatenate([starts, ends])])
    node_of_vertex = np.full(len(counts), -1, dtype=np.int64)
    node_of_vertex[used] = np.arange(len(used))
    node_xy = np.zeros((len(used), 2))
    node_xy[node_of_vertex[vertex[starts]]] = coords[starts]
    node_xy[node_of_vertex[vertex[ends]]] = coords[ends]

    sizes = ends - starts + 1
    offsets = np.cumsum(sizes) - sizes
    gather = np.arange(sizes.sum()) - np.repeat(offsets, sizes) + np.repeat(starts, sizes)
    geoms = shapely.linestrings(coords[gather], indices=np.repeat(np.arange(len(starts)), sizes))
    return (
        node_xy,
        node_of_vertex[vertex[starts]],
        node_of_vertex[vertex[ends]],
        np.asarray(geoms, dtype=object),
        ids[owner[starts]],
    )
