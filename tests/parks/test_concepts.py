"""Renovation concepts' services (parks.concepts): zones inside their park, concepts' rules, plan images, status."""

import datetime
import os
import re
from decimal import Decimal

import pytest
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from pyproj import Geod

from parks import concepts
from parks.models import ConceptStatusChange, PlanImage, RenovationConcept, Zone
from tests.factories import (
    GORKY_ALLEY,
    GORKY_FOUNTAIN,
    GORKY_PLAYGROUND,
    ParkFactory,
    ProposalFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.photo_files import arbat_jpeg, png_bytes

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
# East of the park's easternmost corner (76.9737, 43.2610): about 81 m east of it along the parallel.
EAST_OF_THE_PARK = Point(76.9747, 43.2610, srid=4326)
# The same corner, 0.4 m further east: a vertex drawn on the boundary, a little off.
JUST_OFF_THE_CORNER = Point(76.973705, 43.2610, srid=4326)
# A bow tie inside the park: its outline crosses itself.
BOW_TIE = Polygon(
    ((76.9680, 43.2610), (76.9690, 43.2617), (76.9690, 43.2610), (76.9680, 43.2617), (76.9680, 43.2610)), srid=4326
)


@pytest.fixture
def park():
    return ParkFactory()


@pytest.fixture
def other_park(park):
    """A small park west of Gorky Park, in the same city."""
    square = Polygon.from_bbox((76.9400, 43.2500, 76.9420, 43.2515))
    return ParkFactory(city=park.city, name_en="Small Square", boundary=MultiPolygon(square, srid=4326))


@pytest.fixture
def concept(park, urbanist) -> RenovationConcept:
    concept = RenovationConcept(park=park, title_en="Shaded alleys", origin="urbanist")
    return concepts.save_concept(concept, urbanist, drawn_on=datetime.date(2024, 5, 1))


def geodesic_area(polygon: Polygon) -> float:
    lons, lats = zip(*polygon.exterior_ring.coords, strict=True)
    area, _perimeter = Geod(ellps="WGS84").polygon_area_perimeter(lons, lats)
    return abs(area)


def geodesic_length(line: LineString) -> float:
    lons, lats = zip(*line.coords, strict=True)
    return Geod(ellps="WGS84").line_length(lons, lats)


def messages_of(error: ValidationError, field: str) -> list[str]:
    return [str(message) for message in error.value.message_dict[field]]


def zone(concept, geom, purpose="playground", label="A zone") -> Zone:
    return Zone(concept=concept, purpose=purpose, label=label, geom=geom.clone())


# Zones ----------------------------------------------------------------------------------------------------------


def test_a_polygon_zone_is_saved_with_its_area_in_square_metres(concept):
    saved = concepts.save_zone(zone(concept, GORKY_PLAYGROUND))
    saved.refresh_from_db()
    assert saved.area_m2 == pytest.approx(geodesic_area(GORKY_PLAYGROUND), rel=0.002)
    assert saved.length_m is None


def test_a_line_zone_is_saved_with_its_length_in_metres(concept):
    saved = concepts.save_zone(zone(concept, GORKY_ALLEY, purpose="path"))
    saved.refresh_from_db()
    assert saved.length_m == pytest.approx(geodesic_length(GORKY_ALLEY), rel=0.002)
    assert saved.area_m2 is None


def test_a_point_zone_is_saved_without_area_or_length(concept):
    saved = concepts.save_zone(zone(concept, GORKY_FOUNTAIN, purpose="water"))
    saved.refresh_from_db()
    assert (saved.area_m2, saved.length_m) == (None, None)
    assert saved.geom.equals(GORKY_FOUNTAIN)


def test_a_zone_measured_again_when_its_shape_changes(concept):
    saved = concepts.save_zone(zone(concept, GORKY_PLAYGROUND))
    saved.geom = GORKY_ALLEY.clone()
    concepts.save_zone(saved)
    saved.refresh_from_db()
    assert saved.area_m2 is None
    assert saved.length_m == pytest.approx(geodesic_length(GORKY_ALLEY), rel=0.002)


def test_it_refuses_a_zone_outside_its_park(concept):
    with pytest.raises(ValidationError) as error:
        concepts.save_zone(zone(concept, EAST_OF_THE_PARK, purpose="seating"))
    [message] = messages_of(error, "geom")
    match = re.fullmatch(
        r"The zone reaches (\d+) m outside Gorky Central Park: draw it inside the park's boundary\.", message
    )
    assert match, message
    assert 75 <= int(match.group(1)) <= 82
    assert not Zone.objects.exists()


def test_it_refuses_a_line_that_leaves_its_park(concept):
    leaving = LineString((76.9700, 43.2610), (76.9760, 43.2610), srid=4326)
    with pytest.raises(ValidationError) as error:
        concepts.save_zone(zone(concept, leaving, purpose="path"))
    assert "outside Gorky Central Park" in messages_of(error, "geom")[0]


def test_it_forgives_a_vertex_less_than_a_metre_outside_the_boundary(concept):
    saved = concepts.save_zone(zone(concept, JUST_OFF_THE_CORNER, purpose="lighting"))
    assert saved.pk is not None


def test_check_zone_geometry_answers_the_shape_in_longitude_and_latitude(park):
    metric = GORKY_FOUNTAIN.transform(32643, clone=True)
    checked = concepts.check_zone_geometry(metric, park)
    assert checked.srid == 4326
    assert checked.equals_exact(GORKY_FOUNTAIN, 1e-7)


def test_it_refuses_a_zone_of_several_polygons(concept):
    two = MultiPolygon(GORKY_PLAYGROUND.clone(), Polygon.from_bbox((76.9700, 43.2600, 76.9705, 43.2605)), srid=4326)
    with pytest.raises(ValidationError) as error:
        concepts.save_zone(zone(concept, two))
    assert messages_of(error, "geom") == [
        "A zone is one point, one line or one polygon, not several polygons: "
        "draw each part of the plan as a zone of its own."
    ]


def test_it_refuses_a_polygon_whose_outline_crosses_itself(concept):
    with pytest.raises(ValidationError) as error:
        concepts.save_zone(zone(concept, BOW_TIE))
    assert messages_of(error, "geom") == [
        "The zone's outline crosses itself near 76.96850, 43.26135: draw it without crossing itself."
    ]


def test_it_refuses_a_zone_without_a_purpose(concept):
    with pytest.raises(ValidationError) as error:
        concepts.save_zone(zone(concept, GORKY_PLAYGROUND, purpose=""))
    assert "purpose" in error.value.message_dict


def test_a_refused_change_leaves_the_zone_as_it_was(concept):
    saved = concepts.save_zone(zone(concept, GORKY_PLAYGROUND))
    area = saved.area_m2
    saved.geom = EAST_OF_THE_PARK.clone()
    with pytest.raises(ValidationError):
        concepts.save_zone(saved)
    saved.refresh_from_db()
    assert saved.geom.equals(GORKY_PLAYGROUND)
    assert saved.area_m2 == area


def test_a_zone_is_deleted(concept):
    saved = concepts.save_zone(zone(concept, GORKY_PLAYGROUND))
    concepts.delete_zone(saved)
    assert not Zone.objects.exists()


# Concepts -------------------------------------------------------------------------------------------------------


def test_a_new_concept_starts_with_one_dated_step_concept(park, urbanist):
    concept = concepts.save_concept(RenovationConcept(park=park, title_ru="Тенистые аллеи"), urbanist)
    concept.refresh_from_db()
    assert concept.status == "concept"
    assert concept.created_by == urbanist
    step = ConceptStatusChange.objects.get(concept=concept)
    assert (step.status, step.date, step.changed_by) == ("concept", TODAY(), urbanist)


def test_a_new_concept_may_be_dated_the_day_it_was_drawn(concept):
    assert concept.status_changes.get().date == datetime.date(2024, 5, 1)


def test_it_refuses_a_concept_on_a_park_that_does_not_exist(park, urbanist):
    with pytest.raises(ValidationError) as error:
        concepts.save_concept(RenovationConcept(park_id=park.pk + 1000, title_en="Nowhere"), urbanist)
    assert messages_of(error, "park") == ["There is no such park: choose the park the concept is for."]
    assert not RenovationConcept.objects.exists()


def test_it_refuses_a_concept_without_a_title_in_any_language(park, urbanist):
    with pytest.raises(ValidationError) as error:
        concepts.save_concept(RenovationConcept(park=park, title_kk=" ", team="Team Alatau"), urbanist)
    assert messages_of(error, "title_en") == ["Give the concept a title in at least one language."]
    assert not RenovationConcept.objects.exists()
    assert not ConceptStatusChange.objects.exists()


def test_it_refuses_a_workshop_concept_without_its_workshop(park, urbanist):
    with pytest.raises(ValidationError) as error:
        concepts.save_concept(RenovationConcept(park=park, title_en="Pond", origin="workshop"), urbanist)
    assert messages_of(error, "workshop") == ["The concept came from a workshop: choose which one."]


def test_a_workshop_concept_names_its_workshop(park, urbanist):
    workshop = WorkshopFactory()
    concept = RenovationConcept(park=park, title_en="Pond", origin="workshop", workshop=workshop)
    concepts.save_concept(concept, urbanist, drawn_on=workshop.ends_on)
    concept.refresh_from_db()
    assert concept.workshop == workshop


def test_it_refuses_a_workshop_concept_dated_before_the_workshop_began(park, urbanist):
    workshop = WorkshopFactory()
    concept = RenovationConcept(park=park, title_en="Pond", origin="workshop", workshop=workshop)
    with pytest.raises(ValidationError) as error:
        concepts.save_concept(concept, urbanist, drawn_on=datetime.date(2023, 5, 1))
    assert messages_of(error, "date") == [
        "The concept came from a workshop that began on May 12, 2023: it cannot be dated before that."
    ]


def test_it_refuses_a_proposal_concept_without_its_proposal(park, urbanist):
    with pytest.raises(ValidationError) as error:
        concepts.save_concept(RenovationConcept(park=park, title_en="Benches", origin="proposal"), urbanist)
    assert messages_of(error, "proposal") == ["The concept came from a resident's proposal: choose which one."]


def test_it_refuses_a_proposal_that_is_not_published(park, urbanist):
    pending = ProposalFactory(visibility="pending")
    concept = RenovationConcept(park=park, title_en="Benches", origin="proposal", proposal=pending)
    with pytest.raises(ValidationError) as error:
        concepts.save_concept(concept, urbanist)
    assert messages_of(error, "proposal") == [
        "Only a published proposal can be named as where a concept came from: this one is not published."
    ]


def test_a_concept_may_come_from_a_published_proposal(park, urbanist):
    proposal = ProposalFactory()
    concept = concepts.save_concept(
        RenovationConcept(park=park, title_en="Benches", origin="proposal", proposal=proposal), urbanist
    )
    concept.refresh_from_db()
    assert concept.proposal == proposal


def test_it_refuses_a_negative_cost_estimate(park, urbanist):
    with pytest.raises(ValidationError) as error:
        concepts.save_concept(RenovationConcept(park=park, title_en="Pond", cost_estimate=Decimal(-5)), urbanist)
    assert messages_of(error, "cost_estimate") == ["A cost estimate cannot be negative."]


def test_it_refuses_an_absurd_cost_estimate(park, urbanist):
    absurd = Decimal("50000000000000")
    with pytest.raises(ValidationError) as error:
        concepts.save_concept(RenovationConcept(park=park, title_en="Pond", cost_estimate=absurd), urbanist)
    assert messages_of(error, "cost_estimate") == [
        "A cost estimate above 1,000,000,000,000 KZT cannot be right: check the number of zeros."
    ]


def test_a_cost_estimate_is_kept_in_whole_units(park, urbanist):
    concept = concepts.save_concept(
        RenovationConcept(park=park, title_en="Pond", cost_estimate=Decimal(450_000_000)), urbanist
    )
    concept.refresh_from_db()
    assert concept.cost_estimate == Decimal(450_000_000)


def test_it_refuses_a_concept_dated_in_the_future(park, urbanist):
    tomorrow = TODAY() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        concepts.save_concept(RenovationConcept(park=park, title_en="Pond"), urbanist, drawn_on=tomorrow)
    assert messages_of(error, "date") == ["The date cannot be in the future: a step is recorded once it has happened."]
    assert not RenovationConcept.objects.exists()


def test_it_names_every_problem_of_a_concept_at_once(park, urbanist):
    concept = RenovationConcept(park=park, origin="workshop", cost_estimate=Decimal(-1))
    with pytest.raises(ValidationError) as error:
        concepts.save_concept(concept, urbanist)
    assert set(error.value.message_dict) == {"title_en", "workshop", "cost_estimate"}


def test_authors_with_an_account_are_linked(park, urbanist):
    author = UserFactory(email="aigerim@example.org")
    concept = concepts.save_concept(RenovationConcept(park=park, title_en="Pond"), urbanist, authors=[author])
    assert list(concept.authors.all()) == [author]


def test_saving_a_concept_never_writes_back_an_old_status(concept, urbanist):
    stale = RenovationConcept.objects.get(pk=concept.pk)
    concepts.change_concept_status(concept, "shortlisted", datetime.date(2024, 6, 1), user=urbanist)
    stale.title_en = "Shaded alleys and a pond"
    concepts.save_concept(stale, urbanist)
    concept.refresh_from_db()
    assert (concept.title_en, concept.status) == ("Shaded alleys and a pond", "shortlisted")


def test_an_edit_records_who_made_it_in_the_history(concept, urbanist):
    concept.team = "Team Medeu"
    concepts.save_concept(concept, urbanist)
    assert concept.history.first().history_user == urbanist


def test_it_refuses_to_move_a_concept_to_a_park_its_zones_lie_outside(concept, other_park, urbanist):
    concepts.save_zone(zone(concept, GORKY_PLAYGROUND, label="Playground by the pond"))
    concept.park = other_park
    with pytest.raises(ValidationError) as error:
        concepts.save_concept(concept, urbanist)
    assert messages_of(error, "park") == [
        "The zone “Playground by the pond” lies outside Small Square: the concept cannot move to that park."
    ]
    concept.refresh_from_db()
    assert concept.park.name == "Gorky Central Park"


# Status ---------------------------------------------------------------------------------------------------------


def test_a_concept_moves_one_step_forward_on_a_date(concept, urbanist):
    step = concepts.change_concept_status(concept, "shortlisted", datetime.date(2024, 6, 1), "Jury's choice", urbanist)
    concept.refresh_from_db()
    assert concept.status == "shortlisted"
    step.refresh_from_db()
    assert (step.status, step.date, step.note, step.changed_by) == (
        "shortlisted",
        datetime.date(2024, 6, 1),
        "Jury's choice",
        urbanist,
    )


def test_a_concept_goes_all_the_way_to_completed(concept, urbanist):
    for index, status in enumerate(("shortlisted", "in_design", "in_repair", "completed")):
        concepts.change_concept_status(concept, status, datetime.date(2024, 6, 1 + index), user=urbanist)
    concept.refresh_from_db()
    assert concept.status == "completed"
    assert list(concept.status_changes.values_list("status", flat=True)) == [
        "concept",
        "shortlisted",
        "in_design",
        "in_repair",
        "completed",
    ]


def test_it_refuses_to_skip_a_step_and_lists_the_allowed_ones(concept, urbanist):
    with pytest.raises(ValidationError) as error:
        concepts.change_concept_status(concept, "in_design", datetime.date(2024, 6, 1), user=urbanist)
    assert messages_of(error, "status") == [
        "A concept that is “concept” cannot move to “in design”; it may move to “shortlisted” or “set aside”."
    ]
    concept.refresh_from_db()
    assert concept.status == "concept"
    assert concept.status_changes.count() == 1


def test_it_refuses_to_go_back_a_step(concept, urbanist):
    concepts.change_concept_status(concept, "shortlisted", datetime.date(2024, 6, 1), user=urbanist)
    with pytest.raises(ValidationError) as error:
        concepts.change_concept_status(concept, "concept", datetime.date(2024, 6, 2), user=urbanist)
    assert "it may move to “in design” or “set aside”" in messages_of(error, "status")[0]


def test_a_completed_concept_is_final(concept, urbanist):
    concept.status = "completed"
    concept.save()
    with pytest.raises(ValidationError) as error:
        concepts.change_concept_status(concept, "set_aside", datetime.date(2024, 6, 1), "Too late", urbanist)
    assert messages_of(error, "status") == [
        "A concept that is “completed” cannot move to “set aside”: its status is final."
    ]


def test_it_refuses_a_status_date_in_the_future(concept, urbanist):
    tomorrow = TODAY() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        concepts.change_concept_status(concept, "shortlisted", tomorrow, user=urbanist)
    assert messages_of(error, "date") == ["The date cannot be in the future: a step is recorded once it has happened."]
    concept.refresh_from_db()
    assert concept.status == "concept"


def test_it_refuses_a_date_before_the_previous_step(concept, urbanist):
    with pytest.raises(ValidationError) as error:
        concepts.change_concept_status(concept, "shortlisted", datetime.date(2024, 4, 30), user=urbanist)
    assert messages_of(error, "date") == ["The date is before the concept's previous step (“concept” on May 1, 2024)."]
    assert concept.status_changes.count() == 1


def test_a_step_may_share_the_previous_steps_day(concept, urbanist):
    concepts.change_concept_status(concept, "shortlisted", datetime.date(2024, 5, 1), user=urbanist)
    concept.refresh_from_db()
    assert concept.status == "shortlisted"


def test_it_refuses_to_set_a_concept_aside_without_a_reason(concept, urbanist):
    with pytest.raises(ValidationError) as error:
        concepts.change_concept_status(concept, "set_aside", datetime.date(2024, 6, 1), "   ", urbanist)
    assert messages_of(error, "note") == ["Say why the concept is set aside."]
    concept.refresh_from_db()
    assert concept.status == "concept"


def test_a_concept_set_aside_keeps_its_reason(concept, urbanist):
    concepts.change_concept_status(concept, "set_aside", datetime.date(2024, 6, 1), "No budget this year", urbanist)
    concept.refresh_from_db()
    assert (concept.status, concept.set_aside_reason) == ("set_aside", "No budget this year")
    assert concept.status_changes.last().note == "No budget this year"


def test_a_concept_set_aside_is_taken_up_again_where_it_was(concept, urbanist):
    concepts.change_concept_status(concept, "shortlisted", datetime.date(2024, 6, 1), user=urbanist)
    concepts.change_concept_status(concept, "in_design", datetime.date(2024, 7, 1), user=urbanist)
    concepts.change_concept_status(concept, "set_aside", datetime.date(2024, 8, 1), "Budget frozen", urbanist)
    assert concepts.allowed_statuses(concept) == ("in_design",)
    with pytest.raises(ValidationError) as error:
        concepts.change_concept_status(concept, "shortlisted", datetime.date(2024, 9, 1), user=urbanist)
    assert "it may move to “in design”." in messages_of(error, "status")[0]
    concepts.change_concept_status(concept, "in_design", datetime.date(2025, 3, 1), "Budget found", urbanist)
    concept.refresh_from_db()
    assert (concept.status, concept.set_aside_reason) == ("in_design", "")


def test_next_statuses_go_forward_one_step_or_aside():
    assert concepts.NEXT_STATUSES["concept"] == ("shortlisted", "set_aside")
    assert concepts.NEXT_STATUSES["in_repair"] == ("completed", "set_aside")
    assert concepts.NEXT_STATUSES["completed"] == ()


# Plan images ----------------------------------------------------------------------------------------------------


def upload(content: bytes, name: str = "plan.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def test_a_plan_image_is_stored_re_encoded_without_the_cameras_data(concept, urbanist):
    plan = concepts.add_plan_image(concept, upload(arbat_jpeg()), "Master plan", urbanist)
    plan.refresh_from_db()
    assert (plan.caption, plan.uploaded_by, plan.width, plan.height) == ("Master plan", urbanist, 640, 480)
    assert not plan.image.name.endswith("plan.jpg")
    with Image.open(plan.image.path) as stored:
        assert not stored.getexif()
    with Image.open(plan.thumbnail.path) as thumbnail:
        assert max(thumbnail.size) <= 480


def test_a_png_plan_stays_a_png(concept, urbanist):
    plan = concepts.add_plan_image(concept, upload(png_bytes(), "plan.png"), "", urbanist)
    assert plan.image.name.endswith(".png")


def test_it_refuses_a_plan_image_that_is_not_a_picture(concept, urbanist, media_root):
    with pytest.raises(ValidationError) as error:
        concepts.add_plan_image(concept, upload(b"%PDF-1.4 not a picture"), "Plan", urbanist)
    assert error.value.messages == ["The file is not a JPEG, PNG or WebP image."]
    assert not PlanImage.objects.exists()
    assert not any(path.is_file() for path in media_root.rglob("*"))


def test_deleting_a_plan_image_removes_its_files(concept, urbanist, django_capture_on_commit_callbacks):
    plan = concepts.add_plan_image(concept, upload(arbat_jpeg()), "Plan", urbanist)
    paths = [plan.image.path, plan.thumbnail.path]
    with django_capture_on_commit_callbacks(execute=True):
        concepts.delete_plan_image(plan)
    assert not PlanImage.objects.exists()
    assert not any(os.path.exists(path) for path in paths)
