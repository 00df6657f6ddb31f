from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CorridorsConfig(AppConfig):
    name = "corridors"
    verbose_name = _("Green corridors")

    def ready(self) -> None:
        from gis_data.signals import city_pack_loaded

        city_pack_loaded.connect(_refresh_city, dispatch_uid="corridors.refresh_city")


def _refresh_city(sender, city, **kwargs) -> None:
    # A reloaded pack may move districts, rivers, buildings or the DEM: every derived figure follows.
    from corridors.services import refresh_city

    refresh_city(city)
