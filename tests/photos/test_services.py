"""photos.services: adding photos with their files, pairing them, deleting them, listing pairs."""

from datetime import date
from pathlib import Path

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.utils import timezone
from PIL import Image

from photos.models import Photo
from photos.processing import PhotoError
from photos.services import add_photo, delete_photo, pair_photos, photo_pairs, unpair_photo, unpaired_photos
from tests.factories import CityFactory, PhotoFactory, ProjectFactory
from tests.photo_files import ARBAT_BEARING, arbat_jpeg, png_bytes

pytestmark = pytest.mark.django_db


def upload(data: bytes | None = None, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, arbat_jpeg() if data is None else data, content_type="image/jpeg")


def stored_files(media_root) -> list[Path]:
    return sorted(path for path in Path(media_root).rglob("*") if path.is_file())


# Adding


def test_a_photo_is_stored_with_its_image_and_thumbnail_under_the_owners_app(urbanist, media_root):
    project = ProjectFactory()
    photo = add_photo(project, upload(name="my street.jpg"), user=urbanist, caption="Arbat", credit="Akimat")
    photo.refresh_from_db()
    assert photo.owner == project
    assert photo.uploaded_by == urbanist
    assert (photo.caption, photo.credit, photo.width, photo.height) == ("Arbat", "Akimat", 640, 480)
    assert photo.image.name.startswith("photos/projects/full/")
    assert photo.thumbnail.name.startswith("photos/projects/thumbs/")
    assert "street" not in photo.image.name
    assert stored_files(media_root) == sorted([Path(photo.image.path), Path(photo.thumbnail.path)])


def test_the_stored_file_has_no_exif_gps(urbanist):
    photo = add_photo(ProjectFactory(), upload(), user=urbanist)
    with Image.open(photo.image.path) as image:
        assert dict(image.getexif()) == {}
        assert image.getexif().get_ifd(0x8825) == {}  # GPSInfo


def test_the_camera_date_place_and_direction_are_used_when_none_is_given(urbanist):
    CityFactory()
    photo = add_photo(ProjectFactory(), upload(), user=urbanist)
    photo.refresh_from_db()
    assert photo.taken_on == date(2017, 5, 1)
    assert photo.location.coords == pytest.approx((76.944, 43.261), abs=1e-6)
    assert photo.bearing == ARBAT_BEARING


def test_what_the_caller_gives_wins_over_the_camera(urbanist):
    place = Point(76.9450, 43.2600, srid=4326)
    photo = add_photo(ProjectFactory(), upload(), user=urbanist, taken_on=date(2018, 6, 2), location=place, bearing=270)
    photo.refresh_from_db()
    assert (photo.taken_on, photo.bearing) == (date(2018, 6, 2), 270)
    assert photo.location.coords == pytest.approx(place.coords)


def test_a_photo_without_a_camera_date_is_dated_today(urbanist):
    photo = add_photo(ProjectFactory(), upload(png_bytes(), "plan.png"), user=urbanist)
    photo.refresh_from_db()
    assert photo.taken_on == timezone.localdate()
    assert photo.location is None and photo.bearing is None


def test_a_refused_upload_writes_nothing(urbanist, media_root):
    with pytest.raises(PhotoError):
        add_photo(ProjectFactory(), upload(b"not an image"), user=urbanist)
    assert Photo.objects.count() == 0
    assert stored_files(media_root) == []


def test_no_file_is_left_behind_when_the_row_cannot_be_saved(urbanist, media_root):
    # 360 breaks the database's bearing check (0 to 359): the files are written first, then removed.
    with pytest.raises(IntegrityError):
        add_photo(ProjectFactory(), upload(), user=urbanist, bearing=360)
    assert Photo.objects.count() == 0
    assert stored_files(media_root) == []


def test_the_factory_makes_a_photo_with_real_files():
    photo = PhotoFactory(phase="before")
    assert Path(photo.image.path).is_file() and Path(photo.thumbnail.path).is_file()
    assert photo.phase == "before"


# Deleting


def test_deleting_a_photo_removes_its_image_and_thumbnail(media_root, django_capture_on_commit_callbacks):
    photo = PhotoFactory()
    with django_capture_on_commit_callbacks(execute=True):
        delete_photo(photo)
    assert not Photo.objects.exists()
    assert stored_files(media_root) == []


def test_the_files_stay_until_the_deletion_is_committed(media_root, django_capture_on_commit_callbacks):
    photo = PhotoFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        delete_photo(photo)
    assert len(stored_files(media_root)) == 2
    for callback in callbacks:
        callback()
    assert stored_files(media_root) == []


def test_deleting_the_owner_removes_its_photos_and_their_files(media_root, django_capture_on_commit_callbacks):
    project = ProjectFactory()
    PhotoFactory(owner=project)
    PhotoFactory(owner=project)
    with django_capture_on_commit_callbacks(execute=True):
        project.delete()
    assert not Photo.objects.exists()
    assert stored_files(media_root) == []


def test_deleting_a_paired_photo_leaves_its_counterpart_unpaired(django_capture_on_commit_callbacks):
    before = PhotoFactory(phase="before")
    after = PhotoFactory(owner=before.owner, phase="after")
    pair_photos(before, after)
    with django_capture_on_commit_callbacks(execute=True):
        delete_photo(before)
    after.refresh_from_db()
    assert after.pair is None


# Pairing


@pytest.fixture
def project():
    return ProjectFactory()


@pytest.fixture
def before(project):
    return PhotoFactory(owner=project, phase="before", caption="Cars on the pavement")


@pytest.fixture
def after(project):
    return PhotoFactory(owner=project, phase="after", caption="Benches and trees")


def test_pairing_sets_the_pair_on_both_photos(before, after):
    pair_photos(before, after)
    before.refresh_from_db()
    after.refresh_from_db()
    assert before.pair == after
    assert after.pair == before


def test_photos_of_two_records_cannot_be_paired(before):
    other = PhotoFactory(phase="after")
    with pytest.raises(ValidationError, match="Only photos of the same record can be paired."):
        pair_photos(before, other)
    before.refresh_from_db()
    assert before.pair is None


def test_two_before_photos_cannot_be_paired(project, before):
    second = PhotoFactory(owner=project, phase="before")
    with pytest.raises(ValidationError, match="A pair is one photo marked “before” and one marked “after”."):
        pair_photos(before, second)


def test_a_photo_without_a_phase_cannot_be_paired(project, before):
    plain = PhotoFactory(owner=project)
    with pytest.raises(ValidationError):
        pair_photos(before, plain)


def test_a_photo_cannot_be_paired_with_itself(before):
    with pytest.raises(ValidationError, match="itself"):
        pair_photos(before, before)


def test_pairing_a_paired_photo_again_leaves_its_former_counterpart_unpaired(project, before, after):
    pair_photos(before, after)
    newer = PhotoFactory(owner=project, phase="after")
    pair_photos(before, newer)
    for photo in (before, after, newer):
        photo.refresh_from_db()
    assert (before.pair, newer.pair) == (newer, before)
    assert after.pair is None


def test_pairing_the_same_photos_twice_changes_nothing(before, after):
    pair_photos(before, after)
    pair_photos(before, after)
    after.refresh_from_db()
    assert after.pair == before


def test_unpairing_clears_both_photos(before, after):
    pair_photos(before, after)
    unpair_photo(after)
    before.refresh_from_db()
    after.refresh_from_db()
    assert before.pair is None and after.pair is None


# Listing


def test_the_pairs_of_a_record_come_as_before_and_after(project, before, after):
    pair_photos(before, after)
    PhotoFactory(phase="before")  # another project's photo
    assert photo_pairs(project) == [(before, after)]


def test_the_photos_in_no_pair_are_listed_apart(project, before, after):
    pair_photos(before, after)
    lone_before = PhotoFactory(owner=project, phase="before")
    plain = PhotoFactory(owner=project)
    assert set(unpaired_photos(project)) == {lone_before, plain}
    assert unpaired_photos(ProjectFactory()) == []
