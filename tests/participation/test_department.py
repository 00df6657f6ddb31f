"""Departments answer proposals: their queue, the status form (answers, projects, duplicates), reassigning, overdue."""

import datetime

import pytest
from django.contrib.gis.geos import LineString
from django.urls import reverse
from django.utils import timezone

from participation.models import Proposal, StatusChange
from tests.factories import (
    CityFactory,
    DepartmentFactory,
    DistrictFactory,
    ProjectFactory,
    ProposalFactory,
    SupportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("participation:department")
OVERDUE = reverse("participation:overdue")


@pytest.fixture(autouse=True)
def almaly(db):
    CityFactory()
    return DistrictFactory()


@pytest.fixture
def housing(db):
    return DepartmentFactory(slug="housing-test", name_en="Housing department")


@pytest.fixture
def transport(db):
    return DepartmentFactory(slug="transport-test", name_en="Mobility department")


@pytest.fixture
def clerk(housing):
    """A member of the housing department's staff, a resident otherwise."""
    user = UserFactory(role="resident", display_name="Housing clerk")
    housing.members.add(user)
    return user


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def status_url(proposal: Proposal) -> str:
    return reverse("participation:status", args=[proposal.pk])


def answer(client, proposal: Proposal, **data):
    return client.post(status_url(proposal), {"action": "status", **data})


# The queue.


def test_a_department_member_sees_only_their_departments_proposals(client, clerk, housing, transport):
    ProposalFactory(title="Leaking roof of the courtyard shelter", department=housing)
    ProposalFactory(title="Bus stop without a shelter", department=transport)
    ProposalFactory(title="Waiting for a moderator", department=housing, visibility="pending")
    client.force_login(clerk)

    content = client.get(QUEUE).content.decode()

    assert "Leaking roof of the courtyard shelter" in content
    assert "Bus stop without a shelter" not in content
    assert "Waiting for a moderator" not in content


def test_an_answerer_sees_every_department_and_filters_by_one(client, moderator, housing, transport):
    ProposalFactory(title="Leaking roof of the courtyard shelter", department=housing)
    ProposalFactory(title="Bus stop without a shelter", department=transport)
    client.force_login(moderator)

    everything = client.get(QUEUE).content.decode()
    filtered = client.get(QUEUE, {"department": transport.pk}).content.decode()

    assert "Leaking roof of the courtyard shelter" in everything
    assert "Bus stop without a shelter" in everything
    assert "Leaking roof of the courtyard shelter" not in filtered
    assert "Bus stop without a shelter" in filtered


def test_the_queue_shows_the_earliest_due_first_and_says_which_are_overdue(client, clerk, housing):
    later = ProposalFactory(title="Due in a week", department=housing, due_date=days_ago(-7))
    ProposalFactory(title="Three days late", department=housing, due_date=days_ago(3), status="under_review")
    ProposalFactory(title="Answered already", department=housing, due_date=days_ago(9), status="accepted")
    SupportFactory.create_batch(2, proposal=later)
    client.force_login(clerk)

    content = client.get(QUEUE).content.decode()

    assert content.index("Three days late") < content.index("Due in a week")
    assert "Overdue by 3 days" in content
    assert "7 days left" in content
    assert "Answered already" not in content  # the queue shows what waits for an answer
    assert '<td class="number">2</td>' in content


def test_the_queue_also_shows_accepted_proposals_on_request(client, clerk, housing):
    ProposalFactory(title="Answered already", department=housing, status="accepted")
    client.force_login(clerk)

    content = client.get(QUEUE, {"show": "accepted"}).content.decode()

    assert "Answered already" in content


@pytest.mark.parametrize("url", [QUEUE, OVERDUE])
def test_a_resident_outside_every_department_gets_the_forbidden_page(client, resident, url):
    client.force_login(resident)

    assert client.get(url).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in_from_the_status_form(client):
    proposal = ProposalFactory()

    response = client.get(status_url(proposal))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# The status form.


def test_a_member_cannot_answer_another_departments_proposal(client, clerk, transport):
    proposal = ProposalFactory(department=transport)
    client.force_login(clerk)

    assert client.get(status_url(proposal)).status_code == 403
    assert answer(client, proposal, status="under_review", note="On it.").status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "published"


def test_the_status_form_offers_only_the_next_statuses(client, clerk, housing):
    proposal = ProposalFactory(department=housing, status="accepted")
    client.force_login(clerk)

    form = client.get(status_url(proposal)).context["status_form"]

    assert [value for value, _label in form.fields["status"].choices] == ["implemented", "rejected"]
    assert "duplicate_of" not in form.fields


def test_a_status_outside_the_next_ones_is_refused(client, clerk, housing):
    proposal = ProposalFactory(department=housing, status="accepted")
    client.force_login(clerk)

    response = answer(client, proposal, status="under_review", note="Back to review.")

    assert response.status_code == 200
    proposal.refresh_from_db()
    assert proposal.status == "accepted"


def test_a_final_status_has_no_form(client, clerk, housing):
    proposal = ProposalFactory(department=housing, status="rejected")
    client.force_login(clerk)

    content = client.get(status_url(proposal)).content.decode()

    assert "This status is final" in content
    assert 'name="status"' not in content


def test_rejecting_without_an_answer_is_refused_with_a_message(client, clerk, housing):
    proposal = ProposalFactory(department=housing)
    client.force_login(clerk)

    response = answer(client, proposal, status="rejected", note="")

    assert response.status_code == 200
    assert "Say why the proposal is rejected" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "published"
    assert not StatusChange.objects.filter(proposal=proposal, status="rejected").exists()


def test_a_department_answers_and_the_proposal_page_shows_the_answer(client, clerk, housing):
    proposal = ProposalFactory(department=housing)
    client.force_login(clerk)

    response = answer(client, proposal, status="under_review", note="An engineer will look at it on Monday.")

    assert response.status_code == 302
    assert response["Location"] == proposal.get_absolute_url()
    proposal.refresh_from_db()
    assert proposal.status == "under_review"
    step = proposal.status_changes.get(status="under_review")
    assert step.note == "An engineer will look at it on Monday."
    assert step.changed_by == clerk
    assert "An engineer will look at it on Monday." in client.get(proposal.get_absolute_url()).content.decode()


def test_the_status_form_offers_the_projects_near_the_proposal(client, clerk, housing):
    near = ProjectFactory(title_en="Arbat pedestrian zone")  # about 300 m from the bench
    far = ProjectFactory(title_en="Far away", geom=LineString((76.80, 43.20), (76.81, 43.20), srid=4326))
    proposal = ProposalFactory(department=housing, status="accepted")
    client.force_login(clerk)

    response = client.get(status_url(proposal))

    choices = response.context["status_form"].fields["implemented_by"].queryset
    assert near in choices
    assert far not in choices
    assert "Arbat pedestrian zone" in response.content.decode()


def test_implemented_links_the_project_and_the_proposal_page_shows_it(client, clerk, housing):
    project = ProjectFactory(title_en="Arbat pedestrian zone")
    proposal = ProposalFactory(department=housing, status="accepted")
    client.force_login(clerk)

    response = answer(client, proposal, status="implemented", implemented_by=project.pk, note="Done in May.")

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "implemented"
    assert proposal.implemented_by == project
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Arbat pedestrian zone" in page
    assert project.get_absolute_url() in page


def test_a_project_far_away_is_given_by_its_number(client, clerk, housing):
    project = ProjectFactory(title_en="Somewhere else")
    proposal = ProposalFactory(department=housing, status="accepted")
    client.force_login(clerk)

    answer(client, proposal, status="implemented", implemented_by_other=project.get_absolute_url())

    proposal.refresh_from_db()
    assert proposal.implemented_by == project


def test_implemented_without_a_project_is_refused(client, clerk, housing):
    proposal = ProposalFactory(department=housing, status="accepted")
    client.force_login(clerk)

    response = answer(client, proposal, status="implemented", implemented_by_other="999999")

    assert "No published project has the number 999999." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "accepted"


def test_a_duplicate_is_linked_to_the_original_given_by_its_address(client, clerk, housing):
    original = ProposalFactory(title="The first report of the dark street")
    proposal = ProposalFactory(department=housing)
    client.force_login(clerk)

    response = answer(
        client, proposal, status="duplicate", duplicate_of=f"http://testserver{original.get_absolute_url()}"
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "duplicate"
    assert proposal.duplicate_of == original


def test_a_proposal_is_not_a_duplicate_of_itself(client, clerk, housing):
    proposal = ProposalFactory(department=housing)
    client.force_login(clerk)

    response = answer(client, proposal, status="duplicate", duplicate_of=str(proposal.pk))

    assert "A proposal cannot be a duplicate of itself." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "published"


def test_a_moderator_reassigns_a_proposal_to_another_department(client, moderator, housing, transport):
    proposal = ProposalFactory(department=housing)
    client.force_login(moderator)

    response = client.post(status_url(proposal), {"action": "reassign", "department": transport.pk}, follow=True)

    proposal.refresh_from_db()
    assert proposal.department == transport
    assert "The proposal now goes to Mobility department." in response.content.decode()


def test_a_department_member_cannot_reassign(client, clerk, housing, transport):
    proposal = ProposalFactory(department=housing)
    client.force_login(clerk)

    assert client.get(status_url(proposal)).context["reassign_form"] is None
    response = client.post(status_url(proposal), {"action": "reassign", "department": transport.pk})

    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.department == housing


# Overdue answers.


def test_overdue_lists_late_open_proposals_by_department_with_counts(client, moderator, housing, transport):
    ProposalFactory(title="Late housing one", department=housing, due_date=days_ago(5))
    ProposalFactory(title="Late housing two", department=housing, due_date=days_ago(1), status="under_review")
    ProposalFactory(title="Late transport one", department=transport, due_date=days_ago(40))
    ProposalFactory(title="Due tomorrow", department=housing, due_date=days_ago(-1))
    ProposalFactory(title="Late but answered", department=housing, due_date=days_ago(5), status="accepted")
    ProposalFactory(title="Late but hidden", department=housing, due_date=days_ago(5), visibility="hidden")
    client.force_login(moderator)

    response = client.get(OVERDUE)
    content = response.content.decode()

    assert "3 overdue proposals" in content
    assert [(department, count) for department, count in response.context["per_department"]] == [
        (housing, 2),
        (transport, 1),
    ]
    for title in ("Late housing one", "Late housing two", "Late transport one"):
        assert title in content
    for title in ("Due tomorrow", "Late but answered", "Late but hidden"):
        assert title not in content
    assert "Overdue by 40 days" in content


def test_a_department_member_sees_only_their_own_overdue_proposals(client, clerk, housing, transport):
    ProposalFactory(title="Late housing one", department=housing, due_date=days_ago(5))
    ProposalFactory(title="Late transport one", department=transport, due_date=days_ago(40))
    client.force_login(clerk)

    content = client.get(OVERDUE).content.decode()

    assert "Late housing one" in content
    assert "Late transport one" not in content
    assert "1 overdue proposal" in content


def test_without_a_project_nearby_the_project_is_given_by_its_number(client, clerk, housing):
    proposal = ProposalFactory(department=housing, status="accepted")
    client.force_login(clerk)

    response = answer(client, proposal, status="implemented", note="Done.")

    form = response.context["status_form"]
    assert "implemented_by" not in form.fields
    assert form.errors["implemented_by_other"] == [
        "Choose the project that implemented the proposal, or give its number."
    ]
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
