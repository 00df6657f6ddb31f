"""The admin of renovation concepts, their zones, plan images and steps, and of workshops: through the services."""

import datetime

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from parks import concepts
from parks.models import ConceptStatusChange, PlanImage, RenovationConcept, Zone
from participation.models import Workshop
from tests.factories import GORKY_ALLEY, GORKY_PLAYGROUND, ParkFactory, UserFactory, WorkshopFactory
from tests.photo_files import arbat_jpeg
from tests.test_no_external_assets import external_references

pytestmark = pytest.mark.django_db

ADD = reverse("admin:parks_renovationconcept_add")


@pytest.fixture
def park():
    return ParkFactory()


@pytest.fixture
def staff(client, urbanist):
    client.force_login(urbanist)
    return client


@pytest.fixture
def concept(park, urbanist) -> RenovationConcept:
    concept = RenovationConcept(park=park, title_en="Shaded alleys")
    return concepts.save_concept(concept, urbanist, drawn_on=datetime.date(2024, 5, 1))


def admin_form_data(client, url: str, **overrides) -> dict:
    """What the browser sends back for the admin page at ``url``, with ``overrides`` typed in."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {}
    for field in form:
        value = field.value()
        if isinstance(value, list):
            value = [item.pk if hasattr(item, "pk") else item for item in value]
        data[field.html_name] = "" if value is None else (value.ewkt if hasattr(value, "ewkt") else value)
    for formset in response.context.get("inline_admin_formsets", []):
        for field in formset.formset.management_form:
            data[field.html_name] = field.value()
        for inline_form in formset.formset.forms:
            for field in inline_form:
                value = field.value()
                data[field.html_name] = "" if value is None else value
    data = {name: value for name, value in data.items() if value is not False}
    data.update(overrides)
    return data


def errors_of(response, field: str) -> list[str]:
    return [str(error) for error in response.context["adminform"].form.errors.get(field, [])]


def change_url(concept) -> str:
    return reverse("admin:parks_renovationconcept_change", args=[concept.pk])


def test_concepts_zones_and_workshops_have_an_admin():
    for model in (RenovationConcept, Zone, Workshop):
        assert model in admin.site._registry


def test_an_urbanist_adds_a_concept_whose_first_step_is_dated(staff, park, urbanist):
    author = UserFactory(email="aigerim@example.org")
    data = admin_form_data(
        staff, ADD, park=park.pk, title_en="Pond", authors="aigerim@example.org", date="2024-05-02", origin="urbanist"
    )
    response = staff.post(ADD, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    concept = RenovationConcept.objects.get()
    assert list(concept.authors.all()) == [author]
    assert concept.created_by == urbanist
    step = concept.status_changes.get()
    assert (step.status, step.date) == ("concept", datetime.date(2024, 5, 2))


def test_the_admin_refuses_a_concept_without_a_title_with_the_services_message(staff, park):
    response = staff.post(ADD, admin_form_data(staff, ADD, park=park.pk, origin="urbanist"))
    assert errors_of(response, "title_en") == ["Give the concept a title in at least one language."]
    assert "Constraint" not in response.content.decode()
    assert not RenovationConcept.objects.exists()


def test_the_admin_refuses_a_workshop_concept_without_its_workshop(staff, park):
    response = staff.post(ADD, admin_form_data(staff, ADD, park=park.pk, title_en="Pond", origin="workshop"))
    assert errors_of(response, "workshop") == ["The concept came from a workshop: choose which one."]
    assert not RenovationConcept.objects.exists()


def test_the_admin_refuses_a_park_that_does_not_exist(staff, park):
    response = staff.post(ADD, admin_form_data(staff, ADD, park=park.pk + 1000, title_en="Pond", origin="urbanist"))
    assert errors_of(response, "park") == ["There is no such park: choose the park the concept is for."]


def test_the_admin_refuses_a_first_step_in_the_future(staff, park):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    data = admin_form_data(staff, ADD, park=park.pk, title_en="Pond", origin="urbanist", date=tomorrow)
    response = staff.post(ADD, data)
    assert errors_of(response, "date") == ["The date cannot be in the future: a step is recorded once it has happened."]


def test_an_admin_edit_keeps_the_status_and_its_steps(staff, concept, urbanist):
    concepts.change_concept_status(concept, "shortlisted", datetime.date(2024, 6, 1), user=urbanist)
    response = staff.post(change_url(concept), admin_form_data(staff, change_url(concept), team="Team Medeu"))
    assert response.status_code == 302
    concept.refresh_from_db()
    assert (concept.team, concept.status) == ("Team Medeu", "shortlisted")
    assert concept.status_changes.count() == 2


def test_the_zones_inline_saves_purpose_and_label_through_the_services(staff, concept):
    zone = concepts.save_zone(Zone(concept=concept, geom=GORKY_PLAYGROUND.clone(), purpose="playground"))
    Zone.objects.filter(pk=zone.pk).update(area_m2=None)  # measured again on save
    data = admin_form_data(staff, change_url(concept), **{"zones-0-label": "Sand pit", "zones-0-purpose": "sports"})
    staff.post(change_url(concept), data)
    zone.refresh_from_db()
    assert (zone.label, zone.purpose) == ("Sand pit", "sports")
    assert zone.area_m2 > 6000


def test_the_zone_admin_refuses_a_zone_outside_its_park(staff, concept):
    url = reverse("admin:parks_zone_add")
    outside = "SRID=4326;POINT (76.9747 43.261)"
    response = staff.post(url, {"concept": concept.pk, "purpose": "seating", "label": "Bench", "geom": outside})
    [message] = errors_of(response, "geom")
    assert message.endswith(" m outside Gorky Central Park: draw it inside the park's boundary.")
    assert not Zone.objects.exists()


def test_the_zone_admin_measures_a_zone(staff, concept):
    url = reverse("admin:parks_zone_add")
    response = staff.post(url, {"concept": concept.pk, "purpose": "path", "label": "Alley", "geom": GORKY_ALLEY.ewkt})
    assert response.status_code == 302
    assert Zone.objects.get().length_m > 400


def test_the_zone_page_has_the_map_widget_from_static_files(staff, concept):
    zone = concepts.save_zone(Zone(concept=concept, geom=GORKY_PLAYGROUND.clone(), purpose="playground"))
    content = staff.get(reverse("admin:parks_zone_change", args=[zone.pk])).content.decode()
    assert '<script src="/static/vendor/ol-7.2.2/ol.js">' in content
    assert external_references(content, "html") == []


def test_a_plan_image_uploaded_in_the_admin_is_re_encoded(staff, concept, urbanist):
    data = admin_form_data(staff, change_url(concept))
    data.update(
        {
            "plan_images-TOTAL_FORMS": "1",
            "plan_images-0-concept": concept.pk,
            "plan_images-0-caption": "Master plan",
            "plan_images-0-image": SimpleUploadedFile("plan.jpg", arbat_jpeg(), content_type="image/jpeg"),
        }
    )
    response = staff.post(change_url(concept), data)
    assert response.status_code == 302
    plan = PlanImage.objects.get()
    assert (plan.caption, plan.uploaded_by, plan.width) == ("Master plan", urbanist, 640)
    assert not plan.image.name.endswith("plan.jpg") and plan.thumbnail.name


def test_the_status_steps_are_read_only_in_the_admin(staff, concept):
    response = staff.get(change_url(concept))
    [steps] = [
        formset for formset in response.context["inline_admin_formsets"] if formset.opts.model is ConceptStatusChange
    ]
    assert not steps.has_add_permission and not steps.has_delete_permission
    assert "status_changes-0-date" not in admin_form_data(staff, change_url(concept))


def test_deleting_a_concept_in_the_admin_deletes_its_plan_images(staff, concept, urbanist):
    concepts.add_plan_image(concept, SimpleUploadedFile("p.jpg", arbat_jpeg()), "Plan", urbanist)
    staff.post(reverse("admin:parks_renovationconcept_delete", args=[concept.pk]), {"post": "yes"})
    assert not RenovationConcept.objects.exists()
    assert not PlanImage.objects.exists()


def test_an_urbanist_adds_a_workshop(staff, urbanist):
    url = reverse("admin:participation_workshop_add")
    data = {
        "title_en": "Park renovation workshop",
        "starts_on": "2023-05-12",
        "ends_on": "2023-05-14",
        "venue_name": "Almaty Arena",
        "venue": "SRID=4326;POINT (76.93 43.25)",
        "organisers": [urbanist.pk],
    }
    response = staff.post(url, data)
    assert response.status_code == 302
    workshop = Workshop.objects.get()
    assert workshop.venue.x == pytest.approx(76.93)
    assert list(workshop.organisers.all()) == [urbanist]


def test_the_workshop_admin_refuses_a_last_day_before_the_first(staff):
    url = reverse("admin:participation_workshop_add")
    response = staff.post(url, {"title_en": "Workshop", "starts_on": "2023-05-14", "ends_on": "2023-05-12"})
    assert errors_of(response, "ends_on") == ["The last day cannot be before the first day."]
    assert not Workshop.objects.exists()


def test_a_workshop_can_be_chosen_for_a_concept_in_the_admin(staff, park):
    workshop = WorkshopFactory()
    data = admin_form_data(
        staff, ADD, park=park.pk, title_en="Pond", origin="workshop", workshop=workshop.pk, date="2023-05-13"
    )
    assert staff.post(ADD, data).status_code == 302
    assert RenovationConcept.objects.get().workshop == workshop
