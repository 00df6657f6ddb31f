"""The concept editor: urbanists create concepts on a park, edit them, draw their zones, upload plans, move status."""

import datetime
import json

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

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
from tests.photo_files import arbat_jpeg

pytestmark = pytest.mark.django_db

EAST_OF_THE_PARK = Point(76.9747, 43.2610, srid=4326)
EDITOR_PAGES = ("concept_edit", "concept_zones", "concept_plans", "concept_status")


@pytest.fixture
def park():
    return ParkFactory()


@pytest.fixture
def editor(client, urbanist):
    client.force_login(urbanist)
    return client


@pytest.fixture
def concept(park, urbanist) -> RenovationConcept:
    concept = RenovationConcept(park=park, title_en="Shaded alleys", team="Team Alatau")
    return concepts.save_concept(concept, urbanist, drawn_on=datetime.date(2024, 5, 1))


def concept_data(**overrides) -> dict:
    data = {
        "title_kk": "",
        "title_ru": "Тенистые аллеи",
        "title_en": "Shaded alleys",
        "description_kk": "",
        "description_ru": "",
        "description_en": "Trees along every path, and a pond.",
        "team": "Team Alatau",
        "authors": "",
        "origin": "urbanist",
        "workshop": "",
        "proposal": "",
        "cost_estimate": "450000000",
        "is_published": "on",
        "date": "2024-05-01",
    }
    data.update(overrides)
    return data


def edit_data(concept: RenovationConcept, **overrides) -> dict:
    data = concept_data(
        title_ru=concept.title_ru,
        title_en=concept.title_en,
        description_en=concept.description_en,
        team=concept.team,
        authors=", ".join(user.email for user in concept.authors.all()),
        origin=concept.origin,
        workshop=concept.workshop_id or "",
        proposal=concept.proposal_id or "",
        cost_estimate="" if concept.cost_estimate is None else str(concept.cost_estimate),
        is_published="on" if concept.is_published else "",
    )
    del data["date"]
    if not data["is_published"]:
        del data["is_published"]
    data.update(overrides)
    return data


def create_url(park) -> str:
    return reverse("parks:concept_create", args=[park.pk])


def zones_url(concept) -> str:
    return reverse("parks:concept_zones", args=[concept.pk])


def zone_data(geom=GORKY_PLAYGROUND, **overrides) -> dict:
    data = {"action": "save", "purpose": "playground", "label": "Playground by the pond", "geom": geom.geojson}
    data.update(overrides)
    return data


def errors_of(response, field: str) -> list[str]:
    return [str(error) for error in response.context["form"].errors.get(field, [])]


def add_zone(concept, geom=GORKY_PLAYGROUND, purpose="playground", label="Playground") -> Zone:
    return concepts.save_zone(Zone(concept=concept, geom=geom.clone(), purpose=purpose, label=label))


# Who may edit ---------------------------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_log_in(client, park):
    response = client.get(create_url(park))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["resident", "moderator"])
def test_only_urbanists_may_create_a_concept(client, park, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(create_url(park), concept_data())
    assert response.status_code == 403
    assert "You cannot edit renovation concepts" in response.content.decode()
    assert not RenovationConcept.objects.exists()


@pytest.mark.parametrize("page", EDITOR_PAGES)
def test_a_resident_cannot_open_a_concepts_editor_pages(client, resident, concept, page):
    client.force_login(resident)
    assert client.get(reverse(f"parks:{page}", args=[concept.pk])).status_code == 403


@pytest.mark.parametrize("page", EDITOR_PAGES)
def test_a_moderator_cannot_change_a_concept(client, moderator, concept, page):
    client.force_login(moderator)
    response = client.post(reverse(f"parks:{page}", args=[concept.pk]), {"action": "save"})
    assert response.status_code == 403
    concept.refresh_from_db()
    assert concept.status_changes.count() == 1


@pytest.mark.parametrize("page", EDITOR_PAGES)
def test_an_urbanist_opens_every_page_of_the_editor(editor, concept, page):
    response = editor.get(reverse(f"parks:{page}", args=[concept.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("<h1") == 1


@pytest.mark.parametrize("page", EDITOR_PAGES)
def test_an_unknown_concept_answers_404(editor, page):
    assert editor.get(reverse(f"parks:{page}", args=[999999])).status_code == 404


# Creating and editing a concept ---------------------------------------------------------------------------------


def test_the_create_page_names_the_park(editor, park):
    response = editor.get(create_url(park))
    assert "New concept for Gorky Central Park" in response.content.decode()


def test_the_create_url_of_a_park_that_does_not_exist_answers_404(editor, park):
    response = editor.post(reverse("parks:concept_create", args=[park.pk + 1000]), concept_data())
    assert response.status_code == 404
    assert not RenovationConcept.objects.exists()


def test_an_urbanist_creates_a_concept_on_a_park(editor, park, urbanist):
    author = UserFactory(email="aigerim@example.org")
    response = editor.post(create_url(park), concept_data(authors="Aigerim@example.org"))
    concept = RenovationConcept.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("parks:concept", args=[concept.pk])
    assert (concept.park, concept.title_en, concept.title_ru) == (park, "Shaded alleys", "Тенистые аллеи")
    assert concept.cost_estimate == 450_000_000
    assert concept.is_published
    assert list(concept.authors.all()) == [author]
    assert concept.created_by == urbanist
    step = concept.status_changes.get()
    assert (step.status, step.date) == ("concept", datetime.date(2024, 5, 1))


def test_it_names_the_email_addresses_that_have_no_account(editor, park):
    UserFactory(email="aigerim@example.org")
    response = editor.post(
        create_url(park), concept_data(authors="aigerim@example.org, nobody@example.org; ghost@example.org")
    )
    assert errors_of(response, "authors") == [
        "No account has the e-mail addresses nobody@example.org and ghost@example.org: "
        "name the authors without an account in the team."
    ]
    assert not RenovationConcept.objects.exists()


def test_it_refuses_a_concept_without_a_title(editor, park):
    response = editor.post(create_url(park), concept_data(title_ru="", title_en=""))
    assert errors_of(response, "title_en") == ["Give the concept a title in at least one language."]
    assert "Please correct the errors below." in response.content.decode()
    assert not RenovationConcept.objects.exists()


def test_it_refuses_a_workshop_concept_without_its_workshop(editor, park):
    response = editor.post(create_url(park), concept_data(origin="workshop"))
    assert errors_of(response, "workshop") == ["The concept came from a workshop: choose which one."]
    assert not RenovationConcept.objects.exists()


def test_a_workshop_concept_names_its_workshop(editor, park):
    workshop = WorkshopFactory()
    editor.post(create_url(park), concept_data(origin="workshop", workshop=workshop.pk, date="2023-05-14"))
    assert RenovationConcept.objects.get().workshop == workshop


def test_it_refuses_a_proposal_number_that_names_no_proposal(editor, park):
    response = editor.post(create_url(park), concept_data(origin="proposal", proposal="424242"))
    assert errors_of(response, "proposal") == ["There is no proposal with this number."]


def test_it_refuses_a_proposal_that_is_not_published(editor, park):
    hidden = ProposalFactory(visibility="hidden")
    response = editor.post(create_url(park), concept_data(origin="proposal", proposal=hidden.pk))
    assert errors_of(response, "proposal") == [
        "Only a published proposal can be named as where a concept came from: this one is not published."
    ]
    assert not RenovationConcept.objects.exists()


def test_it_refuses_a_negative_cost_estimate(editor, park):
    response = editor.post(create_url(park), concept_data(cost_estimate="-1000"))
    assert errors_of(response, "cost_estimate") == ["A cost estimate cannot be negative."]


def test_it_refuses_an_absurd_cost_estimate(editor, park):
    response = editor.post(create_url(park), concept_data(cost_estimate="90000000000000"))
    assert errors_of(response, "cost_estimate") == [
        "A cost estimate above 1,000,000,000,000 KZT cannot be right: check the number of zeros."
    ]


def test_the_cost_estimate_is_labelled_with_the_currency(editor, park):
    assert "Cost estimate (KZT)" in editor.get(create_url(park)).content.decode()


def test_it_refuses_a_concept_dated_in_the_future(editor, park):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = editor.post(create_url(park), concept_data(date=tomorrow.isoformat()))
    assert errors_of(response, "date") == ["The date cannot be in the future: a step is recorded once it has happened."]
    assert not RenovationConcept.objects.exists()


def test_an_urbanist_edits_a_concept(editor, concept):
    response = editor.post(
        reverse("parks:concept_edit", args=[concept.pk]), edit_data(concept, title_en="Shaded alleys and a pond")
    )
    assert response.status_code == 302
    assert response.url == reverse("parks:concept", args=[concept.pk])
    concept.refresh_from_db()
    assert concept.title_en == "Shaded alleys and a pond"
    assert concept.status_changes.count() == 1


def test_the_edit_form_shows_the_authors_email_addresses(editor, concept):
    concept.authors.add(UserFactory(email="aigerim@example.org"))
    response = editor.get(reverse("parks:concept_edit", args=[concept.pk]))
    assert 'value="aigerim@example.org"' in response.content.decode()


def test_an_edit_that_changes_nothing_says_so(editor, concept):
    response = editor.post(reverse("parks:concept_edit", args=[concept.pk]), edit_data(concept), follow=True)
    assert "Nothing was changed." in [str(message) for message in response.context["messages"]]


def test_a_refused_edit_leaves_the_concept_as_it_was(editor, concept):
    response = editor.post(
        reverse("parks:concept_edit", args=[concept.pk]), edit_data(concept, title_en="", title_ru="")
    )
    assert response.status_code == 200
    assert "Edit “Shaded alleys”" in response.content.decode()
    concept.refresh_from_db()
    assert concept.title_en == "Shaded alleys"


# Zones ----------------------------------------------------------------------------------------------------------


def test_the_zone_page_gives_the_map_the_park_and_the_purposes_colours(editor, concept):
    add_zone(concept, GORKY_FOUNTAIN, purpose="water", label="Fountain")
    response = editor.get(zones_url(concept))
    config = response.context["editor_config"]
    assert config["park"]["properties"]["name"] == "Gorky Central Park"
    assert config["colours"]["playground"] == "#c2410c"
    assert [feature["properties"]["label"] for feature in config["zones"]["features"]] == ["Fountain"]
    json.dumps(config)  # embedded as JSON


def test_an_urbanist_adds_a_polygon_zone_and_its_area_is_listed(editor, concept):
    response = editor.post(zones_url(concept), zone_data(), follow=True)
    zone = Zone.objects.get()
    assert (zone.concept, zone.purpose, zone.label) == (concept, "playground", "Playground by the pond")
    assert 6000 < zone.area_m2 < 6600
    page = response.content.decode()
    assert "The zone “Playground by the pond” was added: 6," in page
    assert "m²" in page


def test_an_urbanist_adds_a_line_zone_with_its_length(editor, concept):
    editor.post(zones_url(concept), zone_data(GORKY_ALLEY, purpose="path", label="Main alley"))
    zone = Zone.objects.get()
    assert zone.area_m2 is None
    assert 400 < zone.length_m < 450


def test_an_urbanist_adds_a_point_zone(editor, concept):
    editor.post(zones_url(concept), zone_data(GORKY_FOUNTAIN, purpose="seating", label="Benches"))
    assert Zone.objects.get().geom.geom_type == "Point"


def test_a_zone_outside_the_park_is_refused_with_the_message_beside_it(editor, concept):
    response = editor.post(zones_url(concept), zone_data(EAST_OF_THE_PARK, purpose="seating"))
    assert response.status_code == 200
    [message] = errors_of(response, "geom")
    assert message.startswith("The zone reaches ")
    assert message.endswith(" m outside Gorky Central Park: draw it inside the park's boundary.")
    assert "field-invalid" in response.content.decode()
    assert not Zone.objects.exists()


def test_a_zone_without_a_shape_is_refused(editor, concept):
    response = editor.post(zones_url(concept), zone_data(geom=GORKY_FOUNTAIN) | {"geom": ""})
    assert errors_of(response, "geom") == ["Draw the zone on the map, or enter it as GeoJSON."]


def test_unreadable_geojson_is_refused(editor, concept):
    response = editor.post(zones_url(concept), zone_data() | {"geom": "{not json"})
    assert errors_of(response, "geom") == ["The geometry is not valid JSON."]


def test_a_zone_of_several_shapes_is_refused(editor, concept):
    collection = json.dumps({"type": "GeometryCollection", "geometries": [json.loads(GORKY_FOUNTAIN.geojson)] * 2})
    response = editor.post(zones_url(concept), zone_data() | {"geom": collection})
    assert errors_of(response, "geom") == [
        "A zone is one point, one line or one polygon, not a collection of shapes: "
        "draw each part of the plan as a zone of its own."
    ]


def test_a_zone_needs_a_purpose(editor, concept):
    response = editor.post(zones_url(concept), zone_data(purpose=""))
    assert errors_of(response, "purpose") == ["This field is required."]


def test_an_urbanist_edits_a_zone(editor, concept):
    zone = add_zone(concept)
    editor.get(f"{zones_url(concept)}?zone={zone.pk}")
    editor.post(zones_url(concept), zone_data(GORKY_ALLEY, purpose="path", label="Main alley", zone=zone.pk))
    zone.refresh_from_db()
    assert (zone.purpose, zone.label, zone.area_m2) == ("path", "Main alley", None)
    assert zone.length_m > 400
    assert Zone.objects.count() == 1


def test_the_zone_being_edited_fills_the_form(editor, concept):
    zone = add_zone(concept, label="Sand pit")
    response = editor.get(f"{zones_url(concept)}?zone={zone.pk}")
    assert response.context["form"].instance == zone
    assert "Edit the zone “Sand pit”" in response.content.decode()


def test_a_zone_of_another_concept_answers_404(editor, concept, park, urbanist):
    other = concepts.save_concept(RenovationConcept(park=park, title_en="Other"), urbanist)
    zone = add_zone(other)
    response = editor.post(zones_url(concept), zone_data(zone=zone.pk, label="Taken over"))
    assert response.status_code == 404
    zone.refresh_from_db()
    assert zone.label == "Playground"


def test_a_deletion_is_confirmed_first(editor, concept):
    zone = add_zone(concept, label="Sand pit")
    response = editor.get(f"{zones_url(concept)}?delete={zone.pk}")
    assert "Delete the zone “Sand pit”?" in response.content.decode()
    assert Zone.objects.exists()


def test_an_urbanist_deletes_a_zone(editor, concept):
    zone = add_zone(concept)
    editor.post(zones_url(concept), {"action": "delete", "zone": zone.pk})
    assert not Zone.objects.exists()


def test_the_zones_are_listed_with_their_areas_and_lengths(editor, concept):
    add_zone(concept, label="Sand pit")
    add_zone(concept, GORKY_ALLEY, purpose="path", label="Main alley")
    add_zone(concept, GORKY_FOUNTAIN, purpose="seating", label="Benches")
    page = editor.get(zones_url(concept)).content.decode()
    assert "3 zones." in page
    for text in ("Sand pit", "Main alley", "Benches", "Playground", "Path", "Seating", "polygon", "line", "point"):
        assert text in page


# Plan images ----------------------------------------------------------------------------------------------------


def test_an_urbanist_uploads_a_plan_image(editor, concept, urbanist):
    upload = SimpleUploadedFile("plan.jpg", arbat_jpeg(), content_type="image/jpeg")
    url = reverse("parks:concept_plans", args=[concept.pk])
    response = editor.post(url, {"action": "upload", "image": upload, "caption": "Master plan"})
    assert response.status_code == 302
    plan = PlanImage.objects.get()
    assert (plan.concept, plan.caption, plan.uploaded_by) == (concept, "Master plan", urbanist)
    assert "Master plan" in editor.get(url).content.decode()


def test_a_file_that_is_not_a_picture_is_refused_beside_the_field(editor, concept):
    upload = SimpleUploadedFile("plan.jpg", b"<html>not a picture</html>", content_type="image/jpeg")
    response = editor.post(
        reverse("parks:concept_plans", args=[concept.pk]), {"action": "upload", "image": upload, "caption": ""}
    )
    assert errors_of(response, "image") == ["The file is not a JPEG, PNG or WebP image."]
    assert not PlanImage.objects.exists()


def test_an_urbanist_deletes_a_plan_image(editor, concept, urbanist):
    upload = SimpleUploadedFile("plan.jpg", arbat_jpeg(), content_type="image/jpeg")
    plan = concepts.add_plan_image(concept, upload, "Plan", urbanist)
    url = reverse("parks:concept_plans", args=[concept.pk])
    assert "Delete this plan image?" in editor.get(f"{url}?delete={plan.pk}").content.decode()
    editor.post(url, {"action": "delete", "plan": plan.pk})
    assert not PlanImage.objects.exists()


# Status ---------------------------------------------------------------------------------------------------------


def status_url(concept) -> str:
    return reverse("parks:concept_status", args=[concept.pk])


def test_the_status_form_offers_the_next_step_and_set_aside(editor, concept):
    form = editor.get(status_url(concept)).context["form"]
    assert [value for value, _label in form.fields["status"].choices] == ["shortlisted", "set_aside"]


def test_an_urbanist_moves_a_concept_to_shortlisted(editor, concept, urbanist):
    response = editor.post(status_url(concept), {"status": "shortlisted", "date": "2024-06-01", "note": "Jury"})
    assert response.status_code == 302
    assert response.url == reverse("parks:concept", args=[concept.pk])
    concept.refresh_from_db()
    assert concept.status == "shortlisted"
    step = concept.status_changes.last()
    assert (step.status, step.date, step.note, step.changed_by) == (
        "shortlisted",
        datetime.date(2024, 6, 1),
        "Jury",
        urbanist,
    )


def test_a_move_not_allowed_is_refused_with_the_allowed_ones(editor, concept):
    response = editor.post(status_url(concept), {"status": "completed", "date": "2024-06-01", "note": ""})
    assert errors_of(response, "status") == [
        "A concept that is “concept” cannot move to “completed”; it may move to “shortlisted” or “set aside”."
    ]
    concept.refresh_from_db()
    assert concept.status == "concept"


def test_setting_aside_without_a_reason_is_refused(editor, concept):
    response = editor.post(status_url(concept), {"status": "set_aside", "date": "2024-06-01", "note": ""})
    assert errors_of(response, "note") == ["Say why the concept is set aside."]
    assert ConceptStatusChange.objects.filter(status="set_aside").count() == 0


def test_a_date_before_the_previous_step_is_refused(editor, concept):
    response = editor.post(status_url(concept), {"status": "shortlisted", "date": "2024-01-01", "note": ""})
    assert errors_of(response, "date") == ["The date is before the concept's previous step (“concept” on May 1, 2024)."]


def test_the_status_page_shows_the_dated_steps(editor, concept, urbanist):
    concepts.change_concept_status(concept, "set_aside", datetime.date(2024, 6, 1), "No budget", urbanist)
    page = editor.get(status_url(concept)).content.decode()
    assert "Set aside" in page and "No budget" in page
    assert 'datetime="2024-06-01"' in page and 'datetime="2024-05-01"' in page


def test_a_set_aside_concept_is_offered_to_be_taken_up_where_it_was(editor, concept, urbanist):
    concepts.change_concept_status(concept, "shortlisted", datetime.date(2024, 6, 1), user=urbanist)
    concepts.change_concept_status(concept, "set_aside", datetime.date(2024, 7, 1), "No budget", urbanist)
    form = editor.get(status_url(concept)).context["form"]
    assert [value for value, _label in form.fields["status"].choices] == ["shortlisted"]


def test_a_completed_concept_has_no_status_form(editor, concept):
    RenovationConcept.objects.filter(pk=concept.pk).update(status="completed")
    page = editor.get(status_url(concept)).content.decode()
    assert "its status is final" in page
    assert 'name="status"' not in page
