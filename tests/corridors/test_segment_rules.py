"""Segments that are not lines, cross themselves, are shorter than 1 m or leave the city are refused, saying why."""

import pytest
from django.contrib.gis.geos import LineString, MultiLineString, Point, Polygon
from django.core.exceptions import ValidationError

from corridors import services
from corridors.models import Corridor, Segment, check_segment_line
from tests.factories import ALMATINKA_PROMENADE, CityFactory, CorridorFactory, SegmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def almaty(db):
    return CityFactory()


@pytest.fixture
def corridor():
    return CorridorFactory()


def refused(segment: Segment, user) -> dict[str, list[str]]:
    """Save ``segment`` through the service, expect a refusal, and check that nothing at all was written."""
    segments_before, history_before = Segment.objects.count(), Segment.history.count()
    with pytest.raises(ValidationError) as caught:
        services.save_segment(segment, user=user)
    assert Segment.objects.count() == segments_before
    assert Segment.history.count() == history_before
    return caught.value.message_dict


def new_segment(corridor: Corridor, geom, **fields) -> Segment:
    return SegmentFactory.build(corridor=corridor, geom=geom, **fields)


def refused_line(geom, city) -> list[str]:
    """What ``check_segment_line`` (Segment.clean's check, and the editor form's) says of ``geom``."""
    with pytest.raises(ValidationError) as caught:
        check_segment_line(geom, city)
    return caught.value.messages


# Something that is not a line never reaches a segment: GeoDjango refuses it on a line field with a TypeError,
# so the editor's form checks the drawing with check_segment_line first and shows these messages.


def test_a_point_is_refused_naming_what_was_given_and_what_is_needed(almaty):
    assert refused_line(Point(76.95, 43.25, srid=4326), almaty) == [
        "A segment must be a single line, not a point: draw it as one line from start to end."
    ]


def test_a_polygon_is_refused_as_an_area(almaty):
    square = Polygon.from_bbox((76.95, 43.25, 76.96, 43.26))
    square.srid = 4326
    assert refused_line(square, almaty) == [
        "A segment must be a single line, not a polygon (an area): draw it as one line from start to end."
    ]


def test_several_lines_are_refused_as_one_segment(almaty):
    lines = MultiLineString(
        LineString((76.95, 43.25), (76.96, 43.25)), LineString((76.97, 43.25), (76.98, 43.25)), srid=4326
    )
    assert refused_line(lines, almaty) == [
        "A segment must be a single line, not several lines: draw it as one line from start to end."
    ]


def test_a_segment_cannot_even_hold_a_point_so_none_is_saved(corridor):
    segment = new_segment(corridor, ALMATINKA_PROMENADE.clone())
    with pytest.raises(TypeError):
        segment.geom = Point(76.95, 43.25, srid=4326)
    assert not Segment.objects.exists()


def test_a_line_crossing_itself_is_refused_with_the_place_it_crosses(corridor, urbanist):
    figure_of_eight = LineString((76.95, 43.25), (76.96, 43.26), (76.96, 43.25), (76.95, 43.26), srid=4326)
    errors = refused(new_segment(corridor, figure_of_eight), urbanist)
    assert errors["geom"] == [
        "The line crosses itself near 76.95500, 43.25500: draw it without loops, or as two segments."
    ]


def test_a_line_shorter_than_a_metre_is_refused_with_its_length(corridor, urbanist):
    # 0.000005° of longitude at 43.25° N is about 0.40 m.
    errors = refused(new_segment(corridor, LineString((76.95, 43.25), (76.950005, 43.25), srid=4326)), urbanist)
    assert errors["geom"] == ["The line is 0.40 m long: a segment must be at least 1 m long."]


def test_a_line_whose_points_are_all_one_is_refused_as_too_short(corridor, urbanist):
    errors = refused(new_segment(corridor, LineString((76.95, 43.25), (76.95, 43.25), srid=4326)), urbanist)
    assert errors["geom"] == ["The line is 0.00 m long: a segment must be at least 1 m long."]


def test_the_same_rules_hold_for_a_line_checked_by_a_form(almaty):
    assert refused_line(LineString((76.95, 43.25), (74.59, 42.87), srid=4326), almaty) == [
        "The line leaves the city: every point of a segment must lie inside Almaty's extent."
    ]


def test_a_line_leaving_the_city_is_refused(corridor, urbanist):
    to_bishkek = LineString((76.95, 43.25), (74.59, 42.87), srid=4326)
    errors = refused(new_segment(corridor, to_bishkek), urbanist)
    assert errors["geom"] == ["The line leaves the city: every point of a segment must lie inside Almaty's extent."]


def test_a_line_inside_the_box_of_an_l_shaped_city_but_outside_the_city_is_refused(almaty, corridor, urbanist):
    almaty.extent = Polygon(
        ((76.5, 42.9), (77.35, 42.9), (77.35, 43.2), (76.9, 43.2), (76.9, 43.6), (76.5, 43.6), (76.5, 42.9)), srid=4326
    )
    almaty.save()
    in_the_notch = LineString((77.0, 43.3), (77.1, 43.3), srid=4326)
    errors = refused(new_segment(corridor, in_the_notch), urbanist)
    assert errors["geom"] == ["The line leaves the city: every point of a segment must lie inside Almaty's extent."]


def test_a_landscape_set_by_hand_without_a_reason_is_refused(corridor, urbanist):
    errors = refused(new_segment(corridor, ALMATINKA_PROMENADE.clone(), landscape_override="natural"), urbanist)
    assert errors["landscape_reason"] == [
        "Say why the landscape type is set by hand: the reason is kept with the segment."
    ]


def test_a_reason_of_spaces_is_no_reason(corridor, urbanist):
    segment = new_segment(corridor, ALMATINKA_PROMENADE.clone(), landscape_override="natural", landscape_reason="  ")
    assert "landscape_reason" in refused(segment, urbanist)


def test_an_edit_that_breaks_a_rule_leaves_the_saved_segment_as_it_was(corridor, urbanist):
    segment = services.save_segment(new_segment(corridor, ALMATINKA_PROMENADE.clone()), user=urbanist)
    length = segment.length_m
    segment.geom = LineString((76.95, 43.25), (76.96, 43.26), (76.96, 43.25), (76.95, 43.26), srid=4326)
    refused(segment, urbanist)
    segment.refresh_from_db()
    assert segment.geom.equals_exact(ALMATINKA_PROMENADE, 1e-9)
    assert segment.length_m == length


def test_a_line_that_comes_back_to_its_start_is_a_loop_and_accepted(corridor, urbanist):
    around_the_lake = LineString((76.95, 43.25), (76.96, 43.25), (76.96, 43.26), (76.95, 43.25), srid=4326)
    segment = services.save_segment(new_segment(corridor, around_the_lake), user=urbanist)
    assert segment.pk is not None


def test_a_line_drawn_in_utm_is_kept_in_longitude_and_latitude(corridor, urbanist):
    segment = services.save_segment(
        new_segment(corridor, ALMATINKA_PROMENADE.transform(32643, clone=True)), user=urbanist
    )
    segment.refresh_from_db()
    assert segment.geom.srid == 4326
    assert segment.geom.equals_exact(ALMATINKA_PROMENADE, 1e-7)


def test_a_corridor_needs_a_name_in_one_language(urbanist):
    corridor = CorridorFactory.build(name_kk="", name_ru="", name_en="")
    with pytest.raises(ValidationError) as caught:
        services.create_corridor(corridor, user=urbanist)
    assert caught.value.message_dict["name_en"] == ["Give the corridor a name in at least one language."]
    assert not Corridor.objects.exists()
    assert not Corridor.history.exists()


def test_a_corridor_named_in_kazakh_only_is_accepted(urbanist):
    corridor = services.create_corridor(CorridorFactory.build(name_ru="", name_en=""), user=urbanist)
    assert corridor.pk is not None
