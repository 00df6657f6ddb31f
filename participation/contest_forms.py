"""The forms of contests: an entry (photo, idea, place on a small map, hashtags), a juror's scores, hiding an
entry, and the organisers' contest with its criteria and jury.

The rules are participation.contests'; the forms read what was sent and
check what can be told next to a field before the service runs (the service
checks it all again, and its refusals come back onto the fields).
"""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.forms import AccountsByEmailField
from gis_data.editing import GeoJSONField, GeoJSONTextarea
from gis_data.geometry import GeometryRuleError
from participation import contests
from participation.contest_models import IDEA_LENGTH
from participation.models import Contest, Criterion

# What the browser's file picker offers; the server decides by content, whatever the name (photos.processing).
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp,.jpg,.jpeg,.png,.webp"


class EntryForm(forms.Form):
    """A resident's entry: one photo, the idea, the place (optional, a point) and hashtags."""

    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("One photo of the city: JPEG, PNG or WebP."),
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}),
        error_messages={"required": _("Choose the photo of your entry.")},
    )
    idea = forms.CharField(
        label=_("Your idea"),
        max_length=IDEA_LENGTH,
        help_text=_("What should change in the place of the photo, and why."),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write your idea: what should change, and where.")},
    )
    language = forms.ChoiceField(label=_("Written in"), choices=settings.LANGUAGES)
    hashtags = forms.CharField(
        label=_("Hashtags (optional)"),
        required=False,
        help_text=_("Up to %(count)d, separated by spaces or commas, as in #trees #shade.")
        % {"count": contests.HASHTAG_MAX},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )
    place = GeoJSONField(
        label=_("The place as GeoJSON (optional)"),
        required=False,
        help_text=_("Picking the place on the map fills this in; you may also type a GeoJSON Point."),
        widget=GeoJSONTextarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, language: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]

    def clean_idea(self) -> str:
        return self.cleaned_data["idea"].strip()

    def clean_hashtags(self) -> list[str]:
        return contests.parse_hashtags(self.cleaned_data["hashtags"])

    def clean_place(self) -> Any:
        try:
            return contests.check_place(self.cleaned_data["place"])
        except GeometryRuleError as error:
            raise ValidationError(error.messages, code=error.code) from None


class ScoreForm(forms.Form):
    """A juror's score of one entry on each criterion of its contest: a whole number from 0 to the highest."""

    def __init__(self, *args: Any, contest: Contest, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for index, criterion in enumerate(criteria):
            name = str(criterion.name).replace("%", "%%")
            attrs = {"min": "0", "max": str(contest.max_score), "step": "1", "inputmode": "numeric"}
            if index == 0:
                attrs["autofocus"] = ""
            self.fields[contests.score_field(criterion)] = forms.IntegerField(
                label=criterion.name,
                help_text=_("Weight %(weight)d · from 0 to %(max)d")
                % {"weight": criterion.weight, "max": contest.max_score},
                widget=forms.NumberInput(attrs=attrs),
                error_messages={
                    "required": _("“%(criterion)s”: give a score from 0 to %(max)d.")
                    % {"criterion": name, "max": contest.max_score},
                    "invalid": _("“%(criterion)s”: a score is a whole number from 0 to %(max)d.")
                    % {"criterion": name, "max": contest.max_score},
                },
            )

    def values(self) -> dict[int, int]:
        """{criterion pk: value} for participation.contests.score_entry."""
        return {criterion.pk: self.cleaned_data[contests.score_field(criterion)] for criterion in self.criteria}


class HideEntryForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is hidden (its author will read it)"),
        max_length=contests.HIDE_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the reason: the author of the entry will read it.")},
    )


# The organisers' contest -----------------------------------------------------------------------------------


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker; the time is the city's (the active time zone)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ConstraintsSaidByClean:
    """A model form whose clean() says what the model's check constraints would, each on its field.

    Django's own check names the constraint ("Constraint … is violated"), on no field; the service that
    saves the record still checks the constraints (Model.full_clean).
    """

    def _post_clean(self) -> None:
        exclude = self._get_validation_exclusions()
        try:
            self.instance = forms.models.construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        except ValidationError as error:
            self._update_errors(error)
            return
        exclude |= {
            name for name, field in self.fields.items() if isinstance(field, forms.models.InlineForeignKeyField)
        }
        try:
            self.instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            self._update_errors(error)


class ContestForm(ConstraintsSaidByClean, forms.ModelForm):
    """The theme and rules in three languages, the dates, the scoring, the jury (by e-mail), published or not."""

    jury_emails = AccountsByEmailField(
        unknown_message=lambda count: ngettext(
            "No account has the e-mail address %(emails)s: ask them to sign up first, or correct it.",
            "No account has the e-mail addresses %(emails)s: ask them to sign up first, or correct it.",
            count,
        ),
        label=_("Jury members' e-mail addresses"),
        required=False,
        help_text=_("One per line (or separated by commas). Each must have an account on Qala."),
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
    )

    class Meta:
        model = Contest
        fields = [
            "title_kk",
            "title_ru",
            "title_en",
            "rules_kk",
            "rules_ru",
            "rules_en",
            "opens_at",
            "closes_at",
            "max_score",
            "winners",
            "is_published",
        ]
        widgets = {
            "opens_at": DateTimeInput(),
            "closes_at": DateTimeInput(),
            "rules_kk": forms.Textarea(attrs={"rows": 4}),
            "rules_ru": forms.Textarea(attrs={"rows": 4}),
            "rules_en": forms.Textarea(attrs={"rows": 4}),
            "max_score": forms.NumberInput(attrs={"min": "1", "inputmode": "numeric"}),
            "winners": forms.NumberInput(attrs={"min": "1", "inputmode": "numeric"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("opens_at", "closes_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        self.fields["opens_at"].help_text = _("Day and time in the city.")
        self.fields["closes_at"].help_text = _("The deadline for entries: day and time in the city.")
        self.fields["max_score"].help_text = _("Each juror gives each entry a score from 0 to this on each criterion.")
        self.fields["winners"].help_text = _("Entries tied at the last winning place all win.")
        self.fields["is_published"].help_text = _("Residents see the contest, and may enter it, once it is published.")
        if self.instance.pk and not self.is_bound:
            self.initial["jury_emails"] = list(self.instance.jury.order_by("email"))

    @property
    def jury(self) -> list:
        """The jury members the form names (after is_valid)."""
        return self.cleaned_data.get("jury_emails", [])

    def clean(self) -> dict:
        cleaned = super().clean()
        if not any((cleaned.get(name) or "").strip() for name in ("title_kk", "title_ru", "title_en")):
            self.add_error("title_en", ValidationError(_("Give the theme in at least one language."), code="title"))
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error(
                "closes_at", ValidationError(_("Entries must close after they open."), code="closes_before_opening")
            )
        return cleaned


class CriterionForm(ConstraintsSaidByClean, forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["name_kk", "name_ru", "name_en", "weight"]

    weight = forms.IntegerField(
        label=_("Weight"),
        min_value=1,
        max_value=100,
        initial=1,
        help_text=_("1 or more: a criterion of weight 2 counts twice as much as one of weight 1."),
        widget=forms.NumberInput(attrs={"min": "1", "max": "100", "inputmode": "numeric"}),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.has_changed() and not any(
            (cleaned.get(name) or "").strip() for name in ("name_kk", "name_ru", "name_en")
        ):
            self.add_error("name_en", ValidationError(_("Name the criterion in at least one language."), code="name"))
        return cleaned


class BaseCriterionFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if not self.kept():
            raise ValidationError(_("Give the jury at least one criterion to judge by."), code="criteria")

    def kept(self) -> list[Criterion]:
        """The criteria to keep, in the form's order: the filled-in forms not marked for deletion."""
        kept = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue
            kept.append(form.instance)
        return kept

    def removed(self) -> list[Criterion]:
        return [
            form.instance
            for form in self.forms
            if form.instance.pk is not None and self.can_delete and self._should_delete_form(form)
        ]


CriterionFormSet = inlineformset_factory(
    Contest,
    Criterion,
    form=CriterionForm,
    formset=BaseCriterionFormSet,
    extra=2,
    can_delete=True,
    min_num=0,
)


# The criteria the "most active citizen" contest is judged by: offered on a new contest's form.
DEFAULT_CRITERIA = [
    {"name_kk": "Идеяның сапасы", "name_ru": "Качество идеи", "name_en": "Quality of the idea", "weight": 1},
    {
        "name_kk": "Фотосуреттің шығармашылығы",
        "name_ru": "Креативность фото",
        "name_en": "Creativity of the photo",
        "weight": 1,
    },
]
