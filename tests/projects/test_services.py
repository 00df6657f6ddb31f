"""Creating projects, moving their status on, publishing, restoring a version, deriving again after a reload."""

import datetime

import pytest
from django.contrib.gis.geos import LineString, Polygon
from django.core.exceptions import ValidationError
from django.utils import timezone

from projects.models import Project, StatusChange
from projects.services import change_status, create_project, refresh_derived, restore_version, set_published
from tests.factories import ALMALY, AUEZOV, CategoryFactory, CityFactory, DistrictFactory, ProjectFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today
# Along latitude 43.245, from Auezov into Almaly, and a stretch inside Almaly only.
CROSSING = LineString((76.8500, 43.2450), (76.8900, 43.2450), srid=4326)
IN_ALMALY = LineString((76.9000, 43.2450), (76.9300, 43.2460), srid=4326)


@pytest.fixture
def city():
    return CityFactory()


@pytest.fixture
def project(city):
    """A project in construction since 1 March 2024, with its timeline."""
    project = ProjectFactory(status="construction", actual_start=datetime.date(2024, 3, 1))
    StatusChange.objects.create(project=project, status="planned", date=datetime.date(2023, 9, 1))
    StatusChange.objects.create(project=project, status="construction", date=datetime.date(2024, 3, 1))
    return project


def test_create_project_saves_it_with_its_author_and_a_first_step_dated_today(city, urbanist):
    project = ProjectFactory.build(category=CategoryFactory(), status="planned")

    create_project(project, user=urbanist)

    project.refresh_from_db()
    assert project.created_by == urbanist
    assert project.length_m == pytest.approx(560, rel=0.05)
    step = project.status_changes.get()
    assert (step.status, step.date, step.changed_by) == ("planned", timezone.localdate(), urbanist)
    assert project.history.get().history_user == urbanist


def test_create_project_refuses_a_sidewalk_drawn_as_a_line_and_saves_nothing(city, urbanist):
    project = ProjectFactory.build(category=CategoryFactory(slug="sidewalk", name_en="Sidewalk"))

    with pytest.raises(ValidationError) as caught:
        create_project(project, user=urbanist)

    assert "draw it as a polygon" in caught.value.message_dict["geom"][0]
    assert Project.objects.count() == 0 and StatusChange.objects.count() == 0


def test_a_status_change_is_recorded_with_its_date_note_and_author(project, urbanist):
    step = change_status(project, "suspended", date=datetime.date(2024, 6, 1), note="Funding delayed", user=urbanist)

    project.refresh_from_db()
    assert project.status == "suspended"
    assert (step.status, step.date, step.note, step.changed_by) == (
        "suspended",
        datetime.date(2024, 6, 1),
        "Funding delayed",
        urbanist,
    )
    latest = project.history.first()
    assert latest.history_user == urbanist
    assert latest.history_change_reason == "Status: Suspended"


def test_a_move_not_in_the_transitions_is_refused_naming_both_statuses(city, urbanist):
    project = ProjectFactory(status="planned")

    with pytest.raises(ValidationError) as caught:
        change_status(project, "completed", date=TODAY(), user=urbanist)

    assert caught.value.messages == ["A project cannot move from “Planned” to “Completed”."]
    project.refresh_from_db()
    assert project.status == "planned" and project.status_changes.count() == 0


def test_a_completed_project_cannot_move_on(city, urbanist):
    project = ProjectFactory(status="completed")

    with pytest.raises(ValidationError) as caught:
        change_status(project, "construction", date=TODAY(), user=urbanist)

    assert caught.value.messages == ["A project cannot move from “Completed” to “Construction”."]


def test_a_status_change_dated_in_the_future_is_refused(project, urbanist):
    with pytest.raises(ValidationError) as caught:
        change_status(project, "completed", date=TODAY() + datetime.timedelta(days=1), user=urbanist)

    assert caught.value.messages == ["The date of a status change cannot be in the future."]
    project.refresh_from_db()
    assert project.status == "construction" and project.actual_end is None


def test_a_status_change_dated_before_the_last_one_is_refused(project, urbanist):
    with pytest.raises(ValidationError) as caught:
        change_status(project, "suspended", date=datetime.date(2024, 2, 1), user=urbanist)

    assert caught.value.messages == ["The date is before the last change of status (Construction on March 1, 2024)."]
    assert project.status_changes.count() == 2


def test_construction_fills_the_actual_start(city, urbanist):
    project = ProjectFactory(status="design")

    change_status(project, "construction", date=datetime.date(2025, 4, 15), user=urbanist)

    project.refresh_from_db()
    assert project.actual_start == datetime.date(2025, 4, 15)


def test_construction_keeps_an_actual_start_already_given(city, urbanist):
    project = ProjectFactory(status="design", actual_start=datetime.date(2025, 4, 1))

    change_status(project, "construction", date=datetime.date(2025, 4, 15), user=urbanist)

    project.refresh_from_db()
    assert project.actual_start == datetime.date(2025, 4, 1)


def test_completion_fills_the_actual_end(project, urbanist):
    change_status(project, "completed", date=datetime.date(2024, 10, 30), user=urbanist)

    project.refresh_from_db()
    assert (project.status, project.actual_end) == ("completed", datetime.date(2024, 10, 30))


def test_completion_before_the_actual_start_is_refused(city, urbanist):
    project = ProjectFactory(status="construction", actual_start=datetime.date(2024, 5, 1))

    with pytest.raises(ValidationError) as caught:
        change_status(project, "completed", date=datetime.date(2024, 4, 1), user=urbanist)

    assert caught.value.messages == [
        "The works started on May 1, 2024: they cannot be completed before that, on April 1, 2024."
    ]
    project.refresh_from_db()
    assert project.status == "construction" and project.actual_end is None


def test_publishing_records_who_published(city, urbanist):
    project = ProjectFactory(is_published=False)

    set_published(project, True, user=urbanist)

    project.refresh_from_db()
    assert project.is_published
    assert project.history.first().history_user == urbanist


def test_unpublishing_takes_the_project_back_to_draft(city, urbanist):
    project = ProjectFactory(is_published=True)

    set_published(project, False, user=urbanist)

    project.refresh_from_db()
    assert not project.is_published


def test_restoring_brings_back_the_old_geometry_and_title_and_measures_it_again(city, urbanist):
    almaly = DistrictFactory(name="Almaly", geom=ALMALY.clone())
    auezov = DistrictFactory(name="Auezov", geom=AUEZOV.clone())
    project = ProjectFactory(title_en="Crossing both", geom=CROSSING.clone())
    first_version = project.history.get()
    first_length = Project.objects.get(pk=project.pk).length_m
    project.title_en, project.geom = "Almaly only", IN_ALMALY.clone()
    project.save()

    restore_version(project, first_version.history_id, user=urbanist)

    project.refresh_from_db()
    assert project.title_en == "Crossing both"
    assert project.geom.equals_exact(CROSSING, tolerance=1e-9)
    assert project.length_m == pytest.approx(first_length)
    assert set(project.districts.all()) == {almaly, auezov}
    latest = project.history.first()
    assert latest.history_change_reason.startswith("Restored version of ")
    assert latest.history_user == urbanist
    assert project.history.count() == 3


def test_restoring_a_version_with_another_status_notes_it_on_the_timeline(project, urbanist):
    construction_version = project.history.get()
    change_status(project, "suspended", date=datetime.date(2024, 6, 1), user=urbanist)

    restore_version(project, construction_version.history_id, user=urbanist)

    project.refresh_from_db()
    assert project.status == "construction"
    step = project.status_changes.order_by("date", "recorded_at", "pk").last()
    assert (step.status, step.date, step.changed_by) == ("construction", timezone.localdate(), urbanist)
    assert step.note.startswith("Restored version of ")


def test_restoring_a_version_of_another_project_is_refused(city, urbanist):
    project, other = ProjectFactory(), ProjectFactory(title_en="Other")

    with pytest.raises(Project.history.model.DoesNotExist):
        restore_version(project, other.history.get().history_id, user=urbanist)


def test_refresh_derived_puts_projects_in_districts_loaded_after_them(city):
    project = ProjectFactory(geom=CROSSING.clone())
    almaly = DistrictFactory(name="Almaly", geom=ALMALY.clone())
    auezov = DistrictFactory(name="Auezov", geom=AUEZOV.clone())
    history = project.history.count()

    assert refresh_derived() == 1

    assert set(Project.objects.get(pk=project.pk).districts.all()) == {almaly, auezov}
    assert project.history.count() == history


def test_refresh_derived_measures_again_and_only_the_projects_asked(city):
    square = ProjectFactory(
        category=CategoryFactory(slug="square"),
        geom=Polygon(((76.940, 43.250), (76.945, 43.250), (76.945, 43.254), (76.940, 43.250)), srid=4326),
    )
    line = ProjectFactory(geom=CROSSING.clone())
    Project.objects.update(length_m=1, area_m2=1)

    refresh_derived(Project.objects.filter(pk=square.pk))

    square.refresh_from_db()
    line.refresh_from_db()
    assert square.area_m2 == pytest.approx(0.5 * 405.6 * 444.4, rel=0.01)
    assert square.length_m is None
    assert (line.length_m, line.area_m2) == (1, 1)
