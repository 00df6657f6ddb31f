"""Limits on writing: parsed from settings, counted from the rows in the database, told as "try again in …"."""

import datetime
import hashlib
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.utils import timezone

from participation.limits import Limit, LimitReached, parse_limits, retry_after_text, sender_network
from participation.models import ApiClient, Comment, Proposal
from participation.services import add_comment, submit_proposal
from tests.factories import (
    PANFILOV_BENCH,
    CityFactory,
    CommentFactory,
    ProposalCategoryFactory,
    ProposalFactory,
    UserFactory,
)

NETWORK = "a" * 64


def new_proposal(**fields) -> Proposal:
    values = {
        "kind": "problem",
        "category": ProposalCategoryFactory(),
        "title": "A dark underpass",
        "description": "No light at night.",
        "language": "en",
        "geom": PANFILOV_BENCH.clone(),
        "submission_key": uuid.uuid4(),
    }
    return Proposal(**(values | fields))


def sent_ago(*minutes: float, **fields) -> None:
    """Proposals as if sent ``minutes`` ago each."""
    for ago in minutes:
        ProposalFactory(created_at=timezone.now() - datetime.timedelta(minutes=ago), **fields)


def request_from(address: str):
    return RequestFactory().get("/", REMOTE_ADDR=address)


# Reading the settings


def test_limits_are_read_as_counts_per_period():
    assert parse_limits("5/hour, 20/day") == [Limit(5, "hour"), Limit(20, "day")]
    assert parse_limits("3/minute") == [Limit(3, "minute")]


def test_an_empty_setting_is_no_limit():
    assert parse_limits("") == []


@pytest.mark.parametrize("text", ["5/week", "five/hour", "5", "0/hour", "-1/hour", "5/hour;20/day", "/hour"])
def test_a_setting_that_is_not_a_limit_stops_the_site_with_a_clear_error(text):
    with pytest.raises(ImproperlyConfigured, match="is not a limit"):
        parse_limits(text)


# Telling how long to wait


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (datetime.timedelta(seconds=5), "1 minute"),
        (datetime.timedelta(minutes=11, seconds=30), "12 minutes"),
        (datetime.timedelta(minutes=59), "59 minutes"),
        (datetime.timedelta(hours=1), "1 hour"),
        (datetime.timedelta(hours=1, minutes=1), "2 hours"),
        (datetime.timedelta(hours=23), "23 hours"),
        (datetime.timedelta(hours=23, minutes=59), "1 day"),
        (datetime.timedelta(days=2, hours=1), "3 days"),
    ],
)
def test_the_wait_is_told_rounded_up_in_the_largest_unit_that_fits(delta, text):
    assert retry_after_text(delta) == text


# The sender's network


def test_the_network_is_a_keyed_hash_never_the_address():
    network = sender_network(request_from("203.0.113.7"))

    assert len(network) == 64 and int(network, 16) >= 0
    assert network != hashlib.sha256(b"203.0.113.7").hexdigest()
    assert network == sender_network(request_from("203.0.113.7"))
    assert network != sender_network(request_from("203.0.113.8"))


def test_the_hash_depends_on_the_secret_key(settings):
    before = sender_network(request_from("203.0.113.7"))
    settings.SECRET_KEY = "another-secret-key-for-this-test-only"

    assert sender_network(request_from("203.0.113.7")) != before


def test_ipv6_addresses_of_one_64_network_count_as_one_sender():
    home = sender_network(request_from("2001:db8:1:2::10"))

    assert home == sender_network(request_from("2001:db8:1:2:ffff:1:2:3"))
    assert home != sender_network(request_from("2001:db8:1:3::10"))


def test_an_ipv4_address_mapped_into_ipv6_is_the_ipv4_address():
    assert sender_network(request_from("::ffff:203.0.113.7")) == sender_network(request_from("203.0.113.7"))


def test_an_unreadable_address_gives_no_network():
    assert sender_network(request_from("not-an-address")) == ""


# Proposals per account


@pytest.mark.django_db
def test_the_sixth_proposal_in_an_hour_is_refused_until_the_oldest_is_an_hour_old(resident):
    CityFactory()
    sent_ago(48, 40, 30, 20, 10, author=resident)

    with pytest.raises(LimitReached) as caught:
        submit_proposal(new_proposal(), author=resident)

    assert caught.value.message == "You have sent 5 proposals in the last hour. Try again in 12 minutes."
    assert datetime.timedelta(minutes=11, seconds=50) < caught.value.retry_after <= datetime.timedelta(minutes=12)
    assert Proposal.objects.filter(author=resident).count() == 5


@pytest.mark.django_db
def test_proposals_older_than_the_window_do_not_count(resident):
    CityFactory()
    sent_ago(61, 70, 80, 90, 100, author=resident)

    submit_proposal(new_proposal(), author=resident)

    assert Proposal.objects.filter(author=resident).count() == 6


@pytest.mark.django_db
def test_the_daily_limit_waits_for_the_oldest_proposal_of_the_day(resident):
    CityFactory()
    # 20 proposals, the oldest 23 hours ago, none in the last hour.
    sent_ago(*[23 * 60 - minutes for minutes in range(0, 20 * 60, 60)], author=resident)

    with pytest.raises(LimitReached) as caught:
        submit_proposal(new_proposal(), author=resident)

    assert caught.value.message == "You have sent 20 proposals in the last 24 hours. Try again in 1 hour."
    assert datetime.timedelta(minutes=59) < caught.value.retry_after <= datetime.timedelta(hours=1)


@pytest.mark.django_db
def test_when_both_limits_are_full_the_longer_wait_is_told(resident, settings):
    CityFactory()
    settings.PROPOSAL_LIMITS_PER_ACCOUNT = "2/hour,3/day"
    sent_ago(600, 30, 20, author=resident)

    with pytest.raises(LimitReached) as caught:
        submit_proposal(new_proposal(), author=resident)

    assert caught.value.message == "You have sent 3 proposals in the last 24 hours. Try again in 14 hours."


@pytest.mark.django_db
def test_a_changed_setting_takes_effect_at_once(resident, settings):
    CityFactory()
    settings.PROPOSAL_LIMITS_PER_ACCOUNT = "1/minute"
    sent_ago(0.5, author=resident)

    with pytest.raises(LimitReached, match="in the last minute. Try again in 1 minute."):
        submit_proposal(new_proposal(), author=resident)


@pytest.mark.django_db
def test_another_residents_proposals_do_not_count(resident):
    CityFactory()
    sent_ago(48, 40, 30, 20, 10)

    submit_proposal(new_proposal(), author=resident)

    assert Proposal.objects.filter(author=resident).count() == 1


# Proposals per network and per API key


@pytest.mark.django_db
def test_proposals_from_one_network_count_together_whoever_sends_them(settings):
    CityFactory()
    settings.PROPOSAL_LIMITS_PER_NETWORK = "3/hour"
    sent_ago(50, 40, 30, sender_network=NETWORK)

    with pytest.raises(LimitReached) as caught:
        submit_proposal(new_proposal(), author=UserFactory(), network=NETWORK)

    assert (
        caught.value.message
        == "3 proposals have been sent from your network in the last hour. Try again in 10 minutes."
    )
    submit_proposal(new_proposal(), author=UserFactory(), network="b" * 64)


@pytest.mark.django_db
def test_an_api_key_is_limited_by_the_reports_it_sent(settings):
    CityFactory()
    settings.OPEN311_LIMITS_PER_KEY = "2/hour"
    client = ApiClient.objects.create(name="City back-end", key_digest="0" * 64, key_prefix="abcd")
    sent_ago(30, 15, author=None, api_client=client)

    with pytest.raises(LimitReached) as caught:
        submit_proposal(new_proposal(contact_email="citizen@example.org"), api_client=client)

    assert caught.value.message == "This API key has sent 2 reports in the last hour. Try again in 30 minutes."
    assert caught.value.retry_after_seconds == pytest.approx(30 * 60, abs=10)


@pytest.mark.django_db
def test_a_resubmitted_form_is_answered_with_its_proposal_even_at_the_limit(resident, settings):
    CityFactory()
    settings.PROPOSAL_LIMITS_PER_ACCOUNT = "1/hour"
    first = submit_proposal(new_proposal(), author=resident)

    again = submit_proposal(new_proposal(submission_key=first.submission_key), author=resident)

    assert again.pk == first.pk


# Comments


@pytest.mark.django_db
def test_comments_are_limited_per_account(resident, settings):
    settings.COMMENT_LIMITS_PER_ACCOUNT = "2/hour"
    proposal = ProposalFactory()
    for ago in (45, 5):
        CommentFactory(proposal=proposal, author=resident, created_at=timezone.now() - datetime.timedelta(minutes=ago))

    with pytest.raises(LimitReached) as caught:
        add_comment(proposal, author=resident, text="One more thing")

    assert caught.value.message == "You have written 2 comments in the last hour. Try again in 15 minutes."
    assert Comment.objects.filter(author=resident).count() == 2


@pytest.mark.django_db
def test_comments_are_limited_per_network(resident, settings):
    settings.COMMENT_LIMITS_PER_NETWORK = "1/minute"
    proposal = ProposalFactory()
    CommentFactory(proposal=proposal, sender_network=NETWORK, created_at=timezone.now())

    with pytest.raises(LimitReached, match="1 comment has been written from your network in the last minute"):
        add_comment(proposal, author=resident, text="Me too", network=NETWORK)
    add_comment(proposal, author=resident, text="Me too")
