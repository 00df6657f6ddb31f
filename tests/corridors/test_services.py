"""Writing corridors and segments: measured, ordered, summed and recorded in history in one transaction each."""

import pytest
from django.contrib.gis.geos import LineString, MultiPolygon, Polygon

from corridors import services
from corridors.models import Corridor, Segment
from gis_data.loading import load_city_pack
from tests.factories import (
    ALMATINKA_PROMENADE,
    AUEZOV,
    CityFactory,
    CorridorFactory,
    DistrictFactory,
    SegmentFactory,
    WaterwayFactory,
)
from tests.gis_data.test_city_pack import collection, district, square, write_pack

pytestmark = pytest.mark.django_db

# Two more stretches along the Malaya Almatinka's valley, and a short path in Auezov.
UPSTREAM = LineString((76.9676, 43.2646), (76.9668, 43.2720), srid=4326)
DOWNSTREAM = LineString((76.9560, 43.2450), (76.9598, 43.2517), srid=4326)
IN_AUEZOV = LineString((76.8400, 43.2200), (76.8500, 43.2250), srid=4326)
# Medeu district, roughly: east of Almaly, where the Malaya Almatinka runs.
MEDEU_DISTRICT = MultiPolygon(Polygon.from_bbox((76.9490, 43.2000, 77.1000, 43.3000)), srid=4326)


@pytest.fixture
def almaty(db):
    city = CityFactory()
    DistrictFactory()
    DistrictFactory(name="Medeu", geom=MEDEU_DISTRICT.clone())
    WaterwayFactory()
    return city


@pytest.fixture
def corridor(almaty, urbanist) -> Corridor:
    return services.create_corridor(CorridorFactory.build(), user=urbanist)


def add(corridor: Corridor, geom: LineString, user, **kwargs) -> Segment:
    return services.save_segment(SegmentFactory.build(corridor=corridor, geom=geom.clone()), user=user, **kwargs)


def order(corridor: Corridor) -> list[tuple[int, LineString]]:
    return [(segment.position, segment.geom.coords[0]) for segment in corridor.segments.order_by("position")]


def test_a_new_corridor_records_who_created_it(corridor, urbanist):
    corridor.refresh_from_db()
    assert corridor.created_by == urbanist
    assert corridor.history.get().history_user == urbanist


def test_a_corridor_is_updated_with_its_editor_in_history(corridor, urbanist, admin_user):
    corridor.name_en = "Almatinka embankment"
    services.update_corridor(corridor, user=admin_user)
    latest = corridor.history.latest()
    assert (latest.name_en, latest.history_user) == ("Almatinka embankment", admin_user)


def test_publishing_says_so_in_history(corridor, urbanist):
    corridor.is_published = False
    Corridor.objects.filter(pk=corridor.pk).update(is_published=False)
    services.set_published(corridor, True, user=urbanist)
    corridor.refresh_from_db()
    assert corridor.is_published
    assert corridor.history.latest().history_change_reason == "Published"


def test_a_saved_segment_is_measured_and_its_corridor_summed(corridor, urbanist):
    segment = add(corridor, ALMATINKA_PROMENADE, urbanist)
    segment.refresh_from_db()
    corridor.refresh_from_db()
    assert 1500 < segment.length_m < 1600
    assert segment.follows == "river"
    assert [d.name for d in segment.districts.all()] == ["Medeu"]
    assert corridor.length_m == pytest.approx(segment.length_m)
    assert [d.name for d in corridor.districts.all()] == ["Medeu"]
    assert segment.history.get().history_user == urbanist
    assert segment.created_by == urbanist


def test_an_edited_line_is_measured_again(corridor, urbanist):
    segment = add(corridor, ALMATINKA_PROMENADE, urbanist)
    segment.geom = IN_AUEZOV.clone()
    services.save_segment(segment, user=urbanist)
    segment.refresh_from_db()
    corridor.refresh_from_db()
    assert segment.follows == ""
    assert list(segment.districts.all()) == []
    assert corridor.length_m == pytest.approx(segment.length_m)
    assert segment.length_m < 1000


def test_new_segments_go_last(corridor, urbanist):
    first = add(corridor, DOWNSTREAM, urbanist)
    second = add(corridor, ALMATINKA_PROMENADE, urbanist)
    third = add(corridor, UPSTREAM, urbanist)
    assert [s.pk for s in corridor.segments.order_by("position")] == [first.pk, second.pk, third.pk]
    assert [s.position for s in corridor.segments.order_by("position")] == [0, 1, 2]


def test_a_new_segment_given_a_position_is_inserted_there(corridor, urbanist):
    first = add(corridor, DOWNSTREAM, urbanist)
    last = add(corridor, UPSTREAM, urbanist)
    middle = add(corridor, ALMATINKA_PROMENADE, urbanist, position=1)
    assert list(corridor.segments.order_by("position").values_list("pk", "position")) == [
        (first.pk, 0),
        (middle.pk, 1),
        (last.pk, 2),
    ]


def test_a_segment_moves_and_the_others_close_up(corridor, urbanist, admin_user):
    first, second, third = (add(corridor, line, urbanist) for line in (DOWNSTREAM, ALMATINKA_PROMENADE, UPSTREAM))
    services.move_segment(third, 0, user=admin_user)
    assert list(corridor.segments.order_by("position").values_list("pk", flat=True)) == [third.pk, first.pk, second.pk]
    assert [s.position for s in corridor.segments.order_by("position")] == [0, 1, 2]
    moved = third.history.latest()
    assert (moved.history_user, moved.history_change_reason) == (admin_user, "Moved to place 1")
    # The neighbours only shifted: their history has their creation alone.
    assert first.history.count() == second.history.count() == 1


def test_moving_beyond_the_end_puts_it_last(corridor, urbanist):
    first, second = add(corridor, DOWNSTREAM, urbanist), add(corridor, UPSTREAM, urbanist)
    services.move_segment(first, 99, user=urbanist)
    assert list(corridor.segments.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]


def test_a_deleted_segment_leaves_the_order_and_the_sums(corridor, urbanist, admin_user):
    first, second, third = (add(corridor, line, urbanist) for line in (DOWNSTREAM, ALMATINKA_PROMENADE, UPSTREAM))
    deleted_pk = second.pk
    services.delete_segment(second, user=admin_user)
    corridor.refresh_from_db()
    assert list(corridor.segments.order_by("position").values_list("pk", "position")) == [(first.pk, 0), (third.pk, 1)]
    first.refresh_from_db()
    third.refresh_from_db()
    assert corridor.length_m == pytest.approx(first.length_m + third.length_m)
    deleted = Segment.history.filter(id=deleted_pk).latest()
    assert (deleted.history_type, deleted.history_user, deleted.history_change_reason) == ("-", admin_user, "Deleted")


def test_the_corridor_takes_the_districts_of_all_its_segments(corridor, urbanist):
    DistrictFactory(name="Auezov", geom=AUEZOV.clone())
    add(corridor, ALMATINKA_PROMENADE, urbanist)
    add(corridor, IN_AUEZOV, urbanist)
    assert sorted(corridor.districts.values_list("name", flat=True)) == ["Auezov", "Medeu"]


def test_refreshing_the_city_measures_every_segment_again_without_history(corridor, urbanist, almaty):
    segment = add(corridor, IN_AUEZOV, urbanist)
    DistrictFactory(name="Auezov", geom=AUEZOV.clone())
    assert services.refresh_city(almaty) == 1
    segment.refresh_from_db()
    corridor.refresh_from_db()
    assert [d.name for d in segment.districts.all()] == ["Auezov"]
    assert [d.name for d in corridor.districts.all()] == ["Auezov"]
    assert segment.history.count() == 1


def test_refreshing_the_city_leaves_segments_of_other_places_alone(almaty, urbanist):
    far = SegmentFactory(geom=LineString((80.0, 50.0), (80.01, 50.0), srid=4326), length_m=123)
    assert services.refresh_city(almaty) == 0
    far.refresh_from_db()
    assert far.length_m == 123


def test_a_reloaded_pack_moves_the_segments_districts(db, tmp_path, urbanist):
    manifest = write_pack(tmp_path, collection(district(101, "North", square(76.9, 43.25))))
    load_city_pack(manifest)
    corridor = services.create_corridor(CorridorFactory.build(), user=urbanist)
    segment = add(corridor, LineString((76.905, 43.26), (76.915, 43.26), srid=4326), urbanist)
    assert [d.name for d in segment.districts.all()] == ["North"]

    write_pack(tmp_path, collection(district(101, "North", square(76.95, 43.25))))
    load_city_pack(manifest)

    assert list(segment.districts.all()) == []
    corridor.refresh_from_db()
    assert list(corridor.districts.all()) == []


def test_a_segment_moved_to_another_corridor_leaves_the_first_one_summed_again(corridor, urbanist):
    other = services.create_corridor(CorridorFactory.build(name_en="Other"), user=urbanist)
    first, second = add(corridor, DOWNSTREAM, urbanist), add(corridor, UPSTREAM, urbanist)
    first.corridor = other
    services.save_segment(first, user=urbanist)
    corridor.refresh_from_db()
    second.refresh_from_db()
    assert corridor.length_m == pytest.approx(second.length_m)
    assert second.position == 0


def test_a_corridor_sum_is_never_read_from_a_stale_instance(corridor, urbanist):
    stale = Corridor.objects.get(pk=corridor.pk)
    segment = add(corridor, ALMATINKA_PROMENADE, urbanist)
    stale.name_en = "Renamed"
    services.update_corridor(stale, user=urbanist)
    stale.refresh_from_db()
    assert stale.length_m == pytest.approx(segment.length_m)
