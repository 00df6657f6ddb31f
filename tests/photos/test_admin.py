"""Photos in the admin: uploads go through the same processing as on the site; pairs are set on both photos."""

import io
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from PIL import Image

from photos.admin import PhotoInline
from photos.models import Photo
from photos.services import pair_photos
from projects.models import Project
from tests.factories import PhotoFactory, ProjectFactory
from tests.photo_files import arbat_jpeg, png_bytes

pytestmark = pytest.mark.django_db


def jpeg_upload(data: bytes | None = None, name: str = "IMG_0001.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, arbat_jpeg() if data is None else data, content_type="image/jpeg")


def inline_formset(project: Project, user, rows: list[dict], files: dict | None = None):
    """The photo inline of ``project``'s admin page, bound to ``rows`` (existing photos first, by ``id``)."""
    inline = PhotoInline(Project, admin.site)
    request = RequestFactory().post("/")
    request.user = user
    formset_class = inline.get_formset(request, project)
    prefix = formset_class.get_default_prefix()
    existing = [row for row in rows if row.get("id")]
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(len(existing))}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    named_files = {f"{prefix}-{key}": value for key, value in (files or {}).items()}
    return formset_class(data, named_files, instance=project, prefix=prefix)


def row_of(photo: Photo, **changes) -> dict:
    return {
        "id": str(photo.pk),
        "phase": photo.phase,
        "pair_with": str(photo.pair_id or ""),
        "caption": photo.caption,
        "credit": photo.credit,
        "taken_on": photo.taken_on.isoformat(),
        **changes,
    }


def new_row(**values) -> dict:
    return {"id": "", "phase": "", "pair_with": "", "caption": "", "credit": "", "taken_on": "", **values}


def test_an_upload_in_the_inline_is_re_encoded_without_exif_and_takes_the_cameras_date(admin_user):
    project = ProjectFactory()
    formset = inline_formset(project, admin_user, [new_row(caption="Arbat")], {"0-image": jpeg_upload()})
    assert formset.is_valid(), formset.errors
    formset.save()
    photo = Photo.objects.of(project).get()
    assert photo.caption == "Arbat"
    assert str(photo.taken_on) == "2017-05-01"
    assert photo.bearing == 90
    assert "IMG_0001" not in photo.image.name
    assert Path(photo.thumbnail.path).is_file()
    with Image.open(photo.image.path) as image:
        assert dict(image.getexif()) == {}


def test_a_decompression_bomb_uploaded_in_the_admin_is_refused_with_its_size(admin_user):
    bomb = Image.new("1", (20_000, 20_000))
    buffer = io.BytesIO()
    bomb.save(buffer, "PNG")
    formset = inline_formset(
        ProjectFactory(), admin_user, [new_row()], {"0-image": jpeg_upload(buffer.getvalue(), "bomb.png")}
    )
    assert not formset.is_valid()
    assert formset.errors[0]["image"] == ["The image is 20,000 × 20,000 pixels; at most 40 million pixels are allowed."]
    assert not Photo.objects.exists()


def test_choosing_a_pair_in_the_inline_pairs_both_photos(admin_user):
    project = ProjectFactory()
    before = PhotoFactory(owner=project, phase="before")
    after = PhotoFactory(owner=project, phase="after")
    formset = inline_formset(project, admin_user, [row_of(before, pair_with=str(after.pk)), row_of(after)])
    assert formset.is_valid(), formset.errors
    formset.save()
    before.refresh_from_db()
    after.refresh_from_db()
    assert (before.pair, after.pair) == (after, before)


def test_two_photos_cannot_both_take_the_same_pair_in_the_inline(admin_user):
    project = ProjectFactory()
    first = PhotoFactory(owner=project, phase="before")
    second = PhotoFactory(owner=project, phase="before")
    after = PhotoFactory(owner=project, phase="after")
    rows = [row_of(first, pair_with=str(after.pk)), row_of(second, pair_with=str(after.pk)), row_of(after)]
    formset = inline_formset(project, admin_user, rows)
    assert not formset.is_valid()
    assert "pair_with" in formset.errors[1]


def test_swapping_the_phases_of_a_pair_in_the_inline_keeps_the_pair(admin_user):
    project = ProjectFactory()
    before = PhotoFactory(owner=project, phase="before")
    after = PhotoFactory(owner=project, phase="after")
    pair_photos(before, after)
    formset = inline_formset(project, admin_user, [row_of(before, phase="after"), row_of(after, phase="before")])
    assert formset.is_valid(), formset.errors
    formset.save()
    before.refresh_from_db()
    assert (before.phase, before.pair) == ("after", after)


def test_removing_the_phase_and_pair_of_a_paired_photo_in_the_inline_unpairs_both(admin_user):
    project = ProjectFactory()
    before = PhotoFactory(owner=project, phase="before")
    after = PhotoFactory(owner=project, phase="after")
    pair_photos(before, after)
    formset = inline_formset(project, admin_user, [row_of(before, phase="", pair_with=""), row_of(after)])
    assert formset.is_valid(), formset.errors
    formset.save()
    before.refresh_from_db()
    after.refresh_from_db()
    assert (before.pair, after.pair) == (None, None)


def test_deleting_a_row_in_the_inline_removes_the_files(admin_user, media_root, django_capture_on_commit_callbacks):
    project = ProjectFactory()
    photo = PhotoFactory(owner=project)
    formset = inline_formset(project, admin_user, [row_of(photo, DELETE="on")])
    assert formset.is_valid(), formset.errors
    with django_capture_on_commit_callbacks(execute=True):
        formset.save()
    assert not Photo.objects.exists()
    assert [path for path in Path(media_root).rglob("*") if path.is_file()] == []


def test_the_photo_list_shows_thumbnails(client, admin_user):
    photo = PhotoFactory(caption="Arbat in May")
    client.force_login(admin_user)
    response = client.get(reverse("admin:photos_photo_changelist"))
    assert response.status_code == 200
    assert photo.thumbnail.url in response.content.decode()


def test_replacing_a_photo_in_the_admin_re_encodes_it_and_removes_the_old_files(
    client, admin_user, media_root, django_capture_on_commit_callbacks
):
    photo = PhotoFactory(caption="Old")
    old_files = [Path(photo.image.path), Path(photo.thumbnail.path)]
    client.force_login(admin_user)
    url = reverse("admin:photos_photo_change", args=[photo.pk])
    assert client.get(url).status_code == 200
    data = {
        "image": SimpleUploadedFile("scan.jpg", png_bytes(), content_type="image/jpeg"),
        "taken_on": "2018-06-02",
        "location": "",
        "bearing": "",
        "caption": "New",
        "credit": "",
        "phase": "",
        "pair_with": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    photo.refresh_from_db()
    assert photo.caption == "New"
    assert photo.image.name.endswith(".png") and "scan" not in photo.image.name
    assert not any(path.exists() for path in old_files)
    assert Path(photo.image.path).is_file() and Path(photo.thumbnail.path).is_file()


def test_the_project_admin_page_shows_the_photo_inline(client, admin_user):
    photo = PhotoFactory(caption="Arbat in May")
    client.force_login(admin_user)
    response = client.get(reverse("admin:projects_project_change", args=[photo.object_id]))
    assert response.status_code == 200
    assert photo.thumbnail.url in response.content.decode()
