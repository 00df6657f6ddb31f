"""Lengths, heights, shares and moments written for people, in the format of the active language.

Every page that shows a measure (projects, corridors, and the parks next) writes
it with these, so "1,25 km" and "85 %" read the same everywhere.
"""

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _


def format_number(value: float, decimals: int = 0) -> str:
    return number_format(round(value, decimals), decimals, use_l10n=True, force_grouping=True)


def format_length(metres: float) -> str:
    """Metres under a kilometre, else kilometres with two decimals: "560 m", "1.25 km"."""
    if metres < 1000:
        return _("%(value)s m") % {"value": format_number(metres)}
    return _("%(value)s km") % {"value": format_number(metres / 1000, 2)}


def format_kilometres(metres: float) -> str:
    """Always in kilometres, as a list comparing lengths does: "0.56 km", "12.30 km"."""
    return _("%(value)s km") % {"value": format_number(metres / 1000, 2)}


def format_metres(metres: float | None) -> str:
    """A height, a climb or a length to the metre; "—" when unknown."""
    if metres is None:
        return "—"
    return _("%(value)s m") % {"value": format_number(metres)}


def format_share(share: float | None, decimals: int = 0) -> str:
    """A share (0.85) as a percentage ("85 %"); "—" when unknown."""
    if share is None:
        return "—"
    return _("%(value)s %%") % {"value": format_number(share * 100, decimals)}


def format_area(square_metres: float) -> str:
    return _("%(value)s m²") % {"value": format_number(square_metres)}


def format_moment(moment) -> str:
    """A moment (an aware datetime) in the city's time zone, in the active language's date and time format."""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")
