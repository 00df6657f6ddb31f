"""The bike and pedestrian network: corridor segments joined to the city's streets, and what it connects.

**Library.** The graph lives in memory in igraph, chosen over networkx for
speed (its shortest paths run in C: bench/RESULTS.md has the ratios on the
full Almaty network) and over pgRouting because the network is small enough to
keep in memory (a few thousand streets and the corridors), because the
weights of the gentlest route (climb in the direction of travel) are per
request and per direction, and because nothing here needs topology tables
rebuilt in the database after every edit of a segment. igraph's shortest
paths have no distance cut-off, which coverage and gaps need (every node
within 500 m of the corridors, not every node of the city): those searches
run on the same graph held as a sparse matrix by ``scipy.sparse.csgraph``
(``dijkstra`` with ``limit`` and ``min_only``, also in C). Geometry is
handled with shapely 2 (vectorised noding, STRtree nearest lookups), in the
city's metric spatial reference (``City.metric_srid``, its UTM zone): every
length is in metres on the ground. Coordinates are transformed by PostGIS
(``ST_Transform``) on the way in and by ``rasterio.warp.transform`` on the
way out, between EPSG codes only.

**Building the graph** (``build_network``):

- Streets: the pack's walkable street network, shared with the parks' access
  and built by ``gis_data.streets``: streets except motorways
  (``gis_data.streets.EXCLUDED_HIGHWAYS``), split at every vertex that two or more ways share
  (OpenStreetMap's topology: an exact coordinate match, to the millimetre
  after projection) and at their ends. Streets that cross without a shared
  vertex (bridges) stay apart.
- Corridor segments (all statuses unless ``statuses`` is given) are drawn by
  hand, so they are noded by geometry: a segment is split where it crosses
  another segment or a street (the street is split there too), and each of
  its ends is joined, by a short connector edge that belongs to the segment,
  to the nearest end of another segment within ``SNAP_METRES`` (10 m), else
  to the nearest point of another segment within that distance; and, in
  either case, to the nearest point of a street within that distance.
  Points closer than ``NODE_METRES`` become one node.
- Each edge carries its length, its climb in each direction and the segment
  and corridor it belongs to (or the street). Climb is sampled from the
  city's DEM (``gis_data.raster.Elevation``) every
  ``CORRIDOR_PROFILE_STEP_METRES`` (30 m, evenly spread along the edge), for
  every edge at once: the rises between consecutive samples in the edge's
  direction make its forward climb, the falls its backward climb. **Where the
  DEM has no data, that stretch climbs 0 m** (no DEM at all: every edge
  climbs 0 m and the gentlest route is the shortest). Route profiles do not
  hide the gap: they come from ``corridors.measures.profile_along``, which
  reports it.

The network is cached per process by ``network_key``: the city, its pack's
``loaded_at``, the statuses, the count and latest ``updated_at`` of the
segments, and the street network's own key (``gis_data.streets.street_key``),
so that any edit of a segment, a street added or removed, or a new pack builds
it again.
Building Almaty's takes about half a second (bench/corridor_network.py).

**Route.** Start and end snap to the nearest point of any edge (the edge is
split there virtually, for this request only). The shortest route minimises
length; the gentlest minimises the climb in the direction of travel, with
length breaking ties: its weight is ``climb + GENTLE_LENGTH_WEIGHT × length``
(1 m of climb weighs as much as 1 km of length: the SRTM heights are not
finer than that, so within a metre two routes climb the same and the shorter
wins). Points the network does not join get ``NoRoute`` with the node reachable
from the start that is nearest, as the crow flies, to the end.

**Coverage.** Residents come from the city's ``PopulationCell`` rows, an
*estimate* made by ``gis_data.population`` (see its docstring and
docs/population.md): pages must say so. A cell's centre snaps to the nearest
point of the nearest edge (a street or a corridor); it is covered when the
snap distance plus the walking distance over the street and corridor graph
from that point to the nearest corridor node is at most ``metres`` (a cell
whose point lies on a corridor edge needs only its snap distance). Distances
from all corridor nodes at once come from one multi-source Dijkstra that
stops at ``metres``. The snapped cells are kept with the network while the
cells stay the same.

**Components** are the connected parts of the corridor edges alone (streets
do not join them): what an urbanist means by "the corridor network is in
five pieces". Each lists the parks it reaches (``park_areas``: within
``PARK_REACH_METRES``), the districts it crosses and the populated places
within ``PLACE_REACH_METRES`` (the city's own node is not a suburb).

**Gaps.** For each pair of components less than ``GAP_MAX_METRES`` apart,
the shortest straight line between them. *People newly connected* by that
link: the residents covered (as above, within the coverage distance) by the
smaller part (by corridor length) and not already by the larger one. They are
the ones who gain: through the link they reach a network at least as long as
the one they had. The larger part's residents gain only the smaller part, and
people near both gain nothing new, so neither is counted. People near the link
itself are not counted either: a straight link is a sketch, where it would
meet the streets is unknown until it is drawn, and counting them would rank
long links across dense blocks above short ones that join the network. Gaps
are ranked by people newly connected, then by length (shortest first).
"""

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import igraph as ig
import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.db.models.functions import AsWKB, Transform
from django.contrib.gis.geos import GEOSGeometry, Point
from django.db.models import Count, Max, QuerySet, Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from gis_data.geometry import SRID
from gis_data.models import City, District, GreenArea, PopulatedPlace, PopulationCell, localized
from gis_data.raster import Elevation
from gis_data.streets import clear_cache as clear_street_cache
from gis_data.streets import lengths_matrix, metric_shapes, street_key, street_network

from .measures import Profile, profile_along
from .models import Corridor, Segment

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

logger = logging.getLogger(__name__)

# A segment's end is joined to another segment or a street within this distance.
SNAP_METRES = 10.0
# Points closer than this are one node (a crossing found twice, an end drawn on a street's vertex).
NODE_METRES = 0.01
# A part of the network reaches a park within this distance; it links the populated places within that one.
PARK_REACH_METRES = 100.0
PLACE_REACH_METRES = 1000.0
# The longest straight link offered as a gap between two parts of the network.
GAP_MAX_METRES = 3000.0
# The gentlest route's weight per metre of length, in metres of climb: 1 m of climb = 1 km of length.
GENTLE_LENGTH_WEIGHT = 1e-3
# The green areas that count as parks (until the parks app has its own parks).
PARK_KINDS = ("park", "garden", "recreation_ground")
# Populated places that are not suburbs: the city itself.
NOT_SUBURBS = ("city",)
# How many built networks a process keeps (one per city and choice of statuses).
CACHE_SIZE = 4

STREET, SEGMENT = 0, 1


# What the analyses return.


@dataclass(frozen=True)
class Reference:
    """A feature of a reference layer the network reaches: a park, a district or a populated place."""

    pk: int
    kind: str
    name: str = ""
    name_kk: str = ""
    name_ru: str = ""
    name_en: str = ""

    @property
    def localized_name(self) -> str:
        return localized(self, "name")

    def __str__(self) -> str:
        return self.localized_name


def _names(references: "tuple[Reference, ...]") -> list[str]:
    return [name for name in (reference.localized_name for reference in references) if name]


@dataclass(eq=False)
class Component:
    """A connected part of the corridor network (corridor edges only), ``id`` 1 being the longest."""

    id: int
    segment_ids: tuple[int, ...]
    corridor_ids: tuple[int, ...]
    length_m: float
    geometry: GEOSGeometry  # MultiLineString, EPSG:4326
    parks: tuple[Reference, ...]
    districts: tuple[Reference, ...]
    places: tuple[Reference, ...]
    edges: np.ndarray = field(repr=False)
    nodes: np.ndarray = field(repr=False)
    metric: Any = field(repr=False)  # the shapely MultiLineString in the metric SRID

    def park_names(self) -> list[str]:
        return _names(self.parks)

    def district_names(self) -> list[str]:
        return _names(self.districts)

    def place_names(self) -> list[str]:
        return _names(self.places)


@dataclass(frozen=True)
class SuburbLink:
    """A suburb (a district the corridor crosses, or a populated place near it) and the parks it reaches by it."""

    suburb: Reference
    parks: tuple[Reference, ...]


@dataclass(frozen=True)
class CorridorLinks:
    """What one corridor connects: the city's own test of a green corridor (suburbs linked to parks)."""

    corridor_id: int
    components: tuple[Component, ...]
    parks: tuple[Reference, ...]
    districts: tuple[Reference, ...]
    places: tuple[Reference, ...]
    links: tuple[SuburbLink, ...]

    @property
    def links_a_suburb_to_a_park(self) -> bool:
        return any(link.parks for link in self.links)

    def park_names(self) -> list[str]:
        return _names(self.parks)

    def district_names(self) -> list[str]:
        return _names(self.districts)

    def place_names(self) -> list[str]:
        return _names(self.places)


@dataclass(frozen=True)
class Gap:
    """The shortest straight link between two parts of the network, smaller part first (see the module's rule)."""

    geometry: GEOSGeometry  # LineString, EPSG:4326, from the smaller part to the larger
    length_m: float
    component_ids: tuple[int, int]
    newly_connected: float


@dataclass(frozen=True)
class RoutePath:
    """One route. ``climb_m`` and ``descent_m`` sum the edges' climbs in the direction of travel (what the
    gentlest route minimises; no DEM data counts 0 m); the profile samples the whole line and reports gaps."""

    geometry: GEOSGeometry  # LineString, EPSG:4326
    length_m: float
    climb_m: float
    descent_m: float
    green_share: float
    profile: Profile
    corridor_ids: tuple[int, ...]


@dataclass(frozen=True)
class Route:
    """The shortest and the gentlest route between two points snapped to the network."""

    shortest: RoutePath
    gentlest: RoutePath
    start: Point  # where the start was snapped, EPSG:4326
    end: Point
    start_snap_m: float
    end_snap_m: float


@dataclass(frozen=True)
class NoRoute:
    """The end cannot be reached from the start: the reason, and the reachable point nearest to the end."""

    message: str
    nearest_reachable: Point | None
    distance_m: float | None


@dataclass(frozen=True)
class CoverageFigures:
    residents: float
    covered: float

    @property
    def share(self) -> float | None:
        """The share of residents covered, None where there is no resident."""
        return self.covered / self.residents if self.residents > 0 else None


@dataclass(frozen=True)
class DistrictCoverage(CoverageFigures):
    district: Reference | None = None

    @property
    def name(self) -> str:
        return self.district.localized_name if self.district is not None else ""


@dataclass(frozen=True)
class Coverage:
    """Residents within ``metres`` of the corridor network over streets and corridors, citywide and by district."""

    metres: float
    total: CoverageFigures
    districts: tuple[DistrictCoverage, ...]
    covered_cell_ids: frozenset[int] = field(repr=False)

    @property
    def residents(self) -> float:
        return self.total.residents

    @property
    def covered(self) -> float:
        return self.total.covered

    @property
    def share(self) -> float | None:
        return self.total.share


# The network.


@dataclass(eq=False)
class Network:
    """The street and corridor graph of a city in its metric SRID; edge ``i`` runs from ``u[i]`` to ``v[i]``.

    ``graph`` is undirected, edge ``i`` of it being edge ``i`` here. Street
    edges have ``segment_id`` -1; corridor edges (segments' pieces and their
    connectors) have ``street_id`` -1.
    """

    city_id: int
    srid: int
    key: tuple
    node_xy: np.ndarray
    u: np.ndarray
    v: np.ndarray
    geoms: np.ndarray  # shapely LineStrings, from u to v
    length: np.ndarray
    climb_forward: np.ndarray  # climbing from u to v
    climb_backward: np.ndarray  # climbing from v to u
    segment_id: np.ndarray
    corridor_id: np.ndarray
    street_id: np.ndarray
    elevation: Elevation | None = field(repr=False)
    build_seconds: float = 0.0
    # The population cells snapped to the edges, by the cells' state (see ``_cells``).
    snapped_cells: dict = field(default_factory=dict, repr=False)

    @property
    def node_count(self) -> int:
        return len(self.node_xy)

    @property
    def edge_count(self) -> int:
        return len(self.u)

    @cached_property
    def is_corridor(self) -> np.ndarray:
        return self.segment_id >= 0

    @property
    def corridor_length_m(self) -> float:
        return float(self.length[self.is_corridor].sum())

    @property
    def street_length_m(self) -> float:
        return float(self.length[~self.is_corridor].sum())

    @cached_property
    def corridor_nodes(self) -> np.ndarray:
        corridor = self.is_corridor
        return np.unique(np.concatenate([self.u[corridor], self.v[corridor]]))

    @cached_property
    def graph(self) -> ig.Graph:
        """Undirected, edge ``i`` being edge ``i`` here; its ``weight`` is the length."""
        graph = ig.Graph(n=self.node_count, edges=np.column_stack([self.u, self.v]))
        graph.es["weight"] = self.length.tolist()
        return graph

    @cached_property
    def directed(self) -> ig.Graph:
        """Each edge twice: ``i`` from u to v, ``edge_count + i`` from v to u (for weights that differ by direction)."""
        there, back = np.column_stack([self.u, self.v]), np.column_stack([self.v, self.u])
        graph = ig.Graph(n=self.node_count, edges=np.vstack([there, back]), directed=True)
        graph.es["weight"] = self.gentle_weights.tolist()
        return graph

    @cached_property
    def gentle_weights(self) -> np.ndarray:
        """The gentlest route's weight of each directed edge (see ``directed``): climb + a little length."""
        tie = GENTLE_LENGTH_WEIGHT * self.length
        return np.concatenate([self.climb_forward + tie, self.climb_backward + tie])

    @cached_property
    def lengths_matrix(self) -> "csr_matrix":
        """The graph as a sparse matrix of lengths, both ways, the shortest of parallel edges (for scipy)."""
        return lengths_matrix(self.node_count, self.u, self.v, self.length)

    @cached_property
    def membership(self) -> np.ndarray:
        """The connected part (streets and corridors) each node belongs to."""
        return np.asarray(self.graph.connected_components().membership)

    @cached_property
    def edge_tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.geoms)

    @cached_property
    def node_tree(self) -> shapely.STRtree:
        return shapely.STRtree(shapely.points(self.node_xy))

    @cached_property
    def references(self) -> "_References":
        return _References.load(self.city_id, self.srid)

    @cached_property
    def components(self) -> list[Component]:
        return _components(self)


# Cache of built networks, per process.

_cache: "OrderedDict[tuple, Network]" = OrderedDict()
_cache_lock = threading.Lock()


def _segments(city: City, statuses: tuple[str, ...] | None, published_only: bool = False) -> QuerySet[Segment]:
    segments = Segment.objects.filter(geom__bboverlaps=city.extent)
    if published_only:
        segments = segments.filter(corridor__is_published=True)
    return segments.filter(status__in=statuses) if statuses is not None else segments


def _statuses(statuses) -> tuple[str, ...] | None:
    return tuple(sorted(set(statuses))) if statuses is not None else None


def network_key(city: City, statuses=None, published_only: bool = False) -> tuple:
    """What a built network depends on: the city's pack, the statuses, its segments' count and last change, and
    the street network's key (its last element).

    Publishing a corridor changes no segment, so the corridors' own last change counts too.
    """
    statuses = _statuses(statuses)
    segments = _segments(city, statuses, published_only)
    state = segments.aggregate(count=Count("pk"), latest=Max("updated_at"), corridors=Max("corridor__updated_at"))
    return (
        city.pk,
        city.metric_srid,
        city.loaded_at,
        statuses,
        published_only,
        state["count"],
        state["latest"],
        state["corridors"],
        street_key(city),
    )


def clear_cache() -> None:
    """Forget the built networks, and the street networks they are built on."""
    with _cache_lock:
        _cache.clear()
    clear_street_cache()


def build_network(city: City, statuses=None, published_only: bool = False) -> Network:
    """The street and corridor network of ``city`` (segments of ``statuses``, all by default), cached per process.

    With ``published_only``, the segments of draft corridors are left out: that is the network visitors see.

    See the module's docstring for how streets and segments are noded and how
    climbs are sampled. One query tells whether the cached network is still
    current (``network_key``).
    """
    statuses = _statuses(statuses)
    key = network_key(city, statuses, published_only)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    network = _build(city, statuses, key, published_only)
    with _cache_lock:
        _cache[key] = network
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return network


def _build(city: City, statuses: tuple[str, ...] | None, key: tuple, published_only: bool = False) -> Network:
    started = time.perf_counter()
    srid = int(city.metric_srid)
    streets = street_network(city, key=key[-1])
    segment_rows, segment_lines = metric_shapes(
        _segments(city, statuses, published_only).order_by("pk"), srid, "pk", "corridor_id"
    )

    street_edges = _StreetEdges(streets.u, streets.v, streets.geoms, streets.street_id)
    edges = _node_segments(
        streets.node_xy,
        street_edges,
        segment_lines,
        np.array([row[0] for row in segment_rows], dtype=np.int64),
        np.array([row[1] for row in segment_rows], dtype=np.int64),
    )
    node_xy, u, v, geoms, segment_id, corridor_id, street_id = edges
    length = shapely.length(geoms) if len(geoms) else np.zeros(0)
    elevation = Elevation.for_city(city)
    climb_forward, climb_backward = _rises(geoms, length, elevation, srid)
    network = Network(
        city_id=city.pk,
        srid=srid,
        key=key,
        node_xy=node_xy,
        u=u,
        v=v,
        geoms=geoms,
        length=length,
        climb_forward=climb_forward,
        climb_backward=climb_backward,
        segment_id=segment_id,
        corridor_id=corridor_id,
        street_id=street_id,
        elevation=elevation,
    )
    network.graph  # noqa: B018 (built now, so that the build time tells the whole cost)
    network.build_seconds = time.perf_counter() - started
    logger.info(
        "Network of %s built in %.2f s: %d nodes, %d edges (%d on corridors).",
        city,
        network.build_seconds,
        network.node_count,
        network.edge_count,
        int(network.is_corridor.sum()),
    )
    return network


# Noding.


@dataclass
class _StreetEdges:
    u: np.ndarray
    v: np.ndarray
    geoms: np.ndarray
    street_id: np.ndarray


class _Cuts:
    """Points met while noding segments, and where each line (street edge or segment) must be cut."""

    def __init__(self, segment_ends: np.ndarray) -> None:
        self.points: list[np.ndarray] = [segment_ends]
        self.count = len(segment_ends)
        self.lines: list[tuple[int, np.ndarray, np.ndarray]] = []  # (kind, line indices, point indices)
        self.connectors: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (point, point, segment index)

    def add_points(self, xy: np.ndarray) -> np.ndarray:
        indices = np.arange(self.count, self.count + len(xy))
        self.points.append(np.asarray(xy, dtype=np.float64).reshape(-1, 2))
        self.count += len(xy)
        return indices

    def cut(self, kind: int, lines: np.ndarray, points: np.ndarray) -> None:
        self.lines.append((kind, np.asarray(lines, dtype=np.int64), np.asarray(points, dtype=np.int64)))

    def connect(self, ends: np.ndarray, points: np.ndarray, segments: np.ndarray) -> None:
        self.connectors.append((np.asarray(ends), np.asarray(points), np.asarray(segments)))


def _nearest_per_input(pairs: np.ndarray, distances: np.ndarray) -> np.ndarray:
    """Of (input, candidate) pairs, the nearest candidate's pair for each input: indices into ``pairs``' columns."""
    if pairs.shape[1] == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((distances, pairs[0]))
    first = np.ones(len(order), dtype=bool)
    first[1:] = pairs[0][order][1:] != pairs[0][order][:-1]
    return order[first]


def _crossings(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where lines ``a[i]`` and ``b[i]`` meet: points (and both ends of shared stretches), with their pair ``i``."""
    if len(a) == 0:
        return np.zeros((0, 2)), np.zeros(0, dtype=np.int64)
    parts, pair = shapely.get_parts(shapely.intersection(a, b), return_index=True)
    solid = ~shapely.is_empty(parts)
    parts, pair = parts[solid], pair[solid]
    kinds = shapely.get_type_id(parts)
    points = kinds == 0
    lines = parts[kinds == 1]
    xy = np.vstack(
        [
            shapely.get_coordinates(parts[points]),
            shapely.get_coordinates(shapely.get_point(lines, 0)),
            shapely.get_coordinates(shapely.get_point(lines, -1)),
        ]
    )
    return xy, np.concatenate([pair[points], pair[kinds == 1], pair[kinds == 1]])


def _project(lines: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """The points of ``lines[i]`` nearest to ``xy[i]``."""
    points = shapely.points(xy)
    return shapely.get_coordinates(shapely.line_interpolate_point(lines, shapely.line_locate_point(lines, points)))


def _node_segments(
    node_xy: np.ndarray,
    streets: _StreetEdges,
    segments: np.ndarray,
    segment_ids: np.ndarray,
    corridor_ids: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Join the segments to each other and to the street edges (see the module's docstring for the rules)."""
    count = len(segments)
    if count == 0:
        return _split_lines(
            node_xy, np.zeros(0, dtype=np.int64), _Cuts(np.zeros((0, 2))), streets, segments, segment_ids, corridor_ids
        )
    ends_xy = np.zeros((2 * count, 2))
    ends_xy[0::2] = shapely.get_coordinates(shapely.get_point(segments, 0))
    ends_xy[1::2] = shapely.get_coordinates(shapely.get_point(segments, -1))
    cuts = _Cuts(ends_xy)
    end_points = shapely.points(ends_xy)
    end_segment = np.arange(2 * count) // 2
    street_tree = shapely.STRtree(streets.geoms)
    segment_tree = shapely.STRtree(segments)

    # An end near another segment's end joins it.
    pairs = shapely.STRtree(end_points).query(end_points, predicate="dwithin", distance=SNAP_METRES)
    pairs = pairs[:, end_segment[pairs[0]] != end_segment[pairs[1]]]
    distances = shapely.distance(end_points[pairs[0]], end_points[pairs[1]])
    nearest = pairs[:, _nearest_per_input(pairs, distances)]
    joined = np.unique(np.sort(nearest, axis=0), axis=1)
    cuts.connect(joined[0], joined[1], end_segment[joined[0]])
    loose = np.setdiff1d(np.arange(2 * count), nearest[0])

    # Else it joins the nearest point of another segment.
    pairs = segment_tree.query(end_points[loose], predicate="dwithin", distance=SNAP_METRES)
    pairs[0] = loose[pairs[0]]
    pairs = pairs[:, end_segment[pairs[0]] != pairs[1]]
    distances = shapely.distance(end_points[pairs[0]], segments[pairs[1]])
    end, other = pairs[:, _nearest_per_input(pairs, distances)]
    points = cuts.add_points(_project(segments[other], ends_xy[end]))
    cuts.cut(SEGMENT, other, points)
    cuts.connect(end, points, end_segment[end])

    # And, either way, the nearest point of a street.
    if len(streets.geoms):
        (end, edge), _distance = street_tree.query_nearest(
            end_points, max_distance=SNAP_METRES, return_distance=True, all_matches=False
        )
        points = cuts.add_points(_project(streets.geoms[edge], ends_xy[end]))
        cuts.cut(STREET, edge, points)
        cuts.connect(end, points, end_segment[end])

    # Crossings: of two segments, and of a segment and a street; both lines are cut at the same point.
    first, second = segment_tree.query(segments, predicate="intersects")
    keep = first < second
    first, second = first[keep], second[keep]
    xy, pair = _crossings(segments[first], segments[second])
    points = cuts.add_points(xy)
    cuts.cut(SEGMENT, first[pair], points)
    cuts.cut(SEGMENT, second[pair], points)
    segment, edge = street_tree.query(segments, predicate="intersects")
    xy, pair = _crossings(segments[segment], streets.geoms[edge])
    points = cuts.add_points(xy)
    cuts.cut(SEGMENT, segment[pair], points)
    cuts.cut(STREET, edge[pair], points)

    node_xy, node_of_point = _merge_points(node_xy, np.vstack(cuts.points))
    return _split_lines(node_xy, node_of_point, cuts, streets, segments, segment_ids, corridor_ids)


def _merge_points(node_xy: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nodes for ``points``: a street node within NODE_METRES, else one new node per group of close points."""
    node_of_point = np.full(len(points), -1, dtype=np.int64)
    if len(points) == 0:
        return node_xy, node_of_point
    shapes = shapely.points(points)
    if len(node_xy):
        (point, node), _distance = shapely.STRtree(shapely.points(node_xy)).query_nearest(
            shapes, max_distance=NODE_METRES, return_distance=True, all_matches=False
        )
        node_of_point[point] = node
    rest = np.flatnonzero(node_of_point < 0)
    if len(rest):
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        pairs = shapely.STRtree(shapes[rest]).query(shapes[rest], predicate="dwithin", distance=NODE_METRES)
        adjacency = coo_matrix((np.ones(pairs.shape[1]), (pairs[0], pairs[1])), shape=(len(rest), len(rest)))
        _count, group = connected_components(adjacency, directed=False)
        groups, first = np.unique(group, return_index=True)
        node_of_point[rest] = len(node_xy) + np.searchsorted(groups, group)
        node_xy = np.vstack([node_xy, points[rest[first]]])
    return node_xy, node_of_point


def _pieces(coords: np.ndarray, stops: list[tuple[float, int]], node_xy: np.ndarray) -> list[tuple[int, int, Any]]:
    """A line through ``coords`` cut at ``stops`` (distance along it, node), in order: (node, node, line) pieces.

    Each piece runs exactly from its first node's point to its second's; a
    piece of no length between one node and itself is dropped.
    """
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(coords, axis=0).T))])
    pieces = []
    for (start, first), (end, second) in zip(stops, stops[1:], strict=False):
        inner = coords[(along > start) & (along < end)]
        if first == second and (len(inner) == 0 or end - start <= NODE_METRES):
            continue
        pieces.append((first, second, shapely.linestrings(np.vstack([node_xy[first], inner, node_xy[second]]))))
    return pieces


def _cut_line(line: Any, first: int, last: int, nodes: set[int], node_xy: np.ndarray) -> list[tuple[int, int, Any]]:
    inner = sorted(nodes - {first, last})
    along = shapely.line_locate_point(line, shapely.points(node_xy[inner])) if inner else np.zeros(0)
    stops = [(0.0, first), *sorted(zip(along.tolist(), inner, strict=True)), (float(shapely.length(line)), last)]
    return _pieces(shapely.get_coordinates(line), stops, node_xy)


def _split_lines(
    node_xy: np.ndarray,
    node_of_point: np.ndarray,
    cuts: _Cuts,
    streets: _StreetEdges,
    segments: np.ndarray,
    segment_ids: np.ndarray,
    corridor_ids: np.ndarray,
) -> tuple[np.ndarray, ...]:
    cut_nodes: dict[tuple[int, int], set[int]] = {}
    for kind, lines, points in cuts.lines:
        for line, node in zip(lines.tolist(), node_of_point[points].tolist(), strict=True):
            cut_nodes.setdefault((kind, line), set()).add(node)

    u, v, geoms, segment, street = [], [], [], [], []

    def add(pieces: list[tuple[int, int, Any]], segment_index: int, street_id: int) -> None:
        for first, second, geom in pieces:
            u.append(first)
            v.append(second)
            geoms.append(geom)
            segment.append(segment_index)
            street.append(street_id)

    cut_streets = sorted(line for kind, line in cut_nodes if kind == STREET)
    uncut = np.ones(len(streets.geoms), dtype=bool)
    uncut[cut_streets] = False
    for line in cut_streets:
        first, last = int(streets.u[line]), int(streets.v[line])
        pieces = _cut_line(streets.geoms[line], first, last, cut_nodes[(STREET, line)], node_xy)
        add(pieces, -1, int(streets.street_id[line]))
    for index, line in enumerate(segments):
        first, last = int(node_of_point[2 * index]), int(node_of_point[2 * index + 1])
        nodes = cut_nodes.get((SEGMENT, index), set())
        add(_cut_line(line, first, last, nodes, node_xy), index, -1)
    for ends, points, owners in cuts.connectors:
        for first, second, owner in zip(node_of_point[ends], node_of_point[points], owners, strict=True):
            if first != second:
                add([(int(first), int(second), shapely.linestrings(node_xy[[first, second]]))], int(owner), -1)

    segment_index = np.array(segment, dtype=np.int64)
    on_segment = segment_index >= 0
    segment_id = np.full(len(segment_index), -1, dtype=np.int64)
    corridor_id = np.full(len(segment_index), -1, dtype=np.int64)
    segment_id[on_segment] = segment_ids[segment_index[on_segment]]
    corridor_id[on_segment] = corridor_ids[segment_index[on_segment]]
    return (
        node_xy,
        np.concatenate([streets.u[uncut], np.array(u, dtype=np.int64)]),
        np.concatenate([streets.v[uncut], np.array(v, dtype=np.int64)]),
        np.concatenate([streets.geoms[uncut], np.array(geoms, dtype=object)]),
        np.concatenate([np.full(int(uncut.sum()), -1, dtype=np.int64), segment_id]),
        np.concatenate([np.full(int(uncut.sum()), -1, dtype=np.int64), corridor_id]),
        np.concatenate([streets.street_id[uncut], np.array(street, dtype=np.int64)]),
    )


# Climbs.


def _samples(geoms: np.ndarray, length: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Points along every line at once, ceil(L / step) even intervals on a line of length L: (xy, line index).

    Interpolated with numpy on the lines' vertices (one search over the
    distance travelled along all of them), not one shapely call per point.
    """
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    hop = np.zeros(len(coords))
    hop[1:] = np.where(owner[1:] == owner[:-1], np.hypot(*np.diff(coords, axis=0).T), 0.0)
    travelled = np.cumsum(hop)
    lines = np.arange(len(geoms))
    first = np.searchsorted(owner, lines)
    last = np.searchsorted(owner, lines, side="right") - 1
    intervals = np.maximum(np.ceil(length / step), 1).astype(np.int64)
    sizes = intervals + 1
    line = np.repeat(lines, sizes)
    index = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    position = travelled[first][line] + np.minimum(index * (length / intervals)[line], length[line])
    vertex = np.searchsorted(travelled, position, side="right") - 1
    vertex = np.clip(vertex, first[line], np.maximum(last[line] - 1, first[line]))
    following = np.minimum(vertex + 1, last[line])
    span = hop[following]
    share = np.clip(np.divide(position - travelled[vertex], span, out=np.zeros_like(span), where=span > 0), 0, 1)
    return coords[vertex] + share[:, None] * (coords[following] - coords[vertex]), line


def _rises(geoms: np.ndarray, length: np.ndarray, elevation: Elevation | None, srid: int) -> tuple[np.ndarray, ...]:
    """Each line's climb and descent from its first point to its last, sampled at most a step apart.

    All lines are sampled at once (``_samples``). A pair of consecutive
    samples of which one has no height adds nothing: no DEM data climbs 0 m.
    """
    climb, descent = np.zeros(len(geoms)), np.zeros(len(geoms))
    if elevation is None or len(geoms) == 0:
        return climb, descent
    xy, line = _samples(geoms, length, float(settings.CORRIDOR_PROFILE_STEP_METRES))
    rise = np.diff(elevation.at(xy[:, 0], xy[:, 1], srid=srid))
    counted = (line[1:] == line[:-1]) & np.isfinite(rise)
    climb += np.bincount(line[1:][counted], weights=np.clip(rise[counted], 0, None), minlength=len(geoms))
    descent += np.bincount(line[1:][counted], weights=np.clip(-rise[counted], 0, None), minlength=len(geoms))
    return climb, descent


# Reference layers: parks, districts, populated places.


def park_areas(city_id: int) -> QuerySet[GreenArea]:
    """The parks a corridor can reach: the pack's green areas of PARK_KINDS (the parks app will replace this)."""
    return GreenArea.objects.filter(source__city_id=city_id, kind__in=PARK_KINDS)


@dataclass
class _Layer:
    references: list[Reference]
    geoms: np.ndarray
    tree: shapely.STRtree

    def reached(self, lines: np.ndarray, predicate: str, distance: float | None = None) -> np.ndarray:
        """(line, feature) pairs of ``lines`` and this layer's features meeting ``predicate``."""
        if len(lines) == 0 or len(self.references) == 0:
            return np.zeros((2, 0), dtype=np.int64)
        return self.tree.query(lines, predicate=predicate, distance=distance)

    def pick(self, indices) -> tuple[Reference, ...]:
        chosen = sorted(set(np.asarray(indices).tolist()))
        return tuple(sorted((self.references[i] for i in chosen), key=lambda r: (r.localized_name, r.pk)))


@dataclass
class _References:
    parks: _Layer
    districts: _Layer
    places: _Layer

    @classmethod
    def load(cls, city_id: int, srid: int) -> "_References":
        def layer(queryset: QuerySet, kind: str | None) -> _Layer:
            fields = ("pk", "name", "name_kk", "name_ru", "name_en")
            rows, geoms = metric_shapes(queryset.order_by("pk"), srid, *fields, *((kind,) if kind else ()))
            references = [
                Reference(
                    pk=row[0],
                    kind=row[5] if kind else "district",
                    name=row[1],
                    name_kk=row[2],
                    name_ru=row[3],
                    name_en=row[4],
                )
                for row in rows
            ]
            return _Layer(references, geoms, shapely.STRtree(geoms))

        places = PopulatedPlace.objects.filter(source__city_id=city_id).exclude(place__in=NOT_SUBURBS)
        return cls(
            parks=layer(park_areas(city_id), "kind"),
            districts=layer(District.objects.filter(source__city_id=city_id), None),
            places=layer(places, "place"),
        )


# Components and what they connect.


def _corridor_parts(network: Network) -> tuple[np.ndarray, np.ndarray]:
    """The corridor edges and the connected part each belongs to (a label; streets do not join parts)."""
    corridor = np.flatnonzero(network.is_corridor)
    nodes, ends = np.unique(np.concatenate([network.u[corridor], network.v[corridor]]), return_inverse=True)
    graph = ig.Graph(n=len(nodes), edges=ends.reshape(2, -1).T.tolist())
    return corridor, np.asarray(graph.connected_components().membership)[ends[: len(corridor)]]


def _components(network: Network) -> list[Component]:
    if not network.is_corridor.any():
        return []
    corridor, label = _corridor_parts(network)
    labels = np.unique(label)
    lengths = np.bincount(np.searchsorted(labels, label), weights=network.length[corridor])
    references = network.references
    lines = network.geoms[corridor]
    parks = references.parks.reached(lines, "dwithin", PARK_REACH_METRES)
    districts = references.districts.reached(lines, "intersects")
    places = references.places.reached(lines, "dwithin", PLACE_REACH_METRES)

    components = []
    for number, position in enumerate(np.argsort(-lengths, kind="stable"), start=1):
        mine = label == labels[position]
        edges = corridor[mine]
        metric = shapely.multilinestrings(network.geoms[edges])
        components.append(
            Component(
                id=number,
                segment_ids=tuple(np.unique(network.segment_id[edges]).tolist()),
                corridor_ids=tuple(np.unique(network.corridor_id[edges]).tolist()),
                length_m=float(lengths[position]),
                geometry=_lonlat_geometry(metric, network.srid),
                parks=references.parks.pick(parks[1][mine[parks[0]]]),
                districts=references.districts.pick(districts[1][mine[districts[0]]]),
                places=references.places.pick(places[1][mine[places[0]]]),
                edges=edges,
                nodes=np.unique(np.concatenate([network.u[edges], network.v[edges]])),
                metric=metric,
            )
        )
    return components


def components(network: Network) -> list[Component]:
    """The connected parts of the corridor network (corridor edges only), longest first, with what each reaches."""
    return network.components


def corridor_links(corridor: Corridor, network: Network) -> CorridorLinks:
    """Which parks ``corridor`` reaches and which suburbs it links to them, over the network's corridor parts.

    The parks are those of the parts its segments belong to (a corridor
    reaches what the corridors joined to it reach). Its suburbs are the
    districts its own segments cross and the populated places within
    PLACE_REACH_METRES of them; each suburb is linked to the parks of the parts
    whose segments of this corridor touch it.
    """
    mine = np.flatnonzero(network.corridor_id == corridor.pk)
    owner = {int(edge): part for part in network.components for edge in part.edges}
    parts = sorted({owner[int(edge)] for edge in mine}, key=lambda part: part.id)
    references = network.references
    lines = network.geoms[mine]
    edge_part = np.array([owner[int(edge)].id for edge in mine], dtype=np.int64)
    by_id = {part.id: part for part in parts}

    links: list[SuburbLink] = []
    suburbs: dict[str, tuple[Reference, ...]] = {}
    for name, layer, pairs in (
        ("districts", references.districts, references.districts.reached(lines, "intersects")),
        ("places", references.places, references.places.reached(lines, "dwithin", PLACE_REACH_METRES)),
    ):
        suburbs[name] = layer.pick(pairs[1])
        for suburb in suburbs[name]:
            index = layer.references.index(suburb)
            reaching = {int(edge_part[line]) for line in pairs[0][pairs[1] == index]}
            parks = {park for part_id in reaching for park in by_id[part_id].parks}
            links.append(SuburbLink(suburb, tuple(sorted(parks, key=lambda r: (r.localized_name, r.pk)))))
    parks = {park for part in parts for park in part.parks}
    return CorridorLinks(
        corridor_id=corridor.pk,
        components=tuple(parts),
        parks=tuple(sorted(parks, key=lambda r: (r.localized_name, r.pk))),
        districts=suburbs["districts"],
        places=suburbs["places"],
        links=tuple(links),
    )


# Coverage.


@dataclass
class _Cells:
    """The populated cells of a city, each snapped to the nearest point of the nearest edge."""

    ids: np.ndarray
    district_ids: np.ndarray  # -1 where the cell has no district
    residents: np.ndarray
    edge: np.ndarray
    along: np.ndarray  # metres from the edge's u
    snap: np.ndarray  # metres from the cell's centre to the edge


def _cells(network: Network) -> _Cells:
    """The city's populated cells snapped to the network, kept with the network while the cells are the same.

    gis_data.population recreates the cells (new keys) whenever it runs, so
    their count, last key and total residents tell whether they changed.
    """
    cells = PopulationCell.objects.filter(city_id=network.city_id, residents__gt=0)
    state = cells.aggregate(count=Count("pk"), last=Max("pk"), residents=Sum("residents"))
    key = (state["count"], state["last"], state["residents"])
    with _cache_lock:
        if key in network.snapped_cells:
            return network.snapped_cells[key]
    rows = list(
        cells.order_by("pk")
        .annotate(metric=AsWKB(Transform("centre", network.srid)))
        .values_list("pk", "district_id", "residents", "metric")
    )
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    district_ids = np.array([-1 if row[1] is None else row[1] for row in rows], dtype=np.int64)
    residents = np.array([row[2] for row in rows], dtype=np.float64)
    edge, along, snap = np.zeros(len(rows), dtype=np.int64), np.zeros(len(rows)), np.full(len(rows), np.inf)
    if rows and network.edge_count:
        centres = shapely.from_wkb([bytes(row[3]) for row in rows])
        (cell, nearest), distance = network.edge_tree.query_nearest(centres, return_distance=True, all_matches=False)
        edge[cell], snap[cell] = nearest, distance
        along[cell] = shapely.line_locate_point(network.geoms[nearest], centres[cell])
    snapped = _Cells(ids, district_ids, residents, edge, along, snap)
    with _cache_lock:
        network.snapped_cells = {key: snapped}
    return snapped


def _reach(network: Network, sources: np.ndarray, metres: float) -> np.ndarray:
    """Each node's walking distance from the nearest of ``sources`` (nodes), ``inf`` beyond ``metres``.

    One multi-source Dijkstra that stops at ``metres``: scipy's
    ``csgraph.dijkstra`` (``min_only``, ``limit``), as igraph's shortest paths
    have no cut-off (see the module's docstring).
    """
    from scipy.sparse.csgraph import dijkstra

    if len(sources) == 0:
        return np.full(network.node_count, np.inf)
    return dijkstra(network.lengths_matrix, directed=True, indices=sources, min_only=True, limit=metres)


def _cell_distances(network: Network, cells: _Cells, node_distance: np.ndarray, source_edges: np.ndarray) -> np.ndarray:
    """Each cell's snap distance plus the walk from its snapped point to the sources (0 on a source edge)."""
    if len(cells.ids) == 0 or network.edge_count == 0:
        return np.full(len(cells.ids), np.inf)
    edge = cells.edge
    walk = np.minimum(
        node_distance[network.u[edge]] + cells.along,
        node_distance[network.v[edge]] + network.length[edge] - cells.along,
    )
    walk[source_edges[edge]] = 0.0
    return cells.snap + walk


def coverage(city: City, metres: float | None = None, network: Network | None = None) -> Coverage:
    """Residents within ``metres`` (CORRIDOR_COVERAGE_METRES by default) of the corridor network, by district.

    Walking distance as the module's docstring says: snap to the nearest edge,
    then over streets and corridors to the nearest corridor node. Residents are
    gis_data.population's estimate (PopulationCell): say so where it is shown.
    Every district of the city is listed, by name; cells outside the districts
    count in the city's total only.
    """
    metres = float(settings.CORRIDOR_COVERAGE_METRES if metres is None else metres)
    network = network or build_network(city)
    cells = _cells(network)
    total = _cell_distances(network, cells, _reach(network, network.corridor_nodes, metres), network.is_corridor)
    covered = total <= metres
    covered_residents = np.where(covered, cells.residents, 0.0)
    rows = []
    for reference in network.references.districts.pick(range(len(network.references.districts.references))):
        here = cells.district_ids == reference.pk
        rows.append(
            DistrictCoverage(
                residents=float(cells.residents[here].sum()),
                covered=float(covered_residents[here].sum()),
                district=reference,
            )
        )
    return Coverage(
        metres=metres,
        total=CoverageFigures(residents=float(cells.residents.sum()), covered=float(covered_residents.sum())),
        districts=tuple(rows),
        covered_cell_ids=frozenset(cells.ids[covered].tolist()),
    )


# Gaps.


def gaps(network: Network, limit: int = 20, metres: float | None = None) -> list[Gap]:
    """The shortest straight links (≤ GAP_MAX_METRES) between parts of the network, most people newly connected first.

    For each pair of parts closer than GAP_MAX_METRES, the shortest line
    between them; the people it newly connects are, as the module's docstring
    defines them, the residents covered (within ``metres``, the coverage
    distance by default) by the smaller part and not by the larger. Ties go
    to the shorter link.
    """
    metres = float(settings.CORRIDOR_COVERAGE_METRES if metres is None else metres)
    parts = network.components
    if len(parts) < 2:
        return []
    shapes = np.array([part.metric for part in parts], dtype=object)
    first, second = shapely.STRtree(shapes).query(shapes, predicate="dwithin", distance=GAP_MAX_METRES)
    keep = first < second
    first, second = first[keep], second[keep]
    if len(first) == 0:
        return []
    # Parts are sorted longest first: in each pair, ``second`` is the smaller.
    lines = shapely.shortest_line(shapes[second], shapes[first])
    lengths = shapely.length(lines)

    cells = _cells(network)
    covered: dict[int, np.ndarray] = {}
    for index in np.union1d(first, second).tolist():
        part = parts[index]
        source_edges = np.zeros(network.edge_count, dtype=bool)
        source_edges[part.edges] = True
        covered[index] = _cell_distances(network, cells, _reach(network, part.nodes, metres), source_edges) <= metres
    people = np.array(
        [
            float(cells.residents[covered[small] & ~covered[large]].sum())
            for small, large in zip(second.tolist(), first.tolist(), strict=True)
        ]
    )
    order = np.lexsort((lengths, -people))[:limit]
    geometries = _lonlat_geometries(lines[order], network.srid)
    return [
        Gap(
            geometry=geometry,
            length_m=float(lengths[i]),
            component_ids=(parts[second[i]].id, parts[first[i]].id),
            newly_connected=float(people[i]),
        )
        for i, geometry in zip(order.tolist(), geometries, strict=True)
    ]


# Routes.


def _lonlat(xy: np.ndarray, srid: int) -> np.ndarray:
    from rasterio.warp import transform

    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    if len(xy) == 0:
        return xy
    xs, ys = transform(f"EPSG:{int(srid)}", f"EPSG:{SRID}", xy[:, 0], xy[:, 1])
    return np.column_stack([np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)])


def _metric(point: Point, srid: int) -> np.ndarray:
    from rasterio.warp import transform

    if point.srid not in (None, SRID):
        point = point.transform(SRID, clone=True)
    xs, ys = transform(f"EPSG:{SRID}", f"EPSG:{int(srid)}", [point.x], [point.y])
    return np.array([xs[0], ys[0]], dtype=np.float64)


def _lonlat_geometries(geoms: np.ndarray, srid: int) -> list[GEOSGeometry]:
    """Metric shapely geometries as GEOS ones in longitude/latitude, all transformed in one call."""
    lonlat = shapely.transform(np.asarray(geoms, dtype=object), lambda xy: _lonlat(xy, srid))
    return [GEOSGeometry(memoryview(wkb), srid=SRID) for wkb in shapely.to_wkb(lonlat)]


def _lonlat_geometry(geom: Any, srid: int) -> GEOSGeometry:
    return _lonlat_geometries(np.array([geom], dtype=object), srid)[0]


def _point(xy: np.ndarray, srid: int) -> Point:
    lon, lat = _lonlat(xy, srid)[0]
    return Point(float(lon), float(lat), srid=SRID)


@dataclass(frozen=True)
class _Snap:
    edge: int
    along: float  # metres from the edge's u
    xy: np.ndarray
    distance: float


def _snap(network: Network, xy: np.ndarray) -> _Snap:
    point = shapely.points(xy)
    edge = int(network.edge_tree.query_nearest(point, all_matches=False)[0])
    line = network.geoms[edge]
    along = float(shapely.line_locate_point(line, point))
    on_line = shapely.get_coordinates(shapely.line_interpolate_point(line, along))[0]
    return _Snap(edge, along, on_line, float(np.hypot(*(on_line - xy))))


@dataclass(frozen=True)
class _Piece:
    """A stretch of one edge in the direction of travel."""

    edge: int
    coords: np.ndarray
    length: float
    climb: float
    descent: float

    def cost(self, gentle: bool) -> float:
        return self.climb + GENTLE_LENGTH_WEIGHT * self.length if gentle else self.length


def _stretches(network: Network, spans: list[tuple[int, float, float]]) -> list[_Piece]:
    """The stretches (edge, from, to metres along it; backwards when to < from), their climbs in one DEM lookup."""
    shapes, lengths = [], []
    for edge, start, end in spans:
        coords = shapely.get_coordinates(network.geoms[edge])
        along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(coords, axis=0).T))])
        low, high = sorted((start, end))
        ends = [[np.interp(d, along, coords[:, 0]), np.interp(d, along, coords[:, 1])] for d in (low, high)]
        stretch = np.vstack([ends[0], coords[(along > low) & (along < high)], ends[1]])
        shapes.append(stretch[::-1] if end < start else stretch)
        lengths.append(high - low)
    climbs, descents = _rises(
        np.array([shapely.linestrings(shape) for shape in shapes], dtype=object),
        np.array(lengths),
        network.elevation,
        network.srid,
    )
    return [
        _Piece(span[0], shape, length, float(climb), float(descent))
        for span, shape, length, climb, descent in zip(spans, shapes, lengths, climbs, descents, strict=True)
    ]


@dataclass(frozen=True)
class _Ends:
    """How a route leaves its start (to either end of the start's edge) and reaches its end, or goes straight."""

    leave: list[tuple[int, _Piece]]  # (node, the stretch from the start to it)
    arrive: list[tuple[int, _Piece]]  # (node, the stretch from it to the end)
    direct: _Piece | None  # start and end on the same edge: the stretch between them


def _ends(network: Network, start: _Snap, end: _Snap) -> _Ends:
    first, last = start.edge, end.edge
    spans = [
        (first, start.along, 0.0),
        (first, start.along, float(network.length[first])),
        (last, 0.0, end.along),
        (last, float(network.length[last]), end.along),
    ]
    if first == last:
        spans.append((first, start.along, end.along))
    pieces = _stretches(network, spans)
    return _Ends(
        leave=[(int(network.u[first]), pieces[0]), (int(network.v[first]), pieces[1])],
        arrive=[(int(network.u[last]), pieces[2]), (int(network.v[last]), pieces[3])],
        direct=pieces[4] if first == last else None,
    )


@dataclass(frozen=True)
class _Found:
    """A least-cost way: leave by ``ends.leave[leave]``, take ``edges`` (forwards or not), arrive by ``arrive``.

    ``leave`` is None when the route is the direct stretch."""

    cost: float
    leave: int | None
    edges: np.ndarray
    forward: np.ndarray
    arrive: int | None


def _search(network: Network, ends: _Ends, gentle: bool) -> _Found:
    """The least-cost way from start to end: length, or climb + a little length (``gentle``).

    A copy of the graph gets the start and the end as two more nodes, joined
    to their edges' ends by the stretches of ``ends``; one Dijkstra, stopped
    at the end, finds the way. The gentle graph is directed (a climb one way
    is a descent the other); edge ``i`` runs from u to v, ``edge_count + i``
    back. The end must be reachable from the start (``route`` checks first).
    """
    graph = (network.directed if gentle else network.graph).copy()
    base = graph.ecount()
    source, target = network.node_count, network.node_count + 1
    graph.add_vertices(2)
    costs = [piece.cost(gentle) for _node, piece in (*ends.leave, *ends.arrive)]
    graph.add_edges(
        [(source, node) for node, _piece in ends.leave] + [(node, target) for node, _piece in ends.arrive],
        attributes={"weight": costs},
    )
    path = np.asarray(graph.get_shortest_paths(source, to=target, weights="weight", output="epath")[0], dtype=np.int64)
    weights = network.gentle_weights if gentle else network.length
    cost = weights[path[1:-1]].sum() + costs[path[0] - base] + costs[path[-1] - base] if len(path) else np.inf
    if ends.direct is not None and ends.direct.cost(gentle) <= cost:
        return _Found(ends.direct.cost(gentle), None, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool), None)
    edges = path[1:-1]
    if gentle:
        forward = edges < network.edge_count
        edges = np.where(forward, edges, edges - network.edge_count)
    else:
        # Undirected: an edge is taken forwards when it starts where the previous one ended.
        node = ends.leave[path[0] - base][0]
        forward = np.zeros(len(edges), dtype=bool)
        for index, edge in enumerate(edges.tolist()):
            forward[index] = network.u[edge] == node
            node = network.v[edge] if forward[index] else network.u[edge]
    return _Found(float(cost), int(path[0] - base), edges, forward, int(path[-1] - base - len(ends.leave)))


def _route_path(network: Network, ends: _Ends, found: _Found) -> RoutePath:
    """The route ``found`` as a line (longitude/latitude) with its length, climb, descent, green share, profile."""
    direct = found.leave is None
    pieces = [ends.direct] if direct else [ends.leave[found.leave][1], ends.arrive[found.arrive][1]]
    edges, forward = found.edges, found.forward
    coords, owner = shapely.get_coordinates(network.geoms[edges], return_index=True)
    sizes = np.bincount(owner, minlength=len(edges))
    starts = np.cumsum(sizes) - sizes
    position = np.arange(len(coords)) - starts[owner]
    coords = coords[starts[owner] + np.where(forward[owner], position, sizes[owner] - 1 - position)]
    coords = np.vstack([pieces[0].coords, coords, *(piece.coords for piece in pieces[1:])])
    repeated = np.zeros(len(coords), dtype=bool)
    repeated[1:] = np.all(coords[1:] == coords[:-1], axis=1)
    coords = coords[~repeated]
    if len(coords) == 1:
        coords = np.vstack([coords, coords])

    lengths = network.length[edges]
    length = lengths.sum() + sum(piece.length for piece in pieces)
    green = lengths[network.is_corridor[edges]].sum()
    green += sum(piece.length for piece in pieces if network.is_corridor[piece.edge])
    climb = np.where(forward, network.climb_forward[edges], network.climb_backward[edges]).sum()
    descent = np.where(forward, network.climb_backward[edges], network.climb_forward[edges]).sum()
    taken = network.corridor_id[[pieces[0].edge, *edges.tolist(), pieces[-1].edge]]
    step = float(settings.CORRIDOR_PROFILE_STEP_METRES)
    return RoutePath(
        geometry=_lonlat_geometry(shapely.linestrings(coords), network.srid),
        length_m=float(length),
        climb_m=float(climb + sum(piece.climb for piece in pieces)),
        descent_m=float(descent + sum(piece.descent for piece in pieces)),
        green_share=float(green / length) if length > 0 else 0.0,
        profile=profile_along(coords, network.srid, network.elevation, step),
        corridor_ids=tuple(dict.fromkeys(int(corridor) for corridor in taken if corridor >= 0)),
    )


def route(city: City, start: Point, end: Point, network: Network | None = None) -> Route | NoRoute:
    """The shortest and the gentlest route from ``start`` to ``end`` (points, EPSG:4326) over corridors and streets.

    Both points snap to the nearest point of any edge. When the network does
    not join them, ``NoRoute`` says so and gives the node reachable from the
    start that is nearest to the end as the crow flies, and its distance.
    """
    network = network or build_network(city)
    start_xy, end_xy = _metric(start, network.srid), _metric(end, network.srid)
    if network.edge_count == 0:
        return NoRoute(
            _("There is no network to route on: the city has no streets or corridor segments yet."), None, None
        )
    first, last = _snap(network, start_xy), _snap(network, end_xy)
    membership = network.membership
    part = membership[network.u[first.edge]]
    if part != membership[network.u[last.edge]]:
        reachable = np.flatnonzero(membership == part)
        distances = np.hypot(*(network.node_xy[reachable] - end_xy).T)
        nearest = int(np.argmin(distances))
        distance = float(distances[nearest])
        message = _(
            "The end cannot be reached from the start over the corridors and streets: they are not connected. "
            "The nearest point the start reaches is %(distance)s m from the end."
        ) % {"distance": number_format(round(distance), force_grouping=True)}
        return NoRoute(message, _point(network.node_xy[reachable[nearest]], network.srid), distance)
    ends = _ends(network, first, last)
    return Route(
        shortest=_route_path(network, ends, _search(network, ends, gentle=False)),
        gentlest=_route_path(network, ends, _search(network, ends, gentle=True)),
        start=_point(first.xy, network.srid),
        end=_point(last.xy, network.srid),
        start_snap_m=first.distance,
        end_snap_m=last.distance,
    )
