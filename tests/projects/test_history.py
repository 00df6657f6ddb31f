"""A project's history in the editor: who changed what and when, and restoring an earlier version."""

import pytest
from django.contrib.gis.geos import LineString
from django.urls import reverse
from django.utils.html import escape

from projects import services
from projects.models import Project, Status
from tests.factories import ARBAT, CategoryFactory, CityFactory, DistrictFactory, ProjectFactory

pytestmark = pytest.mark.django_db

# Arbat continued east to Panfilov street: about 400 m longer than ARBAT.
LONGER_ARBAT = LineString((76.9410, 43.2606), (76.9479, 43.2614), (76.9527, 43.2619), srid=4326)


@pytest.fixture(autouse=True)
def almaty(db):
    CityFactory()
    DistrictFactory()


@pytest.fixture
def project(urbanist) -> Project:
    """Arbat, created by the urbanist, then made longer and renamed by them."""
    project = services.create_project(ProjectFactory.build(title_en="Arbat", category=CategoryFactory()), user=urbanist)
    project.geom = LONGER_ARBAT.clone()
    project.title_en = "Arbat, extended"
    project._history_user = urbanist
    project.save()
    return project


def history_url(project: Project) -> str:
    return reverse("projects:history", args=[project.pk])


def restore_url(project: Project, record) -> str:
    return reverse("projects:restore", args=[project.pk, record.history_id])


def test_a_resident_cannot_see_the_history(client, resident, project):
    client.force_login(resident)
    response = client.get(history_url(project))
    assert response.status_code == 403
    assert "Arbat, extended" not in response.content.decode()


def test_the_history_lists_the_versions_newest_first_with_who_saved_them(client, urbanist, project):
    client.force_login(urbanist)
    response = client.get(history_url(project))
    entries = response.context["entries"]
    assert [entry.kind for entry in entries] == ["changed", "created"]
    assert entries[0].is_current
    assert all(entry.record.history_user == urbanist for entry in entries)
    assert response.content.decode().count(f"by {escape(str(urbanist))}") == 2


def test_the_history_says_what_changed_with_old_and_new_values(client, urbanist, project):
    client.force_login(urbanist)
    changes = {change.label: change for change in client.get(history_url(project)).context["entries"][0].changes}
    assert (changes["Title (English)"].old, changes["Title (English)"].new) == ("Arbat", "Arbat, extended")
    assert set(changes) == {"Title (English)", "Geometry"}


def test_a_changed_geometry_is_told_with_its_old_and_new_length(client, urbanist, project):
    client.force_login(urbanist)
    response = client.get(history_url(project))
    geometry = next(change for change in response.context["entries"][0].changes if change.is_geometry)
    old_metres = int(geometry.old.split(" m")[0].replace(",", ""))
    new_metres = int(geometry.new.split(" m")[0].replace(",", ""))
    assert 540 < old_metres < 580
    assert new_metres > old_metres + 300
    assert "2 vertices" in geometry.old
    assert "3 vertices" in geometry.new
    assert "geometry changed" in response.content.decode()


def test_the_history_shows_the_reason_a_service_gave(client, urbanist, project):
    services.set_published(project, True, user=urbanist)
    client.force_login(urbanist)
    content = client.get(history_url(project)).content.decode()
    assert "Published" in content


def test_only_older_versions_have_a_restore_button(client, urbanist, project):
    client.force_login(urbanist)
    content = client.get(history_url(project)).content.decode()
    older = project.history.earliest()
    assert content.count("Restore this version") == 1
    assert restore_url(project, older) in content


def test_the_restore_page_asks_for_a_confirmation_and_shows_what_changes(client, urbanist, project):
    client.force_login(urbanist)
    older = project.history.earliest()
    response = client.get(restore_url(project, older))
    assert response.status_code == 200
    changes = {change.label: change for change in response.context["changes"]}
    assert (changes["Title (English)"].old, changes["Title (English)"].new) == ("Arbat, extended", "Arbat")
    project.refresh_from_db()
    assert project.title_en == "Arbat, extended"


def test_restoring_brings_back_the_old_geometry(client, urbanist, project):
    client.force_login(urbanist)
    older = project.history.earliest()
    response = client.post(restore_url(project, older))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.geom.equals_exact(ARBAT, 1e-9)
    assert project.title_en == "Arbat"
    assert 540 < project.length_m < 580


def test_restoring_is_itself_a_new_version_by_who_restored(client, urbanist, project):
    client.force_login(urbanist)
    client.post(restore_url(project, project.history.earliest()))
    assert project.history.count() == 3
    assert project.history.first().history_user == urbanist


def test_a_version_of_another_project_cannot_be_restored(client, urbanist, project):
    other = ProjectFactory()
    client.force_login(urbanist)
    response = client.post(restore_url(project, other.history.first()))
    assert response.status_code == 404
    project.refresh_from_db()
    assert project.title_en == "Arbat, extended"


def test_a_resident_cannot_restore(client, resident, project):
    client.force_login(resident)
    assert client.post(restore_url(project, project.history.earliest())).status_code == 403
    project.refresh_from_db()
    assert project.title_en == "Arbat, extended"


def test_the_status_is_named_in_the_history(client, urbanist, project):
    services.change_status(project, Status.DESIGN, date=project.created_at.date(), user=urbanist)
    client.force_login(urbanist)
    changes = client.get(history_url(project)).context["entries"][0].changes
    assert [(change.label, change.old, change.new) for change in changes] == [("Status", "Planned", "Design")]


def test_a_moderator_reads_the_history_but_gets_no_restore_button(client, moderator, project):
    client.force_login(moderator)
    response = client.get(history_url(project))
    assert response.status_code == 200
    assert "Restore this version" not in response.content.decode()
    assert client.post(restore_url(project, project.history.earliest())).status_code == 403
