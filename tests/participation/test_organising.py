"""The organisers' pages: who may set up workshops and ballots, every rule they follow, the item picker, what a
vote freezes, and a ballot saved whole or not at all."""

import datetime
import json
import re

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from participation import voting, workshops
from participation.models import Ballot, BallotItem, Method, Visibility, Workshop
from tests.factories import (
    GORKY_FOUNTAIN,
    BallotFactory,
    CityFactory,
    ConceptFactory,
    CorridorFactory,
    ItemFactory,
    ParkFactory,
    ProjectFactory,
    ProposalFactory,
    UserFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db

CREATE = reverse("workshops:create")


@pytest.fixture(autouse=True)
def city(db):
    return CityFactory()


@pytest.fixture
def park():
    return ParkFactory()


@pytest.fixture
def concepts(park):
    return [ConceptFactory(park=park, title_en=f"Concept {name}") for name in ("Alma", "Birch", "Cedar")]


@pytest.fixture
def workshop():
    return WorkshopFactory()


@pytest.fixture
def organising(client, urbanist):
    client.force_login(urbanist)
    return client


def local(moment: datetime.datetime) -> str:
    """A moment as a datetime-local input sends it: the city's local time, to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def workshop_data(**changes) -> dict:
    data = {
        "title_en": "Gorky Park: what next?",
        "title_ru": "",
        "title_kk": "",
        "description_en": "Three days of drawing and choosing.",
        "starts_on": "2025-06-12",
        "ends_on": "2025-06-14",
        "venue_name": "Gorky Park, main gate",
        "venue": "",
        "organisers": "",
    }
    data.update(changes)
    return data


def ballot_data(records, **changes) -> dict:
    now = timezone.now()
    data = {
        "title_en": "Which concept should Gorky Park follow?",
        "description_en": "Spread your points.",
        "method": "points",
        "max_choices": "",
        "points_total": "10",
        "points_per_item": "6",
        "opens_at": local(now - datetime.timedelta(hours=1)),
        "closes_at": local(now + datetime.timedelta(days=1)),
        "results_shown": "live",
        "voters": "both",
        "items": [workshops.item_key(record) for record in records],
    }
    data.update(changes)
    return data


def errors_of(response, field: str) -> list[str]:
    return [str(message) for message in response.context["form"].errors.get(field, [])]


def ballot_with_items(subjects, **kwargs) -> Ballot:
    ballot = BallotFactory(**kwargs)
    for position, subject in enumerate(subjects, start=1):
        ItemFactory(ballot=ballot, subject=subject, position=position)
    return ballot


def cast(ballot: Ballot, user, points: dict[int, int]) -> None:
    voting.cast_vote(ballot, voting.Voter(account=user), points)


# Who may organise ------------------------------------------------------------------------------------------


def organiser_pages(workshop: Workshop, ballot: Ballot) -> list[str]:
    return [
        reverse("workshops:edit", args=[workshop.pk]),
        reverse("workshops:ballot_create", args=[workshop.pk]),
        reverse("workshops:ballot_edit", args=[ballot.pk]),
        reverse("workshops:codes", args=[ballot.pk]),
        reverse("workshops:audit", args=[ballot.pk]),
    ]


def test_an_anonymous_visitor_is_sent_to_log_in_from_every_organisers_page(client, concepts):
    ballot = ballot_with_items(concepts)

    for url in [CREATE, *organiser_pages(ballot.workshop, ballot)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_a_resident_is_refused_every_organisers_page(client, resident, concepts):
    ballot = ballot_with_items(concepts)
    client.force_login(resident)

    for url in [CREATE, *organiser_pages(ballot.workshop, ballot)]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "This page is for the workshop's organisers" in response.content.decode()


def test_a_resident_cannot_create_a_workshop_by_posting(client, resident):
    client.force_login(resident)

    response = client.post(CREATE, workshop_data())

    assert response.status_code == 403
    assert not Workshop.objects.exists()


def test_an_urbanist_may_open_every_organisers_page(organising, concepts):
    ballot = ballot_with_items(concepts)

    for url in [CREATE, *organiser_pages(ballot.workshop, ballot)]:
        assert organising.get(url).status_code == 200, url


def test_a_listed_organiser_may_open_their_workshops_pages(client, resident, concepts):
    ballot = ballot_with_items(concepts)
    ballot.workshop.organisers.add(resident)
    client.force_login(resident)

    for url in organiser_pages(ballot.workshop, ballot):
        assert client.get(url).status_code == 200, url


def test_a_listed_organiser_may_not_create_a_workshop(client, resident, workshop):
    workshop.organisers.add(resident)
    client.force_login(resident)

    assert client.get(CREATE).status_code == 403


def test_the_organiser_of_another_workshop_is_refused(client, resident, concepts):
    ballot = ballot_with_items(concepts)
    WorkshopFactory().organisers.add(resident)
    client.force_login(resident)

    assert client.get(reverse("workshops:ballot_edit", args=[ballot.pk])).status_code == 403


def test_a_listed_organiser_saves_changes_to_their_workshop(client, resident, workshop):
    workshop.organisers.add(resident)
    client.force_login(resident)

    response = client.post(
        reverse("workshops:edit", args=[workshop.pk]),
        workshop_data(title_en="Renamed", organisers=resident.email),
    )

    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.title_en == "Renamed"


# Workshops -------------------------------------------------------------------------------------------------


def test_an_urbanist_creates_a_workshop_with_its_venue_and_organisers(organising, urbanist):
    colleague = UserFactory(email="aigerim@example.org")
    venue = json.dumps({"type": "Point", "coordinates": [GORKY_FOUNTAIN.x, GORKY_FOUNTAIN.y]})

    response = organising.post(CREATE, workshop_data(venue=venue, organisers=f"{urbanist.email}, AIGERIM@example.org"))

    workshop = Workshop.objects.get()
    assert response.status_code == 302
    assert response["Location"] == workshop.get_absolute_url()
    assert workshop.title_en == "Gorky Park: what next?"
    assert (workshop.starts_on, workshop.ends_on) == (datetime.date(2025, 6, 12), datetime.date(2025, 6, 14))
    assert workshop.venue.equals_exact(GORKY_FOUNTAIN, 1e-9)
    assert set(workshop.organisers.all()) == {urbanist, colleague}


def test_a_workshop_without_a_venue_is_saved(organising):
    organising.post(CREATE, workshop_data())

    assert Workshop.objects.get().venue is None


def test_the_new_workshop_form_offers_its_creator_as_organiser(organising, urbanist):
    response = organising.get(CREATE)

    assert response.context["form"]["organisers"].value() == urbanist.email
    assert urbanist.email in response.content.decode()


def test_a_workshop_needs_a_title_in_one_language(organising):
    response = organising.post(CREATE, workshop_data(title_en=""))

    assert errors_of(response, "title_en") == ["Give the workshop a title in at least one language."]
    assert not Workshop.objects.exists()


def test_a_title_in_kazakh_alone_is_enough(organising):
    organising.post(CREATE, workshop_data(title_en="", title_kk="Саябақ шеберханасы"))

    assert Workshop.objects.get().title == "Саябақ шеберханасы"


def test_the_last_day_may_not_be_before_the_first(organising):
    response = organising.post(CREATE, workshop_data(starts_on="2025-06-14", ends_on="2025-06-12"))

    [message] = errors_of(response, "ends_on")
    assert message.startswith("The last day (")
    assert "is before the first day (" in message
    assert not Workshop.objects.exists()


def test_unknown_organisers_are_named(organising):
    UserFactory(email="known@example.org")

    response = organising.post(
        CREATE, workshop_data(organisers="known@example.org, ghost@example.org; nobody@example.org")
    )

    assert errors_of(response, "organisers") == [
        "No account has the e-mail addresses ghost@example.org and nobody@example.org: an organiser signs up first."
    ]
    assert not Workshop.objects.exists()


def test_a_venue_outside_the_city_is_refused(organising):
    venue = json.dumps({"type": "Point", "coordinates": [2.35, 48.85]})

    response = organising.post(CREATE, workshop_data(venue=venue))

    [message] = errors_of(response, "venue")
    assert message.startswith("The venue must be one point in the city:")
    assert "outside the city's extent" in message
    assert not Workshop.objects.exists()


def test_a_venue_that_is_not_a_point_is_refused(organising):
    venue = json.dumps({"type": "LineString", "coordinates": [[76.96, 43.26], [76.97, 43.27]]})

    response = organising.post(CREATE, workshop_data(venue=venue))

    assert errors_of(response, "venue")[0].startswith("The venue must be one point in the city:")


def test_the_error_summary_links_each_problem_to_its_field(organising):
    response = organising.post(CREATE, workshop_data(title_en="", starts_on="2025-06-14", ends_on="2025-06-12"))

    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert '<a href="#id_title_en">Title (English)</a>: Give the workshop a title in at least one language.' in page
    assert '<a href="#id_ends_on">Last day</a>: The last day (' in page


def test_a_workshop_edited_without_change_says_so(organising, workshop):
    page = organising.get(reverse("workshops:edit", args=[workshop.pk]))
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["organisers"] = ""
    data["starts_on"], data["ends_on"] = str(workshop.starts_on), str(workshop.ends_on)

    response = organising.post(reverse("workshops:edit", args=[workshop.pk]), data, follow=True)

    assert "Nothing was changed." in response.content.decode()


# Ballots: creating one -------------------------------------------------------------------------------------


def create_ballot(client, workshop: Workshop, data: dict):
    return client.post(reverse("workshops:ballot_create", args=[workshop.pk]), data)


def test_an_urbanist_creates_a_points_ballot_of_three_concepts(organising, urbanist, workshop, concepts):
    response = create_ballot(organising, workshop, ballot_data(concepts))

    ballot = Ballot.objects.get()
    assert response.status_code == 302
    assert response["Location"] == workshop.get_absolute_url()
    assert (ballot.method, ballot.points_total, ballot.points_per_item) == (Method.POINTS, 10, 6)
    assert ballot.max_choices is None
    assert ballot.created_by == urbanist
    assert [item.subject for item in ballot.items.order_by("position")] == concepts
    assert [item.position for item in ballot.items.order_by("position")] == [1, 2, 3]


def test_the_opening_and_closing_are_read_in_the_citys_time_zone(organising, workshop, concepts):
    create_ballot(
        organising,
        workshop,
        ballot_data(concepts, opens_at="2030-05-12T10:00", closes_at="2030-05-12T18:30"),
    )

    ballot = Ballot.objects.get()
    # Asia/Almaty is UTC+5.
    assert ballot.opens_at == datetime.datetime(2030, 5, 12, 5, 0, tzinfo=datetime.UTC)
    assert ballot.closes_at == datetime.datetime(2030, 5, 12, 13, 30, tzinfo=datetime.UTC)


def test_positions_set_the_order_of_the_items(organising, workshop, concepts):
    alma, birch, cedar = concepts
    data = ballot_data(concepts)
    data.update(
        {
            f"position-{workshops.item_key(alma)}": "3",
            f"position-{workshops.item_key(birch)}": "1",
            f"position-{workshops.item_key(cedar)}": "2",
        }
    )

    create_ballot(organising, workshop, data)

    assert [item.subject for item in Ballot.objects.get().items.order_by("position")] == [birch, cedar, alma]


def test_a_ballot_may_mix_every_kind_of_record(organising, workshop, concepts):
    corridor, project = CorridorFactory(), ProjectFactory()
    proposal = ProposalFactory(visibility=Visibility.PUBLISHED)

    create_ballot(organising, workshop, ballot_data([concepts[0], corridor, project, proposal]))

    subjects = [item.subject for item in Ballot.objects.get().items.order_by("position")]
    assert subjects == [concepts[0], corridor, project, proposal]


def test_the_numbers_another_method_needs_are_not_kept(organising, workshop, concepts):
    create_ballot(
        organising,
        workshop,
        ballot_data(concepts, method="single", max_choices="2", points_total="10", points_per_item="6"),
    )

    ballot = Ballot.objects.get()
    assert (ballot.method, ballot.max_choices, ballot.points_total, ballot.points_per_item) == (
        Method.SINGLE,
        None,
        None,
        None,
    )


def test_an_approval_ballot_keeps_its_k(organising, workshop, concepts):
    create_ballot(organising, workshop, ballot_data(concepts, method="approval", max_choices="2"))

    ballot = Ballot.objects.get()
    assert (ballot.method, ballot.max_choices, ballot.points_total) == (Method.APPROVAL, 2, None)


def test_a_ballot_needs_a_question(organising, workshop, concepts):
    response = create_ballot(organising, workshop, ballot_data(concepts, title_en=""))

    assert errors_of(response, "title_en") == ["Give the ballot a question in at least one language."]
    assert not Ballot.objects.exists()


def test_a_ballot_needs_two_items(organising, workshop, concepts):
    response = create_ballot(organising, workshop, ballot_data(concepts[:1]))

    assert errors_of(response, "items") == ["A ballot needs at least 2 items; 1 is chosen."]
    assert not Ballot.objects.exists()


def test_approval_needs_k(organising, workshop, concepts):
    response = create_ballot(organising, workshop, ballot_data(concepts, method="approval", max_choices=""))

    assert errors_of(response, "max_choices") == [
        "Approval needs the number of items a voter may choose (k): from 1 to 3, the number of items on the ballot."
    ]


@pytest.mark.parametrize("k", ["0", "4"])
def test_approval_k_is_between_one_and_the_number_of_items(organising, workshop, concepts, k):
    response = create_ballot(organising, workshop, ballot_data(concepts, method="approval", max_choices=k))

    assert errors_of(response, "max_choices") == [
        f"A voter may choose from 1 to 3 items (the items on the ballot), not {k}."
    ]
    assert not Ballot.objects.exists()


def test_points_need_n(organising, workshop, concepts):
    response = create_ballot(organising, workshop, ballot_data(concepts, points_total="", points_per_item="3"))

    assert errors_of(response, "points_total") == [
        "Points need the number of points each voter spreads (N): from 1 to 1000."
    ]


def test_points_n_is_at_least_one(organising, workshop, concepts):
    response = create_ballot(organising, workshop, ballot_data(concepts, points_total="0", points_per_item="1"))

    assert errors_of(response, "points_total") == ["Each voter spreads from 1 to 1000 points (N), not 0."]


def test_points_need_m(organising, workshop, concepts):
    response = create_ballot(organising, workshop, ballot_data(concepts, points_per_item=""))

    assert errors_of(response, "points_per_item") == [
        "Points need the most points a voter may give one item (m): from 1 to 10 (N)."
    ]


def test_points_m_may_not_exceed_n(organising, workshop, concepts):
    response = create_ballot(organising, workshop, ballot_data(concepts, points_total="10", points_per_item="11"))

    assert errors_of(response, "points_per_item") == [
        "The most points on one item (m) must be from 1 to 10 (N), not 11."
    ]
    assert not Ballot.objects.exists()


def test_voting_must_close_after_it_opens(organising, workshop, concepts):
    response = create_ballot(
        organising, workshop, ballot_data(concepts, opens_at="2030-05-12T18:00", closes_at="2030-05-12T10:00")
    )

    [message] = errors_of(response, "closes_at")
    assert message.startswith("Voting must close after it opens (")
    assert not Ballot.objects.exists()


def test_a_new_ballot_may_not_close_in_the_past(organising, workshop, concepts):
    response = create_ballot(
        organising, workshop, ballot_data(concepts, opens_at="2020-05-12T10:00", closes_at="2020-05-12T18:00")
    )

    [message] = errors_of(response, "closes_at")
    assert message.startswith("Voting would close at ")
    assert message.endswith("which has passed: choose a time to come.")


def test_every_problem_of_a_ballot_is_named_at_once(organising, workshop, concepts):
    response = create_ballot(
        organising, workshop, ballot_data(concepts[:1], title_en="", points_total="5", points_per_item="6")
    )

    page = response.content.decode()
    assert "Give the ballot a question in at least one language." in page
    assert "A ballot needs at least 2 items; 1 is chosen." in page
    assert "The most points on one item (m) must be from 1 to 5 (N), not 6." in page
    assert '<a href="#id_items">Items on the ballot</a>' in page


# Ballots: the picker ---------------------------------------------------------------------------------------


def test_the_picker_lists_only_published_records(organising, workshop, park):
    shown = [
        ConceptFactory(park=park, title_en="Published concept"),
        CorridorFactory(name_en="Published corridor"),
        ProjectFactory(title_en="Published project"),
        ProposalFactory(title="Published proposal", visibility=Visibility.PUBLISHED),
    ]
    hidden = [
        ConceptFactory(park=park, title_en="Draft concept", is_published=False),
        CorridorFactory(name_en="Draft corridor", is_published=False),
        ProjectFactory(title_en="Draft project", is_published=False),
        ProposalFactory(title="Pending proposal", visibility=Visibility.PENDING),
    ]

    response = organising.get(reverse("workshops:ballot_create", args=[workshop.pk]))

    listed = {candidate.key for group in response.context["groups"] for candidate in group.candidates}
    assert listed == {workshops.item_key(record) for record in shown}
    page = response.content.decode()
    for record in hidden:
        assert str(record) not in page


def test_the_picker_groups_records_by_kind_and_names_a_concepts_park(organising, workshop, concepts):
    response = organising.get(reverse("workshops:ballot_create", args=[workshop.pk]))

    groups = {group.name: group for group in response.context["groups"]}
    assert list(groups) == ["Park renovation concept", "Corridor alternative", "Project", "Residents' proposal"]
    [first, *_rest] = groups["Park renovation concept"].candidates
    assert first.title == "Concept Alma"
    assert first.context == f"Gorky Central Park · No. {concepts[0].pk}"


def test_an_unpublished_record_sent_anyway_is_refused(organising, workshop, concepts):
    draft = ConceptFactory(park=concepts[0].park, title_en="Secret draft", is_published=False)

    response = create_ballot(organising, workshop, ballot_data([*concepts, draft]))

    assert errors_of(response, "items") == ["“Secret draft” is not published: it cannot be on a ballot; remove it."]
    assert not Ballot.objects.exists()


def test_a_record_that_does_not_exist_is_refused(organising, workshop, concepts):
    data = ballot_data(concepts)
    data["items"].append("parks.renovationconcept:999999")

    response = create_ballot(organising, workshop, data)

    assert errors_of(response, "items") == ["There is no park renovation concept number 999999."]


def test_a_kind_a_ballot_cannot_list_is_refused(organising, workshop, concepts):
    data = ballot_data(concepts)
    data["items"].append("accounts.user:1")

    response = create_ballot(organising, workshop, data)

    assert errors_of(response, "items") == ["“accounts.user:1” is not something a ballot may list."]


def test_a_form_sent_back_with_errors_keeps_the_chosen_items_in_order(organising, workshop, concepts):
    alma, birch, cedar = concepts
    data = ballot_data([alma, cedar], title_en="")
    data[f"position-{workshops.item_key(cedar)}"] = "1"

    response = create_ballot(organising, workshop, data)

    assert [item.key for item in response.context["chosen"]] == [workshops.item_key(cedar), workshops.item_key(alma)]
    page = response.content.decode()
    assert f'value="{workshops.item_key(birch)}" id="item-parks-renovationconcept-{birch.pk}">' in page
    assert f'value="{workshops.item_key(cedar)}" id="item-parks-renovationconcept-{cedar.pk}" checked>' in page


# Ballots: editing, and what a vote freezes -----------------------------------------------------------------


def edit_ballot(client, ballot: Ballot, data: dict):
    return client.post(reverse("workshops:ballot_edit", args=[ballot.pk]), data)


def data_of(ballot: Ballot, **changes) -> dict:
    """What the ballot's edit form sends back untouched (the frozen inputs are disabled: not sent)."""
    records = [item.subject for item in ballot.items.order_by("position")]
    data = ballot_data(
        records,
        title_en=ballot.title_en,
        description_en=ballot.description_en,
        method=ballot.method,
        max_choices=ballot.max_choices or "",
        points_total=ballot.points_total or "",
        points_per_item=ballot.points_per_item or "",
        opens_at=local(ballot.opens_at),
        closes_at=local(ballot.closes_at),
        results_shown=ballot.results_shown,
        voters=ballot.voters,
    )
    data.update(changes)
    return data


def test_an_organiser_replaces_and_reorders_the_items_before_any_vote(organising, concepts):
    alma, birch, cedar = concepts
    ballot = ballot_with_items([alma, birch])
    data = data_of(ballot, items=[workshops.item_key(cedar), workshops.item_key(alma)])

    response = edit_ballot(organising, ballot, data)

    assert response.status_code == 302
    assert [item.subject for item in ballot.items.order_by("position")] == [cedar, alma]


def test_once_a_vote_exists_the_page_says_the_items_and_method_are_frozen(organising, resident, concepts):
    ballot = ballot_with_items(concepts, points=True)
    cast(ballot, resident, {ballot.items.first().pk: 3})

    response = organising.get(reverse("workshops:ballot_edit", args=[ballot.pk]))

    page = response.content.decode()
    assert "1 vote has been cast on this ballot." in page
    assert "Its items, their order, its method and the method's numbers can no longer change" in page
    assert 'name="items"' not in page
    [points_input] = re.findall(r'<input[^>]*name="points_total"[^>]*>', page)
    assert "disabled" in points_input
    assert 'value="10"' in points_input


def test_once_a_vote_exists_other_items_are_refused(organising, resident, concepts, park):
    ballot = ballot_with_items(concepts)
    cast(ballot, resident, {ballot.items.first().pk: 1})
    other = ConceptFactory(park=park)

    response = edit_ballot(
        organising, ballot, data_of(ballot, items=[workshops.item_key(r) for r in [*concepts, other]])
    )

    assert errors_of(response, "items") == [
        "Votes have been cast on this ballot: its items and their order can no longer change."
    ]
    assert [item.subject for item in ballot.items.order_by("position")] == concepts


def test_once_a_vote_exists_a_new_order_is_refused(organising, resident, concepts):
    ballot = ballot_with_items(concepts)
    cast(ballot, resident, {ballot.items.first().pk: 1})
    data = data_of(ballot)
    data[f"position-{workshops.item_key(concepts[2])}"] = "1"

    response = edit_ballot(organising, ballot, data)

    assert errors_of(response, "items") == [
        "Votes have been cast on this ballot: its items and their order can no longer change."
    ]


def test_once_a_vote_exists_another_method_is_refused(organising, resident, concepts):
    ballot = ballot_with_items(concepts, points=True)
    cast(ballot, resident, {ballot.items.first().pk: 3})

    response = edit_ballot(organising, ballot, data_of(ballot, method="single"))

    assert errors_of(response, "method") == [
        "Votes have been cast on this ballot: its method and numbers can no longer change."
    ]
    ballot.refresh_from_db()
    assert (ballot.method, ballot.points_total) == (Method.POINTS, 10)


def test_once_a_vote_exists_other_numbers_are_refused(organising, resident, concepts):
    ballot = ballot_with_items(concepts, points=True)
    cast(ballot, resident, {ballot.items.first().pk: 3})

    response = edit_ballot(organising, ballot, data_of(ballot, points_total="20"))

    assert errors_of(response, "method") == [
        "Votes have been cast on this ballot: its method and numbers can no longer change."
    ]
    ballot.refresh_from_db()
    assert ballot.points_total == 10


def test_once_a_vote_exists_the_opening_cannot_move(organising, resident, concepts):
    ballot = ballot_with_items(concepts)
    cast(ballot, resident, {ballot.items.first().pk: 1})
    opened = ballot.opens_at

    response = edit_ballot(organising, ballot, data_of(ballot, opens_at=local(opened - datetime.timedelta(days=1))))

    [message] = errors_of(response, "opens_at")
    assert message.startswith("Votes have been cast on this ballot: its opening (")
    assert message.endswith(") can no longer move.")
    ballot.refresh_from_db()
    assert ballot.opens_at == opened


def test_once_a_vote_exists_the_texts_and_closing_still_change(organising, resident, concepts):
    ballot = ballot_with_items(concepts, points=True)
    cast(ballot, resident, {ballot.items.first().pk: 3})
    later = (timezone.localtime() + datetime.timedelta(days=3)).replace(second=0, microsecond=0)
    data = data_of(ballot, title_en="Which concept, finally?", closes_at=local(later))
    # The frozen inputs are disabled: a browser does not send them.
    for name in ("items", "method", "max_choices", "points_total", "points_per_item", "opens_at"):
        data.pop(name)

    response = edit_ballot(organising, ballot, data)

    assert response.status_code == 302
    ballot.refresh_from_db()
    assert ballot.title_en == "Which concept, finally?"
    assert ballot.closes_at == later
    assert (ballot.method, ballot.points_total, ballot.points_per_item) == (Method.POINTS, 10, 5)
    assert [item.subject for item in ballot.items.order_by("position")] == concepts


def test_a_form_shown_before_the_first_vote_and_sent_after_it_saves_its_texts(organising, resident, concepts):
    ballot = ballot_with_items(concepts)
    data = data_of(ballot, title_en="A better question")
    cast(ballot, resident, {ballot.items.first().pk: 1})

    response = edit_ballot(organising, ballot, data)

    assert response.status_code == 302
    ballot.refresh_from_db()
    assert ballot.title_en == "A better question"


def test_a_closed_ballot_cannot_be_reopened(organising, concepts):
    now = timezone.now()
    ballot = ballot_with_items(
        concepts, opens_at=now - datetime.timedelta(days=2), closes_at=now - datetime.timedelta(days=1)
    )
    closed = ballot.closes_at

    response = edit_ballot(organising, ballot, data_of(ballot, closes_at=local(now + datetime.timedelta(days=1))))

    [message] = errors_of(response, "closes_at")
    assert message.startswith("Voting closed at ")
    assert message.endswith(": a closed ballot cannot be reopened, nor its closing moved.")
    ballot.refresh_from_db()
    assert ballot.closes_at == closed


def test_a_closed_ballot_still_takes_a_new_explanation(organising, concepts):
    now = timezone.now()
    ballot = ballot_with_items(
        concepts, opens_at=now - datetime.timedelta(days=2), closes_at=now - datetime.timedelta(days=1)
    )
    data = data_of(ballot, description_en="Thank you for voting.")
    data.pop("closes_at")  # disabled on the page

    response = edit_ballot(organising, ballot, data)

    assert response.status_code == 302
    ballot.refresh_from_db()
    assert ballot.description_en == "Thank you for voting."


# Saving a ballot whole, or not at all ----------------------------------------------------------------------


def test_a_new_ballot_whose_item_cannot_be_listed_is_not_saved_at_all(workshop, concepts, urbanist):
    alma, birch, cedar = concepts
    cedar.is_published = False
    cedar.save()
    now = timezone.now()
    ballot = Ballot(
        workshop=workshop,
        title_en="Which one?",
        method=Method.SINGLE,
        opens_at=now,
        closes_at=now + datetime.timedelta(days=1),
    )

    with pytest.raises(ValidationError) as refused:
        workshops.save_ballot(ballot, [alma, birch, cedar], by=urbanist)

    assert refused.value.message_dict["items"] == ["“Concept Cedar” cannot be on a ballot: only published records can."]
    assert not Ballot.objects.exists()
    assert not BallotItem.objects.exists()
    assert ballot.pk is None


def test_a_refused_edit_leaves_the_ballot_and_its_items_as_they_were(workshop, concepts, park):
    alma, birch, cedar = concepts
    ballot = ballot_with_items([alma, birch], workshop=workshop)
    draft = ConceptFactory(park=park, is_published=False)
    ballot.title_en = "Changed question"

    with pytest.raises(ValidationError):
        workshops.save_ballot(ballot, [cedar, alma, draft])

    ballot.refresh_from_db()
    assert ballot.title_en == "Which concept is best?"
    assert [(item.subject, item.position) for item in ballot.items.order_by("position")] == [(alma, 1), (birch, 2)]


def test_the_service_refuses_new_items_once_a_vote_exists(workshop, concepts, resident):
    alma, birch, cedar = concepts
    ballot = ballot_with_items([alma, birch], workshop=workshop)
    cast(ballot, resident, {ballot.items.first().pk: 1})

    with pytest.raises(ValidationError) as refused:
        workshops.save_ballot(Ballot.objects.get(pk=ballot.pk), [alma, birch, cedar])

    assert "items" in refused.value.message_dict
    assert [item.subject for item in ballot.items.order_by("position")] == [alma, birch]


def test_a_venue_is_stored_as_a_point(workshop):
    workshop.venue = Point(GORKY_FOUNTAIN.x, GORKY_FOUNTAIN.y)

    workshops.save_workshop(workshop, [])

    workshop.refresh_from_db()
    assert workshop.venue.srid == 4326
