from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from gis_data.loading import load_city_pack
from gis_data.packs import PackError


class Command(BaseCommand):
    help = "Load a city pack (default: the CITY_PACK setting) into the reference layers, in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="the pack's pack.toml, or the folder that holds it")
        parser.add_argument(
            "--if-changed", action="store_true", help="do nothing when the manifest and its files are unchanged"
        )
        parser.add_argument("--language", default="en", help="language of the messages: kk, ru or en")

    def handle(self, *args, path=None, if_changed=False, language="en", **options):
        with translation.override(language):
            try:
                report = load_city_pack(path, if_changed=if_changed)
            except PackError as exc:
                raise CommandError(
                    _("The city pack was not loaded; nothing was changed. %(reason)s") % {"reason": exc}
                ) from None
            if report.skipped:
                self.stdout.write(_("%(city)s: the pack is unchanged since its last load.") % {"city": report.city})
                return
            for layer in report.layers:
                self.stdout.write(
                    _("%(layer)s (%(source)s): %(created)d new, %(updated)d updated, %(deleted)d removed")
                    % {
                        "layer": layer.layer,
                        "source": layer.source,
                        "created": layer.created,
                        "updated": layer.updated,
                        "deleted": layer.deleted,
                    }
                )
                for repair in layer.repaired:
                    self.stdout.write("  " + _("repaired with ST_MakeValid: feature %(detail)s") % {"detail": repair})
                for skip in layer.skipped:
                    self.stdout.write("  " + _("skipped: feature %(detail)s") % {"detail": skip})
            population = report.population
            if population is not None:
                self.stdout.write(
                    _("population estimate: %(cells)d cells, %(residents)d residents, %(urban)d cells in urban blocks")
                    % {
                        "cells": population.cells,
                        "residents": round(population.residents),
                        "urban": population.urban_cells,
                    }
                )
                for note in population.notes:
                    self.stdout.write("  " + note)
            self.stdout.write(self.style.SUCCESS(_("%(city)s is loaded.") % {"city": report.city}))
