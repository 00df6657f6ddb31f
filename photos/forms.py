"""Forms to upload a photo and to edit what is said about it, for any owner record.

The place is two number fields, latitude and longitude (both or neither),
rather than a map: it is usually the camera's, and a phone's keyboard is
enough to correct it. Render the forms with templates/accounts/_form_fields.html.
"""

from datetime import date
from typing import Any

from django import forms
from django.contrib.gis.geos import Point
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from gis_data.editing import DateInput
from gis_data.geometry import SRID
from gis_data.packs import current_city
from photos.models import Phase, Photo
from photos.processing import ProcessedPhoto, in_city, process_upload
from photos.services import add_photo, pair_photos, unpair_photo

# What the browser's file picker offers; the server decides by content, whatever the name (photos.processing).
ACCEPT = "image/jpeg,image/png,image/webp,.jpg,.jpeg,.png,.webp"
BOTH_OR_NEITHER = _("Give both the latitude and the longitude, or leave both empty.")
FUTURE_DATE = _("The date taken cannot be in the future.")
NOT_OPPOSITE = _("A pair is one photo marked “before” and one marked “after”: choose a photo marked “%(phase)s”.")
NO_PHASE = _("Mark this photo “before” or “after” to pair it.")


def latitude_field() -> forms.FloatField:
    return forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_("Degrees north, as in 43.2610."),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


def longitude_field() -> forms.FloatField:
    return forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        help_text=_("Degrees east, as in 76.9440."),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


def bearing_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Viewing direction"),
        required=False,
        min_value=0,
        max_value=359,
        help_text=_("Degrees clockwise from north: 0 looks north, 90 east."),
        widget=forms.NumberInput(attrs={"step": 1, "inputmode": "numeric"}),
    )


def clean_taken_on(value: date | None) -> date | None:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(FUTURE_DATE, code="future")
    return value


def clean_location(form: forms.BaseForm, city: Any) -> Point | None:
    """The point of the form's latitude and longitude fields, or None; errors are added to the form."""
    latitude, longitude = form.cleaned_data.get("latitude"), form.cleaned_data.get("longitude")
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        missing = "latitude" if latitude is None else "longitude"
        if missing not in form.errors:  # a value that was typed but is not a number has its own message
            form.add_error(missing, forms.ValidationError(BOTH_OR_NEITHER, code="both"))
        return None
    point = Point(longitude, latitude, srid=SRID)
    if city is not None and not in_city(point, city):
        form.add_error(
            "latitude",
            forms.ValidationError(
                _("This place lies outside %(city)s: check the latitude and the longitude."),
                code="extent",
                params={"city": city.name},
            ),
        )
        return None
    return point


def opposite(phase: str) -> str:
    return {Phase.BEFORE: Phase.AFTER, Phase.AFTER: Phase.BEFORE}.get(phase, "")


def check_pair(phase: str, pair: Photo | None, pair_phase: str) -> forms.ValidationError | None:
    """Why ``pair`` (marked ``pair_phase``) cannot be the pair of a photo marked ``phase``; None when it can."""
    if pair is None:
        return None
    if phase not in (Phase.BEFORE, Phase.AFTER):
        return forms.ValidationError(NO_PHASE, code="phase")
    if pair_phase != opposite(phase):
        return forms.ValidationError(NOT_OPPOSITE, code="phase", params={"phase": Phase(opposite(phase)).label})
    return None


def apply_pair(photo: Photo, pair: Photo | None) -> None:
    """Make ``pair`` the photo's pair (both sides), or undo its pair when None."""
    if pair is None:
        unpair_photo(photo)
    elif photo.phase == Phase.BEFORE:
        pair_photos(photo, pair)
    else:
        pair_photos(pair, photo)


class PairChoiceField(forms.ModelChoiceField):
    """A photo of the same owner, shown as its phase, date and caption."""

    def label_from_instance(self, obj: Photo) -> str:
        parts = [str(Phase(obj.phase).label), date_format(obj.taken_on, "DATE_FORMAT")]
        parts.append(obj.caption or str(obj))
        return " · ".join(parts)


def pair_field(queryset: models.QuerySet) -> PairChoiceField:
    return PairChoiceField(
        queryset=queryset,
        required=False,
        label=_("Paired photo"),
        empty_label=_("No pair"),
        help_text=_("The photo taken from the same viewpoint at the other time; choosing it pairs both photos."),
    )


class PhotoUploadForm(forms.Form):
    """Upload a photo; the date, place and direction left empty are taken from the camera's EXIF."""

    image = forms.FileField(
        label=_("Photo"),
        help_text=_("A JPEG, PNG or WebP image."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    taken_on = forms.DateField(
        label=_("Date taken"),
        required=False,
        help_text=_("Leave empty to use the date the camera recorded, or today."),
        widget=DateInput(),
    )
    latitude = latitude_field()
    longitude = longitude_field()
    bearing = bearing_field()
    caption = forms.CharField(label=_("Caption"), max_length=300, required=False)
    credit = forms.CharField(
        label=_("Credit"), max_length=200, required=False, help_text=_("Who took the photo, as it should be shown.")
    )
    phase = forms.ChoiceField(label=_("Before or after"), choices=Phase.choices, required=False)

    def __init__(self, *args: Any, city: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.city = city if city is not None else current_city()
        self.processed: ProcessedPhoto | None = None
        self.location: Point | None = None
        self.fields["taken_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["latitude"].help_text = _(
            "Degrees north, as in 43.2610. Leave the latitude and the longitude empty to use the camera's position."
        )

    def clean_image(self) -> Any:
        upload = self.cleaned_data["image"]
        # Checked, read and re-encoded here, so that what is wrong shows on the field.
        self.processed = process_upload(upload)
        return upload

    def clean_taken_on(self) -> date | None:
        return clean_taken_on(self.cleaned_data.get("taken_on"))

    def clean(self) -> dict:
        cleaned = super().clean()
        self.location = clean_location(self, self.city)
        return cleaned

    def save(self, owner: models.Model, user: Any) -> Photo:
        """Store the photo as one of ``owner``'s photos (see photos.services.add_photo)."""
        if self.processed is None:
            raise ValueError("save() needs a valid form.")
        data = self.cleaned_data
        return add_photo(
            owner,
            self.processed,
            user=user,
            taken_on=data["taken_on"],
            location=self.location,
            bearing=data["bearing"],
            caption=data["caption"],
            credit=data["credit"],
            phase=data["phase"],
        )


class PhotoEditForm(forms.ModelForm):
    """What is said about a photo: date, place, direction, caption, credit, phase and pair."""

    latitude = latitude_field()
    longitude = longitude_field()
    bearing = bearing_field()

    class Meta:
        model = Photo
        fields = ["taken_on", "bearing", "caption", "credit", "phase"]
        widgets = {"taken_on": DateInput()}

    field_order = ["taken_on", "latitude", "longitude", "bearing", "caption", "credit", "phase", "pair"]

    def __init__(self, *args: Any, city: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.city = city if city is not None else current_city()
        self.location: Point | None = None
        photo = self.instance
        others = Photo.objects.filter(content_type_id=photo.content_type_id, object_id=photo.object_id)
        others = others.exclude(pk=photo.pk) if photo.pk else Photo.objects.none()
        phases = [opposite(photo.phase)] if photo.phase else [Phase.BEFORE, Phase.AFTER]
        self.fields["pair"] = pair_field(others.filter(phase__in=phases))
        self.order_fields(self.field_order)
        self.fields["taken_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        if photo.location is not None:
            self.initial.setdefault("latitude", round(photo.location.y, 7))
            self.initial.setdefault("longitude", round(photo.location.x, 7))
        self.initial.setdefault("pair", photo.pair_id)

    def clean_taken_on(self) -> date | None:
        return clean_taken_on(self.cleaned_data.get("taken_on"))

    def clean(self) -> dict:
        cleaned = super().clean()
        self.location = clean_location(self, self.city)
        pair = cleaned.get("pair")
        error = check_pair(cleaned.get("phase", ""), pair, pair.phase if pair else "")
        if error is not None:
            self.add_error("pair", error)
        return cleaned

    def save(self, commit: bool = True) -> Photo:
        """Save the photo and its pair (both sides of it); with ``commit=False``, only fill the instance in."""
        photo = super().save(commit=False)
        photo.location = self.location
        if not commit:
            return photo
        pair = self.cleaned_data.get("pair")
        with transaction.atomic():
            if photo.pair_id and (pair is None or pair.pk != photo.pair_id):
                # Before the save: a photo no longer marked before or after may not keep a pair.
                unpair_photo(photo)
            photo.save()
            if pair is not None and pair.pk != photo.pair_id:
                apply_pair(photo, pair)
        return photo
