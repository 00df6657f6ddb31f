"""The admin of events: the pages open, the venue is on the map widget, registrations are read, never written."""

import pytest
from django.contrib import admin
from django.urls import reverse

from gis_data.widgets import CityMapWidget
from participation.event_admin import EventAdminForm
from participation.models import Registration
from tests.factories import CityFactory, EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def almaty(db):
    return CityFactory()


@pytest.fixture
def forum():
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, status="waiting")
    return event


@pytest.fixture
def urbanist_client(client, urbanist):
    client.force_login(urbanist)
    return client


def test_the_event_pages_of_the_admin_open_with_the_registrations_and_their_status(urbanist_client, forum):
    assert urbanist_client.get(reverse("admin:participation_event_changelist")).status_code == 200
    page = urbanist_client.get(reverse("admin:participation_event_change", args=[forum.pk]))

    assert page.status_code == 200
    assert "on the waiting list" in page.content.decode()


def test_the_venue_is_edited_on_the_city_map_widget(urbanist_client, forum):
    response = urbanist_client.get(reverse("admin:participation_event_change", args=[forum.pk]))

    assert isinstance(response.context["adminform"].form.fields["venue"].widget, CityMapWidget)


def test_registrations_are_listed_but_cannot_be_added_changed_or_deleted(admin_user, rf, forum):
    request = rf.get("/")
    request.user = admin_user
    model_admin = admin.site._registry[Registration]

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, forum.registrations.first())
    assert not model_admin.has_delete_permission(request, forum.registrations.first())


def test_the_admin_form_names_the_rules_of_an_event(forum):
    data = {
        "title_en": "",
        "starts_at": forum.starts_at,
        "ends_at": forum.starts_at,
        "registration_deadline": forum.registration_deadline,
        "venue_name": forum.venue_name,
        "venue": forum.venue.geojson,
        "capacity": 0,
    }

    form = EventAdminForm(data, instance=forum)

    assert not form.is_valid()
    assert form.errors["title_en"] == ["Give the event a title in at least one language."]
    assert form.errors["ends_at"][0].startswith("The event must end after it starts")
    assert form.errors["capacity"] == ["An event needs at least one seat."]
