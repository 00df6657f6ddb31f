"""'Works near me': the form that reads a point, a distance and a period, and the parks near a project."""

import datetime

from django import forms
from django.contrib.gis.geos import Point
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from gis_data.geometry import SRID
from gis_data.models import City

# The distances a visitor may choose, in metres, and the one a first visit shows.
DISTANCES = (250, 500, 1000, 2000, 5000)
DEFAULT_DISTANCE = 500
# The period a first visit shows: the works of the next three months.
DEFAULT_PERIOD_DAYS = 90
# A longer period would list most of the city's works, which is the project list's job.
MAX_PERIOD_YEARS = 5


def distance_label(metres: int) -> str:
    """A distance of the form's choices in the active language: "250 m", "2 km"."""
    if metres >= 1000:
        return gettext("%(km)s km") % {"km": f"{metres / 1000:g}"}
    return gettext("%(m)s m") % {"m": metres}


class NearForm(forms.Form):
    """A point (typed, picked on the map or the browser's location), a distance and a period, read from GET.

    Without a point the form is valid and searches nothing: the page then asks
    for one. ``cleaned_data["point"]`` is the point (or None), and ``start`` and
    ``end`` are always filled, with the default period when left empty.
    """

    latitude = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "autocomplete": "off"}),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "autocomplete": "off"}),
    )
    distance = forms.TypedChoiceField(label=_("Distance"), coerce=int)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, data=None, *args, city: City | None, today: datetime.date | None = None, **kwargs) -> None:
        self.city = city
        self.today = today or timezone.localdate()
        if data is not None:
            # A search that leaves the period out (a link, a typed URL) searches the default one, and says so.
            data = data.copy()
            for name, default in (("start", self.default_start), ("end", self.default_end)):
                if not data.get(name):
                    data[name] = default.isoformat()
        super().__init__(data, *args, **kwargs)
        # The labels are built here, in the language of the request, not once when the module loads.
        self.fields["distance"].choices = [(metres, distance_label(metres)) for metres in DISTANCES]
        self.fields["distance"].initial = DEFAULT_DISTANCE
        self.fields["start"].initial = self.default_start
        self.fields["end"].initial = self.default_end

    @property
    def default_start(self) -> datetime.date:
        return self.today

    @property
    def default_end(self) -> datetime.date:
        return self.today + datetime.timedelta(days=DEFAULT_PERIOD_DAYS)

    def clean(self) -> dict:
        data = super().clean()
        data["point"] = self._clean_point(data)
        start = data.get("start") or self.default_start
        end = data.get("end") or self.default_end
        # Field errors (a date that does not parse) are already said; the period checks need both dates.
        if "start" not in self.errors and "end" not in self.errors:
            if end < start:
                self.add_error("end", _("The period ends before it starts: choose a 'To' date after the 'From' date."))
            elif end > _add_years(start, MAX_PERIOD_YEARS):
                message = ngettext(
                    "Choose a period of at most %(years)s year.",
                    "Choose a period of at most %(years)s years.",
                    MAX_PERIOD_YEARS,
                )
                self.add_error(
                    "end", forms.ValidationError(message, code="too_long", params={"years": MAX_PERIOD_YEARS})
                )
        data["start"], data["end"] = start, end
        return data

    def _clean_point(self, data: dict) -> Point | None:
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if "latitude" in self.errors or "longitude" in self.errors:
            return None
        if latitude is None and longitude is None:
            return None
        if latitude is None or longitude is None:
            missing = "latitude" if latitude is None else "longitude"
            self.add_error(
                missing,
                forms.ValidationError(
                    _("Give both the latitude and the longitude, or pick a point on the map."), code="half_point"
                ),
            )
            return None
        point = Point(longitude, latitude, srid=SRID)
        if self.city is not None and not self.city.extent.contains(point):
            # The error goes on the form, not a field: it is the pair of coordinates that is wrong.
            self.add_error(
                None,
                forms.ValidationError(
                    _("This point is outside %(city)s. Pick a point in the city."),
                    code="outside_city",
                    params={"city": self.city.name},
                ),
            )
            return None
        return point


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, in a year that has none
        return day.replace(year=day.year + years, day=28)
