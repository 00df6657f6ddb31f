"""Give every district of the loaded city its akimat, and route the district's proposals to it.

For each district: a department "akimat of <district>" (named in Kazakh,
Russian and English from the district's names) and a route (any category,
that district) → the akimat, 30 days to answer. The category routes of the
migration (transport, greenery, ...) stay more specific, so they still win.
Only what is missing is created: a department or route an admin edited is
never changed, so running it again is harmless.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from gis_data.models import District
from gis_data.packs import current_city
from participation.models import Department, Route

DEADLINE_DAYS = 30


def akimat_names(district: District) -> dict[str, str]:
    """The district akimat's name in each language, from the district's own names.

    "Алмалы ауданы" → "Алмалы ауданының әкімдігі"; "Алмалинский район" →
    "Акимат Алмалинского района"; "Almaly District" → "Akimat of Almaly District".
    """
    fallback = district.name or f"{district.osm_type}/{district.osm_id}"
    kk = district.name_kk or fallback
    ru = district.name_ru or fallback
    en = district.name_en or fallback
    kk_name = f"{kk}ның әкімдігі" if kk.endswith("ауданы") else f"{kk} әкімдігі"
    if ru.endswith("ский район"):
        ru_name = "Акимат " + ru.removesuffix("ский район") + "ского района"
    elif ru.endswith("цкий район"):
        ru_name = "Акимат " + ru.removesuffix("цкий район") + "цкого района"
    else:
        ru_name = f"Акимат: {ru}"
    return {"name_kk": kk_name[:200], "name_ru": ru_name[:200], "name_en": f"Akimat of {en}"[:200]}


def akimat_slug(district: District) -> str:
    return f"akimat-{slugify(district.name_en or district.name) or f'{district.osm_type}-{district.osm_id}'}"[:50]


@transaction.atomic
def create_district_routes(districts) -> tuple[int, int]:
    """Create the missing akimats and district routes; return how many departments and routes were made."""
    departments = routes = 0
    for district in districts:
        department, created = Department.objects.get_or_create(
            slug=akimat_slug(district), defaults=akimat_names(district)
        )
        departments += created
        _route, created = Route.objects.get_or_create(
            category=None, district=district, defaults={"department": department, "deadline_days": DEADLINE_DAYS}
        )
        routes += created
    return departments, routes


class Command(BaseCommand):
    help = "Add an akimat department and a route (any category, the district) for every district of the loaded city."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the routing table has a district route already"
        )
        parser.add_argument("--language", default="en", help="language of the messages: kk, ru or en")

    def handle(self, *args, if_empty=False, language="en", **options):
        with translation.override(language):
            if if_empty and Route.objects.filter(district__isnull=False).exists():
                self.stdout.write(_("The routing table has district routes already: nothing added."))
                return
            city = current_city()
            if city is None:
                raise CommandError(_("No city is loaded: load a city pack first (manage.py gis_load_city)."))
            districts = District.objects.filter(source__city=city).order_by("name", "pk")
            if not districts.exists():
                self.stderr.write(_("%(city)s has no districts: no district routes added.") % {"city": city})
                return
            departments, routes = create_district_routes(districts)
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(city)s: %(departments)d akimats and %(routes)d district routes added.")
                    % {"city": city, "departments": departments, "routes": routes}
                )
            )
