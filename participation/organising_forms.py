"""The forms organisers set up workshops and ballots with, and the form that generates participant codes.

The rules are participation.workshops' (a title, days in order, a method's
numbers, at least two items, what a vote freezes): each form's ``clean``
runs them on the values it read, so every problem shows at once, with the
service's own message. What the forms check themselves is only what the
services cannot see: e-mail addresses that name no account, records a
ballot cannot list, GeoJSON that cannot be read.

The ballot's items arrive as checkboxes named ``items`` whose values are
record keys (``parks.renovationconcept:12``), each with an optional
``position-<key>`` number; without JavaScript that is the whole picker, and
static/js/ballot_editor.js only adds a filter box and moving items up and down.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.forms import AccountsByEmailField
from gis_data.editing import DateInput, GeoJSONField, GeoJSONTextarea
from participation import workshops
from participation.ballot_items import BALLOT_ITEM_MODELS, KIND_NAMES, candidates, item_content_types
from participation.models import Ballot, Method, Workshop

# The picker lists this many records of each kind; the others are added by their numbers.
PICKER_LIMIT = 300
TEXT_WIDGETS = {
    "title_kk": forms.TextInput(attrs={"lang": "kk"}),
    "title_ru": forms.TextInput(attrs={"lang": "ru"}),
    "title_en": forms.TextInput(attrs={"lang": "en"}),
    "description_kk": forms.Textarea(attrs={"lang": "kk", "rows": 4}),
    "description_ru": forms.Textarea(attrs={"lang": "ru", "rows": 4}),
    "description_en": forms.Textarea(attrs={"lang": "en", "rows": 4}),
}
TEXT_FIELDS = tuple(TEXT_WIDGETS)


def add_rule_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (on the whole form where it names no field)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            if name in form.fields and name in form.errors:
                continue  # the field's own problem was said already
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# Workshops -------------------------------------------------------------------------------------------------


class WorkshopForm(forms.ModelForm):
    """A workshop's titles and descriptions in three languages, its days, its venue (a point) and organisers."""

    venue = GeoJSONField(
        label=_("Venue on the map (GeoJSON)"),
        required=False,
        help_text=_(
            "Placing the point on the map fills this in. You may also type or paste a GeoJSON Point, in longitude "
            "and latitude. Leave it empty when the workshop has no venue yet."
        ),
        widget=GeoJSONTextarea(attrs={"rows": 3}),
    )
    organisers = AccountsByEmailField(
        unknown_message=lambda count: ngettext(
            "No account has the e-mail address %(emails)s: an organiser signs up first.",
            "No account has the e-mail addresses %(emails)s: an organiser signs up first.",
            count,
        ),
        label=_("Organisers"),
        required=False,
        help_text=_(
            "Their e-mail addresses, separated by commas. Organisers edit the workshop, add its ballots, print "
            "participant codes and read the votes' log; urbanists may do so for every workshop."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    class Meta:
        model = Workshop
        fields = [*TEXT_FIELDS, "starts_on", "ends_on", "venue_name", "venue"]
        widgets = {**TEXT_WIDGETS, "starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args: Any, organisers: list | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["organisers"].initial = list(self.instance.organisers.all())
        elif organisers:
            self.fields["organisers"].initial = organisers
        self.order_fields([*TEXT_FIELDS, "starts_on", "ends_on", "venue_name", "venue", "organisers"])
        self.fields["title_en"].help_text = _("Give the workshop a title in at least one language.")
        self.fields["ends_on"].help_text = _("The same day as the first for a one-day workshop.")
        self.fields["venue_name"].help_text = _("The place and its address, as participants look for it.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        candidate = Workshop(
            **{name: cleaned.get(name) for name in (*TEXT_FIELDS, "starts_on", "ends_on") if name in cleaned}
        )
        try:
            # Checked apart first: a workshop cannot even hold a venue that is not a point.
            cleaned["venue"] = candidate.venue = workshops.check_venue(cleaned.get("venue"))
        except ValidationError as error:
            add_rule_errors(self, error)
        try:
            workshops.check_workshop(candidate)
        except ValidationError as error:
            add_rule_errors(self, error)
        return cleaned


# Ballots ---------------------------------------------------------------------------------------------------


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker; it sends, and is shown, the city's local time to the minute."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def same_minute(sent: datetime.datetime | None, stored: datetime.datetime | None) -> bool:
    """Whether a time sent from a datetime-local input (minutes) is the stored time (which may have seconds)."""
    if sent is None or stored is None:
        return sent is stored
    return timezone.localtime(stored).replace(second=0, microsecond=0) == timezone.localtime(sent)


@dataclass
class Candidate:
    """A record the picker offers: its key, title and context (its park, its number), and whether it is chosen."""

    key: str
    title: str
    context: str
    url: str
    chosen: bool = False
    published: bool = True

    @property
    def dom_id(self) -> str:
        return "item-" + re.sub(r"[^a-z0-9]+", "-", self.key)


@dataclass
class KindGroup:
    """The records of one kind in the picker; ``unlisted`` are those past the picker's limit."""

    label: str
    name: str
    candidates: list[Candidate] = field(default_factory=list)
    unlisted: int = 0

    @property
    def more_name(self) -> str:
        return "more-" + self.label

    @property
    def dom_id(self) -> str:
        return "kind-" + self.label.replace(".", "-")


def describe_record(record: Model) -> tuple[str, str]:
    """A record's title, and what tells it apart from another of that title: its park, its number."""
    park = getattr(record, "park", None)
    number = _("No. %(number)s") % {"number": record.pk}
    return str(record), f"{park} · {number}" if park is not None else number


def _with_context(queryset: Any) -> Any:
    """The records with what ``describe_record`` reads (a concept's park), in one query."""
    fields = {f.name: f for f in queryset.model._meta.get_fields()}
    park = fields.get("park")
    if park is not None and park.many_to_one:
        queryset = queryset.select_related("park")
    return queryset


def parse_key(key: str) -> tuple[str, int] | None:
    label, _sep, pk = (key or "").strip().partition(":")
    if label not in BALLOT_ITEM_MODELS or not pk.isdigit() or int(pk) < 1:
        return None
    return label, int(pk)


class BallotForm(forms.ModelForm):
    """A ballot's question, explanation, method, voting window, results, voters and items.

    ``locked`` (a vote exists): the items, the method and its numbers and the
    opening are shown but not sent; sent anyway and changed, they are refused.
    ``records`` is the chosen records in their order once the form is valid.
    """

    items = forms.Field(label=_("Items on the ballot"), required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Ballot
        fields = [
            *TEXT_FIELDS,
            "method",
            "max_choices",
            "points_total",
            "points_per_item",
            "opens_at",
            "closes_at",
            "results_shown",
            "voters",
        ]
        widgets = {
            **TEXT_WIDGETS,
            "method": forms.RadioSelect,
            "max_choices": forms.NumberInput(attrs={"min": "1", "inputmode": "numeric"}),
            "points_total": forms.NumberInput(attrs={"min": "1", "inputmode": "numeric"}),
            "points_per_item": forms.NumberInput(attrs={"min": "1", "inputmode": "numeric"}),
            "opens_at": DateTimeLocalInput(),
            "closes_at": DateTimeLocalInput(),
            "results_shown": forms.RadioSelect,
            "voters": forms.RadioSelect,
        }

    def __init__(self, *args: Any, locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locked = locked
        self.stored = Ballot.objects.get(pk=self.instance.pk) if self.instance.pk is not None else None
        self.closed = self.stored is not None and self.stored.has_closed()
        self.stored_records = self._stored_records()
        self.records: list[Model] = []
        self._chosen_keys: list[str] | None = None
        self._groups: list[KindGroup] | None = None
        zone = timezone.get_current_timezone_name()
        fields = self.fields
        fields["title_en"].help_text = _("Ask the question in at least one language.")
        fields["method"].help_text = _(
            "Single choice: each voter chooses one item. Approval: each voter chooses up to k items. Points: each "
            "voter spreads up to N points, at most m on one item."
        )
        fields["max_choices"].label = _("Items a voter may choose at most (k)")
        fields["points_total"].label = _("Points each voter spreads (N)")
        fields["points_per_item"].label = _("Most points on one item (m)")
        fields["opens_at"].help_text = _("Local time (%(zone)s).") % {"zone": zone}
        fields["closes_at"].help_text = _("Local time (%(zone)s). After it nobody votes or changes a vote.") % {
            "zone": zone
        }
        fields["results_shown"].help_text = _("Organisers always see the results.")
        fields["voters"].help_text = _(
            "Participant codes are printed on this ballot's codes page; each works once, and its vote names nobody."
        )
        if locked:
            # Shown, not sent: a browser sends no disabled input, and the stored values stay.
            for name in (*workshops.METHOD_FIELDS, "opens_at"):
                fields[name].required = False
                fields[name].widget.attrs["disabled"] = True
        if self.closed:
            fields["closes_at"].required = False
            fields["closes_at"].widget.attrs["disabled"] = True
        if self.stored is None and not self.is_bound:
            start = timezone.localtime().replace(second=0, microsecond=0) + datetime.timedelta(hours=1)
            fields["opens_at"].initial = start.replace(minute=0)
            fields["closes_at"].initial = start.replace(minute=0) + datetime.timedelta(hours=3)

    # The items ---------------------------------------------------------------------------------------------

    def _stored_records(self) -> list[Model]:
        if self.stored is None:
            return []
        return [item.subject for item in self.stored.items.select_related("content_type") if item.subject is not None]

    def _sent(self, name: str) -> bool:
        return self.add_prefix(name) in self.data

    def chosen_keys(self) -> list[str]:
        """The chosen records' keys in their order: as sent (by position, then as listed), else as stored."""
        if self._chosen_keys is not None:
            return self._chosen_keys
        if not self.is_bound or (self.locked and not self._sent("items") and not self._sent_more()):
            keys = [workshops.item_key(record) for record in self.stored_records]
        else:
            keys = list(dict.fromkeys(key.strip() for key in self.data.getlist(self.add_prefix("items")) if key))
            for label in BALLOT_ITEM_MODELS:
                for number in re.findall(r"\d+", self.data.get(self.add_prefix("more-" + label), "")):
                    key = f"{label}:{int(number)}"
                    if key not in keys:
                        keys.append(key)

            def place(pair: tuple[int, str]) -> tuple[bool, int, int]:
                index, key = pair
                text = (self.data.get(self.add_prefix("position-" + key)) or "").strip()
                position = int(text) if text.isdigit() else None
                return (position is None, position or 0, index)

            keys = [key for _index, key in sorted(enumerate(keys), key=place)]
        self._chosen_keys = keys
        return keys

    def _sent_more(self) -> bool:
        return any(self.data.get(self.add_prefix("more-" + label), "").strip() for label in BALLOT_ITEM_MODELS)

    def clean_items(self) -> list[Model]:
        keys = self.chosen_keys()
        stored = {workshops.item_key(record): record for record in self.stored_records}
        if self.locked:
            # Compared with the stored items in clean(); no record is looked up again.
            return [stored[key] for key in keys if key in stored]
        wanted: dict[str, list[int]] = defaultdict(list)
        problems: list[str] = []
        for key in keys:
            parsed = parse_key(key)
            if parsed is None:
                problems.append(_("“%(key)s” is not something a ballot may list.") % {"key": key})
            else:
                wanted[parsed[0]].append(parsed[1])
        found: dict[str, Model] = {}
        types = item_content_types()
        for label, pks in wanted.items():
            for record in candidates(label).filter(pk__in=pks):
                found[f"{label}:{record.pk}"] = record
            missing = [pk for pk in pks if f"{label}:{pk}" not in found]
            if missing:
                model = types[label].model_class()
                hidden = {record.pk: record for record in model._default_manager.filter(pk__in=missing)}
                for pk in missing:
                    if pk in hidden:
                        problems.append(
                            _("“%(title)s” is not published: it cannot be on a ballot; remove it.")
                            % {"title": hidden[pk]}
                        )
                    else:
                        problems.append(
                            _("There is no %(kind)s number %(number)s.")
                            % {"kind": str(KIND_NAMES[label]).lower(), "number": pk}
                        )
        if problems:
            raise ValidationError(problems)
        return [found[key] for key in keys]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        stored = self.stored
        if stored is not None and self.locked and not self._sent("method"):
            for name in workshops.METHOD_FIELDS:
                cleaned[name] = getattr(stored, name)
        method = cleaned.get("method")
        # The numbers another method needs are not this method's (the page hides them; they may still be sent).
        if method != Method.APPROVAL:
            cleaned["max_choices"] = None
        if method != Method.POINTS:
            cleaned["points_total"] = cleaned["points_per_item"] = None
        if stored is not None:
            for name in ("opens_at", "closes_at"):
                sent = cleaned.get(name)
                held = self.locked if name == "opens_at" else self.closed
                if (held and not self._sent(name)) or (sent is not None and same_minute(sent, getattr(stored, name))):
                    cleaned[name] = getattr(stored, name)
        if self.errors.get("items"):
            return cleaned
        self.records = list(cleaned.get("items") or [])
        ballot = Ballot(**{name: cleaned.get(name) for name in self.Meta.fields})
        try:
            workshops.check_ballot(
                ballot,
                self.chosen_keys(),
                stored=stored,
                stored_keys=[workshops.item_key(record) for record in self.stored_records],
                locked=self.locked,
            )
        except ValidationError as error:
            add_rule_errors(self, error)
        return cleaned

    # What the page shows -------------------------------------------------------------------------------------

    def item_groups(self) -> list[KindGroup]:
        """The picker: every kind a ballot may list, with its published records and which are chosen."""
        if self._groups is None:
            self._groups = self._item_groups()
        return self._groups

    def _item_groups(self) -> list[KindGroup]:
        chosen = set(self.chosen_keys())
        groups = []
        stored = {workshops.item_key(record): record for record in self.stored_records}
        for label in BALLOT_ITEM_MODELS:
            group = KindGroup(label=label, name=str(KIND_NAMES[label]))
            queryset = _with_context(candidates(label))
            listed = list(queryset[:PICKER_LIMIT])
            group.unlisted = max(queryset.count() - len(listed), 0) if len(listed) == PICKER_LIMIT else 0
            keys = set()
            for record in listed:
                key = workshops.item_key(record)
                keys.add(key)
                title, context = describe_record(record)
                group.candidates.append(Candidate(key, title, context, record.get_absolute_url(), key in chosen))
            # Chosen records the list does not show (past the limit, or no longer published) are shown too.
            for key in self.chosen_keys():
                if key.startswith(label + ":") and key not in keys:
                    record = stored.get(key) or self._record_for(key)
                    if record is not None:
                        title, context = describe_record(record)
                        published = key not in stored or self._is_listed(label, record)
                        group.candidates.append(
                            Candidate(key, title, context, record.get_absolute_url(), True, published)
                        )
            groups.append(group)
        return groups

    def _record_for(self, key: str) -> Model | None:
        parsed = parse_key(key)
        if parsed is None:
            return None
        return candidates(parsed[0]).filter(pk=parsed[1]).first()

    def _is_listed(self, label: str, record: Model) -> bool:
        return candidates(label).filter(pk=record.pk).exists()

    def chosen_items(self) -> list[Candidate]:
        """The chosen records in their order, for the order list (and for the page when the items are frozen)."""
        by_key = {c.key: c for group in self.item_groups() for c in group.candidates}
        if self.locked:
            stored = {workshops.item_key(record): record for record in self.stored_records}
            shown = []
            for key, record in stored.items():
                title, context = describe_record(record)
                shown.append(by_key.get(key) or Candidate(key, title, context, record.get_absolute_url(), True))
            return shown
        return [by_key[key] for key in self.chosen_keys() if key in by_key]


# Participant codes -----------------------------------------------------------------------------------------


class CodeBatchForm(forms.Form):
    """How many codes to generate now, and a note to tell the batch from others (the table, the day)."""

    count = forms.IntegerField(
        label=_("Number of codes"),
        widget=forms.NumberInput(attrs={"min": "1", "inputmode": "numeric"}),
        error_messages={"required": _("Say how many codes to generate.")},
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=200,
        required=False,
        help_text=_("For example, the table or the day; shown in the list of batches, not on the codes."),
    )
    sheet_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.maximum = settings.BALLOT_CODE_BATCH_MAX
        self.fields["count"].widget.attrs["max"] = str(self.maximum)
        self.fields["count"].help_text = _("From 1 to %(max)s at a time; twelve fit on a printed page.") % {
            "max": self.maximum
        }

    def clean_count(self) -> int:
        count = self.cleaned_data["count"]
        if not 1 <= count <= self.maximum:
            raise ValidationError(
                _("Generate from 1 to %(max)s codes at a time, not %(count)s.") % {"max": self.maximum, "count": count},
                code="count",
            )
        return count
