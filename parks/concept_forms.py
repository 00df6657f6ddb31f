"""The forms urbanists edit renovation concepts with: the concept, one zone of its plan, a plan image, a status step.

The rules themselves are parks.concepts' (a zone inside its park, a workshop
named for a workshop's concept, a date not in the future, ...): the views hand
the forms' values to those services and put what they refuse back on the form,
so the message a user sees is the service's own. What the forms check is only
what the services cannot see: e-mail addresses that name no account, a
proposal number that names no proposal, GeoJSON that cannot be read.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.forms.models import fields_for_model, model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.forms import AccountsByEmailField
from gis_data.editing import GeoJSONField, GeoJSONTextarea
from parks.concepts import allowed_statuses, status_label
from parks.models import ConceptStatus, Purpose, RenovationConcept, Zone
from participation.models import Proposal, Workshop
from photos.forms import ACCEPT, DateInput


class AuthorsField(AccountsByEmailField):
    """A concept's authors with an account, named by their e-mail addresses."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            unknown_message=lambda count: ngettext(
                "No account has the e-mail address %(emails)s: name the authors without an account in the team.",
                "No account has the e-mail addresses %(emails)s: name the authors without an account in the team.",
                count,
            ),
            **kwargs,
        )


# The concept's own fields in the form, in the form's order (authors, proposal and cost are declared below).
CONCEPT_FIELDS = (
    "title_kk",
    "title_ru",
    "title_en",
    "description_kk",
    "description_ru",
    "description_en",
    "team",
    "origin",
    "workshop",
    "is_published",
)
CONCEPT_WIDGETS = {
    "title_kk": forms.TextInput(attrs={"lang": "kk"}),
    "title_ru": forms.TextInput(attrs={"lang": "ru"}),
    "title_en": forms.TextInput(attrs={"lang": "en"}),
    "description_kk": forms.Textarea(attrs={"lang": "kk", "rows": 4}),
    "description_ru": forms.Textarea(attrs={"lang": "ru", "rows": 4}),
    "description_en": forms.Textarea(attrs={"lang": "en", "rows": 4}),
    "origin": forms.RadioSelect,
}


class ConceptForm(forms.Form):
    """A concept's titles and descriptions in Kazakh, Russian and English, authors, origin, cost and publication.

    A plain form, not a ModelForm: a ModelForm would check the model's
    constraints itself and refuse with their names; here the values go onto
    the concept (``apply``) and parks.concepts.save_concept says what is
    wrong. ``authors`` are accounts named by e-mail; the ``date`` of the
    first step is asked only when the concept is created.
    """

    authors = AuthorsField(
        label=_("Authors with an account"),
        required=False,
        help_text=_(
            "Their e-mail addresses, separated by commas; the concept is then listed on their accounts. "
            "Name the others in the team."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    proposal = forms.ModelChoiceField(
        queryset=Proposal.objects.all(),
        required=False,
        label=_("Resident's proposal (its number)"),
        help_text=_("The number in the proposal's address, as in …/proposals/123/. Only a published proposal."),
        error_messages={"invalid_choice": _("There is no proposal with this number.")},
        # A number, not a list: every proposal of the city would not fit a page.
        widget=forms.NumberInput(attrs={"min": "1", "inputmode": "numeric"}),
    )
    cost_estimate = forms.DecimalField(
        required=False,
        decimal_places=0,
        error_messages={"max_decimal_places": _("Give the estimate in whole units of the currency.")},
        widget=forms.NumberInput(attrs={"step": "1", "inputmode": "numeric"}),
    )
    date = forms.DateField(
        label=_("Date of the concept"),
        help_text=_("The day the concept was drawn or presented (the workshop's day): today or earlier."),
        widget=DateInput(),
    )

    def __init__(self, data: Any = None, *, concept: RenovationConcept) -> None:
        self.concept = concept
        initial = model_to_dict(concept, fields=[*CONCEPT_FIELDS, "proposal", "cost_estimate"])
        if concept.pk is not None:
            initial["authors"] = list(concept.authors.all())
        super().__init__(data, initial=initial)
        declared = self.fields
        model_fields = fields_for_model(RenovationConcept, fields=CONCEPT_FIELDS, widgets=CONCEPT_WIDGETS)
        order = [*CONCEPT_FIELDS[:7], "authors", "origin", "workshop", "proposal", "cost_estimate", "is_published"]
        if concept.pk is None:
            order.append("date")
            declared["date"].initial = timezone.localdate
        self.fields = {name: declared.get(name) or model_fields[name] for name in order}
        self.fields["title_en"].help_text = _("Give the concept a title in at least one language.")
        self.fields["workshop"].queryset = Workshop.objects.order_by("-starts_on", "pk")
        self.fields["workshop"].empty_label = _("No workshop")
        self.fields["workshop"].help_text = _("Required when the concept came from a workshop.")
        self.fields["cost_estimate"].label = _("Cost estimate (%(currency)s)") % {"currency": settings.CURRENCY_CODE}
        self.fields["cost_estimate"].help_text = _("In whole %(currency)s; leave it empty when not known.") % {
            "currency": settings.CURRENCY_CODE
        }
        self.fields["is_published"].help_text = _("Everyone sees a published concept; a draft only editors see.")

    def apply(self) -> RenovationConcept:
        """The concept with the form's values, unsaved: parks.concepts.save_concept checks and saves it."""
        for name in (*CONCEPT_FIELDS, "proposal", "cost_estimate"):
            setattr(self.concept, name, self.cleaned_data[name])
        return self.concept


class ZoneForm(forms.ModelForm):
    """One zone of a concept's plan: its shape (GeoJSON, drawn on the map), its purpose and its label."""

    geom = GeoJSONField(
        label=_("Shape (GeoJSON)"),
        help_text=_(
            "Drawing on the map fills this in. You may also type or paste a GeoJSON Point, LineString or Polygon, "
            "in longitude and latitude."
        ),
        error_messages={"required": _("Draw the zone on the map, or enter it as GeoJSON.")},
        widget=GeoJSONTextarea(attrs={"rows": 5}),
    )

    class Meta:
        model = Zone
        fields = ["purpose", "label", "geom"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = [("", _("Choose a purpose")), *Purpose.choices]
        self.fields["label"].help_text = _("What the zone is, as the plan names it: “Playground by the pond”.")


class PlanImageForm(forms.Form):
    """A drawing of the plan to upload, and its caption."""

    image = forms.FileField(
        label=_("Plan image"),
        help_text=_("JPEG, PNG or WebP: a drawing, a scan or a photo of the plan."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=300, required=False)


class StatusChoiceField(forms.ChoiceField):
    """The statuses the concept may move to now are offered; any status is accepted, for
    parks.concepts.change_concept_status to say which moves are allowed, and why."""

    def valid_value(self, value: str) -> bool:
        return value in ConceptStatus.values


class StatusForm(forms.Form):
    """Move a concept's status: to one of the statuses it may move to now, on a date, with a note."""

    date = forms.DateField(
        label=_("Date"),
        help_text=_("The day the concept reached this status: today or earlier."),
        widget=DateInput(),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        help_text=_("Required when the concept is set aside: say why."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, concept: RenovationConcept, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = allowed_statuses(concept)
        choices = [(value, status_label(value)) for value in allowed]
        status = StatusChoiceField(
            label=_("New status"),
            choices=choices,
            error_messages={"invalid_choice": _("This is not a status of a concept.")},
        )
        self.fields = {"status": status, **self.fields}
        self.fields["date"].initial = timezone.localdate
