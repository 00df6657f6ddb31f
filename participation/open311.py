"""GeoReport v2 (Open311) at /open311/v2/: problem reports for Open311 clients and city back-ends.

https://wiki.open311.org/GeoReport_v2. Every resource comes in JSON or XML,
chosen by its extension. Services are the active proposal categories (the
category's slug is the service code); requests are the published problem
reports (``Kind.PROBLEM``): a pending or hidden report, or an idea, never
appears here. Posting a request needs an API key (``participation.apikeys``)
and goes through ``participation.services.submit_proposal``, so it meets the
same geometry rules, limits and premoderation as a resident's report.

Text is in the language the ``locale`` parameter asks for (kk, ru or en; a
tag such as ``ru_KZ`` counts as its language), else in the site's default
language. See docs/open311.md.
"""

import datetime
import functools
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from gis_data.geometry import SRID
from participation.apikeys import client_for_key
from participation.limits import LimitReached, sender_network
from participation.models import (
    CLOSED_STATUSES,
    DESCRIPTION_LENGTH,
    TITLE_LENGTH,
    ApiClient,
    Category,
    Kind,
    Proposal,
    ProposalQuerySet,
    Route,
    StatusChange,
)
from participation.services import submit_proposal

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint last changed in a way its clients should know of (discovery's "changeset").
CHANGESET = "2026-11-21T00:00:00+05:00"
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The MIME types discovery lists, as the specification names them.
DISCOVERY_FORMATS = ["text/xml", "application/json"]
# What a request list holds at most, and how far back it looks when no dates are given.
MAX_REQUESTS = 1000
DEFAULT_WINDOW = datetime.timedelta(days=90)
COORDINATE_DECIMALS = 7
# How long browsers and shared caches may keep a public GET, in seconds.
PUBLIC_MAX_AGE = 60
# The element of each item of a list in XML, by the list's element.
XML_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
}
# The Open311 parameter behind each field that submit_proposal may refuse.
PARAMETERS = {
    "geom": "lat/long",
    "category": "service_code",
    "title": "description",
    "description": "description",
    "language": "locale",
    "contact_email": "email",
    "contact_name": "first_name/last_name",
}
W3C_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# An unescaped "+" in a query string arrives as a space: "…T09:30:00 05:00".
SPACED_OFFSET = re.compile(r" (\d{2}(?::?\d{2})?)$")


class Open311Error(Exception):
    """An error answered as the specification says: a list of {code, description} with that HTTP status."""

    def __init__(self, status: int, description: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = headers or {}


# Rendering: the same data as JSON or as XML with the specification's element names.


def _xml_element(tag: str, value: Any) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, item in value.items():
            element.append(_xml_element(key, item))
    elif isinstance(value, list):
        for item in value:
            element.append(_xml_element(XML_ITEMS.get(tag, "item"), item))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)
    return element


def _render(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    """``data`` as JSON, or as XML under the element ``root`` (a list's items named by XML_ITEMS)."""
    if fmt == "xml":
        body = ET.tostring(_xml_element(root, data), encoding="utf-8", xml_declaration=True)
    else:
        body = json.dumps(data, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def _error_response(fmt: str, error: Open311Error) -> HttpResponse:
    response = _render(fmt, "errors", [{"code": error.status, "description": error.description}], error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


def _public(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


def _param(request: HttpRequest, name: str) -> str:
    """A parameter of the form posted, else of the query string."""
    value = request.POST.get(name) if request.method == "POST" else None
    return (value if value is not None else request.GET.get(name, "")).strip()


def _language(request: HttpRequest) -> str:
    """The language ``locale`` asks for (``ru``, ``ru_KZ``, ``ru-RU``...), else the site's default."""
    asked = _param(request, "locale").replace("_", "-").split("-")[0].lower()
    available = {code for code, _name in settings.LANGUAGES}
    return asked if asked in available else settings.LANGUAGE_CODE


def open311_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Check the format, speak the language asked for, and answer Open311Error as the specification says."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        language = _language(request)
        with translation.override(language):
            if fmt not in CONTENT_TYPES:
                message = _("There is no format “%(format)s”: ask for .json or .xml.") % {"format": fmt}
                response = _error_response("json", Open311Error(404, message))
            else:
                try:
                    response = view(request, *args, fmt=fmt, **kwargs)
                except Open311Error as error:
                    response = _error_response(fmt, error)
        # The language of the answer is the one asked for, not the one the locale middleware would pick.
        response["Content-Language"] = language
        return response

    return wrapper


# Discovery and services.


@require_GET
@open311_view
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Where the endpoint is, which specification and formats it speaks, and how to get a key."""
    base = request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": fmt})).rsplit("/", 1)[0]
    data = {
        "changeset": CHANGESET,
        "contact": _("The administrators of %(site)s") % {"site": settings.QALA_SITE_URL},
        "key_service": _("Ask the administrators of %(site)s for an API key.") % {"site": settings.QALA_SITE_URL},
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": DISCOVERY_FORMATS,
            }
        ],
    }
    return _public(_render(fmt, "discovery", data))


def _service(category: Category, group: str) -> dict[str, Any]:
    names = [category.name_kk, category.name_ru, category.name_en]
    return {
        "service_code": category.slug,
        "service_name": category.name,
        "description": category.description,
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys(name for name in names if name)),
        "group": group,
    }


@require_GET
@open311_view
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """The active proposal categories; each one's group is the department its reports go to by default."""
    categories = list(Category.objects.filter(is_active=True))
    groups = {
        route.category_id: route.department.name
        for route in Route.objects.filter(category__in=categories, district=None).select_related("department")
    }
    data = [_service(category, groups.get(category.pk, "")) for category in categories]
    return _public(_render(fmt, "services", data))


def _active_category(code: str) -> Category | None:
    return Category.objects.filter(slug=code, is_active=True).first()


@require_GET
@open311_view
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """A service's extra attributes: none yet (``metadata`` is false for every service)."""
    if _active_category(code) is None:
        raise Open311Error(404, _("There is no service with the code “%(code)s”.") % {"code": code})
    return _public(_render(fmt, "service_definition", {"service_code": code, "attributes": []}))


# Requests: the published problem reports.


def _reports() -> ProposalQuerySet:
    """Every published problem report, with what a request shows fetched in the same query."""
    last_note = StatusChange.objects.filter(proposal=OuterRef("pk")).order_by("-changed_at", "-pk").values("note")[:1]
    return (
        Proposal.objects.published()
        .filter(kind=Kind.PROBLEM)
        .select_related("category", "department")
        .prefetch_related("photos")
        .annotate(status_notes=Subquery(last_note), place=Transform("anchor", SRID))
        # The geometry itself may have thousands of vertices; a request shows only the point that anchors it.
        .defer("geom", "anchor")
        .order_by("-created_at", "-pk")
    )


def _w3c(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _request(request: HttpRequest, report: Proposal) -> dict[str, Any]:
    due = None
    if report.due_date is not None:
        # Due by the end of its day, in the city's time: it is overdue only the day after.
        due = timezone.make_aware(datetime.datetime.combine(report.due_date, datetime.time(23, 59, 59)))
    data = {
        "service_request_id": str(report.pk),
        "status": report.open311_status,
        "status_notes": report.status_notes or "",
        "service_name": report.category.name,
        "service_code": report.category.slug,
        "description": report.description,
        "agency_responsible": report.department.name if report.department_id else "",
        "service_notice": "",
        "requested_datetime": _w3c(report.created_at),
        "updated_datetime": _w3c(report.updated_at),
        "expected_datetime": _w3c(due) if due else None,
        "address": "",
        # Seven decimals, about a centimetre: the anchor's trip through Web Mercator adds noise beyond.
        "lat": round(report.place.y, COORDINATE_DECIMALS) if report.place else None,
        "long": round(report.place.x, COORDINATE_DECIMALS) if report.place else None,
    }
    photos = list(report.photos.all())
    if photos:
        data["media_url"] = request.build_absolute_uri(photos[0].image.url)
    return data


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _moment(request: HttpRequest, name: str, *, end: bool = False) -> datetime.datetime | None:
    """A W3C datetime parameter; a bare year, month or day stands for its first instant, or its last if ``end``."""
    value = SPACED_OFFSET.sub(r"+\1", _param(request, name))
    if not value:
        return None
    try:
        if match := W3C_DATE.match(value):
            year, month, day = (int(part) if part else None for part in match.groups())
            first = datetime.datetime(year, month or 1, day or 1)
            if day:
                after = first + datetime.timedelta(days=1)
            elif month:
                after = (first + datetime.timedelta(days=32)).replace(day=1)
            else:
                after = first.replace(year=year + 1)
            moment = after - datetime.timedelta(microseconds=1) if end else first
        else:
            moment = parse_datetime(value)
        if moment is None:
            raise ValueError(value)
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    except (ValueError, OverflowError):
        raise Open311Error(
            400,
            _("%(parameter)s must be a W3C datetime, such as 2026-05-01T09:30:00+05:00 or 2026-05-01.")
            % {"parameter": name},
        ) from None


def _filtered(request: HttpRequest, reports: ProposalQuerySet) -> ProposalQuerySet:
    """The reports the query string asks for: by number (which overrides the rest), service, status and dates."""
    ids = _param(request, "service_request_id")
    if ids:
        numbers = _split(ids)
        if not numbers or not all(number.isascii() and number.isdigit() and len(number) < 19 for number in numbers):
            raise Open311Error(400, _("service_request_id must be request numbers separated by commas, such as 12,15."))
        return reports.filter(pk__in=[int(number) for number in numbers])

    if codes := _split(_param(request, "service_code")):
        reports = reports.filter(category__slug__in=codes)

    statuses = set(_split(_param(request, "status")))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status must be open, closed, or both separated by a comma."))
    if statuses == {"open"}:
        reports = reports.exclude(status__in=CLOSED_STATUSES)
    elif statuses == {"closed"}:
        reports = reports.filter(status__in=CLOSED_STATUSES)

    start, end = _moment(request, "start_date"), _moment(request, "end_date", end=True)
    if start and end and start > end:
        raise Open311Error(400, _("start_date must come before end_date."))
    if start is None:
        start = (end or timezone.now()) - DEFAULT_WINDOW
    reports = reports.filter(created_at__gte=start)
    if end is not None:
        reports = reports.filter(created_at__lte=end)
    return reports


@csrf_exempt  # a client proves who it is with its API key, not with a session and a form's token
@require_http_methods(["GET", "POST"])
@open311_view
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: published problem reports, newest first (at most MAX_REQUESTS). POST: a new report, with an API key."""
    if request.method == "POST":
        return _post_request(request, fmt)
    reports = _filtered(request, _reports())[:MAX_REQUESTS]
    return _public(_render(fmt, "service_requests", [_request(request, report) for report in reports]))


@require_GET
@open311_view
def request_detail(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """One published problem report, as a list of one (as the specification has it)."""
    report = _reports().filter(pk=pk).first()
    if report is None:
        raise Open311Error(404, _("There is no published problem report number %(id)s.") % {"id": pk})
    return _public(_render(fmt, "service_requests", [_request(request, report)]))


# Posting a request.


def _api_client(request: HttpRequest) -> ApiClient:
    key = _param(request, "api_key")
    if not key:
        raise Open311Error(403, _("An api_key is needed to post a request; the site's administrators give them."))
    client = client_for_key(key)
    if client is None:
        raise Open311Error(403, _("This api_key is not valid, or it has been revoked."))
    return client


def _coordinate(request: HttpRequest, name: str, limit: float) -> float:
    try:
        value = float(_param(request, name))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > limit:
        raise Open311Error(
            400,
            _("%(parameter)s must be a number of degrees between -%(limit)s and %(limit)s.")
            % {"parameter": name, "limit": int(limit)},
        )
    return value


def _title(description: str) -> str:
    """The description's first line, shortened to a title's length."""
    first_line = description.strip().splitlines()[0].strip()
    return first_line if len(first_line) <= TITLE_LENGTH else first_line[: TITLE_LENGTH - 1].rstrip() + "…"


def _refusal(error: ValidationError) -> str:
    """submit_proposal's refusal, each message headed by the Open311 parameter it is about."""
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    parts = []
    for field, messages in error.message_dict.items():
        parameter = PARAMETERS.get(field)
        parts.extend(f"{parameter}: {message}" if parameter else message for message in messages)
    return " ".join(parts)


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    client = _api_client(request)

    code = _param(request, "service_code")
    if not code:
        raise Open311Error(
            400, _("service_code is missing: give one of the codes services.%(format)s lists.") % {"format": fmt}
        )
    category = _active_category(code)
    if category is None:
        raise Open311Error(400, _("service_code: there is no service with the code “%(code)s”.") % {"code": code})

    if not _param(request, "lat") and not _param(request, "long"):
        if _param(request, "address_string") or _param(request, "address_id"):
            raise Open311Error(
                400, _("lat and long are needed: Qala places reports on the map and cannot place an address alone.")
            )
        raise Open311Error(400, _("lat and long are missing: give the place of the problem in WGS84 degrees."))
    lat, long = _coordinate(request, "lat", 90), _coordinate(request, "long", 180)

    description = _param(request, "description")
    if not description:
        raise Open311Error(400, _("description is missing: say what the problem is."))
    if len(description) > DESCRIPTION_LENGTH:
        raise Open311Error(
            400,
            _("description is too long: %(count)s characters, at most %(limit)s.")
            % {"count": len(description), "limit": DESCRIPTION_LENGTH},
        )

    email = _param(request, "email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, _("email: “%(email)s” is not an e-mail address.") % {"email": email}) from None
    name = " ".join(part for part in (_param(request, "first_name"), _param(request, "last_name")) if part)
    if len(name) > Proposal._meta.get_field("contact_name").max_length:
        raise Open311Error(400, _("first_name and last_name are too long together."))

    proposal = Proposal(
        kind=Kind.PROBLEM,
        category=category,
        title=_title(description),
        description=description,
        language=translation.get_language()[:2],
        geom=Point(long, lat, srid=SRID),
        contact_name=name,
        contact_email=email,
    )
    try:
        proposal = submit_proposal(proposal, api_client=client, network=sender_network(request))
    except LimitReached as limit:
        seconds = max(1, math.ceil(limit.retry_after.total_seconds()))
        raise Open311Error(429, str(limit.message), headers={"Retry-After": str(seconds)}) from None
    except PermissionDenied as refusal:
        raise Open311Error(403, str(refusal) or _("This api_key may not post requests.")) from None
    except ValidationError as error:
        raise Open311Error(400, _refusal(error)) from None

    if proposal.is_published:
        notice = _("Thank you: the report is published.")
    else:
        notice = _("Thank you: the report will be published once a moderator has checked it.")
    return _render(fmt, "service_requests", [{"service_request_id": str(proposal.pk), "service_notice": notice}])
