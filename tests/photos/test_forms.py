"""The photo forms: upload with the camera's defaults, edit what is said about a photo, pair it."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils import timezone, translation

from photos.forms import PhotoEditForm, PhotoUploadForm
from photos.services import pair_photos
from tests.factories import CityFactory, PhotoFactory, ProjectFactory
from tests.photo_files import arbat_jpeg, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return CityFactory()


@pytest.fixture
def project():
    return ProjectFactory()


def upload_form(city, image: bytes | None = None, name: str = "photo.jpg", **data) -> PhotoUploadForm:
    files = {"image": SimpleUploadedFile(name, arbat_jpeg() if image is None else image, content_type="image/jpeg")}
    return PhotoUploadForm(data, files, city=city)


def edit_form(photo, city, **changes) -> PhotoEditForm:
    data = {
        "taken_on": photo.taken_on.isoformat(),
        "latitude": photo.location.y if photo.location else "",
        "longitude": photo.location.x if photo.location else "",
        "bearing": "" if photo.bearing is None else photo.bearing,
        "caption": photo.caption,
        "credit": photo.credit,
        "phase": photo.phase,
        "pair": photo.pair_id or "",
        **changes,
    }
    return PhotoEditForm(data, instance=photo, city=city)


# Upload


def test_an_upload_left_empty_takes_the_cameras_date_place_and_direction(city, project, urbanist):
    form = upload_form(city, caption="Arbat in May", phase="before")
    assert form.is_valid(), form.errors
    photo = form.save(owner=project, user=urbanist)
    photo.refresh_from_db()
    assert (photo.taken_on, photo.bearing, photo.phase) == (date(2017, 5, 1), 90, "before")
    assert photo.caption == "Arbat in May"
    assert photo.location.coords == pytest.approx((76.944, 43.261), abs=1e-6)
    assert photo.uploaded_by == urbanist


def test_what_is_typed_wins_over_the_camera(city, project, urbanist):
    form = upload_form(city, taken_on="2018-06-02", latitude="43.2555", longitude="76.9455", bearing="180")
    assert form.is_valid(), form.errors
    photo = form.save(owner=project, user=urbanist)
    photo.refresh_from_db()
    assert (photo.taken_on, photo.bearing) == (date(2018, 6, 2), 180)
    assert photo.location.coords == pytest.approx((76.9455, 43.2555))


def test_a_file_that_is_not_an_image_shows_its_problem_on_the_photo_field(city):
    form = upload_form(city, image=b"Just some text.", name="photo.jpg")
    assert not form.is_valid()
    assert form.errors["image"] == ["The file is not a JPEG, PNG or WebP image."]


def test_a_png_named_jpg_is_uploaded_as_a_png(city, project, urbanist):
    form = upload_form(city, image=png_bytes(), name="photo.jpg")
    assert form.is_valid(), form.errors
    assert form.save(owner=project, user=urbanist).image.name.endswith(".png")


def test_a_latitude_without_a_longitude_is_refused(city):
    form = upload_form(city, latitude="43.25")
    assert not form.is_valid()
    assert form.errors["longitude"] == ["Give both the latitude and the longitude, or leave both empty."]


def test_a_place_typed_outside_the_city_is_refused(city):
    form = upload_form(city, latitude="51.128", longitude="71.430")
    assert not form.is_valid()
    assert form.errors["latitude"] == ["This place lies outside Almaty: check the latitude and the longitude."]


def test_a_direction_of_360_degrees_is_refused(city):
    form = upload_form(city, bearing="360")
    assert not form.is_valid()
    assert "bearing" in form.errors


def test_a_date_taken_in_the_future_is_refused(city):
    tomorrow = timezone.localdate() + timedelta(days=1)
    form = upload_form(city, taken_on=tomorrow.isoformat())
    assert not form.is_valid()
    assert form.errors["taken_on"] == ["The date taken cannot be in the future."]


def test_the_messages_follow_the_language_they_are_read_in(city):
    with translation.override("ru"):
        form = upload_form(city, image=b"Just some text.", latitude="43.25")
        assert not form.is_valid()
    # The Russian words come with the catalogues; what matters here is that each message is translatable,
    # chosen when it is shown: read in English, it is the English text.
    with translation.override("en"):
        assert form.errors["image"] == ["The file is not a JPEG, PNG or WebP image."]
        assert form.errors["longitude"] == ["Give both the latitude and the longitude, or leave both empty."]


def test_the_upload_form_renders_with_the_shared_field_template(city):
    html = render_to_string("accounts/_form_fields.html", {"form": PhotoUploadForm(city=city)})
    assert 'accept="image/jpeg,image/png,image/webp' in html
    assert '<label for="id_latitude">Latitude</label>' in html
    assert f'max="{timezone.localdate().isoformat()}"' in html


# Edit


def test_the_edit_form_shows_the_place_as_latitude_and_longitude(city):
    photo = PhotoFactory()
    form = PhotoEditForm(instance=photo, city=city)
    assert form.initial["latitude"] == pytest.approx(43.261)
    assert form.initial["longitude"] == pytest.approx(76.944)


def test_editing_the_place_and_caption_saves_them(city):
    photo = PhotoFactory()
    form = edit_form(photo, city, latitude="43.2600", longitude="76.9450", caption="From the corner")
    assert form.is_valid(), form.errors
    form.save()
    photo.refresh_from_db()
    assert photo.caption == "From the corner"
    assert photo.location.coords == pytest.approx((76.945, 43.26))


def test_emptying_both_coordinates_removes_the_place(city):
    photo = PhotoFactory()
    form = edit_form(photo, city, latitude="", longitude="")
    assert form.is_valid(), form.errors
    form.save()
    photo.refresh_from_db()
    assert photo.location is None


def test_the_pair_is_chosen_among_the_photos_of_the_other_phase(city, project):
    before = PhotoFactory(owner=project, phase="before")
    after = PhotoFactory(owner=project, phase="after")
    PhotoFactory(owner=project, phase="before")
    PhotoFactory(owner=project)
    PhotoFactory(phase="after")  # another project's
    assert list(PhotoEditForm(instance=before, city=city).fields["pair"].queryset) == [after]


def test_choosing_a_pair_pairs_both_photos(city, project):
    before = PhotoFactory(owner=project, phase="before")
    after = PhotoFactory(owner=project, phase="after")
    form = edit_form(before, city, pair=after.pk)
    assert form.is_valid(), form.errors
    form.save()
    after.refresh_from_db()
    assert after.pair == before


def test_a_pair_of_the_same_phase_is_refused(city, project):
    before = PhotoFactory(owner=project)
    other_before = PhotoFactory(owner=project, phase="before")
    form = edit_form(before, city, phase="before", pair=other_before.pk)
    assert not form.is_valid()
    assert form.errors["pair"] == [
        "A pair is one photo marked “before” and one marked “after”: choose a photo marked “After”."
    ]


def test_a_photo_marked_neither_before_nor_after_cannot_keep_a_pair(city, project):
    before = PhotoFactory(owner=project, phase="before")
    after = PhotoFactory(owner=project, phase="after")
    pair_photos(before, after)
    form = edit_form(before, city, phase="")
    assert not form.is_valid()
    assert form.errors["pair"] == ["Mark this photo “before” or “after” to pair it."]


def test_removing_the_phase_and_the_pair_unpairs_both_photos(city, project):
    before = PhotoFactory(owner=project, phase="before")
    after = PhotoFactory(owner=project, phase="after")
    pair_photos(before, after)
    form = edit_form(before, city, phase="", pair="")
    assert form.is_valid(), form.errors
    form.save()
    before.refresh_from_db()
    after.refresh_from_db()
    assert (before.phase, before.pair, after.pair) == ("", None, None)
