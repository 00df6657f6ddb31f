"""The admin of ballots: the method's numbers checked, items and method frozen once voted, votes read-only."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from participation import voting
from participation.models import Ballot, BallotItem, CodeBatch, Vote, VoteChange
from tests.factories import BallotFactory, ConceptFactory, ItemFactory, ParkFactory, WorkshopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def voted(resident):
    """A single-choice ballot with two concepts, one vote by an account and one by a code."""
    ballot = BallotFactory()
    park = ParkFactory()
    a, b = (ItemFactory(ballot=ballot, subject=ConceptFactory(park=park)) for _ in range(2))
    voting.cast_vote(ballot, voting.Voter(account=resident), {a.pk: 1})
    _batch, (text, _unused) = voting.generate_codes(ballot, 2)
    voting.cast_vote(ballot, voting.Voter(code=voting.redeem_code(ballot, text, network="")), {b.pk: 1})
    return ballot


def form_data(response) -> dict:
    """What the admin's change page would send back unchanged."""
    data = {}
    for field in response.context["adminform"].form:
        value = field.value()
        if isinstance(value, datetime.datetime):  # the admin's split date and time boxes
            local = timezone.localtime(value)
            data[f"{field.html_name}_0"], data[f"{field.html_name}_1"] = f"{local:%Y-%m-%d}", f"{local:%H:%M:%S}"
            continue
        data[field.html_name] = "" if value is None else value
    for formset in response.context["inline_admin_formsets"]:
        for field in formset.formset.management_form:
            data[field.html_name] = field.value()
        for form in formset.formset.forms:
            for field in form:
                data[field.html_name] = "" if field.value() is None else field.value()
    return data


def test_every_ballot_admin_page_opens_for_an_urbanist(client, urbanist, voted):
    client.force_login(urbanist)
    vote, change = Vote.objects.first(), VoteChange.objects.first()
    for url in (
        reverse("admin:participation_ballot_changelist"),
        reverse("admin:participation_ballot_add"),
        reverse("admin:participation_ballot_change", args=[voted.pk]),
        reverse("admin:participation_codebatch_changelist"),
        reverse("admin:participation_codebatch_change", args=[CodeBatch.objects.get().pk]),
        reverse("admin:participation_vote_changelist"),
        reverse("admin:participation_vote_change", args=[vote.pk]),
        reverse("admin:participation_votechange_changelist"),
        reverse("admin:participation_votechange_change", args=[change.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_the_ballot_page_counts_votes_and_codes(admin_client, voted):
    response = admin_client.get(reverse("admin:participation_ballot_change", args=[voted.pk]))

    fields = {
        line.field["name"]: line.contents()
        for fieldset in response.context["adminform"]
        for line in fieldset
        for line in line
        if not line.is_checkbox and hasattr(line, "contents")
    }
    assert (fields["vote_count"], fields["codes_issued"], fields["codes_used"]) == ("2", "2", "1")


def test_a_points_ballot_without_its_numbers_is_refused_naming_the_fields(admin_client):
    workshop = WorkshopFactory()
    response = admin_client.get(reverse("admin:participation_ballot_add"))
    data = form_data(response) | {
        "workshop": workshop.pk,
        "title_en": "Which concept?",
        "method": "points",
        "opens_at_0": "2026-05-01",
        "opens_at_1": "10:00",
        "closes_at_0": "2026-05-01",
        "closes_at_1": "18:00",
        "voters": "codes",
        "results_shown": "live",
    }

    response = admin_client.post(reverse("admin:participation_ballot_add"), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["points_total"] == ["This voting method needs this number (at least 1)."]
    assert errors["points_per_item"] == ["This voting method needs this number (at least 1)."]
    assert not Ballot.objects.exists()


def test_switching_a_ballot_to_single_choice_drops_the_numbers_of_other_methods(admin_client):
    ballot = BallotFactory(points=True)
    url = reverse("admin:participation_ballot_change", args=[ballot.pk])
    data = form_data(admin_client.get(url)) | {"method": "single"}

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    ballot.refresh_from_db()
    assert (ballot.method, ballot.points_total, ballot.points_per_item) == ("single", None, None)


def test_an_item_that_is_not_published_cannot_be_put_on_a_ballot(admin_client):
    ballot = BallotFactory()
    hidden = ConceptFactory(is_published=False)
    url = reverse("admin:participation_ballot_change", args=[ballot.pk])
    data = form_data(admin_client.get(url)) | {
        "items-TOTAL_FORMS": "1",
        "items-0-content_type": ContentType.objects.get_for_model(hidden).pk,
        "items-0-object_id": hidden.pk,
        "items-0-position": "0",
    }

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert not BallotItem.objects.exists()


def test_once_a_vote_exists_the_method_and_items_are_read_only(admin_client, voted):
    url = reverse("admin:participation_ballot_change", args=[voted.pk])
    response = admin_client.get(url)
    data = form_data(response) | {"method": "approval", "max_choices": "3"}

    assert not {"method", "max_choices", "points_total", "points_per_item"} & set(
        response.context["adminform"].form.fields
    )
    items = next(f for f in response.context["inline_admin_formsets"] if f.formset.model is BallotItem)
    assert not items.has_add_permission and not items.has_change_permission and not items.has_delete_permission
    response = admin_client.post(url, data)

    assert response.status_code == 302
    voted.refresh_from_db()
    assert (voted.method, voted.max_choices) == ("single", None)
    assert voted.items.count() == 2


def test_votes_are_read_only_and_a_code_vote_names_no_code(admin_client, voted):
    code_vote = Vote.objects.get(by_code=True)
    vote_admin = admin.site._registry[Vote]

    content = admin_client.get(reverse("admin:participation_vote_change", args=[code_vote.pk])).content.decode()

    assert "a participant code" in content
    assert code_vote.code.digest not in content
    request = admin_client.get(reverse("admin:participation_vote_changelist")).wsgi_request
    assert not vote_admin.has_change_permission(request, code_vote)
    assert not vote_admin.has_delete_permission(request, code_vote)
    assert not vote_admin.has_add_permission(request)


def test_no_admin_page_shows_a_codes_digest(admin_client, voted):
    digests = list(voted.codes.values_list("digest", flat=True))
    batch = CodeBatch.objects.get()
    pages = [
        reverse("admin:participation_codebatch_changelist"),
        reverse("admin:participation_codebatch_change", args=[batch.pk]),
        reverse("admin:participation_votechange_changelist"),
        reverse("admin:participation_vote_changelist"),
        reverse("admin:participation_ballot_change", args=[voted.pk]),
    ]

    for url in pages:
        content = admin_client.get(url).content.decode()
        assert not any(digest in content for digest in digests), url
    assert admin_client.get(reverse("admin:participation_codebatch_add")).status_code == 403
