"""Participant codes: the batch form's limits, the printable sheet (each code once, as text and as a QR code of
the ballot's code page), codes never readable from the database, and the votes' log that names no code."""

import re
from urllib.parse import urlencode

import pytest
import segno
from django.urls import reverse

from participation import voting
from participation.models import CodeBatch, ParticipantCode, Voters
from participation.organising import qr_svg
from tests.factories import BallotFactory, ConceptFactory, ItemFactory, ParkFactory, UserFactory

pytestmark = pytest.mark.django_db

CODE = re.compile(r"<code>([A-Z2-9]{4}-[A-Z2-9]{4})</code>")
NETWORK = "192.0.2.0/24"


@pytest.fixture
def ballot():
    ballot = BallotFactory(points=True)
    park = ParkFactory()
    for position in (1, 2, 3):
        ItemFactory(ballot=ballot, subject=ConceptFactory(park=park), position=position)
    return ballot


@pytest.fixture
def organising(client, urbanist):
    client.force_login(urbanist)
    return client


def generate(client, ballot, count, follow=False, **data):
    return client.post(reverse("workshops:codes", args=[ballot.pk]), {"count": count, **data}, follow=follow)


def cards_of(response) -> list[str]:
    """The codes printed on the cards (the text list repeats them)."""
    page = response.content.decode()
    cards = page[page.index('class="sheet-page"') :]
    return CODE.findall(cards)


# The form --------------------------------------------------------------------------------------------------


def test_a_batch_of_no_codes_is_refused(organising, ballot):
    response = generate(organising, ballot, 0)

    assert response.context["form"].errors["count"] == ["Generate from 1 to 1000 codes at a time, not 0."]
    assert not CodeBatch.objects.exists()


def test_a_batch_larger_than_the_limit_is_refused(organising, ballot, settings):
    settings.BALLOT_CODE_BATCH_MAX = 20

    response = generate(organising, ballot, 21)

    assert response.context["form"].errors["count"] == ["Generate from 1 to 20 codes at a time, not 21."]
    assert not ParticipantCode.objects.exists()


def test_a_batch_of_the_limit_is_generated(organising, ballot, settings):
    settings.BALLOT_CODE_BATCH_MAX = 20

    response = generate(organising, ballot, 20)

    assert response.status_code == 200
    assert ParticipantCode.objects.filter(ballot=ballot).count() == 20


def test_a_ballot_for_signed_in_residents_only_gets_no_codes(organising, ballot):
    ballot.voters = Voters.ACCOUNTS
    ballot.save()

    response = generate(organising, ballot, 5, follow=True)

    assert "This ballot is for signed-in residents only" in response.content.decode()
    assert not CodeBatch.objects.exists()


def test_a_resident_cannot_generate_codes(client, resident, ballot):
    client.force_login(resident)

    response = generate(client, ballot, 5)

    assert response.status_code == 403
    assert not CodeBatch.objects.exists()


# The sheet -------------------------------------------------------------------------------------------------


def test_the_sheet_shows_as_many_distinct_codes_as_asked_in_the_printed_format(organising, ballot):
    response = generate(organising, ballot, 14, note="Table 3")

    codes = cards_of(response)
    assert len(codes) == 14
    assert len(set(codes)) == 14
    assert all(code == voting.format_code(code) for code in codes)
    batch = CodeBatch.objects.get()
    assert (batch.size, batch.note) == (14, "Table 3")


def test_the_sheet_lays_twelve_cards_on_a_page(organising, ballot):
    response = generate(organising, ballot, 14)

    page = response.content.decode()
    assert page.count('<section class="sheet-page"') == 2
    assert [len(cards) for cards in response.context["pages"]] == [12, 2]


def test_the_sheet_says_the_codes_are_shown_once(organising, ballot):
    page = generate(organising, ballot, 3).content.decode()

    assert "These codes are shown this once." in page
    assert "They are stored only in a form that cannot be read back: print this page now, or save it as a PDF." in page
    assert 'id="sheet-print"' in page


def test_each_code_on_the_sheet_votes_once(organising, ballot):
    codes = cards_of(generate(organising, ballot, 3))

    for code in codes:
        redeemed = voting.redeem_code(ballot, code, network=NETWORK)
        assert redeemed.redeemed_at is not None
    with pytest.raises(voting.VoteRefused) as refused:
        voting.redeem_code(ballot, codes[0], network=NETWORK)
    assert refused.value.code == "used_code"


def test_the_codes_are_not_in_the_database_in_clear(organising, ballot):
    codes = cards_of(generate(organising, ballot, 5, note="Table 1"))

    stored = [
        str(value)
        for row in ParticipantCode.objects.values_list("digest", "ballot_id", "batch_id", "redeemed_at")
        for value in row
    ]
    stored += [str(value) for value in CodeBatch.objects.values_list("note", "size").get()]
    for code in codes:
        raw = code.replace("-", "")
        assert not any(code in value or raw in value for value in stored)
    assert set(ParticipantCode.objects.values_list("digest", flat=True)) == {voting.code_digest(c) for c in codes}


def test_the_sheet_is_never_cached(organising, ballot):
    response = generate(organising, ballot, 2)

    assert "no-store" in response["Cache-Control"]


def test_a_sheet_sent_twice_makes_no_second_batch(organising, ballot):
    key = "8d2f5b8e-5c1e-4c52-9f50-2f3a0a7b7c11"
    generate(organising, ballot, 4, sheet_key=key)

    response = generate(organising, ballot, 4, sheet_key=key, follow=True)

    assert "These codes were shown once already and cannot be shown again" in response.content.decode()
    assert CodeBatch.objects.count() == 1
    assert ParticipantCode.objects.count() == 4


def test_each_card_has_a_qr_code_of_the_ballots_code_page_with_its_code(organising, ballot):
    response = generate(organising, ballot, 2)

    page = response.content.decode()
    for card in response.context["cards"]:
        url = "http://testserver" + reverse("workshops:code", args=[ballot.pk]) + "?" + urlencode({"code": card.code})
        assert card.url == url
        assert f'data-url="{url}"' in page
        assert f'aria-label="QR code of the address {url}"' in page
        # segno cannot read a QR code back: the card's drawing must be the one segno makes of the address.
        expected = re.search(r' d="([^"]+)"', segno.make(url).svg_inline()).group(1)
        assert f' d="{expected}"' in card.qr_svg
        assert card.qr_svg in page
        assert card.qr_svg == qr_svg(url)


def test_the_qr_code_is_inline_svg_with_nothing_to_fetch(organising, ballot):
    page = generate(organising, ballot, 1).content.decode()

    assert '<svg viewBox="' in page
    assert "<img" not in page


def test_each_card_says_how_to_vote_in_three_languages(organising, ballot):
    response = generate(organising, ballot, 1)

    page = response.content.decode()
    assert '<li lang="en">Scan the code or go to testserver/vote/ and enter it.</li>' in page
    assert '<li lang="kk">' in page
    assert '<li lang="ru">' in page
    assert [language for language, _text in response.context["instructions"]] == ["kk", "ru", "en"]


# The batches -----------------------------------------------------------------------------------------------


def test_the_batches_say_how_many_codes_were_used_but_not_which(organising, ballot, urbanist):
    codes = cards_of(generate(organising, ballot, 3, note="Table 7"))
    voting.redeem_code(ballot, codes[1], network=NETWORK)

    response = organising.get(reverse("workshops:codes", args=[ballot.pk]))

    [batch] = response.context["batches"]
    assert (batch.size, batch.used, batch.note) == (3, 1, "Table 7")
    page = response.content.decode()
    assert urbanist.email in page
    assert "Table 7" in page
    assert not any(code in page or code.replace("-", "") in page for code in codes)
    assert not any(digest in page for digest in ParticipantCode.objects.values_list("digest", flat=True))


# The votes' log --------------------------------------------------------------------------------------------


def test_the_log_never_shows_a_code(organising, ballot):
    [code_text] = cards_of(generate(organising, ballot, 1))
    code = voting.redeem_code(ballot, code_text, network=NETWORK)
    first, second, _third = ballot.items.order_by("position")
    voting.cast_vote(ballot, voting.Voter(code=code), {first.pk: 4})
    voting.cast_vote(ballot, voting.Voter(code=code), {first.pk: 2, second.pk: 3})

    response = organising.get(reverse("workshops:audit", args=[ballot.pk]))

    page = response.content.decode()
    [changed, cast] = response.context["rows"]
    assert (changed.action, changed.voter) == ("changed", "a participant code")
    assert (cast.action, cast.voter) == ("cast", "a participant code")
    assert changed.marks == [(str(second.subject), 3), (str(first.subject), 2)]
    assert code_text not in page
    assert code_text.replace("-", "") not in page
    assert code.digest not in page


def test_the_log_names_an_account_by_its_email_address(organising, ballot):
    voter = UserFactory(email="aliya@example.org")
    item = ballot.items.first()
    voting.cast_vote(ballot, voting.Voter(account=voter), {item.pk: 5})

    response = organising.get(reverse("workshops:audit", args=[ballot.pk]))

    [row] = response.context["rows"]
    assert (row.voter, row.marks) == ("aliya@example.org", [(str(item.subject), 5)])
    assert f"{item.subject}: 5 points" in response.content.decode()


def test_the_log_as_csv_names_no_code(organising, ballot):
    [code_text] = cards_of(generate(organising, ballot, 1))
    code = voting.redeem_code(ballot, code_text, network=NETWORK)
    item = ballot.items.first()
    voting.cast_vote(ballot, voting.Voter(code=code), {item.pk: 4})

    response = organising.get(reverse("workshops:audit", args=[ballot.pk]), {"format": "csv"})

    text = b"".join(response.streaming_content).decode()
    header, row = text.strip().splitlines()
    assert header == "when,action,voter,marks"
    assert row.endswith(f",cast,a participant code,{item.subject}: 4 points")
    assert code_text not in text and code.digest not in text


def test_the_log_is_for_organisers_only(client, resident, ballot):
    client.force_login(resident)

    response = client.get(reverse("workshops:audit", args=[ballot.pk]))

    assert response.status_code == 403
