"""Restoring corridors and segments from their history: fields come back, figures are measured again."""

import pytest
from django.contrib.gis.geos import LineString, Polygon
from django.core.exceptions import ValidationError

from corridors import services
from corridors.models import Corridor, Segment
from tests.factories import ALMATINKA_PROMENADE, CityFactory, CorridorFactory, SegmentFactory, WaterwayFactory

pytestmark = pytest.mark.django_db

# The promenade redrawn through the blocks west of the river: no longer along it.
REDRAWN = LineString((76.9598, 43.2517), (76.9500, 43.2585), (76.9676, 43.2646), srid=4326)
UPSTREAM = LineString((76.9676, 43.2646), (76.9668, 43.2720), srid=4326)
DOWNSTREAM = LineString((76.9560, 43.2450), (76.9598, 43.2517), srid=4326)


@pytest.fixture
def almaty(db):
    return CityFactory()


@pytest.fixture
def corridor(almaty, urbanist) -> Corridor:
    return services.create_corridor(CorridorFactory.build(), user=urbanist)


def add(corridor: Corridor, geom: LineString, user, **fields) -> Segment:
    return services.save_segment(SegmentFactory.build(corridor=corridor, geom=geom.clone(), **fields), user=user)


def first_version(segment: Segment):
    return segment.history.earliest()


def test_restoring_a_segment_brings_back_its_line_and_what_was_set_by_hand(corridor, urbanist, admin_user):
    segment = add(corridor, ALMATINKA_PROMENADE, urbanist, surface="gravel")
    original = first_version(segment)
    segment.geom, segment.surface = REDRAWN.clone(), "asphalt"
    services.save_segment(segment, user=urbanist)

    restored = services.restore_segment(corridor, original.history_id, user=admin_user)

    restored.refresh_from_db()
    assert restored.geom.equals_exact(ALMATINKA_PROMENADE, 1e-9)
    assert restored.surface == "gravel"
    latest = restored.history.latest()
    assert latest.history_user == admin_user
    assert latest.history_change_reason.startswith("Restored version of ")


def test_the_figures_of_a_restored_segment_are_measured_again_not_copied(corridor, urbanist):
    segment = add(corridor, ALMATINKA_PROMENADE, urbanist)
    original = first_version(segment)
    assert original.follows == ""
    segment.geom = REDRAWN.clone()
    services.save_segment(segment, user=urbanist)
    # The river arrives in a later pack: the restored line follows it now, whatever its old record said.
    WaterwayFactory()

    restored = services.restore_segment(corridor, original.history_id, user=urbanist)

    restored.refresh_from_db()
    assert restored.follows == "river"
    assert restored.length_m == pytest.approx(original.length_m)
    corridor.refresh_from_db()
    assert corridor.length_m == pytest.approx(restored.length_m)


def test_a_deleted_segment_comes_back_where_it_was(corridor, urbanist, admin_user):
    first, middle, last = (add(corridor, line, urbanist) for line in (DOWNSTREAM, ALMATINKA_PROMENADE, UPSTREAM))
    middle_pk = middle.pk
    services.delete_segment(middle, user=urbanist)
    deletion = Segment.history.filter(id=middle_pk, history_type="-").get()

    restored = services.restore_segment(corridor, deletion.history_id, user=admin_user)

    assert restored.pk == middle_pk
    assert list(corridor.segments.order_by("position").values_list("pk", "position")) == [
        (first.pk, 0),
        (middle_pk, 1),
        (last.pk, 2),
    ]
    restored.refresh_from_db()
    assert restored.created_by == urbanist
    assert restored.created_at == deletion.created_at
    assert restored.length_m > 1500
    corridor.refresh_from_db()
    assert corridor.length_m == pytest.approx(sum(s.length_m for s in corridor.segments.all()))
    assert restored.history.latest().history_user == admin_user


def test_a_deleted_segment_can_come_back_from_an_earlier_version(corridor, urbanist):
    segment = add(corridor, ALMATINKA_PROMENADE, urbanist, name="first draft")
    original = first_version(segment)
    segment.name = "second draft"
    services.save_segment(segment, user=urbanist)
    services.delete_segment(segment, user=urbanist)

    restored = services.restore_segment(corridor, original.history_id, user=urbanist)

    assert Segment.objects.get(pk=restored.pk).name == "first draft"


def test_a_version_of_another_corridors_segment_cannot_be_restored_here(corridor, urbanist):
    other = services.create_corridor(CorridorFactory.build(name_en="Other"), user=urbanist)
    segment = add(other, ALMATINKA_PROMENADE, urbanist)
    with pytest.raises(Segment.history.model.DoesNotExist):
        services.restore_segment(corridor, first_version(segment).history_id, user=urbanist)


def test_a_version_outside_todays_city_is_refused_and_nothing_changes(corridor, urbanist, almaty):
    segment = add(corridor, ALMATINKA_PROMENADE, urbanist)
    original = first_version(segment)
    segment.geom = REDRAWN.clone()
    services.save_segment(segment, user=urbanist)
    # A new pack draws the city smaller: the old line now leaves it.
    almaty.extent = Polygon.from_bbox((76.95, 43.25, 76.97, 43.2600))
    almaty.extent.srid = 4326
    almaty.save()
    versions = segment.history.count()

    with pytest.raises(ValidationError) as caught:
        services.restore_segment(corridor, original.history_id, user=urbanist)

    assert "The line leaves the city" in caught.value.messages[0]
    segment.refresh_from_db()
    assert segment.geom.equals_exact(REDRAWN, 1e-9)
    assert segment.history.count() == versions


def test_restoring_a_corridor_brings_back_its_names_and_keeps_todays_sums(corridor, urbanist, admin_user):
    add(corridor, ALMATINKA_PROMENADE, urbanist)
    original = corridor.history.earliest()
    corridor.refresh_from_db()
    corridor.name_en, corridor.status = "Renamed", "existing"
    services.update_corridor(corridor, user=urbanist)
    length = corridor.length_m

    services.restore_corridor(corridor, original.history_id, user=admin_user)

    corridor.refresh_from_db()
    assert (corridor.name_en, corridor.status) == ("Malaya Almatinka promenade", "planned")
    assert corridor.length_m == pytest.approx(length)
    assert original.length_m == 0
    latest = corridor.history.latest()
    assert latest.history_user == admin_user
    assert latest.history_change_reason.startswith("Restored version of ")


def test_a_version_of_another_corridor_cannot_be_restored(corridor, urbanist):
    other = services.create_corridor(CorridorFactory.build(name_en="Other"), user=urbanist)
    with pytest.raises(Corridor.history.model.DoesNotExist):
        services.restore_corridor(corridor, other.history.get().history_id, user=urbanist)
