"""Contests' rules (participation.contests): hashtags, entering, the jury's scores, the ranking, closing, hiding."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from participation import contests
from participation.contests import close_contest, hide_entry, parse_hashtags, ranking, score_entry, submit_entry
from participation.models import Entry, Score
from photos.models import Photo
from tests.factories import (
    GORKY_FOUNTAIN,
    CityFactory,
    ContestFactory,
    CriterionFactory,
    EntryFactory,
    UserFactory,
)
from tests.photo_files import jpeg_bytes

pytestmark = pytest.mark.django_db

IDEA = "Plant a row of elms along the canal and put benches in their shade."


def photo(name: str = "canal.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def files_under(folder) -> list[Path]:
    return [path for path in Path(folder).rglob("*") if path.is_file()]


@pytest.fixture(autouse=True)
def city(db):
    return CityFactory()


@pytest.fixture
def contest(db):
    contest = ContestFactory(max_score=10, winners=2)
    CriterionFactory(contest=contest, name_en="Quality of the idea", weight=2)
    CriterionFactory(contest=contest, name_en="Creativity of the photo", weight=1)
    return contest


def enter(contest, author, **kwargs):
    values = {"idea": IDEA, "photo_upload": photo(), "language": "en"}
    values.update(kwargs)
    return submit_entry(contest, author, **values)


# Hashtags --------------------------------------------------------------------------------------------------


def test_hashtags_are_read_from_spaces_commas_and_hashes_in_any_script():
    assert parse_hashtags("#trees, shade #Тал #TREES;Park_2024") == ["trees", "shade", "тал", "park_2024"]


def test_hashtags_are_lower_cased_with_casefold():
    assert parse_hashtags("#Straße #ЖАСЫЛ") == ["strasse", "жасыл"]


def test_no_text_gives_no_hashtags():
    assert parse_hashtags("  ") == []


def test_hashtags_with_other_characters_are_refused_and_named():
    with pytest.raises(ValidationError) as refused:
        parse_hashtags("#trees #tree-lined #a.b")

    message = " ".join(refused.value.messages)
    assert "“#tree-lined”, “#a.b” are not hashtags" in message
    assert "#trees" not in message.replace("as in #trees", "")


def test_more_than_ten_hashtags_are_refused():
    with pytest.raises(ValidationError) as refused:
        parse_hashtags(" ".join(f"#tag{number}" for number in range(11)))

    assert refused.value.messages == ["You gave 11 hashtags; at most 10 are allowed."]


def test_a_hashtag_longer_than_the_limit_is_refused_and_named():
    long = "a" * 51

    with pytest.raises(ValidationError) as refused:
        parse_hashtags(f"#ok #{long}")

    assert refused.value.messages == [f"“#{long}” is too long: a hashtag has at most 50 characters."]


# Entering --------------------------------------------------------------------------------------------------


def test_a_resident_enters_a_photo_an_idea_a_place_and_hashtags(contest, resident):
    entry = enter(contest, resident, place=GORKY_FOUNTAIN.clone(), hashtags="#Trees, shade")

    entry.refresh_from_db()
    assert entry.author == resident
    assert entry.idea == IDEA
    assert entry.hashtags == ["trees", "shade"]
    assert entry.place.equals_exact(GORKY_FOUNTAIN, 1e-9)
    photos = list(Photo.objects.of(entry))
    assert len(photos) == 1
    assert Path(photos[0].image.path).is_file()
    assert Path(photos[0].thumbnail.path).is_file()


def test_entries_are_refused_after_the_deadline_naming_it(contest, resident):
    contest.closes_at = datetime.datetime(2025, 5, 31, 13, 0, tzinfo=datetime.UTC)  # 18:00 in Almaty
    contest.opens_at = contest.closes_at - datetime.timedelta(days=30)
    contest.save()

    with pytest.raises(ValidationError) as refused, translation.override("en"):
        enter(contest, resident, now=contest.closes_at)

    with translation.override("en"):
        assert refused.value.messages == ["The deadline for entries, May 31, 2025, 18:00, has passed."]
    assert not Entry.objects.exists()


def test_entries_are_refused_before_the_contest_opens(contest, resident):
    with pytest.raises(ValidationError) as refused:
        enter(contest, resident, now=contest.opens_at - datetime.timedelta(minutes=1))

    assert refused.value.code == "not_open"
    assert not Entry.objects.exists()


def test_a_resident_without_a_confirmed_email_cannot_enter(contest):
    unconfirmed = UserFactory(email_confirmed_at=None)

    with pytest.raises(PermissionDenied, match="Confirm your e-mail address"):
        enter(contest, unconfirmed)

    assert not Entry.objects.exists()


def test_an_unpublished_contest_takes_no_entries(contest, resident):
    contest.is_published = False
    contest.save()

    with pytest.raises(PermissionDenied):
        enter(contest, resident)


def test_a_resident_may_send_at_most_the_limit_of_entries(contest, resident, settings):
    settings.CONTEST_ENTRIES_PER_RESIDENT = 2
    enter(contest, resident)
    enter(contest, resident)

    with pytest.raises(ValidationError) as refused:
        enter(contest, resident)

    assert refused.value.messages == ["You have sent 2 entries to this contest, the most one person may send."]
    assert Entry.objects.filter(author=resident).count() == 2
    assert enter(ContestFactory(), resident).pk is not None


def test_a_file_that_is_not_a_photo_leaves_no_entry_no_photo_and_no_file(contest, resident, media_root):
    upload = SimpleUploadedFile("plan.jpg", b"<html>not a picture</html>", content_type="image/jpeg")

    with pytest.raises(ValidationError) as refused:
        enter(contest, resident, photo_upload=upload)

    assert refused.value.message_dict["photo"] == ["“plan.jpg”: The file is not a JPEG, PNG or WebP image."]
    assert not Entry.objects.exists()
    assert not Photo.objects.exists()
    assert files_under(media_root) == []


def test_a_damaged_photo_leaves_nothing_either(contest, resident, media_root):
    upload = SimpleUploadedFile("cut.jpg", jpeg_bytes()[:600], content_type="image/jpeg")

    with pytest.raises(ValidationError) as refused:
        enter(contest, resident, photo_upload=upload)

    assert "“cut.jpg”" in refused.value.message_dict["photo"][0]
    assert not Entry.objects.exists()
    assert files_under(media_root) == []


def test_an_entry_needs_a_photo(contest, resident):
    with pytest.raises(ValidationError) as refused:
        enter(contest, resident, photo_upload=None)

    assert refused.value.message_dict["photo"] == ["Choose the photo of your entry."]


def test_a_place_outside_the_city_is_refused(contest, resident, media_root):
    with pytest.raises(ValidationError) as refused:
        enter(contest, resident, place=Point(71.43, 51.13, srid=4326))  # Astana

    assert refused.value.message_dict["place"] == ["The geometry lies outside the city's extent."]
    assert not Entry.objects.exists()
    assert files_under(media_root) == []


def test_a_place_must_be_a_point(contest, resident):
    with pytest.raises(ValidationError) as refused:
        enter(contest, resident, place='{"type": "LineString", "coordinates": [[76.95, 43.25], [76.96, 43.26]]}')

    assert refused.value.message_dict["place"] == ["A LineString is not allowed here: use a Point."]


def test_every_problem_of_an_entry_is_told_at_once(contest, resident):
    with pytest.raises(ValidationError) as refused:
        enter(contest, resident, idea="  ", hashtags="#ok #not-ok", photo_upload=None)

    assert set(refused.value.message_dict) == {"idea", "hashtags", "photo"}


# Scoring ---------------------------------------------------------------------------------------------------


@pytest.fixture
def jury(contest):
    jurors = [UserFactory(role="jury") for _ in range(3)]
    contest.jury.set(jurors)
    return jurors


def criteria_of(contest):
    idea, photo_criterion = contest.criteria.order_by("position")
    return idea, photo_criterion


def test_a_juror_scores_an_entry_on_each_criterion(contest, jury):
    entry = EntryFactory(contest=contest)
    idea, photo_criterion = criteria_of(contest)

    score_entry(entry, jury[0], {idea.pk: 8, photo_criterion.pk: 6})

    stored = dict(Score.objects.filter(entry=entry, juror=jury[0]).values_list("criterion_id", "value"))
    assert stored == {idea.pk: 8, photo_criterion.pk: 6}


def test_someone_not_on_the_jury_cannot_score(contest, jury, resident):
    entry = EntryFactory(contest=contest)
    idea, _photo = criteria_of(contest)

    with pytest.raises(PermissionDenied, match="Only the jury of this contest"):
        score_entry(entry, resident, {idea.pk: 5})

    assert not Score.objects.exists()


def test_a_juror_of_another_contest_cannot_score(contest, jury):
    other = ContestFactory()
    stranger = UserFactory(role="jury")
    other.jury.add(stranger)
    idea, _photo = criteria_of(contest)

    with pytest.raises(PermissionDenied):
        score_entry(EntryFactory(contest=contest), stranger, {idea.pk: 5})


def test_no_self_scoring_a_juror_cannot_score_their_own_entry(contest, jury):
    own = EntryFactory(contest=contest, author=jury[0])
    idea, _photo = criteria_of(contest)

    with pytest.raises(PermissionDenied) as refused:
        score_entry(own, jury[0], {idea.pk: 10})

    assert str(refused.value) == "You cannot score your own entry."
    assert not Score.objects.exists()


def test_a_score_out_of_range_is_refused_naming_the_criterion_and_the_range(contest, jury):
    entry = EntryFactory(contest=contest)
    idea, photo_criterion = criteria_of(contest)

    with pytest.raises(ValidationError) as refused:
        score_entry(entry, jury[0], {idea.pk: 7, photo_criterion.pk: 11})

    assert refused.value.message_dict == {
        f"criterion_{photo_criterion.pk}": [
            "“Creativity of the photo”: 11 is not a score; give a whole number from 0 to 10."
        ]
    }
    assert not Score.objects.exists()


def test_a_negative_score_is_refused_too(contest, jury):
    idea, _photo = criteria_of(contest)

    with pytest.raises(ValidationError, match="“Quality of the idea”: -1 is not a score"):
        score_entry(EntryFactory(contest=contest), jury[0], {idea.pk: -1})


def test_a_criterion_of_another_contest_is_refused(contest, jury):
    foreign = CriterionFactory(contest=ContestFactory())

    with pytest.raises(ValidationError) as refused:
        score_entry(EntryFactory(contest=contest), jury[0], {foreign.pk: 5})

    assert refused.value.messages == [f"“{foreign.pk}” is not a criterion of this contest."]
    assert not Score.objects.exists()


def test_scoring_again_replaces_the_earlier_score(contest, jury):
    entry = EntryFactory(contest=contest)
    idea, photo_criterion = criteria_of(contest)
    score_entry(entry, jury[0], {idea.pk: 3, photo_criterion.pk: 4})

    score_entry(entry, jury[0], {idea.pk: 9})

    stored = dict(Score.objects.filter(entry=entry, juror=jury[0]).values_list("criterion_id", "value"))
    assert stored == {idea.pk: 9, photo_criterion.pk: 4}
    assert Score.objects.count() == 2


def test_scores_cannot_change_once_the_contest_is_closed(contest, jury):
    entry = EntryFactory(contest=contest)
    idea, _photo = criteria_of(contest)
    score_entry(entry, jury[0], {idea.pk: 3})
    contest.results_published_at = timezone.now()
    contest.save()

    with pytest.raises(ValidationError, match="scores can no longer change"):
        score_entry(entry, jury[0], {idea.pk: 9})

    assert Score.objects.get().value == 3


def test_a_hidden_entry_is_not_scored(contest, jury):
    entry = EntryFactory(contest=contest, is_hidden=True, hidden_reason="Advertising.")
    idea, _photo = criteria_of(contest)

    with pytest.raises(ValidationError, match="hid this entry"):
        score_entry(entry, jury[0], {idea.pk: 3})


# The ranking -----------------------------------------------------------------------------------------------


@pytest.fixture
def judged(contest, jury):
    """Five entries scored by three jurors on the quality of the idea (weight 2) and the photo (weight 1).

    Worked out by hand, score = (2 × mean of the idea + mean of the photo) / 3:
    A: idea (8+9+7)/3 = 8, photo (6+7+8)/3 = 7      → (16 + 7)/3   = 7.667
    B: idea (6+7+8)/3 = 7, photo (9+9+9)/3 = 9      → (14 + 9)/3   = 7.667, tied with A
    C: idea (9+10)/2 = 9.5, photo (9+8)/2 = 8.5      → (19 + 8.5)/3 = 9.167 (two jurors)
    D: idea 5, no photo score                        → not fully scored (5.000 on the idea alone)
    E: idea 3, photo 4                               → (6 + 4)/3    = 3.333
    Ranks: C 1, A 2 (tied), B 2 (tied), E 4; D after them, unranked.
    """
    idea, photo_criterion = criteria_of(contest)
    entries = {name: EntryFactory(contest=contest, idea=f"Entry {name}") for name in "ABCDE"}
    marks = {
        "A": [(8, 6), (9, 7), (7, 8)],
        "B": [(6, 9), (7, 9), (8, 9)],
        "C": [(9, 9), (10, 8), None],
        "D": [(5, None), None, None],
        "E": [(3, 4), None, None],
    }
    for name, rows in marks.items():
        for juror, row in zip(jury, rows, strict=True):
            if row is None:
                continue
            values = {idea.pk: row[0]}
            if row[1] is not None:
                values[photo_criterion.pk] = row[1]
            score_entry(entries[name], juror, values)
    return entries


def test_the_ranking_is_the_weighted_mean_of_the_jurors_means(contest, judged):
    rows = ranking(contest)

    assert [(row.entry.idea, row.score, row.rank, row.tied) for row in rows] == [
        ("Entry C", Decimal("9.167"), 1, False),
        ("Entry A", Decimal("7.667"), 2, True),
        ("Entry B", Decimal("7.667"), 2, True),
        ("Entry E", Decimal("3.333"), 4, False),
        ("Entry D", Decimal("5.000"), None, False),
    ]


def test_an_entry_lacking_a_criterions_score_is_not_fully_scored_and_comes_last(contest, judged):
    last = ranking(contest)[-1]

    assert last.entry == judged["D"]
    assert last.fully_scored is False
    assert last.winner is False
    assert [mean.mean for mean in last.means] == [Decimal("5.000"), None]


def test_each_entry_shows_its_criterion_means_and_how_many_jurors_scored_it(contest, judged):
    rows = {row.entry.idea: row for row in ranking(contest)}

    assert [(mean.criterion.name, mean.mean, mean.count) for mean in rows["Entry C"].means] == [
        ("Quality of the idea", Decimal("9.500"), 2),
        ("Creativity of the photo", Decimal("8.500"), 2),
    ]
    assert rows["Entry C"].jurors == 2
    assert rows["Entry A"].jurors == 3


def test_scores_are_rounded_half_up_to_three_places(jury):
    contest = ContestFactory()
    contest.jury.set(jury)
    light = CriterionFactory(contest=contest, weight=1)
    heavy = CriterionFactory(contest=contest, weight=7)
    entry = EntryFactory(contest=contest)
    # (1 × (0 + 1)/2 + 7 × 0) / 8 = 1/16 = 0.0625: half-up gives 0.063 (half-even would give 0.062).
    score_entry(entry, jury[0], {light.pk: 0, heavy.pk: 0})
    score_entry(entry, jury[1], {light.pk: 1, heavy.pk: 0})

    assert ranking(contest)[0].score == Decimal("0.063")


def test_hidden_entries_are_left_out_of_the_ranking(contest, judged, moderator):
    hide_entry(judged["C"], moderator, "The photo is not the author's.")

    rows = ranking(contest)

    assert judged["C"] not in [row.entry for row in rows]
    assert [(row.entry.idea, row.rank) for row in rows][:3] == [("Entry A", 1), ("Entry B", 1), ("Entry E", 3)]


def test_an_entry_without_any_score_is_unranked_after_the_others(contest, judged):
    fresh = EntryFactory(contest=contest, idea="Entry F")

    last = ranking(contest)[-1]

    assert last.entry == fresh
    assert last.score is None
    assert last.jurors == 0


def test_missing_scores_count_each_juror_entry_and_criterion_but_not_a_jurors_own_entry(contest, jury):
    EntryFactory(contest=contest)
    EntryFactory(contest=contest, author=jury[0])
    idea, _photo = criteria_of(contest)
    score_entry(EntryFactory(contest=contest), jury[1], {idea.pk: 5})

    # 3 entries × 3 jurors × 2 criteria = 18, less 2 for the juror's own entry, less the 1 score given.
    assert contests.missing_scores(contest) == 15


def test_a_jurors_progress_counts_the_entries_scored_on_every_criterion(contest, jury):
    idea, photo_criterion = criteria_of(contest)
    done, partly = EntryFactory(contest=contest), EntryFactory(contest=contest)
    EntryFactory(contest=contest, author=jury[0])
    score_entry(done, jury[0], {idea.pk: 5, photo_criterion.pk: 5})
    score_entry(partly, jury[0], {idea.pk: 5})

    progress = contests.juror_progress(contest, jury[0])

    assert (progress.done, progress.total) == (1, 2)


# Closing ---------------------------------------------------------------------------------------------------


def after_deadline(contest) -> datetime.datetime:
    return contest.closes_at + datetime.timedelta(minutes=1)


def test_closing_writes_the_final_scores_and_ranks_and_publishes_the_results(contest, judged, urbanist):
    when = after_deadline(contest)

    close_contest(contest, urbanist, now=when)

    contest.refresh_from_db()
    assert contest.results_published_at == when
    finals = {entry.idea: (entry.final_score, entry.final_rank) for entry in Entry.objects.filter(contest=contest)}
    assert finals == {
        "Entry A": (Decimal("7.667"), 2),
        "Entry B": (Decimal("7.667"), 2),
        "Entry C": (Decimal("9.167"), 1),
        "Entry D": (None, None),
        "Entry E": (Decimal("3.333"), 4),
    }


def test_the_winners_include_every_entry_tied_at_the_cut_off(contest, judged, urbanist):
    close_contest(contest, urbanist, now=after_deadline(contest))

    rows = contests.published_ranking(contest)

    assert [row.entry.idea for row in rows if row.winner] == ["Entry C", "Entry A", "Entry B"]
    assert contests.tie_at_cutoff(rows, contest.winners) is True


def test_closing_is_refused_before_the_deadline(contest, judged, urbanist):
    with pytest.raises(ValidationError, match="can be closed only after that"):
        close_contest(contest, urbanist, now=contest.closes_at - datetime.timedelta(minutes=1))

    contest.refresh_from_db()
    assert contest.results_published_at is None
    assert not Entry.objects.filter(final_rank__isnull=False).exists()


def test_closing_is_refused_a_second_time_and_the_first_results_stay(contest, judged, urbanist):
    first = after_deadline(contest)
    close_contest(contest, urbanist, now=first)
    Entry.objects.filter(pk=judged["E"].pk).update(final_rank=99)

    with pytest.raises(ValidationError, match="its results are published"):
        close_contest(contest, urbanist, now=first + datetime.timedelta(days=1))

    contest.refresh_from_db()
    assert contest.results_published_at == first
    assert Entry.objects.get(pk=judged["E"].pk).final_rank == 99


def test_only_organisers_may_close_a_contest(contest, judged, jury_member, resident):
    contest.jury.add(jury_member)

    for person in (jury_member, resident):
        with pytest.raises(PermissionDenied):
            close_contest(contest, person, now=after_deadline(contest))

    organiser = UserFactory(role="resident")
    contest.organisers.add(organiser)
    close_contest(contest, organiser, now=after_deadline(contest))
    contest.refresh_from_db()
    assert contest.results_published_at is not None


def test_no_entry_is_accepted_once_the_contest_is_closed(contest, urbanist, resident):
    close_contest(contest, urbanist, now=after_deadline(contest))

    with pytest.raises(ValidationError) as refused:
        enter(contest, resident, now=contest.closes_at - datetime.timedelta(hours=1))

    assert refused.value.code == "closed"


# Hiding ----------------------------------------------------------------------------------------------------


def test_a_moderator_hides_an_entry_with_a_reason(contest, moderator):
    entry = EntryFactory(contest=contest)

    hide_entry(entry, moderator, "  Advertising for a shop.  ")

    entry.refresh_from_db()
    assert entry.is_hidden is True
    assert entry.hidden_reason == "Advertising for a shop."


def test_hiding_an_entry_needs_a_reason(contest, moderator):
    entry = EntryFactory(contest=contest)

    with pytest.raises(ValidationError) as refused:
        hide_entry(entry, moderator, " ")

    assert refused.value.message_dict == {"reason": ["Write the reason: the author of the entry will read it."]}
    entry.refresh_from_db()
    assert entry.is_hidden is False


def test_a_resident_or_a_juror_cannot_hide_an_entry(contest, resident, jury_member):
    entry = EntryFactory(contest=contest)

    for person in (resident, jury_member):
        with pytest.raises(PermissionDenied):
            hide_entry(entry, person, "I do not like it.")

    entry.refresh_from_db()
    assert entry.is_hidden is False
