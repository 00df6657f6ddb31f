"""Photos of places, one mechanism for the whole platform.

A photo belongs to any record that shows places (a project now; parks,
corridors and proposals later) through a generic relation, so this app
imports no domain app. The stored image is always Qala's own re-encoding of
the upload, without EXIF; the date and position the camera wrote are read
before they are stripped and offered as the photo's defaults.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.db import models
from django.core.validators import MaxValueValidator
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from gis_data.geometry import SRID


class Phase(models.TextChoices):
    NONE = "", _("Neither before nor after")
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")


class PhotoQuerySet(models.QuerySet):
    def of(self, owner: models.Model) -> "PhotoQuerySet":
        """The photos of one record (a project, a park, ...)."""
        return self.filter(content_type=ContentType.objects.get_for_model(owner), object_id=owner.pk)

    def of_model(self, model: type[models.Model]) -> "PhotoQuerySet":
        """The photos of every record of one model."""
        return self.filter(content_type=ContentType.objects.get_for_model(model))


# The file names are Qala's own (see photos.processing); the folders keep owners' apps apart.
def upload_image(instance: "Photo", filename: str) -> str:
    return f"photos/{instance.content_type.app_label}/full/{filename}"


def upload_thumbnail(instance: "Photo", filename: str) -> str:
    return f"photos/{instance.content_type.app_label}/thumbs/{filename}"


class Photo(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("content_type", "object_id")

    image = models.ImageField(_("photo"), upload_to=upload_image, width_field="width", height_field="height")
    thumbnail = models.ImageField(_("thumbnail"), upload_to=upload_thumbnail)
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)

    taken_on = models.DateField(_("date taken"))
    location = models.PointField(_("place taken"), srid=SRID, null=True, blank=True)
    bearing = models.PositiveSmallIntegerField(
        _("viewing direction"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(359)],
        help_text=_("Degrees clockwise from north: 0 looks north, 90 east."),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    credit = models.CharField(_("credit"), max_length=200, blank=True)
    phase = models.CharField(_("before or after"), max_length=6, choices=Phase.choices, blank=True, default="")
    # The counterpart taken from the same viewpoint: set on both photos of a pair (see photos.services).
    pair = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("paired photo")
    )

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["taken_on", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="photos_owner_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(bearing__isnull=True) | Q(bearing__lte=359), name="photos_bearing_range"
            ),
            models.CheckConstraint(condition=~Q(pair=models.F("pk")), name="photos_not_own_pair"),
            models.CheckConstraint(condition=Q(pair__isnull=True) | ~Q(phase=""), name="photos_pair_has_phase"),
        ]

    def __str__(self) -> str:
        return self.caption or f"{self._meta.verbose_name} {self.pk}"


@receiver(post_delete, sender=Photo)
def delete_photo_files(sender: type[Photo], instance: Photo, using: str, **kwargs) -> None:
    """Remove a deleted photo's image and thumbnail once the deletion is committed.

    A signal, not a step in photos.services.delete_photo: photos are also
    deleted with their owner (the owner's GenericRelation) and in the admin.
    After the commit, so a rolled-back deletion keeps its files.
    """
    names = [file.name for file in (instance.image, instance.thumbnail) if file and file.name]
    storage = instance.image.storage

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files, using=using)
