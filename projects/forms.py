"""The forms urbanists edit projects with: the project itself (its geometry as GeoJSON) and its status."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _

from gis_data import editing
from gis_data.editing import DateInput
from gis_data.geometry import (
    GeometryRuleError,
    GeometryRules,
    check_geometry,
    rules_for_city,
)
from gis_data.packs import current_city
from projects.models import GEOMETRY_TYPES, MEASURE_SHAPE_MESSAGES, TRANSITIONS, Category, Project, Status


class GeoJSONField(editing.GeoJSONField):
    """GeoJSON text kept as text: the geometry rules, which depend on the category, are read by ProjectForm.clean."""

    def to_python(self, value: Any) -> str:
        return forms.CharField.to_python(self, value)


class ProjectForm(forms.ModelForm):
    """A project's description, category, geometry, dates, budget and who is responsible; not its status.

    The geometry passes the city's geometry rules with the types the category allows
    (a bike lane is a line, a square a polygon). When it had to be repaired,
    ``repair_reason`` says why, for the page to tell the user.
    """

    geom = GeoJSONField(
        label=_("Geometry (GeoJSON)"),
        help_text=_(
            "Drawing on the map fills this in. You may also type or paste a GeoJSON geometry or Feature, "
            "in longitude and latitude: a point, a line or a polygon, or several of one kind."
        ),
        error_messages={"required": _("Draw the project on the map, or enter its geometry as GeoJSON.")},
        widget=editing.GeoJSONTextarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
    )

    class Meta:
        model = Project
        fields = [
            "category",
            "title_kk",
            "title_ru",
            "title_en",
            "description_kk",
            "description_ru",
            "description_en",
            "geom",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "budget",
            "department",
            "contractor",
        ]
        widgets = {
            "title_kk": forms.TextInput(attrs={"lang": "kk"}),
            "title_ru": forms.TextInput(attrs={"lang": "ru"}),
            "title_en": forms.TextInput(attrs={"lang": "en"}),
            "description_kk": forms.Textarea(attrs={"lang": "kk", "rows": 4}),
            "description_ru": forms.Textarea(attrs={"lang": "ru", "rows": 4}),
            "description_en": forms.Textarea(attrs={"lang": "en", "rows": 4}),
            "planned_start": DateInput(),
            "planned_end": DateInput(),
            "actual_start": DateInput(),
            "actual_end": DateInput(),
            "budget": forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.repair_reason = ""
        self.fields["category"].empty_label = _("Choose a category")
        self.fields["title_en"].help_text = _("Give the project a title in at least one language.")

    def clean_budget(self):
        budget = self.cleaned_data.get("budget")
        if budget is not None and budget < 0:
            raise ValidationError(_("The budget cannot be negative."), code="min_value")
        return budget

    def geometry_rules(self, category: Category | None) -> GeometryRules:
        allowed = category.geometry_types if category is not None else GEOMETRY_TYPES
        city = current_city()
        if city is None:
            return GeometryRules(allowed_types=tuple(allowed))
        return rules_for_city(city, allowed)

    def geometry_error(self, error: GeometryRuleError, category: Category | None) -> ValidationError:
        # "A LineString is not allowed here" says less than what the category needs and why.
        message = MEASURE_SHAPE_MESSAGES.get(category.measure) if category is not None else None
        if error.code == "type" and message is not None:
            return ValidationError(message, code="type", params={"category": category.name})
        return error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        text = cleaned.get("geom")
        if isinstance(text, str):
            category = cleaned.get("category")
            try:
                checked = check_geometry(text, self.geometry_rules(category))
            except GeometryRuleError as error:
                self.add_error("geom", self.geometry_error(error, category))
            else:
                cleaned["geom"] = checked.geometry
                self.repair_reason = checked.problem if checked.repaired else ""
        return cleaned


def status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value


class TransitionField(forms.ChoiceField):
    """The next status, among those TRANSITIONS allows from the current one; says so when another is sent."""

    def __init__(self, *, current: str, **kwargs: Any) -> None:
        self.current = current
        allowed = TRANSITIONS.get(current, ())
        super().__init__(choices=[(value, status_label(value)) for value in allowed], **kwargs)

    def validate(self, value: str) -> None:
        if value and not self.valid_value(value):
            allowed = [status_label(value) for value in TRANSITIONS.get(self.current, ())]
            if allowed:
                message = _("A project that is “%(current)s” cannot move to “%(new)s”; it may move to %(allowed)s.")
            else:
                message = _("A project that is “%(current)s” cannot move to “%(new)s”: its status is final.")
            raise ValidationError(
                message,
                code="invalid_choice",
                params={
                    "current": status_label(self.current),
                    "new": status_label(value),
                    "allowed": get_text_list([f"“{label}”" for label in allowed], _("or")),
                },
            )
        super().validate(value)


class StatusChangeForm(forms.Form):
    """Move a project's status on: to one of the statuses its current one leads to, on a date, with a note."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        # Declared here, first, because its choices depend on the project's current status.
        self.fields = {
            "status": TransitionField(current=project.status, label=_("New status")),
            **self.fields,
        }
        self.fields["date"].initial = timezone.localdate
        self.fields["date"].help_text = _("The day the project reached this status: today or earlier.")
