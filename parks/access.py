"""Park access: how many residents live within a walk of an open park, per district and citywide, and what a
new park would change.

**Residents** are the city's ``PopulationCell`` rows, the *estimate* made by
``gis_data.population`` (docs/population.md): 200 m squares, each with its
estimated residents at its centre. Every page showing these figures must say
they are an estimate (``gis_data.population.ESTIMATE_NOTE``).

**Streets** are the pack's walkable network (``gis_data.streets``: every
street but motorways, in the city's metric spatial reference, so every
distance is in metres on the ground).

**Where a park is entered.** Only ``State.OPEN`` parks count.

- A park with drawn entrances is entered by its gates only (a fenced park):
  each entrance is snapped to the nearest point of the nearest street edge,
  and the step from that point to the gate is part of the walk.
- A park without entrances is open on every side: it is entered from any
  point of a street within ``ENTRY_METRES`` (30 m) of its boundary or inside
  it, the step to the boundary (0 inside) being part of the walk. On the
  graph that means: every street node within that distance, the point of
  every street edge nearest to the park when it is within that distance, and
  every point where a street edge crosses the boundary. 30 m because OSM
  draws a street on its centre line: the park's fence or edge lies half a
  carriageway, a pavement and a verge away (10 to 25 m on Almaty's avenues),
  while the next street parallel is a block (100 m and more) away. It is also
  the distance within which an entrance must lie of its park's boundary
  (``parks.services.ENTRANCE_METRES``).

**Walking distance of a cell** = the straight step from its centre to the
nearest point of the nearest street edge, plus the walk from that point along
the edge to either of its ends and on over the streets to the nearest entry
point of an open park (or straight along that edge to an entry point on it;
or nothing more when that point itself is an entry point of an open-sided
park: the step to its boundary only). A cell whose centre lies inside an
open park is at 0 m. The walk comes from **one multi-source Dijkstra**
(``scipy.sparse.csgraph.dijkstra`` with ``min_only``, ``limit`` = the
distance, in C): each park is one more node of the graph, with a directed
edge to each of its entry nodes weighted by the step from the park (for an
entry point inside an edge: to both ends of the edge, adding the way along
it). The search starts at all park nodes at once, stops at the distance, and
tells for each street node its distance to the nearest park and which park
(``sources``). A cell is *within* when its walking distance is at most
``settings.PARK_ACCESS_METRES`` (800 m, ten minutes), and *served* by the
park its nearest entry point belongs to.

**What-if.** A drawn boundary (or a concept's footprint: its park, opened on
every side) is added as one more open park without entrances: one more pass
from its entry points alone, combined with the city's result by the minimum,
gives the residents newly within.

**Cached** per process by ``access_key``: the city and its pack
(``loaded_at``), the street network's key, the parks (count, last
``updated_at``, highest id), the cells (count, highest id, total residents)
and the distance. Any edit of a park, a new pack or a rebuilt estimate
computes it again: about 0.1 s for Almaty, most of it finding where the
parks' detailed boundaries meet the streets (the search itself takes a few
milliseconds: bench/park_access.py); a what-if takes a few hundredths.

**Limits.** The residents are an estimate (cells of 200 m, their residents at
the centre). The streets are OpenStreetMap's of 2012 (the pack's extract):
newer streets are missing and footpaths were mapped sparsely, so walks are
often longer than on the ground, rarely shorter. Crossing a street is
free: traffic, fences, stairs and slopes are not counted. Parks without drawn
entrances are taken as open on every side, which is generous for fenced
parks: drawing their gates makes the figures stricter.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.db.models.functions import AsWKB, Transform
from django.contrib.gis.geos import GEOSGeometry, MultiPoint, MultiPolygon
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Sum
from django.utils.translation import gettext as _

from gis_data.formats import format_number
from gis_data.geometry import SRID
from gis_data.models import City, District, PopulationCell, in_language
from gis_data.streets import StreetNetwork, street_key, street_network
from parks.models import Park, RenovationConcept, State
from parks.services import check_park_boundary, check_park_entrances

# A street within this distance of a park without drawn entrances enters it (see the module's docstring).
ENTRY_METRES = 30.0
# The largest what-if park: Almaty's largest parks are about 1 km²; ten times that is a district, not a park.
WHAT_IF_MAX_M2 = 10_000_000
# How many computed results a process keeps (one per city and distance).
CACHE_SIZE = 8


# What the analysis returns.


@dataclass(frozen=True)
class Figures:
    """Residents (estimated) and those of them within the walking distance of an open park."""

    residents: float
    within: float

    @property
    def outside(self) -> float:
        return self.residents - self.within

    @property
    def share(self) -> float | None:
        """The share of residents within, None where there is no resident."""
        return self.within / self.residents if self.residents > 0 else None


@dataclass(frozen=True)
class DistrictAccess(Figures):
    district_id: int = 0
    name_kk: str = ""
    name_ru: str = ""
    name_en: str = ""
    osm_name: str = ""

    @property
    def name(self) -> str:
        return in_language(self, "name") or self.osm_name


@dataclass(frozen=True)
class DistrictChange:
    """One district before and after a what-if park."""

    before: DistrictAccess
    after: DistrictAccess

    @property
    def district_id(self) -> int:
        return self.before.district_id

    @property
    def name(self) -> str:
        return self.before.name

    @property
    def residents(self) -> float:
        return self.before.residents

    @property
    def gained(self) -> float:
        return self.after.within - self.before.within


@dataclass(eq=False)
class Access:
    """Park access in one city at one distance (see the module's docstring); from ``park_access``."""

    city_id: int
    metres: float
    key: tuple
    citywide: Figures
    districts: list[DistrictAccess]
    park_count: int
    _state: "_State" = field(repr=False)
    _served: dict[int, float] = field(repr=False, default_factory=dict)

    def served(self, park_id: int) -> float:
        """Residents whose nearest open park by walking is this one, within the distance (0 for a park not open)."""
        return self._served.get(park_id, 0.0)

    def outside_cell_ids(self) -> list[int]:
        """The populated cells farther than the distance from every open park."""
        state = self._state
        return state.cells.ids[state.cell_distance > self.metres].tolist()

    def cell_distances(self) -> dict[int, float]:
        """Each populated cell's walking distance to the nearest open park (inf beyond the distance)."""
        state = self._state
        distance = np.where(state.cell_distance <= self.metres, state.cell_distance, np.inf)
        return dict(zip(state.cells.ids.tolist(), distance.tolist(), strict=True))


@dataclass(frozen=True)
class WhatIf:
    """The change a new open park would bring: citywide and per district, before and after."""

    metres: float
    before: Figures
    after: Figures
    districts: list[DistrictChange]

    @property
    def gained(self) -> float:
        """Residents newly within the distance of an open park."""
        return self.after.within - self.before.within


# Inner state.


@dataclass
class _Cells:
    """The populated cells, each snapped to the nearest point of the nearest street edge."""

    ids: np.ndarray
    district_ids: np.ndarray  # -1 outside every district
    residents: np.ndarray
    centres: np.ndarray  # shapely points, metric
    edge: np.ndarray
    along: np.ndarray  # metres from the edge's u to the snapped point
    snap: np.ndarray  # metres from the centre to the snapped point
    points: np.ndarray  # the snapped points (shapely)


@dataclass
class _Parks:
    """Parks as the analysis sees them: ids (-1 for a what-if park), metric boundaries, entrances or None."""

    ids: np.ndarray
    boundaries: np.ndarray
    entrances: list[np.ndarray | None]

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class _Entries:
    """Where the parks are entered: nodes (``edge`` -1) and points inside edges (``node`` -1), with the step."""

    park: np.ndarray
    node: np.ndarray
    edge: np.ndarray
    along: np.ndarray
    offset: np.ndarray
    open_sides: np.ndarray  # boundaries of the parks without entrances
    open_park: np.ndarray  # their index in the parks


@dataclass
class _State:
    streets: StreetNetwork
    cells: _Cells
    parks: _Parks
    cell_distance: np.ndarray
    cell_park: np.ndarray  # index into parks, -1 when none is within reach


_cache: "OrderedDict[tuple, Access]" = OrderedDict()
_cells_cache: "OrderedDict[tuple, _Cells]" = OrderedDict()
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _cache.clear()
        _cells_cache.clear()


def _metres(metres: float | None) -> float:
    return float(settings.PARK_ACCESS_METRES if metres is None else metres)


def _populated(city: City):
    return PopulationCell.objects.filter(city=city, residents__gt=0)


def access_key(city: City, metres: float | None = None) -> tuple:
    """What a result depends on: the pack, the streets, the parks, the cells and the distance (three queries)."""
    parks = Park.objects.filter(city=city).aggregate(count=Count("pk"), latest=Max("updated_at"), last=Max("pk"))
    cells = _populated(city).aggregate(count=Count("pk"), last=Max("pk"), residents=Sum("residents"))
    return (
        city.pk,
        city.loaded_at,
        street_key(city),
        (parks["count"], parks["latest"], parks["last"]),
        (cells["count"], cells["last"], cells["residents"]),
        _metres(metres),
    )


def park_access(city: City, metres: float | None = None) -> Access:
    """Residents within ``metres`` (PARK_ACCESS_METRES by default) walk of an open park; cached per process."""
    metres = _metres(metres)
    key = access_key(city, metres)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    streets = street_network(city, key=key[2])
    cells = _snapped_cells(city, streets, key[4])
    parks = _open_parks(city, streets.srid)
    distance, park = _cell_reach(streets, cells, parks, metres)
    within = distance <= metres
    counted = within & (park >= 0)
    by_park = np.bincount(park[counted], weights=cells.residents[counted], minlength=len(parks))
    access = Access(
        city_id=city.pk,
        metres=metres,
        key=key,
        citywide=_figures(cells, within),
        districts=_recount(_districts(city), cells, within),
        park_count=len(parks),
        _state=_State(streets, cells, parks, distance, park),
        _served={int(pk): float(residents) for pk, residents in zip(parks.ids, by_park, strict=True) if residents},
    )
    with _lock:
        _cache[key] = access
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return access


def _figures(cells: _Cells, within: np.ndarray) -> Figures:
    return Figures(residents=float(cells.residents.sum()), within=float(cells.residents[within].sum()))


def _districts(city: City) -> list[DistrictAccess]:
    """Every district of the city, by name, with no figures yet."""
    rows = District.objects.filter(source__city=city).order_by("name", "pk")
    return [
        DistrictAccess(0.0, 0.0, district_id=pk, osm_name=name, name_kk=kk, name_ru=ru, name_en=en)
        for pk, name, kk, ru, en in rows.values_list("pk", "name", "name_kk", "name_ru", "name_en")
    ]


def _recount(rows: list[DistrictAccess], cells: _Cells, within: np.ndarray) -> list[DistrictAccess]:
    """``rows`` with their residents and those within counted from the cells (outside every district: citywide
    only)."""
    counted = []
    for row in rows:
        here = cells.district_ids == row.district_id
        counted.append(
            replace(
                row, residents=float(cells.residents[here].sum()), within=float(cells.residents[here & within].sum())
            )
        )
    return counted


# Loading.


def _snapped_cells(city: City, streets: StreetNetwork, cells_key: tuple) -> _Cells:
    """The city's populated cells snapped to the streets, kept while both stay the same."""
    key = (streets.key, cells_key)
    with _lock:
        if key in _cells_cache:
            return _cells_cache[key]
    rows = list(
        _populated(city)
        .order_by("pk")
        .annotate(metric=AsWKB(Transform("centre", streets.srid)))
        .values_list("pk", "district_id", "residents", "metric")
    )
    count = len(rows)
    centres = shapely.from_wkb([bytes(row[3]) for row in rows]) if rows else np.empty(0, dtype=object)
    edge, along, snap = np.zeros(count, dtype=np.int64), np.zeros(count), np.full(count, np.inf)
    points = np.array(centres, dtype=object)
    if count and streets.edge_count:
        (cell, nearest), distance = streets.edge_tree.query_nearest(centres, return_distance=True, all_matches=False)
        edge[cell], snap[cell] = nearest, distance
        along[cell] = shapely.line_locate_point(streets.geoms[nearest], centres[cell])
        points[cell] = shapely.line_interpolate_point(streets.geoms[nearest], along[cell])
    cells = _Cells(
        ids=np.array([row[0] for row in rows], dtype=np.int64),
        district_ids=np.array([-1 if row[1] is None else row[1] for row in rows], dtype=np.int64),
        residents=np.array([row[2] for row in rows], dtype=np.float64),
        centres=centres,
        edge=edge,
        along=along,
        snap=snap,
        points=points,
    )
    with _lock:
        _cells_cache[key] = cells
        while len(_cells_cache) > CACHE_SIZE:
            _cells_cache.popitem(last=False)
    return cells


def _open_parks(city: City, srid: int) -> _Parks:
    rows = list(
        Park.objects.filter(city=city, state=State.OPEN)
        .order_by("pk")
        .annotate(metric=AsWKB(Transform("boundary", srid)), gates=AsWKB(Transform("entrances", srid)))
        .values_list("pk", "metric", "gates")
    )
    return _Parks(
        ids=np.array([row[0] for row in rows], dtype=np.int64),
        boundaries=np.array([shapely.from_wkb(bytes(row[1])) for row in rows], dtype=object),
        entrances=[_entrance_xy(row[2]) for row in rows],
    )


def _entrance_xy(wkb) -> np.ndarray | None:
    if wkb is None:
        return None
    xy = shapely.get_coordinates(shapely.from_wkb(bytes(wkb)))
    return xy if len(xy) else None


# The walk.


def _entries(streets: StreetNetwork, parks: _Parks) -> _Entries:
    """The entry points of ``parks`` on the streets (see the module's docstring)."""
    park, node, edge, along, offset = [], [], [], [], []

    def add(p, n, e, a, o) -> None:
        for values, target in ((p, park), (n, node), (e, edge), (a, along), (o, offset)):
            target.append(np.asarray(values).reshape(-1))

    gated = np.array([gates is not None for gates in parks.entrances], dtype=bool)
    if streets.edge_count and gated.any():
        owner = np.concatenate([np.full(len(parks.entrances[i]), i) for i in np.flatnonzero(gated)])
        gates = shapely.points(np.vstack([parks.entrances[i] for i in np.flatnonzero(gated)]))
        (gate, nearest), distance = streets.edge_tree.query_nearest(gates, return_distance=True, all_matches=False)
        add(
            owner[gate],
            np.full(len(gate), -1),
            nearest,
            shapely.line_locate_point(streets.geoms[nearest], gates[gate]),
            distance,
        )

    open_park = np.flatnonzero(~gated)
    open_sides = parks.boundaries[open_park]
    if streets.edge_count and len(open_park):
        # Street nodes within reach of the boundary, or inside.
        side, near = streets.node_tree.query(open_sides, predicate="dwithin", distance=ENTRY_METRES)
        nodes = shapely.points(streets.node_xy[near])
        add(
            open_park[side],
            near,
            np.full(len(near), -1),
            np.zeros(len(near)),
            shapely.distance(nodes, open_sides[side]),
        )
        # On each edge within reach: its point nearest to the park, where it comes within reach and leaves it
        # again (an edge along a park, both ends far from it), and where it crosses the boundary (an edge through
        # a park). Walking from an end of the edge, the best way in is at one of those points.
        side, near = streets.edge_tree.query(open_sides, predicate="dwithin", distance=ENTRY_METRES)
        lines, sides = streets.geoms[near], open_sides[side]
        nearest = shapely.get_coordinates(shapely.get_point(shapely.shortest_line(lines, sides), 0))
        reach_xy, reach_pair = _crossings(lines, shapely.boundary(shapely.buffer(sides, ENTRY_METRES, quad_segs=16)))
        cross_xy, cross_pair = _crossings(lines, shapely.boundary(sides))
        pair = np.concatenate([np.arange(len(near)), reach_pair, cross_pair])
        points = shapely.points(np.vstack([nearest, reach_xy, cross_xy]))
        steps = shapely.distance(points, sides[pair])
        add(
            open_park[side[pair]],
            np.full(len(pair), -1),
            near[pair],
            shapely.line_locate_point(lines[pair], points),
            np.where(steps <= ENTRY_METRES, steps, ENTRY_METRES),
        )

    def joined(values: list, dtype) -> np.ndarray:
        return np.concatenate(values).astype(dtype) if values else np.zeros(0, dtype=dtype)

    return _Entries(
        park=joined(park, np.int64),
        node=joined(node, np.int64),
        edge=joined(edge, np.int64),
        along=joined(along, np.float64),
        offset=joined(offset, np.float64),
        open_sides=open_sides,
        open_park=open_park,
    )


def _crossings(lines: np.ndarray, rings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where ``lines[i]`` meets ``rings[i]``: points (both ends of a shared stretch), with their pair ``i``."""
    if len(lines) == 0:
        return np.zeros((0, 2)), np.zeros(0, dtype=np.int64)
    parts, pair = shapely.get_parts(shapely.intersection(lines, rings), return_index=True)
    solid = ~shapely.is_empty(parts)
    parts, pair = parts[solid], pair[solid]
    points = shapely.get_type_id(parts) == 0
    stretches = parts[~points]
    xy = np.vstack(
        [
            shapely.get_coordinates(parts[points]),
            shapely.get_coordinates(shapely.get_point(stretches, 0)),
            shapely.get_coordinates(shapely.get_point(stretches, -1)),
        ]
    )
    return xy, np.concatenate([pair[points], pair[~points], pair[~points]])


def _reach(streets: StreetNetwork, entries: _Entries, park_count: int, metres: float) -> tuple[np.ndarray, ...]:
    """Each street node's walk to the nearest park's entry and that park (index; -1 beyond ``metres``).

    One multi-source Dijkstra over the streets plus one node per park, joined
    by directed edges to its entry nodes (see the module's docstring).
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    count = streets.node_count
    distance, park = np.full(count, np.inf), np.full(count, -1, dtype=np.int64)
    if park_count == 0 or count == 0 or len(entries.park) == 0:
        return distance, park
    at_node = entries.node >= 0
    inside = ~at_node
    edge = entries.edge[inside]
    rows = np.concatenate([entries.park[at_node], entries.park[inside], entries.park[inside]])
    columns = np.concatenate([entries.node[at_node], streets.u[edge], streets.v[edge]])
    steps = np.concatenate(
        [
            entries.offset[at_node],
            entries.offset[inside] + entries.along[inside],
            entries.offset[inside] + streets.length[edge] - entries.along[inside],
        ]
    )
    # The shortest step from each park to each node (a sparse matrix would add duplicates up).
    order = np.lexsort((steps, columns, rows))
    first = np.ones(len(order), dtype=bool)
    first[1:] = (rows[order][1:] != rows[order][:-1]) | (columns[order][1:] != columns[order][:-1])
    keep = order[first]
    graph = streets.lengths_matrix.tocoo()
    size = count + park_count
    matrix = coo_matrix(
        (
            np.concatenate([graph.data, np.maximum(steps[keep], 1e-9)]),
            (np.concatenate([graph.row, count + rows[keep]]), np.concatenate([graph.col, columns[keep]])),
        ),
        shape=(size, size),
    ).tocsr()
    found, _predecessors, sources = dijkstra(
        matrix,
        directed=True,
        indices=count + np.arange(park_count),
        min_only=True,
        limit=metres,
        return_predecessors=True,
    )
    distance = found[:count]
    reached = sources[:count] >= 0
    park[reached] = sources[:count][reached] - count
    return distance, park


def _cell_reach(streets: StreetNetwork, cells: _Cells, parks: _Parks, metres: float) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's walking distance to the nearest of ``parks`` and that park (index; -1 when none is in reach)."""
    count = len(cells.ids)
    if count == 0 or len(parks) == 0:
        return np.full(count, np.inf), np.full(count, -1, dtype=np.int64)
    entries = _entries(streets, parks)
    walk, park = np.full(count, np.inf), np.full(count, -1, dtype=np.int64)
    if streets.edge_count:
        node_distance, node_park = _reach(streets, entries, len(parks), metres)
        edge = cells.edge
        via_u = node_distance[streets.u[edge]] + cells.along
        via_v = node_distance[streets.v[edge]] + streets.length[edge] - cells.along
        walk = np.minimum(via_u, via_v)
        park = np.where(via_u <= via_v, node_park[streets.u[edge]], node_park[streets.v[edge]])
        _better(walk, park, *_along_the_edge(cells, entries))
        _better(walk, park, *_stepping_in(cells, entries))
    distance = cells.snap + walk
    park = np.where(np.isfinite(distance), park, -1)
    # A centre inside an open park: its residents are there already.
    cell, inside = shapely.STRtree(parks.boundaries).query(cells.centres, predicate="intersects")
    distance[cell] = 0.0
    park[cell] = inside
    return distance, park


def _better(walk: np.ndarray, park: np.ndarray, cell: np.ndarray, other: np.ndarray, other_park: np.ndarray) -> None:
    """Keep, for each of ``cell``, the shorter of its walk and ``other`` (with its park), in place."""
    shorter = other < walk[cell]
    walk[cell[shorter]] = other[shorter]
    park[cell[shorter]] = other_park[shorter]


def _first_per_cell(cell: np.ndarray, value: np.ndarray, park: np.ndarray) -> tuple[np.ndarray, ...]:
    order = np.lexsort((value, cell))
    first = np.ones(len(order), dtype=bool)
    first[1:] = cell[order][1:] != cell[order][:-1]
    keep = order[first]
    return cell[keep], value[keep], park[keep]


def _along_the_edge(cells: _Cells, entries: _Entries) -> tuple[np.ndarray, ...]:
    """Walks from a cell's snapped point straight along its edge to an entry point on the same edge."""
    inside = np.flatnonzero(entries.edge >= 0)
    order = inside[np.argsort(entries.edge[inside], kind="stable")]
    sorted_edges = entries.edge[order]
    low = np.searchsorted(sorted_edges, cells.edge, side="left")
    high = np.searchsorted(sorted_edges, cells.edge, side="right")
    sizes = high - low
    cell = np.repeat(np.arange(len(cells.ids)), sizes)
    entry = order[np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes) + np.repeat(low, sizes)]
    walk = entries.offset[entry] + np.abs(cells.along[cell] - entries.along[entry])
    return _first_per_cell(cell, walk, entries.park[entry])


def _stepping_in(cells: _Cells, entries: _Entries) -> tuple[np.ndarray, ...]:
    """A cell's snapped point within ENTRY_METRES of a park without entrances (or inside it): the step in."""
    if len(entries.open_sides) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, np.zeros(0), empty
    cell, side = shapely.STRtree(entries.open_sides).query(cells.points, predicate="dwithin", distance=ENTRY_METRES)
    step = shapely.distance(cells.points[cell], entries.open_sides[side])
    return _first_per_cell(cell, step, entries.open_park[side])


# What-if.


def check_what_if_boundary(boundary: GEOSGeometry | str | dict, city: City) -> MultiPolygon:
    """A drawn what-if park: a park's boundary by the rules of ``parks.services.check_park_boundary`` (an area,
    valid or repaired, inside the city, not tiny) and no larger than WHAT_IF_MAX_M2.

    Raises ValidationError naming the problem.
    """
    geometry = check_park_boundary(boundary, city)
    area = geometry.transform(int(city.metric_srid), clone=True).area
    if area > WHAT_IF_MAX_M2:
        raise ValidationError(
            _("The park drawn covers %(area)s km²; a what-if park may cover at most %(limit)s km².")
            % {"area": format_number(area / 1e6, 1), "limit": format_number(WHAT_IF_MAX_M2 / 1e6)},
            code="too_large",
        )
    return geometry


def concept_footprint(concept: RenovationConcept) -> MultiPolygon:
    """What picking a concept's plan adds to the parks: its park's boundary, opened from every side.

    The concept's zones all lie inside that boundary (parks.concepts checks
    it), so the plan's reach is the park's. Opened from every side: the
    what-if treats it as a park without entrances.
    """
    boundary = concept.park.boundary
    footprint = boundary.clone() if isinstance(boundary, MultiPolygon) else MultiPolygon(boundary, srid=SRID)
    footprint.srid = boundary.srid or SRID
    return footprint


def what_if(
    city: City, boundary: GEOSGeometry, entrances: MultiPoint | None = None, metres: float | None = None
) -> WhatIf:
    """The residents a new open park would bring within the walking distance, per district and citywide.

    ``boundary`` is checked (``check_what_if_boundary``: ValidationError);
    ``entrances`` (optional, EPSG:4326, each within 30 m of the boundary as
    ``parks.services.check_park_entrances`` requires) make it a park entered by
    its gates.
    One more pass from the new park's entries alone, combined with the city's
    cached result by the minimum.
    """
    boundary = check_what_if_boundary(boundary, city)
    entrances = check_park_entrances(entrances, boundary, city)
    base = park_access(city, metres)
    state = base._state
    srid = state.streets.srid
    metric = shapely.from_wkb(bytes(boundary.transform(srid, clone=True).wkb))
    gates = None
    if entrances is not None and not entrances.empty:
        gates = shapely.get_coordinates(shapely.from_wkb(bytes(entrances.transform(srid, clone=True).wkb)))
    extra = _Parks(np.array([-1], dtype=np.int64), np.array([metric], dtype=object), [gates])
    distance, _park = _cell_reach(state.streets, state.cells, extra, base.metres)
    after = np.minimum(state.cell_distance, distance) <= base.metres
    return WhatIf(
        metres=base.metres,
        before=base.citywide,
        after=_figures(state.cells, after),
        districts=[
            DistrictChange(row, changed)
            for row, changed in zip(base.districts, _recount(base.districts, state.cells, after), strict=True)
        ],
    )
