"""Entries and scores sent at the same moment: the per-person limit holds, one score per juror and criterion.

Real threads, each with its own database connection, against committed data
(a transactional test), released together by a barrier.
"""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from participation.contests import score_entry, submit_entry
from participation.models import Entry, Score
from photos.models import Photo
from tests.concurrency import at_once
from tests.factories import CityFactory, ContestFactory, CriterionFactory, EntryFactory, UserFactory
from tests.photo_files import jpeg_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def test_entries_sent_at_once_stop_at_the_per_person_limit(settings):
    settings.CONTEST_ENTRIES_PER_RESIDENT = 2
    CityFactory()
    contest = ContestFactory()
    author = UserFactory()
    image = jpeg_bytes(320, 240)

    def send(number):
        upload = SimpleUploadedFile(f"photo-{number}.jpg", image, content_type="image/jpeg")
        return submit_entry(contest, author, idea=f"Idea {number}", photo_upload=upload, language="en")

    results = at_once(*(lambda number=number: send(number) for number in range(6)))

    assert sum(isinstance(result, Entry) for result in results) == 2
    assert all(isinstance(result, Entry | ValidationError) for result in results), results
    assert Entry.objects.filter(contest=contest, author=author).count() == 2
    assert Photo.objects.count() == 2


def test_a_juror_scoring_one_entry_many_times_at_once_keeps_one_score_per_criterion():
    CityFactory()
    contest = ContestFactory()
    criterion = CriterionFactory(contest=contest)
    juror = UserFactory(role="jury")
    contest.jury.add(juror)
    entry = EntryFactory(contest=contest)

    results = at_once(*(lambda value=value: score_entry(entry, juror, {criterion.pk: value}) for value in range(8)))

    assert not [result for result in results if isinstance(result, Exception)]
    assert Score.objects.filter(entry=entry, criterion=criterion, juror=juror).count() == 1
