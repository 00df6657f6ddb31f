"""The voting page and the code pages: who may vote and how they are told, each method's form, votes cast and
changed, refusals shown with the marks kept, and participant codes entered on a ballot's page or at /vote/."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from participation import voting
from participation.models import CodeAttempt, Mark, ParticipantCode, Vote, VoteChange, Voters
from tests.factories import (
    BallotFactory,
    CityFactory,
    ConceptFactory,
    ItemFactory,
    ParkFactory,
    UserFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db

VOTE = reverse("vote")


@pytest.fixture(autouse=True)
def almaty(db):
    return CityFactory()


@pytest.fixture
def park(db):
    return ParkFactory()


def concept_item(ballot, park, title, **zone):
    """A published concept of ``park`` with one zone (the playground, unless ``zone`` says otherwise), on ``ballot``."""
    concept = ConceptFactory(park=park, title_en=title)
    ZoneFactory(concept=concept, **zone)
    return ItemFactory(ballot=ballot, subject=concept)


@pytest.fixture
def single(park):
    """An open single-choice ballot on two concepts of Gorky Park, for accounts and codes."""
    ballot = BallotFactory()
    concept_item(ballot, park, "Shade")
    concept_item(ballot, park, "Water", purpose="water", label="Pond")
    return ballot


@pytest.fixture
def points(park):
    """An open points ballot (10 points, at most 5 on one item) on three concepts."""
    ballot = BallotFactory(points=True)
    for title in ("Shade", "Water", "Lights"):
        concept_item(ballot, park, title)
    return ballot


def items_of(ballot):
    return list(ballot.items.order_by("position", "pk"))


def page(client, ballot):
    return client.get(ballot.get_absolute_url())


def text(response) -> str:
    """The page's text without tags or runs of white space, as a reader meets it."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def redeemed(client, ballot):
    """A client whose session redeemed a fresh code of ``ballot``."""
    _batch, codes = voting.generate_codes(ballot, 1)
    response = client.post(reverse("workshops:code", args=[ballot.pk]), {"code": codes[0]})
    assert response.status_code == 302
    return client


# Who may vote, and what the others are told


def test_an_anonymous_visitor_is_told_to_log_in_or_enter_a_code_and_sees_no_form(client, single):
    response = page(client, single)

    assert response.status_code == 200
    assert "To vote, log in, or enter the participant code you were given at the workshop." in text(response)
    assert f"{reverse('accounts:login')}?next=%2Fworkshops%2Fballots%2F{single.pk}%2F" in response.content.decode()
    assert reverse("workshops:code", args=[single.pk]) in response.content.decode()
    assert 'id="ballot-form"' not in response.content.decode()


def test_a_signed_in_resident_on_a_ballot_for_codes_is_asked_for_a_code(client, resident, single):
    single.voters = Voters.CODES
    single.save()
    client.force_login(resident)

    response = page(client, single)

    assert "This ballot is for holders of participant codes: enter the code you were given" in text(response)
    assert 'id="ballot-form"' not in response.content.decode()


def test_a_ballot_for_accounts_only_offers_no_code_to_an_anonymous_visitor(client, single):
    single.voters = Voters.ACCOUNTS
    single.save()

    response = page(client, single)

    assert "To vote, log in with your account." in text(response)
    assert reverse("workshops:code", args=[single.pk]) not in response.content.decode()


def test_the_page_states_the_question_the_window_and_the_rule_in_words(client, resident, single):
    client.force_login(resident)

    page_text = text(page(client, single))

    assert "Which concept is best?" in page_text
    assert "Voting is open until" in page_text
    assert "Choose one item. The item chosen by the most people wins." in page_text
    assert "You are voting as" in page_text


# Each item, as a card


def test_each_item_shows_its_kind_title_link_and_its_drawing_in_words(client, resident, single):
    client.force_login(resident)
    water = items_of(single)[1]

    response = page(client, single)
    page_text = text(response)

    assert "Park renovation concept" in page_text
    assert water.subject.get_absolute_url() in response.content.decode()
    # The playground by the pond measures about 81 m × 78 m.
    assert re.search(r"Gorky Central Park, 1 shape: Pond, 6,[0-9]{3} m²\.", page_text)
    assert f'data-item-map="{water.pk}"' in response.content.decode()
    assert response.context["maps_config"]["items"][str(water.pk)][0]["properties"]["role"] == "outline"


def test_a_single_choice_ballot_offers_one_radio_button_per_item(client, resident, single):
    client.force_login(resident)

    response = page(client, single)

    assert response.content.decode().count('type="radio" name="choice"') == 2
    assert "Choose “Water”" in text(response)


def test_an_approval_ballot_offers_checkboxes_and_counts_the_items_chosen(client, resident, park):
    ballot = BallotFactory(approval=True)
    for title in ("Shade", "Water", "Lights"):
        concept_item(ballot, park, title)
    client.force_login(resident)

    response = page(client, ballot)

    assert response.content.decode().count('type="checkbox" name="item"') == 3
    assert "Chosen: 0 of at most 2." in text(response)
    assert "Choose up to 2 items you support." in text(response)


def test_a_points_ballot_offers_a_number_per_item_with_buttons_and_a_live_counter(client, resident, points):
    client.force_login(resident)

    response = page(client, points)
    content = response.content.decode()

    assert content.count('type="number"') == 3
    assert 'min="0" max="5"' in content
    assert content.count('class="stepper-button"') == 6
    assert re.search(r'aria-live="polite">\s*Points left: 10 of 10\.', content)
    assert "Spread up to 10 points among the items as you like, at most 5 on one item." in text(response)


def test_a_draft_concept_on_a_ballot_is_shown_as_removed_and_cannot_be_voted_for(client, resident, single):
    draft = items_of(single)[1].subject
    draft.title_en = "Secret draft"
    draft.is_published = False
    draft.save()
    client.force_login(resident)

    response = page(client, single)

    assert "Secret draft" not in response.content.decode()
    assert "(removed)" in text(response)
    assert "This item can no longer be voted for." in text(response)
    assert response.content.decode().count('type="radio" name="choice"') == 1
    assert str(items_of(single)[1].pk) not in response.context["maps_config"]["items"]


# Voting, changing one's mind


def test_a_resident_votes_and_is_sent_back_with_a_confirmation(client, resident, single):
    client.force_login(resident)
    water = items_of(single)[1]

    response = client.post(single.get_absolute_url(), {"choice": water.pk}, follow=True)

    assert response.redirect_chain == [(single.get_absolute_url(), 302)]
    assert "Thank you: your vote is counted; until" in text(response)
    vote = Vote.objects.get(ballot=single, voter=resident)
    assert dict(vote.marks.values_list("item_id", "points")) == {water.pk: 1}


def test_after_voting_the_page_shows_the_vote_and_until_when_it_can_change(client, resident, single):
    client.force_login(resident)
    water = items_of(single)[1]
    voting.cast_vote(single, voting.Voter(account=resident), {water.pk: 1})

    response = page(client, single)

    assert "You voted on" in text(response)
    assert "you can change your vote." in text(response)
    assert re.search(rf'value="{water.pk}" id="choice-{water.pk}" checked', response.content.decode())
    assert "Change my vote" in text(response)


def test_a_resident_changes_their_vote_and_the_change_is_logged(client, resident, single):
    client.force_login(resident)
    shade, water = items_of(single)
    voting.cast_vote(single, voting.Voter(account=resident), {water.pk: 1})

    response = client.post(single.get_absolute_url(), {"choice": shade.pk}, follow=True)

    assert "Your vote is changed; until" in text(response)
    assert list(Mark.objects.filter(vote__ballot=single).values_list("item_id", flat=True)) == [shade.pk]
    assert list(VoteChange.objects.filter(ballot=single).values_list("action", flat=True)) == ["cast", "changed"]


def test_sending_the_same_vote_again_says_it_stays_as_it_was(client, resident, single):
    client.force_login(resident)
    water = items_of(single)[1]
    voting.cast_vote(single, voting.Voter(account=resident), {water.pk: 1})

    response = client.post(single.get_absolute_url(), {"choice": water.pk}, follow=True)

    assert "Your vote stays as it was; until" in text(response)
    assert VoteChange.objects.filter(ballot=single).count() == 1


def test_points_spread_among_items_are_stored(client, resident, points):
    client.force_login(resident)
    shade, water, lights = items_of(points)

    client.post(
        points.get_absolute_url(), {f"points-{shade.pk}": "5", f"points-{water.pk}": "3", f"points-{lights.pk}": "0"}
    )

    vote = Vote.objects.get(ballot=points, voter=resident)
    assert dict(vote.marks.values_list("item_id", "points")) == {shade.pk: 5, water.pk: 3}


def test_an_approval_vote_stores_each_item_chosen(client, resident, park):
    ballot = BallotFactory(approval=True)
    shade, water, lights = (concept_item(ballot, park, title) for title in ("Shade", "Water", "Lights"))
    client.force_login(resident)

    client.post(ballot.get_absolute_url(), {"item": [shade.pk, lights.pk]})

    assert set(Mark.objects.filter(vote__ballot=ballot).values_list("item_id", flat=True)) == {shade.pk, lights.pk}


# Refusals: the page again, the problem named, the marks kept, nothing stored


def test_too_many_points_are_refused_with_the_numbers_and_the_marks_are_kept(client, resident, points):
    client.force_login(resident)
    shade, water, lights = items_of(points)

    response = client.post(
        points.get_absolute_url(), {f"points-{shade.pk}": "5", f"points-{water.pk}": "4", f"points-{lights.pk}": "3"}
    )

    assert response.status_code == 200
    assert "Your vote was not saved" in text(response)
    assert "You spread 12 points; you have 10." in text(response)
    content = response.content.decode()
    assert f'name="points-{water.pk}" id="points-{water.pk}" value="4"' in content
    assert "Points over the limit: 2. Take them from an item before you send." in text(response)
    assert not Vote.objects.filter(ballot=points).exists()


def test_more_points_than_one_item_may_have_are_refused_on_that_item(client, resident, points):
    client.force_login(resident)
    shade = items_of(points)[0]

    response = client.post(points.get_absolute_url(), {f"points-{shade.pk}": "7"})

    assert "“Shade” has 7 points: at most 5 may go to one item." in text(response)
    assert f'href="#points-{shade.pk}"' in response.content.decode()
    assert not Vote.objects.filter(ballot=points).exists()


def test_points_that_are_not_a_number_are_refused_on_their_item(client, resident, points):
    client.force_login(resident)
    shade, water, _lights = items_of(points)

    response = client.post(points.get_absolute_url(), {f"points-{shade.pk}": "three", f"points-{water.pk}": "2"})

    assert "The points for “Shade” must be a whole number from 0 to 5." in text(response)
    assert f'name="points-{water.pk}" id="points-{water.pk}" value="2"' in response.content.decode()
    assert not Vote.objects.filter(ballot=points).exists()


def test_sending_nothing_is_refused_with_what_to_do(client, resident, single):
    client.force_login(resident)

    response = client.post(single.get_absolute_url(), {})

    assert "Choose one item." in text(response)
    assert not Vote.objects.filter(ballot=single).exists()


def test_an_item_of_another_ballot_is_refused(client, resident, single, points):
    client.force_login(resident)

    response = client.post(single.get_absolute_url(), {"choice": items_of(points)[0].pk})

    assert "not on this ballot" in text(response)
    assert not Vote.objects.filter(ballot=single).exists()


def test_an_anonymous_vote_is_refused_with_how_to_vote(client, single):
    response = client.post(single.get_absolute_url(), {"choice": items_of(single)[0].pk})

    assert response.status_code == 403
    assert "To vote, log in, or enter the participant code" in text(response)
    assert not Vote.objects.exists()


def test_a_vote_sent_after_closing_is_refused_and_the_page_shows_no_form(client, resident, single):
    client.force_login(resident)
    single.opens_at = timezone.now() - datetime.timedelta(days=2)
    single.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    single.save()

    response = client.post(single.get_absolute_url(), {"choice": items_of(single)[0].pk})

    assert response.status_code == 403
    assert "Voting on this ballot closed on" in text(response)
    assert 'id="ballot-form"' not in response.content.decode()
    assert not Vote.objects.exists()


def test_before_opening_the_page_says_when_and_shows_the_items_without_a_form(client, resident, single):
    single.opens_at = timezone.now() + datetime.timedelta(days=1)
    single.closes_at = timezone.now() + datetime.timedelta(days=2)
    single.save()
    client.force_login(resident)

    response = page(client, single)

    assert "Voting has not opened yet (it opens on" in text(response)
    assert "Water" in text(response)
    assert 'id="ballot-form"' not in response.content.decode()


def test_after_closing_the_page_links_the_results(client, resident, single):
    single.opens_at = timezone.now() - datetime.timedelta(days=2)
    single.closes_at = timezone.now() - datetime.timedelta(hours=1)
    single.save()

    response = page(client, single)

    assert "Voting closed on" in text(response)
    assert reverse("workshops:results", args=[single.pk]) in response.content.decode()


# Participant codes on a ballot's page


def test_the_code_page_is_prefilled_from_the_qr_code_link(client, single):
    response = client.get(reverse("workshops:code", args=[single.pk]) + "?code=ABCD-EFGH")
    content = response.content.decode()

    assert 'value="ABCD-EFGH"' in content
    assert 'autocomplete="off"' in content
    assert 'autocapitalize="characters"' in content
    assert '<label for="code-input">Participant code</label>' in content
    assert "for example ABCD-EFGH" in text(response)


def test_a_good_code_opens_the_ballot_to_its_holder(client, single):
    _batch, codes = voting.generate_codes(single, 1)

    response = client.post(reverse("workshops:code", args=[single.pk]), {"code": codes[0].lower()}, follow=True)

    assert response.redirect_chain == [(single.get_absolute_url(), 302)]
    assert "Your code is accepted: you can vote now." in text(response)
    assert "You are voting with a participant code." in text(response)
    assert ParticipantCode.objects.get(ballot=single).redeemed_at is not None


def test_a_code_holder_votes_and_can_change_the_vote_from_the_same_browser(client, single):
    redeemed(client, single)
    shade, water = items_of(single)

    client.post(single.get_absolute_url(), {"choice": shade.pk})
    client.post(single.get_absolute_url(), {"choice": water.pk})

    vote = Vote.objects.get(ballot=single)
    assert vote.by_code and vote.voter is None
    assert list(vote.marks.values_list("item_id", flat=True)) == [water.pk]


def test_a_session_that_holds_the_ballots_code_goes_straight_to_the_ballot(client, single):
    redeemed(client, single)

    response = client.get(reverse("workshops:code", args=[single.pk]))

    assert response.status_code == 302
    assert response["Location"] == single.get_absolute_url()


def test_an_unknown_code_is_refused_in_words_and_counted(client, single):
    response = client.post(reverse("workshops:code", args=[single.pk]), {"code": "ABCD-EFGH"})

    assert response.status_code == 200
    assert "There is no code ABCD-EFGH for this ballot: check it against your card." in text(response)
    assert 'aria-invalid="true"' in response.content.decode()
    assert CodeAttempt.objects.count() == 1


def test_a_used_code_is_refused_in_words(client, single):
    _batch, codes = voting.generate_codes(single, 1)
    voting.redeem_code(single, codes[0], network="elsewhere")

    response = client.post(reverse("workshops:code", args=[single.pk]), {"code": codes[0]})

    assert f"The code {codes[0]} has been used already." in text(response)


def test_too_many_refused_codes_answer_429_with_retry_after(client, single, settings):
    settings.BALLOT_CODE_LIMITS_PER_NETWORK = "2/hour"
    url = reverse("workshops:code", args=[single.pk])
    for _ in range(2):
        client.post(url, {"code": "ABCD-EFGH"})

    response = client.post(url, {"code": "ABCD-EFGH"})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "2 wrong or used participant codes have been entered from your network in the last hour." in text(response)


def test_the_code_page_of_a_closed_ballot_says_so_and_offers_no_form(client, single):
    single.opens_at = timezone.now() - datetime.timedelta(days=2)
    single.closes_at = timezone.now() - datetime.timedelta(hours=1)
    single.save()

    response = client.get(reverse("workshops:code", args=[single.pk]))

    assert "Voting closed on" in text(response)
    assert 'name="code"' not in response.content.decode()


def test_the_code_page_of_a_ballot_for_accounts_only_asks_to_log_in(client, single):
    single.voters = Voters.ACCOUNTS
    single.save()

    response = client.get(reverse("workshops:code", args=[single.pk]))

    assert "This ballot does not take participant codes: log in with your account to vote." in text(response)
    assert 'name="code"' not in response.content.decode()


# /vote/: a code without its ballot


def test_a_code_entered_at_vote_leads_to_its_ballot(client, single):
    BallotFactory()  # another open ballot
    _batch, codes = voting.generate_codes(single, 1)

    response = client.post(VOTE, {"code": codes[0]})

    assert response.status_code == 302
    assert response["Location"] == single.get_absolute_url()
    assert client.session[f"ballot-{single.pk}-code"] == ParticipantCode.objects.get(ballot=single).pk


def test_an_unknown_code_at_vote_is_refused_and_counted(client, single):
    response = client.post(VOTE, {"code": "ABCD-EFGH"})

    assert response.status_code == 200
    assert "There is no code ABCD-EFGH: check it against your card." in text(response)
    assert CodeAttempt.objects.count() == 1


def test_a_code_of_a_closed_ballot_at_vote_is_refused_with_the_date(client, single):
    _batch, codes = voting.generate_codes(single, 1)
    single.opens_at = timezone.now() - datetime.timedelta(days=2)
    single.closes_at = timezone.now() - datetime.timedelta(hours=1)
    single.save()

    response = client.post(VOTE, {"code": codes[0]})

    assert "Voting on this ballot closed on" in text(response)
    assert ParticipantCode.objects.get(ballot=single).redeemed_at is None


def test_the_code_entered_again_at_vote_by_its_holder_goes_straight_to_the_ballot(client, single):
    _batch, codes = voting.generate_codes(single, 1)
    client.post(VOTE, {"code": codes[0]})

    response = client.post(VOTE, {"code": codes[0]})

    assert response.status_code == 302
    assert response["Location"] == single.get_absolute_url()
    assert CodeAttempt.objects.count() == 0


def test_an_empty_code_is_asked_for_again(client):
    response = client.post(VOTE, {"code": "  "})

    assert "Enter the participant code printed on your card." in text(response)
    assert CodeAttempt.objects.count() == 0


def test_another_persons_account_vote_is_not_shown_to_a_code_holder(client, single):
    """A code and an account are different voters, even in one browser."""
    someone = UserFactory()
    voting.cast_vote(single, voting.Voter(account=someone), {items_of(single)[0].pk: 1})
    redeemed(client, single)

    response = page(client, single)

    assert "You have not voted on this ballot yet." in text(response)
