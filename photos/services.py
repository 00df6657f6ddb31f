"""Writes of the photo mechanism: adding, pairing and deleting photos of any owner record."""

from datetime import date

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from photos.models import Phase, Photo
from photos.processing import ProcessedPhoto, process_upload


def add_photo(
    owner: models.Model,
    upload: UploadedFile | ProcessedPhoto,
    *,
    user,
    taken_on: date | None = None,
    location: Point | None = None,
    bearing: int | None = None,
    caption: str = "",
    credit: str = "",
    phase: str = "",
) -> Photo:
    """Store an uploaded picture as a photo of ``owner`` (any saved record: a project, a park, ...).

    The upload goes through photos.processing (checked, re-encoded without
    EXIF, thumbnailed) unless it is already a ProcessedPhoto (a form that
    checked it). Where the caller gives no date, place or direction, the
    camera's EXIF values are used; the date falls back to today. Raises
    PhotoError for an upload that cannot be a photo. The files are written
    before the row; if the row cannot be saved, they are deleted again, so no
    file is left without its row.
    """
    processed = upload if isinstance(upload, ProcessedPhoto) else process_upload(upload)
    photo = Photo(
        owner=owner,
        taken_on=taken_on or processed.taken_on or timezone.localdate(),
        location=location if location is not None else processed.location,
        bearing=bearing if bearing is not None else processed.bearing,
        caption=caption,
        credit=credit,
        phase=phase,
        uploaded_by=user if user is not None and user.is_authenticated else None,
    )
    written: list[str] = []
    try:
        with transaction.atomic():
            photo.image.save(processed.image.name, processed.image, save=False)
            written.append(photo.image.name)
            photo.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
            written.append(photo.thumbnail.name)
            photo.save()
    except BaseException:
        storage = Photo._meta.get_field("image").storage
        for name in written:
            storage.delete(name)
        raise
    return photo


def delete_photo(photo: Photo) -> None:
    """Delete a photo and, once the deletion is committed, its image and thumbnail files.

    Its counterpart, if it was paired, is left unpaired (the reference is set
    to NULL). The files are removed by photos.models' post_delete handler,
    which also covers photos deleted with their owner or in the admin.
    """
    with transaction.atomic():
        photo.delete()


def pair_photos(before: Photo, after: Photo) -> None:
    """Pair a "before" photo with the "after" photo taken from the same viewpoint, on both photos.

    Both must belong to the same record, one marked before and the other
    after. A photo already paired with a third one is re-paired: its former
    counterpart is left unpaired. Raises ValidationError otherwise.
    """
    if before.pk == after.pk:
        raise ValidationError(_("A photo cannot be paired with itself."), code="same_photo")
    if (before.content_type_id, before.object_id) != (after.content_type_id, after.object_id):
        raise ValidationError(_("Only photos of the same record can be paired."), code="owner")
    if before.phase != Phase.BEFORE or after.phase != Phase.AFTER:
        raise ValidationError(
            _("A pair is one photo marked “before” and one marked “after”."),
            code="phase",
        )
    pair = [before.pk, after.pk]
    with transaction.atomic():
        # Locked in one statement, in primary-key order, so that two pairings cannot deadlock.
        list(Photo.objects.select_for_update().filter(pk__in=pair).order_by("pk"))
        # Former pairs of either photo are undone on both sides first: a photo is the pair of one photo at most.
        Photo.objects.filter(models.Q(pk__in=pair) | models.Q(pair__in=pair)).update(pair=None)
        Photo.objects.filter(pk=before.pk).update(pair=after.pk)
        Photo.objects.filter(pk=after.pk).update(pair=before.pk)
    before.pair, after.pair = after, before


def unpair_photo(photo: Photo) -> None:
    """Undo a photo's pair, on both photos; a photo without a pair is left as it is."""
    Photo.objects.filter(models.Q(pk=photo.pk) | models.Q(pair=photo.pk)).exclude(pair__isnull=True).update(pair=None)
    photo.pair = None


def photo_pairs(owner: models.Model) -> list[tuple[Photo, Photo]]:
    """The before/after pairs of ``owner``'s photos, as (before, after), in the order the "before" photos were taken."""
    befores = Photo.objects.of(owner).filter(phase=Phase.BEFORE, pair__phase=Phase.AFTER).select_related("pair")
    return [(before, before.pair) for before in befores]


def unpaired_photos(owner: models.Model) -> list[Photo]:
    """``owner``'s photos that are in no pair, in the order they were taken."""
    paired = Photo.objects.of(owner).filter(phase=Phase.BEFORE, pair__phase=Phase.AFTER)
    pair_ids = set(paired.values_list("pk", flat=True)) | set(paired.values_list("pair", flat=True))
    return list(Photo.objects.of(owner).exclude(pk__in=pair_ids))
