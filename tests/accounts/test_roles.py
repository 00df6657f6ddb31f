"""Roles are groups with permissions; urbanists and admins work in the Django admin."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts import roles
from accounts.roles import assign_role, ensure_roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def codenames(role: str) -> set[str]:
    return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))


def gis_data_codenames(prefix: str = "") -> set[str]:
    return set(
        Permission.objects.filter(content_type__app_label="gis_data", codename__startswith=prefix).values_list(
            "codename", flat=True
        )
    )


def test_every_role_has_a_group_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLES)


def test_a_resident_has_no_permissions():
    assert codenames(roles.RESIDENT) == set()


def test_an_urbanist_may_add_change_delete_and_view_every_gis_data_model():
    assert {"add_city", "change_city", "delete_city", "view_city", "change_district"} <= codenames(roles.URBANIST)
    assert gis_data_codenames() <= codenames(roles.URBANIST)


def test_an_urbanist_edits_projects_and_photos_but_only_views_categories():
    granted = codenames(roles.URBANIST)
    assert {
        "add_project",
        "change_project",
        "delete_project",
        "add_statuschange",
        "add_photo",
        "change_photo",
    } <= granted
    assert "view_category" in granted
    assert not {"add_category", "change_category", "delete_category"} & granted


def test_an_urbanist_edits_corridors_and_their_segments():
    granted = codenames(roles.URBANIST)
    assert {"add_corridor", "change_corridor", "delete_corridor", "add_segment", "change_segment"} <= granted


def test_an_urbanist_edits_parks_concepts_and_plantings():
    granted = codenames(roles.URBANIST)
    assert {"add_park", "change_park", "add_renovationconcept", "change_renovationconcept", "add_planting"} <= granted
    assert {"add_workshop", "change_workshop"} <= granted


def test_an_urbanist_gets_no_permission_outside_the_mapped_apps():
    group = Group.objects.get(name=roles.URBANIST)
    assert not group.permissions.exclude(
        content_type__app_label__in=["gis_data", "projects", "corridors", "parks", "photos", "participation"]
    ).exists()


def participation_codenames(role: str) -> set[str]:
    return {
        p.codename for p in Group.objects.get(name=role).permissions.filter(content_type__app_label="participation")
    }


def test_an_urbanist_organises_workshops_events_and_contests_but_only_views_what_participants_write():
    participation = participation_codenames(roles.URBANIST)
    organised = ("_workshop", "_ballot", "_ballotitem", "_codebatch", "_event", "_contest", "_criterion")
    assert {"view_proposal", "view_vote", "view_registration", "view_entry", "view_score"} <= participation
    assert {"add_workshop", "add_ballot", "change_ballot", "add_event", "add_contest", "add_criterion"} <= participation
    assert all(codename.startswith("view_") or codename.endswith(organised) for codename in participation)


def test_a_jury_member_views_and_scores_contest_entries_only():
    assert gis_data_codenames("view_") <= codenames(roles.JURY)
    assert participation_codenames(roles.JURY) == {
        "view_contest",
        "view_criterion",
        "view_entry",
        "add_score",
        "change_score",
        "delete_score",
        "view_score",
    }
    assert all(codename.startswith("view_") for codename in codenames(roles.JURY) - participation_codenames(roles.JURY))


def test_a_moderator_views_moderates_and_answers_proposals_hides_contest_entries_and_edits_nothing_else():
    granted = codenames(roles.MODERATOR)
    assert gis_data_codenames("view_") <= granted
    assert {"view_proposal", "moderate_proposal", "answer_proposal"} <= granted
    assert granted - {"moderate_proposal", "answer_proposal", "change_entry"} == {
        c for c in granted if c.startswith("view_")
    }


def test_an_admin_has_every_permission():
    assert Group.objects.get(name=roles.ADMIN).permissions.count() == Permission.objects.count()


def test_ensure_roles_twice_changes_nothing():
    before = {role: codenames(role) for role in roles.ROLES}

    ensure_roles()
    ensure_roles()

    assert Group.objects.filter(name__in=roles.ROLES).count() == len(roles.ROLES)
    assert {role: codenames(role) for role in roles.ROLES} == before


def test_ensure_roles_puts_back_a_permission_taken_from_a_role():
    group = Group.objects.get(name=roles.URBANIST)
    group.permissions.remove(Permission.objects.get(codename="change_city"))

    ensure_roles()

    assert "change_city" in codenames(roles.URBANIST)


def test_ensure_roles_recreates_a_deleted_group():
    before = codenames(roles.JURY)
    Group.objects.filter(name=roles.JURY).delete()

    ensure_roles()

    assert codenames(roles.JURY) == before
    assert gis_data_codenames("view_") <= before


def test_a_mapping_entry_may_name_one_permission(monkeypatch):
    monkeypatch.setitem(roles.ROLE_PERMISSIONS, roles.RESIDENT, ["gis_data.view_city"])

    ensure_roles()

    assert codenames(roles.RESIDENT) == {"view_city"}


def test_assign_role_makes_an_urbanist_staff():
    user = UserFactory()

    assign_role(user, roles.URBANIST)

    user.refresh_from_db()
    assert user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == [roles.URBANIST]


def test_assign_role_makes_an_admin_staff():
    user = UserFactory()

    assign_role(user, roles.ADMIN)

    user.refresh_from_db()
    assert user.is_staff


def test_assign_role_leaves_a_resident_out_of_the_staff():
    user = UserFactory()

    assign_role(user, roles.RESIDENT)

    user.refresh_from_db()
    assert not user.is_staff
    assert user.groups.filter(name=roles.RESIDENT).exists()


def test_assign_role_refuses_an_unknown_role():
    user = UserFactory()

    with pytest.raises(ValueError, match="gardener"):
        assign_role(user, "gardener")

    assert not user.groups.exists()


def test_an_urbanist_has_the_gis_data_permissions(urbanist):
    assert urbanist.has_perm("gis_data.change_district")


def test_a_resident_cannot_open_the_admin(client, resident, password):
    client.login(email=resident.email, password=password)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_an_urbanist_can_open_the_admin(client, urbanist, password):
    client.login(email=urbanist.email, password=password)

    response = client.get("/admin/")

    assert response.status_code == 200
