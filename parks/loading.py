"""Parks from the city pack: each green area of a park kind becomes a park once, and is the urbanists' after.

The pack's green areas of kind park, garden and recreation ground (``leisure=park``
and the like, see gis_data.loading.GREEN_TAGS) are imported as parks, matched on
their OpenStreetMap type and id. A park once imported is never touched again
by an import: urbanists own it, its names, its boundary, its state. A park an
urbanist deleted is not brought back either (its history remembers its OSM id).

Names: the green area's ``name_kk``, ``name_ru`` and ``name_en``; its plain
``name`` fills the language it is written in when that one is empty (Kazakh
when it has a letter only Kazakh has, Russian when it is Cyrillic, English
when it is Latin). A park must have a name. A green area without any name is
imported only when it covers at least ``UNNAMED_MIN_M2`` (half a hectare: the
lower end of the size, 0.5 to 1 ha, that WHO Europe's guidance on urban green
space counts for residents' access): it is called "Unnamed park (OSM
way/123)" in English, and in each other language whose catalogue has the
words when it is imported, for urbanists to rename. A smaller unnamed one is
a patch of lawn by a road or a courtyard more often than a park: it is
skipped and reported. In the 2012 Almaty extract: 9 named areas and 35
unnamed ones of half a hectare or more become parks; 20 unnamed ones are
skipped.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from gis_data.formats import format_area
from gis_data.models import City, GreenArea

from .models import Park, State
from .services import save_park

PARK_KINDS = ("park", "garden", "recreation_ground")
UNNAMED_MIN_M2 = 5_000
LANGUAGES = ("kk", "ru", "en")
# Letters of the Kazakh alphabet that Russian does not have.
KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
UNNAMED = {
    "park": _("Unnamed park (OSM %(osm)s)"),
    "garden": _("Unnamed garden (OSM %(osm)s)"),
    "recreation_ground": _("Unnamed recreation ground (OSM %(osm)s)"),
}


@dataclass
class ImportReport:
    """What an import did: parks created, green areas already imported (left alone), skipped and refused."""

    city: City
    created: int = 0
    existing: int = 0
    unnamed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return self.existing + len(self.unnamed) + len(self.refused)

    def lines(self) -> list[str]:
        """The report for people, one line each: the counts, then every green area skipped or refused."""
        lines = [
            ngettext(
                "%(city)s: %(count)d park imported from the city pack.",
                "%(city)s: %(count)d parks imported from the city pack.",
                self.created,
            )
            % {"city": self.city, "count": self.created},
            ngettext(
                "%(count)d green area was imported before and is left as it is.",
                "%(count)d green areas were imported before and are left as they are.",
                self.existing,
            )
            % {"count": self.existing},
        ]
        if self.unnamed:
            lines.append(
                ngettext(
                    "%(count)d unnamed green area under %(area)s skipped:",
                    "%(count)d unnamed green areas under %(area)s skipped:",
                    len(self.unnamed),
                )
                % {"count": len(self.unnamed), "area": format_area(UNNAMED_MIN_M2)}
            )
            lines.extend(f"  {line}" for line in self.unnamed)
        if self.refused:
            lines.append(
                ngettext(
                    "%(count)d green area could not be a park:",
                    "%(count)d green areas could not be parks:",
                    len(self.refused),
                )
                % {"count": len(self.refused)}
            )
            lines.extend(f"  {line}" for line in self.refused)
        return lines


def name_language(name: str) -> str:
    """The language a name is written in, as far as its letters tell: kk, ru or en."""
    if any(letter in KAZAKH_LETTERS for letter in name):
        return "kk"
    if any("\u0400" <= letter <= "\u04ff" for letter in name):
        return "ru"
    return "en"


def park_names(area: GreenArea) -> dict[str, str]:
    """``name_kk``, ``name_ru``, ``name_en`` of the park a green area becomes (empty strings where unknown)."""
    names = {language: getattr(area, f"name_{language}").strip() for language in LANGUAGES}
    plain = area.name.strip()
    if plain and plain not in names.values():
        language = name_language(plain)
        if not names[language]:
            names[language] = plain
    return {f"name_{language}": name[:300] for language, name in names.items()}


def unnamed_names(area: GreenArea) -> dict[str, str]:
    """The names of an unnamed green area's park, in English and in each language whose catalogue has them."""
    template = UNNAMED.get(area.kind, UNNAMED["park"])
    params = {"osm": f"{area.osm_type}/{area.osm_id}"}
    with translation.override("en"):
        english = str(template) % params
    names = {"name_en": english, "name_kk": "", "name_ru": ""}
    for language in ("kk", "ru"):
        with translation.override(language):
            text = str(template) % params
        if text != english:
            names[f"name_{language}"] = text
    return names


def _imported_before(city: City) -> set[tuple[str, int]]:
    """The OSM features of ``city`` that became parks, those deleted since included (their history keeps them)."""
    parks = Park.objects.filter(city=city, osm_id__isnull=False).values_list("osm_type", "osm_id")
    versions = Park.history.filter(city_id=city.pk, osm_id__isnull=False).values_list("osm_type", "osm_id")
    return set(parks) | set(versions)


def import_pack_parks(city: City) -> ImportReport:
    """Create a park for each of the pack's green areas of a park kind that has not become one yet.

    Each park passes the rules of parks.services (an area of at least
    100 m² inside the city) and gets its district and area derived; one that
    does not is refused and reported, the others are imported all the same.
    Idempotent: a second run creates nothing.
    """
    report = ImportReport(city=city)
    known = _imported_before(city)
    areas = (
        GreenArea.objects.filter(source__city=city, kind__in=PARK_KINDS)
        .select_related("source")
        .order_by("osm_type", "osm_id")
    )
    for area in areas:
        osm = f"{area.osm_type}/{area.osm_id}"
        if (area.osm_type, area.osm_id) in known:
            report.existing += 1
            continue
        names = park_names(area)
        if not any(names.values()):
            size = area.geom.transform(city.metric_srid, clone=True).area
            if size < UNNAMED_MIN_M2:
                report.unnamed.append(f"OSM {osm}: {format_area(size)}")
                continue
            names = unnamed_names(area)
        park = Park(
            city=city,
            state=State.OPEN,
            boundary=area.geom,
            source=area.source,
            osm_type=area.osm_type,
            osm_id=area.osm_id,
            **names,
        )
        try:
            save_park(park, user=None, reason=gettext("Imported from the city pack (OSM %(osm)s)") % {"osm": osm})
        except ValidationError as error:
            report.refused.append(f"OSM {osm}: {' '.join(error.messages)}")
            continue
        report.created += 1
    return report
