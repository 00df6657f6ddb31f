"""Participant codes: how they look, how they are stored (a keyed digest only), redeemed once, and limited."""

import datetime
import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from participation import voting
from participation.models import CodeAttempt, CodeBatch, ParticipantCode, Vote, Voters
from tests.factories import BallotFactory, ItemFactory

pytestmark = pytest.mark.django_db

NETWORK = "a" * 64


@pytest.fixture
def ballot():
    ballot = BallotFactory()
    ItemFactory(ballot=ballot)
    ItemFactory(ballot=ballot)
    return ballot


def one_code(ballot) -> str:
    _batch, (text,) = voting.generate_codes(ballot, 1)
    return text


def test_a_code_is_printed_as_two_groups_of_four_from_an_alphabet_without_look_alikes(ballot):
    _batch, texts = voting.generate_codes(ballot, 50)

    assert len(set(texts)) == 50
    for text in texts:
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", text)
        assert not set(text) & set("0O1IL")


def test_what_a_person_types_is_read_as_the_printed_code():
    assert voting.normalise_code(" abcd efgh ") == "ABCDEFGH"
    assert voting.normalise_code("ABCD-EFGH") == "ABCDEFGH"
    assert voting.normalise_code("ＡＢＣＤ－ＥＦＧＨ") == "ABCDEFGH"  # a full-width keyboard
    # A Russian keyboard types Cyrillic А, В, С, Е, Н for the Latin letters they look like.
    assert voting.normalise_code("АВСD-ЕFGН") == "ABCDEFGH"
    assert voting.format_code("abcdefgh") == "ABCD-EFGH"


def test_the_digest_is_the_same_however_the_code_is_typed_and_is_keyed_by_the_secret_key(settings):
    digest = voting.code_digest("ABCD-EFGH")

    assert voting.code_digest("abcd efgh") == digest
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only"
    assert voting.code_digest("ABCD-EFGH") != digest


def test_generating_codes_stores_a_batch_with_one_digest_per_code(ballot, urbanist):
    batch, texts = voting.generate_codes(ballot, 3, by=urbanist, note="  Table 4  ")

    batch.refresh_from_db()
    assert (batch.ballot, batch.size, batch.created_by, batch.note) == (ballot, 3, urbanist, "Table 4")
    assert set(batch.codes.values_list("digest", flat=True)) == {voting.code_digest(text) for text in texts}
    assert not batch.codes.filter(redeemed_at__isnull=False).exists()


def every_row_as_text() -> str:
    """Every row of every table of the database, as PostgreSQL prints it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'spatial_ref_sys'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        texts = []
        for table in tables:
            cursor.execute(f'SELECT t::text FROM "{table}" AS t')  # noqa: S608 (names from the catalogue)
            texts.extend(row[0] for row in cursor.fetchall())
    return "\n".join(texts).upper()


def test_the_text_of_a_code_is_nowhere_in_the_database_even_after_it_voted(ballot):
    text = one_code(ballot)
    code = voting.redeem_code(ballot, text, network=NETWORK)
    voting.cast_vote(ballot, voting.Voter(code=code), {ballot.items.first().pk: 1})
    with pytest.raises(voting.VoteRefused):
        voting.redeem_code(ballot, text, network=NETWORK)

    stored = every_row_as_text()
    assert text not in stored
    assert voting.normalise_code(text) not in stored
    assert voting.code_digest(text).upper() in stored  # the digest is what is kept


def test_asking_for_no_codes_or_more_than_a_batch_holds_is_refused_with_the_numbers(ballot, settings):
    settings.BALLOT_CODE_BATCH_MAX = 100

    with pytest.raises(ValueError, match="Ask for between 1 and 100 codes; you asked for 0."):
        voting.generate_codes(ballot, 0)
    with pytest.raises(ValueError, match="Ask for between 1 and 100 codes; you asked for 101."):
        voting.generate_codes(ballot, 101)
    assert not CodeBatch.objects.exists()
    assert not ParticipantCode.objects.exists()


def test_a_ballot_for_accounts_only_gets_no_codes():
    ballot = BallotFactory(voters=Voters.ACCOUNTS)

    with pytest.raises(ValueError, match="signed-in residents only"):
        voting.generate_codes(ballot, 5)
    assert not CodeBatch.objects.exists()


def test_redeeming_a_code_marks_it_used(ballot):
    text = one_code(ballot)
    now = timezone.now()

    code = voting.redeem_code(ballot, text.lower().replace("-", " "), network=NETWORK, now=now)

    code.refresh_from_db()
    assert code.redeemed_at == now
    assert code.digest == voting.code_digest(text)
    assert not CodeAttempt.objects.exists()


def refused(call) -> voting.VoteRefused:
    with pytest.raises(voting.VoteRefused) as caught:
        call()
    return caught.value


def test_an_unknown_code_is_refused_and_counted_against_the_network(ballot):
    one_code(ballot)

    refusal = refused(lambda: voting.redeem_code(ballot, "ABCD-EFGH", network=NETWORK))

    assert refusal.code == "unknown_code"
    assert refusal.message == "There is no code ABCD-EFGH for this ballot: check it against your card."
    assert CodeAttempt.objects.filter(sender_network=NETWORK).count() == 1


def test_a_code_of_the_wrong_length_is_refused_naming_the_length(ballot):
    refusal = refused(lambda: voting.redeem_code(ballot, "ABC-DEF", network=NETWORK))

    assert refusal.code == "unknown_code"
    assert refusal.message == "A code has 8 letters and digits, such as ABCD-EFGH; you typed 6."


def test_a_used_code_is_refused_and_counted_against_the_network(ballot):
    text = one_code(ballot)
    voting.redeem_code(ballot, text, network=NETWORK)

    refusal = refused(lambda: voting.redeem_code(ballot, text, network="b" * 64))

    assert refusal.code == "used_code"
    assert text in refusal.message
    assert CodeAttempt.objects.filter(sender_network="b" * 64).count() == 1


def test_a_code_of_another_ballot_is_unknown_here_and_stays_unused(ballot):
    other = BallotFactory()
    text = one_code(other)

    refusal = refused(lambda: voting.redeem_code(ballot, text, network=NETWORK))

    assert refusal.code == "unknown_code"
    assert ParticipantCode.objects.get(ballot=other).redeemed_at is None


def test_codes_are_refused_before_voting_opens_and_after_it_closes(ballot):
    text = one_code(ballot)

    early = refused(lambda: voting.redeem_code(ballot, text, network=NETWORK, now=ballot.opens_at - _minute()))
    late = refused(lambda: voting.redeem_code(ballot, text, network=NETWORK, now=ballot.closes_at))

    assert (early.code, late.code) == ("not_open", "closed")
    assert early.message.startswith("Voting on this ballot opens on ")
    assert late.message.startswith("Voting on this ballot closed on ")
    assert ParticipantCode.objects.get().redeemed_at is None
    assert not CodeAttempt.objects.exists()


def _minute() -> datetime.timedelta:
    return datetime.timedelta(minutes=1)


def test_a_ballot_for_accounts_only_refuses_codes(ballot):
    text = one_code(ballot)
    ballot.voters = Voters.ACCOUNTS
    ballot.save()

    refusal = refused(lambda: voting.redeem_code(ballot, text, network=NETWORK))

    assert refusal.code == "not_allowed"
    assert ParticipantCode.objects.get().redeemed_at is None


def test_a_network_that_entered_too_many_wrong_codes_waits_even_with_a_right_one(ballot, settings):
    settings.BALLOT_CODE_LIMITS_PER_NETWORK = "3/hour"
    text = one_code(ballot)
    now = timezone.now()
    for minutes in (50, 40, 30):
        CodeAttempt.objects.create(sender_network=NETWORK, at=now - datetime.timedelta(minutes=minutes))

    refusal = refused(lambda: voting.redeem_code(ballot, text, network=NETWORK, now=now))

    assert refusal.code == "too_many_attempts"
    assert refusal.message == (
        "3 wrong or used participant codes have been entered from your network in the last hour. "
        "Try again in 10 minutes."
    )
    assert refusal.retry_after_seconds == 600
    assert ParticipantCode.objects.get().redeemed_at is None
    assert CodeAttempt.objects.count() == 3  # a refusal by the limit is not counted again


def test_the_limit_counts_only_the_networks_own_refusals_in_the_window(ballot, settings):
    settings.BALLOT_CODE_LIMITS_PER_NETWORK = "3/hour"
    text = one_code(ballot)
    now = timezone.now()
    CodeAttempt.objects.create(sender_network=NETWORK, at=now - datetime.timedelta(minutes=61))
    for _ in range(5):
        CodeAttempt.objects.create(sender_network="b" * 64, at=now)
    CodeAttempt.objects.create(sender_network=NETWORK, at=now)

    code = voting.redeem_code(ballot, text, network=NETWORK, now=now)

    assert code.redeemed_at == now


def test_a_code_no_ballot_knows_is_refused_and_counted_on_the_page_for_any_code(settings):
    settings.BALLOT_CODE_LIMITS_PER_NETWORK = "2/hour"

    first = refused(lambda: voting.refuse_unknown_code("abcd efgh", network=NETWORK))
    refused(lambda: voting.refuse_unknown_code("abcd efgh", network=NETWORK))
    third = refused(lambda: voting.refuse_unknown_code("abcd efgh", network=NETWORK))

    assert (first.code, first.message) == ("unknown_code", "There is no code ABCD-EFGH: check it against your card.")
    assert third.code == "too_many_attempts"
    assert CodeAttempt.objects.count() == 2


def test_the_session_that_redeemed_a_code_votes_with_it_and_another_session_does_not(ballot, resident):
    code = voting.redeem_code(ballot, one_code(ballot), network=NETWORK)
    request = RequestFactory().get("/")
    request.session, request.user = {}, resident

    voting.remember_code(request, ballot, code)

    assert voting.voter_for(request, ballot) == voting.Voter(code=code)
    other = RequestFactory().get("/")
    other.session, other.user = {}, resident
    assert voting.voter_for(other, ballot) == voting.Voter(account=resident)


def test_a_code_vote_names_nobody_and_no_code_in_the_audit_log(ballot):
    code = voting.redeem_code(ballot, one_code(ballot), network=NETWORK)

    vote = voting.cast_vote(ballot, voting.Voter(code=code), {ballot.items.first().pk: 1})

    vote.refresh_from_db()
    assert (vote.by_code, vote.voter, vote.code) == (True, None, code)
    change = vote.changes.get()
    assert (change.by_code, change.account) == (True, None)
    assert Vote.objects.filter(code=code).count() == 1
