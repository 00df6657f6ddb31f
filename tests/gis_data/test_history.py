"""What changed between two versions of a record, as every editor's history page tells it (gis_data.history)."""

import pytest
from django.contrib.gis.geos import LineString, MultiPoint, MultiPolygon, Point, Polygon

from gis_data.history import describe_changes, geometry_summary
from parks.models import Park
from tests.factories import GORKY_GATE, GORKY_PARK, CityFactory, DistrictFactory, ParkFactory

pytestmark = pytest.mark.django_db

FIELDS = ("name_en", "state", "boundary", "entrances", "district")
UTM_43N = 32643
# Gorky Park without its northern tip.
GORKY_SOUTH = MultiPolygon(
    Polygon(((76.9655, 43.2596), (76.9663, 43.2567), (76.9718, 43.2568), (76.9737, 43.2610), (76.9655, 43.2596))),
    srid=4326,
)


@pytest.fixture
def park(db) -> Park:
    return ParkFactory()


def versions(park: Park, **changes):
    """The park's last version and a new one with ``changes`` saved."""
    old = park.history.latest()
    for name, value in changes.items():
        setattr(park, name, value)
    park.save()
    return park.history.latest(), old


def test_nothing_changed_is_an_empty_list(park):
    new, old = versions(park)
    assert describe_changes(Park, FIELDS, new, old) == []


def test_a_changed_text_is_told_with_its_label_and_its_old_and_new_value(park):
    new, old = versions(park, name_en="Gorky Park")
    [change] = describe_changes(Park, FIELDS, new, old)
    assert (change.label, change.old, change.new, change.is_geometry) == (
        "Name (English)",
        "Gorky Central Park",
        "Gorky Park",
        False,
    )


def test_a_choice_is_told_by_its_label(park):
    new, old = versions(park, state="closed")
    [change] = describe_changes(Park, FIELDS, new, old)
    assert (change.old, change.new) == ("open", "closed (for repair or otherwise)")


def test_a_changed_area_is_told_in_square_metres_and_vertices(park):
    new, old = versions(park, boundary=GORKY_SOUTH.clone())
    [change] = describe_changes(Park, FIELDS, new, old, metric_srid=UTM_43N)
    assert change.is_geometry
    assert change.label == "Boundary"
    old_area = int(change.old.split(" m²")[0].replace(",", ""))
    new_area = int(change.new.split(" m²")[0].replace(",", ""))
    assert 550_000 < old_area < 650_000
    assert new_area < old_area
    assert change.old.endswith("8 vertices") and change.new.endswith("5 vertices")


def test_a_geometry_saved_again_unchanged_is_not_a_change(park):
    new, old = versions(park, boundary=GORKY_PARK.clone(), name_en="Gorky Park")
    assert [change.label for change in describe_changes(Park, FIELDS, new, old)] == ["Name (English)"]


def test_points_are_counted(park):
    new, old = versions(park, entrances=MultiPoint(GORKY_GATE.clone(), Point(76.9737, 43.2610), srid=4326))
    [change] = describe_changes(Park, FIELDS, new, old)
    assert (change.old, change.new) == ("—", "2 points")


def test_a_related_record_is_told_by_its_name(park):
    CityFactory()
    district = DistrictFactory(name_en="Medeu District")
    new, old = versions(park, district=district)
    [change] = describe_changes(Park, FIELDS, new, old)
    assert (change.label, change.old, change.new) == ("District", "—", "Medeu District")


def test_a_field_may_be_shown_and_labelled_otherwise(park):
    new, old = versions(park, boundary=GORKY_SOUTH.clone())
    [change] = describe_changes(
        Park,
        FIELDS,
        new,
        old,
        shown={"boundary": lambda record: f"{len(record.boundary)} part"},
        labels={"boundary": "Outline"},
    )
    assert (change.label, change.old, change.new, change.is_geometry) == ("Outline", "1 part", "1 part", True)


def test_the_changes_come_in_the_order_of_the_fields(park):
    new, old = versions(park, name_en="Gorky Park", state="closed")
    labels = [change.label for change in describe_changes(Park, ("state", "name_en"), new, old)]
    assert labels == ["State", "Name (English)"]


def test_a_line_is_told_by_its_length_in_metres():
    line = LineString((76.9410, 43.2606), (76.9479, 43.2614), srid=4326)
    summary = geometry_summary(line, UTM_43N)
    assert summary.endswith(" m, 2 vertices")
    assert 540 < int(summary.split(" m")[0]) < 580


def test_without_a_metric_reference_a_size_is_not_given_in_degrees():
    assert geometry_summary(GORKY_PARK, None) == "8 vertices"
