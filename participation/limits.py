"""Limits on writing: how many proposals and comments one account, one network or one API key may send.

The limits are settings such as ``"5/hour,20/day"`` (``parse_limits``). They
are counted from the rows already in the database (their ``created_at``), not
from a cache, so they hold across every process and machine that serves Qala.
When one is reached, ``LimitReached`` says how long until one more is allowed:
the time when enough of the rows counted leave the window, starting with the
oldest.

The network of a sender is their IPv4 address or the /64 of their IPv6
address (one household or phone gets a whole /64), stored only as a keyed hash
(``sender_network``): the address itself is never kept.
"""

import datetime
import hashlib
import hmac
import ipaddress
import math
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

PERIODS: dict[str, datetime.timedelta] = {
    "minute": datetime.timedelta(minutes=1),
    "hour": datetime.timedelta(hours=1),
    "day": datetime.timedelta(days=1),
}
# "in the last hour": the window of a limit, as the messages name it.
PERIOD_NAMES = {
    "minute": _("in the last minute"),
    "hour": _("in the last hour"),
    "day": _("in the last 24 hours"),
}
_LIMIT = re.compile(r"^\s*(\d+)\s*/\s*([a-z]+)\s*$")

# What was counted, and so which sentence tells the writer: the keys of ``check_limits``.
PROPOSALS_BY_ACCOUNT = "proposals_by_account"
PROPOSALS_BY_NETWORK = "proposals_by_network"
REPORTS_BY_API_CLIENT = "reports_by_api_client"
COMMENTS_BY_ACCOUNT = "comments_by_account"
COMMENTS_BY_NETWORK = "comments_by_network"
BALLOT_CODES_BY_NETWORK = "ballot_codes_by_network"


def _sent_message(counted: str, count: int, period: str) -> str:
    """The first sentence of a limit's message: what was sent, by whom, in which window."""
    period_name = str(PERIOD_NAMES[period])
    params = {"count": count, "period": period_name}
    if counted == PROPOSALS_BY_ACCOUNT:
        text = ngettext(
            "You have sent %(count)d proposal %(period)s.", "You have sent %(count)d proposals %(period)s.", count
        )
    elif counted == PROPOSALS_BY_NETWORK:
        text = ngettext(
            "%(count)d proposal has been sent from your network %(period)s.",
            "%(count)d proposals have been sent from your network %(period)s.",
            count,
        )
    elif counted == REPORTS_BY_API_CLIENT:
        text = ngettext(
            "This API key has sent %(count)d report %(period)s.",
            "This API key has sent %(count)d reports %(period)s.",
            count,
        )
    elif counted == COMMENTS_BY_ACCOUNT:
        text = ngettext(
            "You have written %(count)d comment %(period)s.", "You have written %(count)d comments %(period)s.", count
        )
    elif counted == COMMENTS_BY_NETWORK:
        text = ngettext(
            "%(count)d comment has been written from your network %(period)s.",
            "%(count)d comments have been written from your network %(period)s.",
            count,
        )
    elif counted == BALLOT_CODES_BY_NETWORK:
        text = ngettext(
            "%(count)d wrong or used participant code has been entered from your network %(period)s.",
            "%(count)d wrong or used participant codes have been entered from your network %(period)s.",
            count,
        )
    else:
        raise ValueError(f"unknown limit kind {counted!r}")
    return text % params


@dataclass(frozen=True)
class Limit:
    """At most ``count`` writes in any window of one ``period`` (minute, hour or day)."""

    count: int
    period: str

    @property
    def window(self) -> datetime.timedelta:
        return PERIODS[self.period]

    def __str__(self) -> str:
        return f"{self.count}/{self.period}"


class LimitReached(Exception):
    """A writer reached a limit; ``message`` says so in the reader's language, ``retry_after`` when to retry."""

    def __init__(self, message: str, retry_after: datetime.timedelta) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after

    @property
    def retry_after_seconds(self) -> int:
        """Whole seconds, rounded up, as an HTTP ``Retry-After`` header wants them."""
        return max(1, math.ceil(self.retry_after.total_seconds()))


def parse_limits(text: str) -> list[Limit]:
    """Read ``"5/hour,20/day"``; an empty text is no limit. Raises ImproperlyConfigured on anything else."""
    limits = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        match = _LIMIT.match(part.lower())
        if match is None or match[2] not in PERIODS:
            raise ImproperlyConfigured(
                f"{part.strip()!r} is not a limit: write a count and a period, such as 5/hour "
                f"(periods: {', '.join(PERIODS)}), separated by commas."
            )
        count = int(match[1])
        if count < 1:
            raise ImproperlyConfigured(f"{part.strip()!r} is not a limit: the count must be at least 1.")
        limits.append(Limit(count, match[2]))
    return limits


def limits_from_setting(name: str) -> list[Limit]:
    """The limits of a setting, read on each call so that a changed setting takes effect at once."""
    return parse_limits(getattr(settings, name, ""))


def sender_network(request) -> str:
    """A keyed SHA-256 (hex) of the sender's network: the IPv4 address, or the /64 of an IPv6 address.

    Keyed with SECRET_KEY so the stored value cannot be turned back into an
    address by hashing every IPv4 address. An IPv4 address mapped into IPv6
    counts as the IPv4 address. An address that cannot be read gives "" (no
    network limit applies). Behind a proxy, REMOTE_ADDR must be set to the
    client's address by the proxy setup, not read from a header here.
    """
    address = (request.META.get("REMOTE_ADDR") or "").strip()
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    is_v6 = isinstance(ip, ipaddress.IPv6Address)
    network = str(ipaddress.IPv6Network((ip, 64), strict=False)) if is_v6 else str(ip)
    key = f"qala.participation.sender_network:{settings.SECRET_KEY}".encode()
    return hmac.new(key, network.encode(), hashlib.sha256).hexdigest()


def retry_after_text(delta: datetime.timedelta) -> str:
    """How long to wait, rounded up, in the largest unit that fits: "12 minutes", "1 hour", "3 days"."""
    minutes = max(1, math.ceil(delta.total_seconds() / 60))
    if minutes < 60:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours = math.ceil(minutes / 60)
    if hours < 24:
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    days = math.ceil(hours / 24)
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


def check_limits(limits: list[Limit], rows: QuerySet, counted: str, *, now: datetime.datetime | None = None) -> None:
    """Raise LimitReached when ``rows`` (the writer's earlier writes) already fill one of ``limits``.

    ``rows`` is a queryset of the model written (proposals of one author, of
    one network...), with a ``created_at`` field. ``counted`` names what it
    counts (``PROPOSALS_BY_ACCOUNT``...) for the message. When several limits
    are full, the one that keeps the writer waiting longest is reported.
    """
    now = now or timezone.now()
    reached: tuple[datetime.timedelta, Limit, int] | None = None
    for limit in limits:
        recent = rows.filter(created_at__gt=now - limit.window).order_by("created_at", "pk")
        count = recent.count()
        if count < limit.count:
            continue
        # One more is allowed once count - limit + 1 rows have left the window: the oldest first.
        leaving = recent.values_list("created_at", flat=True)[count - limit.count]
        retry_after = max(leaving + limit.window - now, datetime.timedelta(seconds=1))
        if reached is None or retry_after > reached[0]:
            reached = (retry_after, limit, count)
    if reached is not None:
        retry_after, limit, count = reached
        message = " ".join(
            [
                _sent_message(counted, count, limit.period),
                gettext("Try again in %(time)s.") % {"time": retry_after_text(retry_after)},
            ]
        )
        raise LimitReached(message, retry_after)
