"""Import the parks of the loaded city pack's green areas: the ones not imported yet (see parks.loading).

Loading a pack imports its parks (the ``city_pack_loaded`` signal); this is
for a database whose pack was loaded before parks existed, or is unchanged
since, so that ``gis_load_city --if-changed`` skips it. Idempotent.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from gis_data.models import City
from gis_data.packs import current_city
from parks.loading import import_pack_parks


class Command(BaseCommand):
    help = "Import the green areas of the loaded city pack that are not parks yet; existing parks are left as they are."

    def add_arguments(self, parser):
        parser.add_argument("--city", help="the city's slug (default: the city of the CITY_PACK setting)")
        parser.add_argument("--language", default="en", help="language of the messages: kk, ru or en")

    def handle(self, *args, city=None, language="en", **options):
        with translation.override(language):
            target = City.objects.filter(slug=city).first() if city else current_city()
            if target is None:
                raise CommandError(_("No city is loaded: run gis_load_city first."))
            with transaction.atomic():
                report = import_pack_parks(target)
            for line in report.lines():
                self.stdout.write(line)
