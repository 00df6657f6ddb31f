from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class GisDataConfig(AppConfig):
    name = "gis_data"
    verbose_name = _("Reference layers")

    def ready(self) -> None:
        # Each app declares its map layers in a layers.py module.
        autodiscover_modules("layers")
