from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Public-space projects")

    def ready(self) -> None:
        from gis_data.signals import city_pack_loaded

        city_pack_loaded.connect(_refresh_derived, dispatch_uid="projects.refresh_derived")


def _refresh_derived(sender, city, **kwargs) -> None:
    # A reloaded pack may move district boundaries or change the city's metric SRID.
    from projects.services import refresh_derived

    refresh_derived()
