"""The organisers' form of an event: titles and programme in three languages, times, the venue on the map, seats.

Times are typed in the browser's date-and-time picker and read in the city's
time zone (the site's ``TIME_ZONE``: nothing activates another). The venue is
a point, GeoJSON text the map writes (keyboard users may type it), inside the
city's extent. The rules of an event are participation.events.check_event's,
so the form and the service name a problem in the same words.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gis_data.editing import GeoJSONField, GeoJSONTextarea, add_errors
from gis_data.geometry import GeometryRuleError, GeometryRules, check_geometry, rules_for_city
from gis_data.packs import current_city
from participation import events
from participation.models import Event

# What the picker sends and shows: "2025-05-14T10:00" (no seconds, no zone).
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


# What an organiser sets of an event, on the site and in the admin (which adds the organisers).
EVENT_FIELDS = [
    "title_kk",
    "title_ru",
    "title_en",
    "programme_kk",
    "programme_ru",
    "programme_en",
    "starts_at",
    "ends_at",
    "registration_deadline",
    "venue_name",
    "venue",
    "capacity",
    "is_published",
]


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker, which sends and shows ISO values whatever the page's language."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATETIME_LOCAL)


def venue_rules() -> GeometryRules:
    city = current_city()
    if city is None:
        return GeometryRules(allowed_types=("Point",), repair=False)
    return rules_for_city(city, ("Point",), repair=False)


class EventForm(forms.ModelForm):
    venue = GeoJSONField(
        label=_("Venue on the map (GeoJSON)"),
        help_text=_("Clicking the map fills this in. You may also type a GeoJSON Point, in longitude and latitude."),
        error_messages={"required": _("Put the venue on the map: click where it is, or enter it as GeoJSON.")},
        widget=GeoJSONTextarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Event
        fields = EVENT_FIELDS
        widgets = {
            "title_kk": forms.TextInput(attrs={"lang": "kk"}),
            "title_ru": forms.TextInput(attrs={"lang": "ru"}),
            "title_en": forms.TextInput(attrs={"lang": "en"}),
            "programme_kk": forms.Textarea(attrs={"lang": "kk", "rows": 6}),
            "programme_ru": forms.Textarea(attrs={"lang": "ru", "rows": 6}),
            "programme_en": forms.Textarea(attrs={"lang": "en", "rows": 6}),
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "registration_deadline": DateTimeInput(),
            "capacity": forms.NumberInput(attrs={"min": 1}),
        }
        error_messages = {
            "starts_at": {
                "required": _("Give the date and time the event starts."),
                "invalid": _("Give the start as a date and a time, for example 2025-05-15 10:00."),
            },
            "ends_at": {
                "required": _("Give the date and time the event ends."),
                "invalid": _("Give the end as a date and a time, for example 2025-05-15 13:00."),
            },
            "registration_deadline": {
                "required": _("Give the date and time registration closes, for example 18:00 the day before."),
                "invalid": _("Give the registration deadline as a date and a time, for example 2025-05-14 18:00."),
            },
            "venue_name": {"required": _("Give the venue's name and address, as people will look for it.")},
            "capacity": {
                "required": _("Give the number of seats."),
                "invalid": _("Give the number of seats as a whole number."),
                "min_value": _("An event needs at least one seat."),
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title_en"].help_text = _("Give the event a title in at least one language.")
        self.fields["programme_en"].help_text = _("One item a line, for example “10:00 Welcome”.")
        self.fields["starts_at"].help_text = _("In the city's time.")
        self.fields["registration_deadline"].help_text = _(
            "In the city's time; at the start of the event at the latest. The city's forums close at 18:00 the day "
            "before."
        )
        self.fields["capacity"].help_text = _(
            "When all seats are taken, people join a waiting list; a seat freed up goes to the first in line."
        )
        self.fields["is_published"].help_text = _("Only published events are listed and open for registration.")

    def clean_venue(self) -> Any:
        venue = self.cleaned_data.get("venue")
        if venue is None:
            return None
        try:
            return check_geometry(venue, venue_rules()).geometry
        except GeometryRuleError as error:
            raise ValidationError(error.messages, code=error.code) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        values = {name: cleaned.get(name) for name in self._meta.fields if name != "venue"}
        draft = Event(pk=self.instance.pk, **values)
        confirmed = events.confirmed_count(self.instance) if self.instance.pk else 0
        try:
            events.check_event(draft, confirmed=confirmed)
        except ValidationError as error:
            # Each rule on its field: the model's own constraints then skip those fields.
            add_errors(self, error)
        return cleaned
