"""The forms residents use: a proposal (drawn on the map, with photos), a comment or a reply, a flag."""

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from gis_data.geometry import GeometryRuleError, check_geometry
from participation import events
from participation.models import (
    COMMENT_LENGTH,
    REASON_LENGTH,
    SUBJECT_MODELS,
    Category,
    Event,
    FlagReason,
    Kind,
    Proposal,
)
from photos.processing import PhotoError, ProcessedPhoto, process_upload

# The image types the photo mechanism reads; the browser's file picker offers these.
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


# What a proposal is about: "projects.project:12". ---------------------------------------------------------


def subject_key(obj: models.Model) -> str:
    """The key a link to the form carries (``?about=projects.project:12``) for a record a proposal may be about."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def subject_from_key(key: str, user: Any) -> models.Model | None:
    """The record ``key`` names, if a proposal may be about its kind and ``user`` may see it; else None."""
    label, _sep, pk = (key or "").strip().partition(":")
    if label not in SUBJECT_MODELS or not pk.isdigit():
        return None
    try:
        model = ContentType.objects.get_by_natural_key(*label.split(".")).model_class()
    except ContentType.DoesNotExist:
        return None
    if model is None:
        return None
    queryset = model._default_manager.all()
    # A draft project is no subject for a resident: only what the user may see can be linked.
    if hasattr(queryset, "visible_to"):
        queryset = queryset.visible_to(user)
    return queryset.filter(pk=int(pk)).first()


# Several photos in one file input (Django 5.2: the widget allows it, the field cleans a list). ------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files from one input; ``clean`` returns a list (empty when none was chosen)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        cleaned, errors = [], []
        for upload in files:
            try:
                cleaned.append(super().clean(upload, initial))
            except ValidationError as error:
                errors.extend(_named(upload, message) for message in error.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


def _named(upload: Any, message: str) -> ValidationError:
    """A message about one of several files, naming the file so the resident knows which one."""
    name = getattr(upload, "name", "") or _("a file")
    return ValidationError(_("“%(name)s”: %(problem)s"), code="file", params={"name": name, "problem": message})


class GeoJSONHiddenInput(forms.HiddenInput):
    def format_value(self, value: Any) -> str | None:
        # A checked geometry goes back to the page as GeoJSON, so the map can draw it again.
        if hasattr(value, "geojson"):
            return value.geojson
        return super().format_value(value)


# The proposal ---------------------------------------------------------------------------------------------


class ProposalForm(forms.ModelForm):
    """A new proposal: what it is, where it is (drawn on the map), words, photos, and what it is about.

    ``photos`` are checked and re-encoded while the form is cleaned (so that
    each problem names its file), and kept in ``processed_photos`` for
    participation.services.submit_proposal. ``subject`` is the record the
    proposal is about (``subject_object`` once cleaned); ``event`` the event it
    is made at, kept only while that event is on (participation.events.is_on)
    when the form is sent. ``submission_key``
    is made when the form is first shown and sent back with it: the same key
    twice is the same proposal (a double click, a resubmitted page).
    """

    kind = forms.ChoiceField(label=_("What is it?"), choices=Kind.choices, widget=forms.RadioSelect)
    geom = forms.CharField(
        label=_("Place"),
        widget=GeoJSONHiddenInput,
        error_messages={"required": _("Show the place on the map: draw it, or use your location.")},
    )
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": PHOTO_ACCEPT}),
    )
    subject = forms.CharField(required=False, widget=forms.HiddenInput)
    event = forms.IntegerField(label=_("Made at an event"), required=False, widget=forms.Select, min_value=1)
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Proposal
        fields = ["kind", "category", "title", "description", "language", "geom"]
        labels = {"language": _("Written in")}
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(
        self, *args: Any, user: Any = None, language: str = "", about: str = "", event: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.repair_reason = ""
        self.processed_photos: list[ProcessedPhoto] = []
        self.max_photos = settings.PROPOSAL_MAX_PHOTOS
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["category"].empty_label = _("Choose a category")
        self.fields["title"].help_text = _("In a few words: what and where.")
        self.fields["description"].help_text = _("What is there now, and what should change.")
        self.fields["language"].choices = settings.LANGUAGES  # no empty choice: every proposal is in one
        self.fields["language"].initial = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
        self.fields["language"].help_text = _("The department answers in this language.")
        self.fields["photos"].help_text = ngettext_lazy(
            "Up to %(count)s photo: JPEG, PNG or WebP.", "Up to %(count)s photos: JPEG, PNG or WebP.", "count"
        ) % {"count": self.max_photos}
        # Made when the form is first shown; a form sent back keeps the key it was shown with.
        self.fields["submission_key"].initial = uuid.uuid4()
        self.fields["subject"].initial = about
        key = self.data.get(self.add_prefix("subject"), "") if self.is_bound else about
        self.subject_object = subject_from_key(key, user) if key else None
        # The event the proposal is made at (the link on an event's page gives ?event=<pk>): one of those on now.
        self.fields["event"].initial = event
        event_key = self.data.get(self.add_prefix("event"), "") if self.is_bound else event
        self.event_object = (
            Event.objects.filter(pk=int(event_key), is_published=True).first() if str(event_key).isdigit() else None
        )
        on_now = list(events.events_on_now())
        if self.event_object is not None and self.event_object not in on_now:
            on_now.append(self.event_object)  # shown as chosen, and refused with its times when sent
        self.fields["event"].widget.choices = [("", _("Not made at an event"))] + [(e.pk, e.title) for e in on_now]
        self.fields["event"].help_text = _("Proposals made at a forum while it is on are shown on its page.")
        self.offers_events = bool(on_now)

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def clean_geom(self) -> Any:
        try:
            checked = check_geometry(self.cleaned_data["geom"], Proposal().geometry_rules())
        except GeometryRuleError as error:
            raise ValidationError(error.messages, code=error.code) from None
        self.repair_reason = checked.problem if checked.repaired else ""
        return checked.geometry

    def clean_photos(self) -> list:
        uploads = self.cleaned_data["photos"]
        if len(uploads) > self.max_photos:
            raise ValidationError(
                ngettext_lazy(
                    "You chose %(chosen)s photos; a proposal has at most %(count)s photo.",
                    "You chose %(chosen)s photos; a proposal has at most %(count)s photos.",
                    "count",
                ),
                code="too_many",
                params={"chosen": len(uploads), "count": self.max_photos},
            )
        processed, errors = [], []
        for upload in uploads:
            try:
                processed.append(process_upload(upload))
            except PhotoError as error:
                errors.extend(_named(upload, message) for message in error.messages)
        if errors:
            raise ValidationError(errors)
        self.processed_photos = processed
        return uploads

    def clean_subject(self) -> str:
        key = self.cleaned_data["subject"].strip()
        if key and self.subject_object is None:
            raise ValidationError(
                _("What this proposal was about cannot be found any more. Remove the link, or start again."),
                code="subject",
            )
        return key

    def clean_event(self) -> Event | None:
        """The event, if it is on now (participation.events.events_on_now); else the proposal is refused the tag."""
        if self.cleaned_data["event"] is None:
            return None
        if self.event_object is None:
            raise ValidationError(
                _("The event this proposal was to be tagged to cannot be found. Choose “Not made at an event”."),
                code="event",
            )
        if not events.is_on(self.event_object):
            hint = _("Choose “Not made at an event” to send it.")
            raise ValidationError(f"{events.not_on_message(self.event_object)} {hint}", code="event_not_on")
        return self.event_object

    def clean_submission_key(self) -> uuid.UUID:
        # Only a page that lost its key sends none; it gets one, and is still guarded by the limits.
        return self.cleaned_data["submission_key"] or uuid.uuid4()

    def save(self, commit: bool = False) -> Proposal:
        """The unsaved proposal, for participation.services.submit_proposal; the form never saves it itself."""
        if commit:
            raise ValueError("A proposal is saved through participation.services.submit_proposal.")
        proposal = super().save(commit=False)
        proposal.submission_key = self.cleaned_data["submission_key"]
        if self.subject_object is not None:
            proposal.subject = self.subject_object
        proposal.event = self.cleaned_data.get("event")
        return proposal


# Comments and flags ---------------------------------------------------------------------------------------


class CommentForm(forms.Form):
    """A comment on a proposal, or (with ``parent``) a reply to one."""

    text = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write something before you send the comment.")},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["submission_key"].initial = uuid.uuid4()

    def clean_text(self) -> str:
        return self.cleaned_data["text"].strip()


class CommentEditForm(forms.Form):
    """A comment's new text, while its author may still change it."""

    text = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("A comment cannot be empty.")},
    )

    def clean_text(self) -> str:
        return self.cleaned_data["text"].strip()


class FlagForm(forms.Form):
    """A resident's report that a proposal or a comment breaks the rules."""

    reason = forms.ChoiceField(
        label=_("What is wrong?"),
        choices=FlagReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what is wrong.")},
    )
    note = forms.CharField(
        label=_("Anything the moderators should know (optional)"),
        max_length=REASON_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
