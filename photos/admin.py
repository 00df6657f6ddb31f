"""Photos in the admin: an inline for any owner's admin page, and a list of every photo.

An upload in the admin goes through photos.processing exactly as one on the
site: checked, EXIF read for the defaults and stripped, re-encoded under a
random name, thumbnailed. Pairs are set on both photos (photos.services).
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import BaseGenericInlineFormSet, GenericTabularInline
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gis_data.admin import MapAdmin
from gis_data.packs import current_city
from photos.forms import ACCEPT, apply_pair, check_pair, clean_taken_on, pair_field
from photos.models import Phase, Photo
from photos.processing import ProcessedPhoto, in_city, process_upload
from photos.services import unpair_photo


def thumbnail_tag(photo: Photo, size: int = 120) -> str:
    if not photo.pk or not photo.thumbnail:
        return "—"
    return format_html(
        '<img src="{}" alt="{}" style="max-width:{}px;max-height:{}px;height:auto">',
        photo.thumbnail.url,
        photo.caption,
        size,
        size,
    )


class PhotoAdminForm(forms.ModelForm):
    """The admin's photo form: the upload is processed (photos.processing), the pair set on both photos.

    ``owner`` is the record the photos belong to (the inline's parent); the
    pair is chosen among its other photos marked before or after.
    """

    # Declared here for the admin's ``fields``; its choices, the owner's other photos, are set in __init__.
    pair_with = pair_field(Photo.objects.none())

    class Meta:
        model = Photo
        fields = ["image", "taken_on", "location", "bearing", "caption", "credit", "phase"]
        # A plain file field: Django's ImageField would open the upload with Pillow before the checks here.
        field_classes = {"image": forms.FileField}

    def __init__(self, *args: Any, owner: Any = None, in_formset: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.in_formset = in_formset
        self.processed: ProcessedPhoto | None = None
        self.replaced: list[str] = []
        photo = self.instance
        if owner is not None and owner.pk:
            others = Photo.objects.of(owner)
        elif photo.pk:
            others = Photo.objects.filter(content_type_id=photo.content_type_id, object_id=photo.object_id)
        else:
            others = Photo.objects.none()
        if photo.pk:
            others = others.exclude(pk=photo.pk)
        self.fields["pair_with"].queryset = others.exclude(phase=Phase.NONE)
        self.initial.setdefault("pair_with", photo.pair_id)
        if "image" in self.fields:
            self.fields["image"].widget.attrs["accept"] = ACCEPT
        if "taken_on" in self.fields:
            self.fields["taken_on"].required = False
            self.fields["taken_on"].help_text = _("Leave empty to use the date the camera recorded, or today.")

    def clean_image(self) -> Any:
        image = self.cleaned_data.get("image")
        if isinstance(image, UploadedFile):
            self.processed = process_upload(image)
            if self.instance.pk:
                self.replaced = [self.instance.image.name, self.instance.thumbnail.name]
            # The stored file is the re-encoded one, under its random name: the upload itself is never written.
            return self.processed.image
        return image

    def clean_taken_on(self) -> Any:
        return clean_taken_on(self.cleaned_data.get("taken_on"))

    def clean_location(self) -> Any:
        location = self.cleaned_data.get("location")
        city = current_city()
        if location is not None and city is not None and not in_city(location, city):
            raise forms.ValidationError(
                _("This place lies outside %(city)s."), code="extent", params={"city": city.name}
            )
        return location

    def clean(self) -> dict:
        cleaned = super().clean()
        if "taken_on" in self.fields and not cleaned.get("taken_on") and "taken_on" not in self.errors:
            camera = self.processed.taken_on if self.processed else None
            cleaned["taken_on"] = camera or self.instance.taken_on or timezone.localdate()
        if not self.in_formset:  # in an inline, the formset checks pairs against the phases sent with it
            pair = cleaned.get("pair_with")
            error = check_pair(cleaned.get("phase", ""), pair, pair.phase if pair else "")
            if error is not None:
                self.add_error("pair_with", error)
        return cleaned

    def save(self, commit: bool = True) -> Photo:
        photo = super().save(commit=False)
        if self.processed is not None:
            # The image field already holds the re-encoded file; the thumbnail and the camera's defaults go with it.
            photo.thumbnail = self.processed.thumbnail
            if photo.location is None:
                photo.location = self.processed.location
            if photo.bearing is None:
                photo.bearing = self.processed.bearing
        if commit:
            self.save_photo(photo, pair=not self.in_formset)
        return photo

    def save_photo(self, photo: Photo, *, pair: bool) -> None:
        """Write the photo (and, with ``pair``, its pair); the files of a replaced image go after the commit."""
        with transaction.atomic():
            if photo.pk:
                # The pair as it is now in the database, not as it was when the form was shown.
                photo.pair_id = Photo.objects.filter(pk=photo.pk).values_list("pair", flat=True).first()
                if not photo.phase and photo.pair_id:
                    unpair_photo(photo)
            try:
                photo.save()
            except BaseException:
                if self.processed is not None:
                    for file in (photo.image, photo.thumbnail):
                        if file.name and file._committed:
                            file.storage.delete(file.name)
                raise
            if self.replaced:
                storage, names = photo.image.storage, [name for name in self.replaced if name]

                def delete_replaced() -> None:
                    for name in names:
                        storage.delete(name)

                transaction.on_commit(delete_replaced)
            if pair and "pair_with" in self.changed_data:
                apply_pair(photo, self.cleaned_data.get("pair_with"))


class PhotoInlineFormSet(BaseGenericInlineFormSet):
    """The inline's rows; the pairs chosen are checked together, then set once every row is saved."""

    def get_form_kwargs(self, index: int | None) -> dict:
        return {**super().get_form_kwargs(index), "owner": self.instance, "in_formset": True}

    def clean(self) -> None:
        super().clean()
        kept = [form for form in self.forms if form.is_valid() and not self._should_delete_form(form)]
        phases = {form.instance.pk: form.cleaned_data.get("phase", "") for form in kept if form.instance.pk}
        chosen = {form.instance.pk: form.cleaned_data.get("pair_with") for form in kept if form.instance.pk}
        partners: dict[Any, Any] = {}  # the pairs asked for in this submission, both ways
        for index, form in enumerate(kept):
            pair = form.cleaned_data.get("pair_with")
            if pair is None:
                continue
            if "pair_with" not in form.changed_data and pair.pk in chosen and chosen[pair.pk] != form.instance:
                continue  # the counterpart's row undoes this pair: what this row still shows will not be kept
            error = check_pair(form.cleaned_data.get("phase", ""), pair, phases.get(pair.pk, pair.phase))
            if error is None and "pair_with" in form.changed_data:
                photo = form.instance.pk or f"new-{index}"
                if partners.get(pair.pk, photo) != photo or partners.get(photo, pair.pk) != pair.pk:
                    error = forms.ValidationError(
                        _("A photo can be paired with one photo only: this pair conflicts with another one chosen."),
                        code="twice",
                    )
                partners[pair.pk], partners[photo] = photo, pair.pk
            if error is not None:
                form.add_error("pair_with", error)

    def save(self, commit: bool = True) -> list[Photo]:
        saved = super().save(commit=commit)
        if commit:
            for form in self.forms:
                if form.instance.pk and "pair_with" in form.changed_data and not self._should_delete_form(form):
                    # Fresh from the database: other rows of this submission may have changed them.
                    pair = form.cleaned_data.get("pair_with")
                    for photo in (form.instance, pair):
                        if photo is not None:
                            photo.refresh_from_db(fields=["pair", "phase"])
                    apply_pair(form.instance, pair)
        return saved


class PhotoInline(GenericTabularInline):
    """The photos of any record, for its ModelAdmin's ``inlines``: upload, phase, pair, caption, credit, date."""

    model = Photo
    form = PhotoAdminForm
    formset = PhotoInlineFormSet
    fields = ("preview", "image", "phase", "pair_with", "caption", "credit", "taken_on")
    readonly_fields = ("preview",)
    extra = 0
    show_change_link = True

    @admin.display(description=_("preview"))
    def preview(self, photo: Photo) -> str:
        return thumbnail_tag(photo)


@admin.register(Photo)
class PhotoAdmin(MapAdmin):
    """Every photo, whatever it belongs to. Photos are added from their record's page, not here."""

    form = PhotoAdminForm
    list_display = ("preview", "__str__", "owner_link", "phase", "taken_on", "uploaded_at")
    list_filter = ("phase", "content_type", "taken_on")
    list_select_related = ("content_type",)
    search_fields = ("caption", "credit")
    date_hierarchy = "taken_on"
    readonly_fields = ("preview", "owner_link", "width", "height", "uploaded_by", "uploaded_at")
    fieldsets = (
        (None, {"fields": ("preview", "owner_link", "image", ("width", "height"))}),
        (_("What the photo shows"), {"fields": ("taken_on", "location", "bearing", "caption", "credit")}),
        (_("Before and after"), {"fields": ("phase", "pair_with")}),
        (_("Record"), {"fields": ("uploaded_by", "uploaded_at")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("preview"))
    def preview(self, photo: Photo) -> str:
        return thumbnail_tag(photo, size=240 if photo.pk else 120)

    @admin.display(description=_("belongs to"))
    def owner_link(self, photo: Photo) -> str:
        owner = photo.owner
        if owner is None:
            return "—"
        try:
            url = reverse(f"admin:{owner._meta.app_label}_{owner._meta.model_name}_change", args=[owner.pk])
        except NoReverseMatch:
            return str(owner)
        return format_html('<a href="{}">{}</a>', url, owner)

    def save_model(self, request: HttpRequest, obj: Photo, form: PhotoAdminForm, change: bool) -> None:
        form.save_photo(obj, pair=True)
