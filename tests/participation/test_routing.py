"""Routing: the most specific row of the routing table decides the department and the deadline."""

import datetime

import pytest
from django.utils import timezone

from participation.models import Route, StatusChange
from participation.routing import route_for
from participation.services import publish_proposal
from tests.factories import (
    AUEZOV,
    CityFactory,
    DepartmentFactory,
    DistrictFactory,
    ProposalCategoryFactory,
    ProposalFactory,
    RouteFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def table():
    """A routing table with one row at each level of specificity, for benches in Almaly (and nothing else)."""
    Route.objects.all().delete()
    benches = ProposalCategoryFactory(slug="benches", name_en="Benches")
    almaly = DistrictFactory()
    rows = {
        "category_and_district": RouteFactory(category=benches, district=almaly, deadline_days=10),
        "category": RouteFactory(category=benches, district=None, deadline_days=20),
        "district": RouteFactory(category=None, district=almaly, deadline_days=30),
        "any": RouteFactory(category=None, district=None, deadline_days=40),
    }
    return benches, almaly, rows


def test_a_route_for_the_category_in_the_district_wins_over_every_other(table):
    benches, almaly, rows = table

    assert route_for(benches, almaly) == rows["category_and_district"]


def test_without_a_row_for_the_district_the_category_route_for_the_whole_city_wins(table):
    benches, _almaly, rows = table
    auezov = DistrictFactory(name="Auezov", geom=AUEZOV.clone())

    assert route_for(benches, auezov) == rows["category"]


def test_the_category_route_wins_over_the_district_catch_all(table):
    benches, almaly, rows = table
    rows["category_and_district"].delete()

    assert route_for(benches, almaly) == rows["category"]


def test_another_category_in_the_district_goes_to_the_district_route(table):
    _benches, almaly, rows = table
    lighting = ProposalCategoryFactory(slug="lighting")

    assert route_for(lighting, almaly) == rows["district"]


def test_another_category_in_another_district_goes_to_the_catch_all_route(table):
    _benches, _almaly, rows = table
    lighting = ProposalCategoryFactory(slug="lighting")
    auezov = DistrictFactory(name="Auezov", geom=AUEZOV.clone())

    assert route_for(lighting, auezov) == rows["any"]


def test_a_proposal_outside_every_district_is_routed_by_its_category(table):
    benches, _almaly, rows = table

    assert route_for(benches, None) == rows["category"]
    assert route_for(ProposalCategoryFactory(slug="lighting"), None) == rows["any"]


def test_with_an_empty_table_there_is_no_route(table):
    benches, almaly, _rows = table
    Route.objects.all().delete()

    assert route_for(benches, almaly) is None


def test_publishing_gives_the_proposal_the_department_and_due_date_of_its_route(table, moderator):
    benches, almaly, rows = table
    CityFactory()
    proposal = ProposalFactory(category=benches, visibility="pending", published_at=None)
    assert proposal.district == almaly

    publish_proposal(proposal, moderator=moderator)

    proposal.refresh_from_db()
    route = rows["category_and_district"]
    assert proposal.department == route.department
    assert proposal.due_date == timezone.localdate(proposal.published_at) + datetime.timedelta(days=10)
    step = StatusChange.objects.get(proposal=proposal)
    assert (step.status, step.department, step.changed_by) == ("published", route.department, moderator)


def test_a_department_given_by_hand_before_publication_is_kept(table, moderator):
    benches, _almaly, _rows = table
    chosen = DepartmentFactory()
    proposal = ProposalFactory(category=benches, visibility="pending", published_at=None, department=chosen)

    publish_proposal(proposal, moderator=moderator)

    proposal.refresh_from_db()
    assert proposal.department == chosen
    assert proposal.due_date == timezone.localdate() + datetime.timedelta(days=10)
