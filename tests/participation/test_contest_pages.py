"""The pages of contests: the list, a contest with its gallery and map, entering, an entry, hiding it, the jury's
pages, the results and closing, and the organisers' form."""

import datetime
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from participation.contests import close_contest, score_entry
from participation.models import Contest, Criterion, Entry, Score
from photos.models import Photo
from photos.services import add_photo
from tests.factories import CityFactory, ContestFactory, CriterionFactory, EntryFactory, UserFactory
from tests.photo_files import jpeg_bytes

pytestmark = pytest.mark.django_db

IDEA = "Plant a row of elms along the canal and put benches in their shade."


def photo(name: str = "canal.jpg", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content or jpeg_bytes(320, 240), content_type="image/jpeg")


def text(response) -> str:
    return response.content.decode()


def squeezed(response) -> str:
    """The page's text with its whitespace (and the markup's line breaks) made single spaces."""
    return re.sub(r"\s+", " ", text(response))


@pytest.fixture(autouse=True)
def city(db):
    return CityFactory()


@pytest.fixture
def contest(db):
    contest = ContestFactory(max_score=10, winners=1, rules_en="One photo of the city and one idea.")
    CriterionFactory(contest=contest, name_en="Quality of the idea", weight=2)
    CriterionFactory(contest=contest, name_en="Creativity of the photo", weight=1)
    return contest


@pytest.fixture
def juror(contest, jury_member):
    contest.jury.add(jury_member)
    return jury_member


def entry_with_photo(contest, **kwargs) -> Entry:
    entry = EntryFactory(contest=contest, **kwargs)
    add_photo(entry, photo(), user=entry.author)
    return entry


def criteria(contest) -> list[Criterion]:
    return list(contest.criteria.order_by("position"))


def closed(contest, organiser) -> Contest:
    """The contest after its deadline, closed by ``organiser``."""
    Contest.objects.filter(pk=contest.pk).update(
        opens_at=timezone.now() - datetime.timedelta(days=30), closes_at=timezone.now() - datetime.timedelta(days=1)
    )
    contest.refresh_from_db()
    close_contest(contest, organiser)
    contest.refresh_from_db()
    return contest


# The list and a contest's page -----------------------------------------------------------------------------


def test_the_list_shows_open_contests_then_past_ones_with_their_winners(client, contest, urbanist):
    past = ContestFactory(title_en="Shade for Arbat")
    idea = CriterionFactory(contest=past)
    winner = entry_with_photo(past, idea="Awnings over the benches of Arbat.")
    past.jury.add(juror := UserFactory())
    score_entry(winner, juror, {idea.pk: 9})
    closed(past, urbanist)

    page = text(client.get(reverse("contests:list")))

    assert page.index("Open for entries") < page.index("Most active citizen") < page.index("Past contests")
    assert page.index("Past contests") < page.index("Shade for Arbat") < page.index("Awnings over the benches")


def test_an_unpublished_contest_is_hidden_from_residents_and_shown_to_its_organisers(client, resident, urbanist):
    draft = ContestFactory(is_published=False, title_en="Draft contest")

    assert "Draft contest" not in text(client.get(reverse("contests:list")))
    client.force_login(resident)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(urbanist)
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert "Draft contest" in text(client.get(reverse("contests:list")))


def test_a_contests_page_shows_its_theme_rules_dates_and_criteria_with_weights(client, contest):
    response = client.get(contest.get_absolute_url())

    page = squeezed(response)
    assert "<h1>Most active citizen</h1>" in page
    assert "One photo of the city and one idea." in page
    assert '<th scope="row" class="cell-text">Quality of the idea</th><td>2</td>' in page
    assert '<th scope="row" class="cell-text">Creativity of the photo</th><td>1</td>' in page
    assert timezone.localtime(contest.closes_at).strftime("%Y-%m-%dT%H:%M") in page


def test_the_gallery_shows_each_entry_with_its_photo_idea_hashtags_and_author(client, contest):
    author = UserFactory(display_name="Aigerim")
    entry = entry_with_photo(contest, author=author, hashtags=["trees", "тал"])

    page = text(client.get(contest.get_absolute_url()))

    assert Photo.objects.of(entry).get().thumbnail.url in page
    assert IDEA[:60] in page
    assert f'href="{contest.get_absolute_url()}?tag=trees"' in page
    assert f'href="{contest.get_absolute_url()}?tag=%D1%82%D0%B0%D0%BB"' in page
    assert "Aigerim" in page
    assert author.email not in page


def test_a_hashtag_link_shows_only_the_entries_with_that_hashtag(client, contest):
    EntryFactory(contest=contest, idea="Elms along the canal.", hashtags=["trees"])
    EntryFactory(contest=contest, idea="A fountain for the square.", hashtags=["water"])

    page = text(client.get(contest.get_absolute_url(), {"tag": "#Trees"}))

    assert "Entries tagged #trees" in page
    assert "Elms along the canal." in page
    assert "A fountain for the square." not in page


def test_the_gallery_is_paginated(client, contest):
    for number in range(14):
        EntryFactory(contest=contest, idea=f"Idea number {number:02d}")

    first = text(client.get(contest.get_absolute_url()))
    second = text(client.get(contest.get_absolute_url(), {"page": 2}))

    assert "Idea number 13" in first and "Idea number 00" not in first
    assert "Idea number 00" in second


def test_hidden_entries_are_left_out_of_the_gallery_and_the_map(client, contest):
    EntryFactory(contest=contest, idea="Shown idea.")
    EntryFactory(contest=contest, idea="Hidden idea.", is_hidden=True, hidden_reason="Spam.")

    gallery = text(client.get(contest.get_absolute_url()))
    map_page = text(client.get(reverse("contests:map", args=[contest.pk])))

    assert "Shown idea." in gallery and "Hidden idea." not in gallery
    assert "Shown idea." in map_page and "Hidden idea." not in map_page


def test_the_map_draws_the_entries_with_a_place_and_lists_them_as_text(client, contest):
    placed = EntryFactory(contest=contest, idea="Benches on the square.")
    EntryFactory(contest=contest, idea="Somewhere else.", place=None)

    response = client.get(reverse("contests:map", args=[contest.pk]))

    config = json.loads(re.search(r'id="contest-map-config"[^>]*>(.*?)</script>', text(response), re.S).group(1))
    assert [feature["properties"]["url"] for feature in config["features"]] == [placed.get_absolute_url()]
    assert config["features"][0]["geometry"] == {"type": "Point", "coordinates": [76.9695, 43.2622]}
    page = squeezed(response)
    assert "latitude 43.26220, longitude 76.96950" in page
    assert "1 more entry has no place" in page


# Entering --------------------------------------------------------------------------------------------------


def test_the_anonymous_are_sent_to_log_in_before_entering(client, contest):
    url = reverse("contests:enter", args=[contest.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login")) and "next=" in response.url


def test_a_resident_without_a_confirmed_email_is_asked_to_confirm_it(client, contest):
    client.force_login(UserFactory(email_confirmed_at=None))

    response = client.get(reverse("contests:enter", args=[contest.pk]))

    assert "Confirm your e-mail address first" in text(response)
    assert 'name="idea"' not in text(response)


def test_a_resident_enters_with_a_photo_and_sees_the_entry(client, contest, resident):
    client.force_login(resident)

    response = client.post(
        reverse("contests:enter", args=[contest.pk]),
        {
            "photo": photo(),
            "idea": IDEA,
            "language": "en",
            "hashtags": "#trees, shade",
            "place": '{"type": "Point", "coordinates": [76.9695, 43.2622]}',
        },
    )

    entry = Entry.objects.get()
    assert response.status_code == 302
    assert response.url == entry.get_absolute_url()
    assert entry.hashtags == ["trees", "shade"]
    assert Photo.objects.of(entry).count() == 1
    page = text(client.get(entry.get_absolute_url()))
    assert "Thank you: your entry is in the contest" in page
    assert f"The photo of the entry: {IDEA}" in page


def test_a_bad_photo_is_named_on_the_form_and_nothing_is_kept(client, contest, resident, media_root):
    client.force_login(resident)

    response = client.post(
        reverse("contests:enter", args=[contest.pk]),
        {"photo": photo("notes.jpg", b"just some text"), "idea": IDEA, "language": "en"},
    )

    assert response.status_code == 400
    assert "“notes.jpg”: The file is not a JPEG, PNG or WebP image." in text(response)
    assert "Browsers do not keep the photo you chose" in text(response)
    assert not Entry.objects.exists()
    assert [path for path in Path(media_root).rglob("*") if path.is_file()] == []


def test_the_error_summary_names_each_problem_of_the_entry_form(client, contest, resident):
    client.force_login(resident)

    response = client.post(
        reverse("contests:enter", args=[contest.pk]),
        {"idea": "", "language": "en", "hashtags": "#ok #not-ok"},
    )

    page = squeezed(response)
    assert 'href="#id_photo">Photo: Choose the photo of your entry.' in page
    assert 'href="#id_idea">Your idea: Write your idea' in page
    assert "“#not-ok” is not a hashtag" in page


def test_a_place_outside_the_city_is_refused_on_the_form(client, contest, resident):
    client.force_login(resident)

    response = client.post(
        reverse("contests:enter", args=[contest.pk]),
        {"photo": photo(), "idea": IDEA, "language": "en", "place": '{"type": "Point", "coordinates": [71.4, 51.1]}'},
    )

    assert response.status_code == 400
    assert "The geometry lies outside the city" in text(response)
    assert not Entry.objects.exists()


def test_after_the_deadline_the_form_is_replaced_by_the_deadline(client, contest, resident):
    Contest.objects.filter(pk=contest.pk).update(
        opens_at=timezone.now() - datetime.timedelta(days=30), closes_at=timezone.now() - datetime.timedelta(days=1)
    )
    client.force_login(resident)

    response = client.post(reverse("contests:enter", args=[contest.pk]), {"photo": photo(), "idea": IDEA})

    assert "The deadline for entries," in text(response)
    assert 'name="idea"' not in text(response)
    assert not Entry.objects.exists()


def test_a_resident_at_the_limit_is_told_so_instead_of_the_form(client, contest, resident, settings):
    settings.CONTEST_ENTRIES_PER_RESIDENT = 1
    EntryFactory(contest=contest, author=resident)
    client.force_login(resident)

    response = client.get(reverse("contests:enter", args=[contest.pk]))

    assert "You have sent 1 entry to this contest, the most one person may send." in text(response)
    assert 'name="idea"' not in text(response)


# An entry, and hiding it -----------------------------------------------------------------------------------


def test_an_entrys_page_shows_the_photo_large_the_idea_the_place_and_the_hashtags(client, contest):
    entry = entry_with_photo(contest, hashtags=["trees"])

    page = squeezed(client.get(entry.get_absolute_url()))

    assert Photo.objects.of(entry).get().image.url in page
    assert f'alt="The photo of the entry: {IDEA}"' in page
    assert "Latitude 43.26220, longitude 76.96950." in page
    assert f'href="{contest.get_absolute_url()}?tag=trees"' in page


def test_a_hidden_entry_is_shown_to_its_author_with_the_reason_and_to_nobody_else(client, contest, resident):
    entry = EntryFactory(contest=contest, author=resident, is_hidden=True, hidden_reason="The photo is not yours.")

    assert client.get(entry.get_absolute_url()).status_code == 404
    client.force_login(UserFactory())
    assert client.get(entry.get_absolute_url()).status_code == 404
    client.force_login(resident)
    assert "The photo is not yours." in text(client.get(entry.get_absolute_url()))


def test_a_moderator_hides_an_entry_with_a_reason(client, contest, moderator):
    entry = EntryFactory(contest=contest)
    client.force_login(moderator)

    response = client.post(reverse("contests:entry_hide", args=[contest.pk, entry.pk]), {"reason": "Advertising."})

    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.is_hidden, entry.hidden_reason) == (True, "Advertising.")


def test_hiding_without_a_reason_changes_nothing_and_says_why(client, contest, moderator):
    entry = EntryFactory(contest=contest)
    client.force_login(moderator)

    response = client.post(reverse("contests:entry_hide", args=[contest.pk, entry.pk]), {"reason": ""}, follow=True)

    assert "Write the reason: the author of the entry will read it." in text(response)
    entry.refresh_from_db()
    assert entry.is_hidden is False


def test_a_resident_cannot_hide_an_entry(client, contest, resident):
    entry = EntryFactory(contest=contest)
    client.force_login(resident)

    response = client.post(reverse("contests:entry_hide", args=[contest.pk, entry.pk]), {"reason": "Ugly."})

    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.is_hidden is False


# The jury --------------------------------------------------------------------------------------------------


def test_the_jury_page_shows_the_jurors_progress_and_marks_their_own_entries(client, contest, juror):
    first, second = EntryFactory(contest=contest), EntryFactory(contest=contest)
    EntryFactory(contest=contest, author=juror, idea="My own idea.")
    idea, photo_criterion = criteria(contest)
    score_entry(first, juror, {idea.pk: 5, photo_criterion.pk: 6})
    score_entry(second, juror, {idea.pk: 5})
    client.force_login(juror)

    page = squeezed(client.get(reverse("contests:jury", args=[contest.pk])))

    assert "You scored 1 of 2 entries on every criterion." in page
    assert "partly scored: 1 of 2 criteria" in page
    assert "yours — you cannot score it" in page


def test_the_jury_page_is_for_the_contests_jury_only(client, contest, jury_member, resident):
    url = reverse("contests:jury", args=[contest.pk])

    assert client.get(url).status_code == 302
    client.force_login(jury_member)  # on the jury of no contest
    assert client.get(url).status_code == 403
    client.force_login(resident)
    assert client.get(url).status_code == 403


def test_the_scoring_form_names_each_criterion_with_its_weight_and_range(client, contest, juror):
    entry = entry_with_photo(contest)
    client.force_login(juror)

    page = squeezed(client.get(reverse("contests:score", args=[contest.pk, entry.pk])))

    for criterion in criteria(contest):
        assert f'<label for="id_criterion_{criterion.pk}">{criterion.name}</label>' in page
        assert f'name="criterion_{criterion.pk}" min="0" max="10"' in page
    assert "Weight 2 · from 0 to 10" in page


def test_a_juror_saves_scores_and_goes_on_to_the_next_entry(client, contest, juror):
    first, second = EntryFactory(contest=contest), EntryFactory(contest=contest)
    idea, photo_criterion = criteria(contest)
    client.force_login(juror)

    response = client.post(
        reverse("contests:score", args=[contest.pk, first.pk]),
        {f"criterion_{idea.pk}": "7", f"criterion_{photo_criterion.pk}": "9", "then": "next"},
    )

    assert response.url == reverse("contests:score", args=[contest.pk, second.pk])
    assert dict(Score.objects.filter(entry=first, juror=juror).values_list("criterion_id", "value")) == {
        idea.pk: 7,
        photo_criterion.pk: 9,
    }


def test_an_out_of_range_score_is_refused_naming_the_criterion(client, contest, juror):
    entry = EntryFactory(contest=contest)
    idea, photo_criterion = criteria(contest)
    client.force_login(juror)

    response = client.post(
        reverse("contests:score", args=[contest.pk, entry.pk]),
        {f"criterion_{idea.pk}": "12", f"criterion_{photo_criterion.pk}": ""},
    )

    assert response.status_code == 400
    page = text(response)
    assert "“Creativity of the photo”: give a score from 0 to 10." in page
    assert not Score.objects.exists()

    response = client.post(
        reverse("contests:score", args=[contest.pk, entry.pk]),
        {f"criterion_{idea.pk}": "12", f"criterion_{photo_criterion.pk}": "3"},
    )
    assert "“Quality of the idea”: 12 is not a score; give a whole number from 0 to 10." in text(response)
    assert not Score.objects.exists()


def test_a_juror_cannot_score_their_own_entry_on_the_page(client, contest, juror):
    own = EntryFactory(contest=contest, author=juror)
    idea, _photo = criteria(contest)
    client.force_login(juror)

    response = client.post(reverse("contests:score", args=[contest.pk, own.pk]), {f"criterion_{idea.pk}": "10"})

    assert response.status_code == 403
    assert "You cannot score your own entry." in text(response)
    assert not Score.objects.exists()


# Results and closing ---------------------------------------------------------------------------------------


@pytest.fixture
def scored(contest, juror):
    """Three entries: "Best" 9 on both, "Tied" twice 6 on both (so both 6.000), one not scored."""
    idea, photo_criterion = criteria(contest)
    best = EntryFactory(contest=contest, idea="Best idea.")
    tied = [EntryFactory(contest=contest, idea=f"Tied idea {n}.") for n in (1, 2)]
    EntryFactory(contest=contest, idea="Unscored idea.")
    score_entry(best, juror, {idea.pk: 9, photo_criterion.pk: 9})
    for entry in tied:
        score_entry(entry, juror, {idea.pk: 6, photo_criterion.pk: 6})
    return best, tied


def test_before_closing_the_results_are_for_organisers_and_jury_only(client, contest, scored, resident, juror):
    url = reverse("contests:results", args=[contest.pk])

    assert client.get(url).status_code == 302
    client.force_login(resident)
    assert client.get(url).status_code == 403
    client.force_login(juror)
    page = squeezed(client.get(url))
    assert page.index("Best idea.") < page.index("Tied idea 1.") < page.index("Not fully scored")
    assert page.index("Not fully scored") < page.index("Unscored idea.")
    assert page.count("(tied)") == 2
    assert "Close the contest" not in page


def test_the_live_ranking_shows_the_criterion_means_and_the_jurors_count(client, contest, scored, juror):
    client.force_login(juror)

    page = squeezed(client.get(reverse("contests:results", args=[contest.pk])))

    best = scored[0]
    row = re.search(rf'<tr[^>]*id="ranking-entry-{best.pk}">(.*?)</tr>', page).group(1)
    assert re.findall(r"<td[^>]*>(.*?)</td>", row) == [
        '1 <span class="winner-badge">in a winning place</span>',
        "9.000",
        "9.000",
        "9.000",
        "1",
    ]


def test_an_organiser_sees_the_close_button_saying_how_many_scores_are_missing(client, contest, scored, urbanist):
    Contest.objects.filter(pk=contest.pk).update(
        opens_at=timezone.now() - datetime.timedelta(days=30), closes_at=timezone.now() - datetime.timedelta(days=1)
    )
    client.force_login(urbanist)

    page = squeezed(client.get(reverse("contests:results", args=[contest.pk])))

    # One juror, four entries, two criteria: 8 scores, 6 given.
    assert "Close the contest with 2 scores missing" in page


def test_before_the_deadline_the_organiser_is_told_when_the_contest_can_be_closed(client, contest, urbanist):
    client.force_login(urbanist)

    page = squeezed(client.get(reverse("contests:results", args=[contest.pk])))

    assert "After the deadline for entries," in page
    assert 'action="/contests/' not in page


def test_an_organiser_closes_the_contest_and_everybody_sees_the_winners_with_the_tie(client, contest, scored, urbanist):
    Contest.objects.filter(pk=contest.pk).update(
        opens_at=timezone.now() - datetime.timedelta(days=30),
        closes_at=timezone.now() - datetime.timedelta(days=1),
        winners=2,
    )
    client.force_login(urbanist)

    response = client.post(reverse("contests:close", args=[contest.pk]))

    contest.refresh_from_db()
    assert contest.results_published_at is not None
    assert response.url == reverse("contests:results", args=[contest.pk])
    client.logout()
    page = squeezed(client.get(reverse("contests:results", args=[contest.pk])))
    winners = page[page.index("Winners") : page.index("Ranking")]
    assert "Best idea." in winners and "Tied idea 1." in winners and "Tied idea 2." in winners
    assert "Entries are tied at place 2: all of them win, so there are 3 winners instead of 2." in page
    assert Entry.objects.get(idea="Tied idea 2.").final_rank == 2


def test_after_closing_an_entrys_page_shows_its_place_and_score(client, contest, scored, urbanist):
    closed(contest, urbanist)

    page = squeezed(client.get(scored[0].get_absolute_url()))

    assert "Winner" in page
    assert "Place 1 of 3 ranked entries, with a score of 9.000." in page


def test_a_juror_cannot_close_the_contest(client, contest, juror):
    Contest.objects.filter(pk=contest.pk).update(closes_at=timezone.now() - datetime.timedelta(days=1))
    client.force_login(juror)

    response = client.post(reverse("contests:close", args=[contest.pk]))

    assert response.status_code == 403
    contest.refresh_from_db()
    assert contest.results_published_at is None


def test_closing_before_the_deadline_is_refused_with_a_message(client, contest, urbanist):
    client.force_login(urbanist)

    response = client.post(reverse("contests:close", args=[contest.pk]), follow=True)

    assert "the contest can be closed only after that" in text(response)
    contest.refresh_from_db()
    assert contest.results_published_at is None


# The organisers' form --------------------------------------------------------------------------------------


def form_data(**overrides) -> dict:
    data = {
        "title_kk": "",
        "title_ru": "Самый активный горожанин",
        "title_en": "Most active citizen",
        "rules_en": "One photo, one idea.",
        "opens_at": "2030-05-01T09:00",
        "closes_at": "2030-05-31T18:00",
        "max_score": "10",
        "winners": "3",
        "jury_emails": "",
        "is_published": "on",
        "criteria-TOTAL_FORMS": "2",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
        "criteria-0-name_en": "Quality of the idea",
        "criteria-0-weight": "2",
        "criteria-1-name_en": "Creativity of the photo",
        "criteria-1-weight": "1",
    }
    data.update(overrides)
    return data


def test_an_urbanist_creates_a_contest_with_criteria_and_a_jury_by_email(client, urbanist, jury_member):
    client.force_login(urbanist)

    response = client.post(reverse("contests:create"), form_data(jury_emails="JURY@example.org"))

    contest = Contest.objects.get()
    assert response.url == contest.get_absolute_url()
    assert [(c.name_en, c.weight, c.position) for c in contest.criteria.all()] == [
        ("Quality of the idea", 2, 0),
        ("Creativity of the photo", 1, 1),
    ]
    assert list(contest.jury.all()) == [jury_member]
    assert list(contest.organisers.all()) == [urbanist]
    assert timezone.localtime(contest.closes_at).strftime("%Y-%m-%d %H:%M") == "2030-05-31 18:00"


def test_a_new_contests_form_offers_the_two_criteria_of_the_most_active_citizen_contest(client, urbanist):
    client.force_login(urbanist)

    page = text(client.get(reverse("contests:create")))

    assert 'value="Quality of the idea"' in page
    assert 'value="Creativity of the photo"' in page


def test_unknown_jury_emails_are_named(client, urbanist):
    client.force_login(urbanist)

    response = client.post(reverse("contests:create"), form_data(jury_emails="nobody@example.org, x@example.org"))

    assert response.status_code == 400
    assert "No account has the e-mail addresses nobody@example.org and x@example.org" in text(response)
    assert not Contest.objects.exists()


def test_a_contest_needs_a_criterion_and_weights_of_one_or_more(client, urbanist):
    client.force_login(urbanist)

    empty = client.post(
        reverse("contests:create"),
        form_data(
            **{
                f"criteria-{n}-{name}": "" if name == "name_en" else "1"
                for n in (0, 1)
                for name in ("name_en", "weight")
            }
        ),
    )
    zero = client.post(reverse("contests:create"), form_data(**{"criteria-1-weight": "0"}))

    assert "Give the jury at least one criterion to judge by." in text(empty)
    assert "Criterion 2, Weight: Ensure this value is greater than or equal to 1." in text(zero)
    assert not Contest.objects.exists()


def test_a_contest_must_close_after_it_opens(client, urbanist):
    client.force_login(urbanist)

    response = client.post(reverse("contests:create"), form_data(closes_at="2030-04-01T09:00"))

    assert "Entries must close after they open." in text(response)
    assert not Contest.objects.exists()


def test_a_resident_cannot_create_a_contest(client, resident):
    client.force_login(resident)

    assert client.get(reverse("contests:create")).status_code == 403
    assert client.post(reverse("contests:create"), form_data()).status_code == 403
    assert not Contest.objects.exists()


def test_an_organiser_edits_the_contest_and_its_criteria(client, contest, resident):
    contest.organisers.add(resident)
    idea, photo_criterion = criteria(contest)
    client.force_login(resident)
    data = form_data(
        **{
            "criteria-TOTAL_FORMS": "2",
            "criteria-INITIAL_FORMS": "2",
            "criteria-0-id": str(idea.pk),
            "criteria-0-contest": str(contest.pk),
            "criteria-0-weight": "3",
            "criteria-1-id": str(photo_criterion.pk),
            "criteria-1-contest": str(contest.pk),
            "criteria-1-DELETE": "on",
        }
    )

    response = client.post(reverse("contests:edit", args=[contest.pk]), data)

    assert response.status_code == 302
    assert [(c.name_en, c.weight) for c in contest.criteria.all()] == [("Quality of the idea", 3)]


def test_a_criterion_the_jury_has_scored_on_cannot_be_removed(client, contest, juror, urbanist):
    idea, photo_criterion = criteria(contest)
    score_entry(EntryFactory(contest=contest), juror, {photo_criterion.pk: 4})
    client.force_login(urbanist)
    data = form_data(
        **{
            "criteria-INITIAL_FORMS": "2",
            "criteria-0-id": str(idea.pk),
            "criteria-0-contest": str(contest.pk),
            "criteria-1-id": str(photo_criterion.pk),
            "criteria-1-contest": str(contest.pk),
            "criteria-1-DELETE": "on",
            "jury_emails": juror.email,
        }
    )

    response = client.post(reverse("contests:edit", args=[contest.pk]), data)

    assert response.status_code == 400
    assert "“Creativity of the photo” cannot be removed: the jury has scored entries on it." in text(response)
    assert contest.criteria.count() == 2


def test_a_closed_contest_cannot_be_edited(client, contest, urbanist):
    closed(contest, urbanist)
    client.force_login(urbanist)

    assert client.get(reverse("contests:edit", args=[contest.pk])).status_code == 403


# The admin -------------------------------------------------------------------------------------------------


def test_the_contest_admin_pages_open(client, contest, juror, admin_user):
    entry = entry_with_photo(contest)
    score_entry(entry, juror, {criteria(contest)[0].pk: 5})
    client.force_login(admin_user)

    for url in (
        reverse("admin:participation_contest_changelist"),
        reverse("admin:participation_contest_change", args=[contest.pk]),
        reverse("admin:participation_entry_changelist"),
        reverse("admin:participation_entry_change", args=[entry.pk]),
        reverse("admin:participation_score_changelist"),
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("admin:participation_score_add")).status_code == 403
