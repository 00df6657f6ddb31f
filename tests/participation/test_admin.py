"""The admin of participation: every page opens, the routing table is edited in its list, API keys are shown once."""

import hashlib
import re

import pytest
from django.contrib import admin
from django.urls import reverse

from gis_data.widgets import CityMapWidget
from participation.models import ApiClient, Category, Comment, Department, Flag, Proposal, Route, StatusChange
from tests.factories import (
    CityFactory,
    CommentFactory,
    DepartmentFactory,
    DistrictFactory,
    ProposalFactory,
    RouteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROUTES = reverse("admin:participation_route_changelist")


@pytest.fixture(autouse=True)
def almaly(db):
    CityFactory()
    return DistrictFactory()


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def records() -> dict:
    """One record of each model of the admin."""
    proposal = ProposalFactory(title="A bench on Panfilov Street")
    comment = CommentFactory(proposal=proposal)
    StatusChange.objects.create(proposal=proposal, status="published", note="Received.")
    return {
        Category: Category.objects.get(slug="lighting"),
        Department: DepartmentFactory(),
        Route: Route.objects.get(category=None, district=None),
        Proposal: proposal,
        Comment: comment,
        Flag: Flag.objects.create(comment=comment, user=UserFactory(role="resident"), reason="spam"),
        ApiClient: ApiClient.objects.create(name="City back-end", key_digest="0" * 64, key_prefix="abcdefgh"),
    }


def test_every_model_of_participation_has_an_admin_and_proposals_a_map():
    for model in (Category, Department, Route, Proposal, Comment, Flag, ApiClient):
        assert model in admin.site._registry
    assert admin.site._registry[Proposal].gis_widget is CityMapWidget


def test_every_admin_page_of_participation_opens(admin_client):
    for model, record in records().items():
        name = f"admin:participation_{model._meta.model_name}"
        for url in (
            reverse(f"{name}_changelist"),
            reverse(f"{name}_add"),
            reverse(f"{name}_change", args=[record.pk]),
        ):
            assert admin_client.get(url).status_code == 200, url


def test_the_proposal_page_shows_the_map_and_keeps_the_derived_fields_read_only(admin_client):
    proposal = ProposalFactory()
    StatusChange.objects.create(proposal=proposal, status="published", note="Received by the open reception.")

    response = admin_client.get(reverse("admin:participation_proposal_change", args=[proposal.pk]))

    content = response.content.decode()
    assert "new MapWidget(options)" in content
    assert "Almaly District" in content
    assert "Received by the open reception." in content
    assert not {"district", "districts", "anchor", "submission_key"} & set(response.context["adminform"].form.fields)
    timeline = next(f for f in response.context["inline_admin_formsets"] if f.formset.model is StatusChange)
    assert not {"status", "note", "changed_at"} & set(timeline.formset.forms[0].fields)


def test_the_routing_table_lists_any_category_and_any_district(admin_client, almaly):
    RouteFactory(category=None, district=almaly, department=DepartmentFactory(name_en="Akimat of Almaly District"))

    content = admin_client.get(ROUTES).content.decode()

    assert "any category" in content
    assert "any district" in content
    assert "Akimat of Almaly District" in content


def test_the_routing_table_is_edited_in_its_list(admin_client):
    route = Route.objects.get(category=None, district=None)
    akimat = DepartmentFactory(name_en="Akimat of Almaly District")
    formset = admin_client.get(ROUTES).context["cl"].formset
    data = {field.html_name: field.value() for field in formset.management_form}
    for form in formset.forms:
        for field in form:
            data[field.html_name] = "" if field.value() is None else field.value()
        if form.instance.pk == route.pk:
            data[form["department"].html_name] = akimat.pk
            data[form["deadline_days"].html_name] = 12

    response = admin_client.post(ROUTES, {**data, "_save": "Save"})

    assert response.status_code == 302
    route.refresh_from_db()
    assert (route.department, route.deadline_days) == (akimat, 12)


def test_a_deadline_of_zero_days_is_refused(admin_client):
    route = Route.objects.get(category=None, district=None)
    response = admin_client.post(
        reverse("admin:participation_route_change", args=[route.pk]),
        {"category": "", "district": "", "department": route.department_id, "deadline_days": 0},
    )

    assert response.status_code == 200
    route.refresh_from_db()
    assert route.deadline_days == 30


def test_a_new_api_client_shows_its_key_once_and_keeps_only_its_digest(admin_client):
    response = admin_client.post(
        reverse("admin:participation_apiclient_add"),
        {"name": "City back-end", "contact_email": "it@example.org", "is_active": "on", "_save": "Save"},
        follow=True,
    )

    shown = [str(message) for message in response.context["messages"]]
    key = next(re.search(r" is (\S+) — copy it now", text).group(1) for text in shown if "copy it now" in text)
    client = ApiClient.objects.get(name="City back-end")
    assert client.key_digest == hashlib.sha256(key.encode()).hexdigest()
    assert client.key_prefix == key[:8]
    assert client.contact_email == "it@example.org"
    assert client.is_active
    again = admin_client.get(reverse("admin:participation_apiclient_change", args=[client.pk])).content.decode()
    assert key not in again
    assert key not in admin_client.get(reverse("admin:participation_apiclient_changelist")).content.decode()


def test_an_admin_correcting_a_status_records_it_on_the_timeline(admin_client, admin_user):
    proposal = ProposalFactory(status="rejected")
    url = reverse("admin:participation_proposal_change", args=[proposal.pk])
    response = admin_client.get(url)
    form = response.context["adminform"].form
    data = {}
    for field in form:
        value = field.value()
        data[field.html_name] = "" if value is None else (value.ewkt if hasattr(value, "ewkt") else value)
    for formset in response.context["inline_admin_formsets"]:
        for field in formset.formset.management_form:
            data[field.html_name] = field.value()
    data["status"] = "under_review"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    proposal.refresh_from_db()
    assert proposal.status == "under_review"
    step = proposal.status_changes.get()
    assert (step.status, step.changed_by) == ("under_review", admin_user)


def test_a_proposal_may_be_about_a_project_a_corridor_a_park_or_a_concept_only(admin_client):
    form = admin_client.get(reverse("admin:participation_proposal_add")).context["adminform"].form

    assert sorted(kind.model for kind in form.fields["subject_type"].queryset) == [
        "corridor",
        "park",
        "project",
        "renovationconcept",
    ]
