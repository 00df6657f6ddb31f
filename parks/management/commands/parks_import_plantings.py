"""Import compensatory plantings (and their inspections) from a CSV file: the web page's import, from a path.

The columns, the rules and what a second import of the same file does are in
docs/plantings.md (parks.planting_import does the work). Every problem is
listed by row and column; if there is any, nothing is imported and the command
fails. ``--dry-run`` checks the file and says what would be imported.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from gis_data.models import City
from gis_data.packs import current_city
from parks import planting_import


class Command(BaseCommand):
    help = "Import compensatory plantings from a CSV file (columns: docs/plantings.md); all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the CSV file: UTF-8, comma- or semicolon-separated, with a header row")
        parser.add_argument("--city", help="the slug of the city the plantings are in (default: the loaded city)")
        parser.add_argument("--dry-run", action="store_true", help="check the file and import nothing")
        parser.add_argument("--language", default="en", help="language of the messages: kk, ru or en")

    def handle(self, *args, path: str, city: str | None = None, dry_run=False, language="en", **options):
        with translation.override(language):
            target = self.city(city)
            data = self.read(Path(path))
            report = planting_import.import_plantings(data, target, dry_run=dry_run)
            if not report.ok:
                for problem in report.problems:
                    self.stderr.write(str(problem))
                raise CommandError(
                    _("Nothing was imported: %(count)s problems in %(path)s.")
                    % {"count": len(report.problems), "path": path}
                )
            self.stdout.write(self.style.SUCCESS(report.summary()))

    def city(self, slug: str | None) -> City:
        if slug:
            found = City.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(_("There is no city “%(slug)s”.") % {"slug": slug})
            return found
        found = current_city()
        if found is None:
            raise CommandError(_("No city is loaded: load a city pack first (manage.py gis_load_city)."))
        return found

    def read(self, path: Path) -> bytes:
        try:
            size = path.stat().st_size
            if size > planting_import.MAX_BYTES:
                raise CommandError(planting_import.too_large(size))
            return path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("%(path)s cannot be read: %(reason)s.") % {"path": path, "reason": error.strerror}
            ) from None
