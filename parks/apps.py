import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class ParksConfig(AppConfig):
    name = "parks"
    verbose_name = _("Parks")

    def ready(self) -> None:
        from gis_data.signals import city_pack_loaded

        city_pack_loaded.connect(_follow_pack, dispatch_uid="parks.follow_pack")


def _follow_pack(sender, city, **kwargs) -> None:
    # A reloaded pack may move the districts under the parks, and may bring green areas not imported yet.
    from parks.loading import import_pack_parks
    from parks.services import refresh_city_parks

    refresh_city_parks(city)
    # gis_load_city prints the reference layers' report; the parks' is told in the log.
    for line in import_pack_parks(city).lines():
        logger.info(line)
