"""The map widget of the admin's geometry fields, with every asset served from Qala's own static files.

Django's OSMWidget loads OpenLayers from a CDN and draws OpenStreetMap's
tiles; this one loads the vendored OpenLayers and the base map of
``MAP_TILE_URL``, centred on the city.
"""

from django.conf import settings
from django.contrib.gis.forms import OSMWidget
from django.forms.renderers import TemplatesSetting

from gis_data.packs import current_city


def openlayers_tile_url(url: str) -> str:
    """A Leaflet-style tile URL written for OpenLayers' XYZ source (``{s}`` subdomains, no ``{r}``)."""
    return url.replace("{s}", "{a-c}").replace("{r}", "")


class CityMapWidget(OSMWidget):
    template_name = "gis/qala-openlayers.html"

    class Media:
        # Replace, not extend, the parent's media: that is where the CDN URLs are.
        extend = False
        css = {"all": ("vendor/ol-7.2.2/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol-7.2.2/ol.js", "gis/js/OLMapWidget.js")

    def render(self, name, value, attrs=None, renderer=None):
        # The default form renderer does not look in the project's templates/ folder, where the template is.
        return super().render(name, value, attrs, renderer=TemplatesSetting())

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        city = current_city()
        if city is not None:
            context.update(default_lon=city.center.x, default_lat=city.center.y, default_zoom=city.default_zoom)
        context.update(
            tile_url=openlayers_tile_url(settings.MAP_TILE_URL),
            tile_attribution=settings.MAP_TILE_ATTRIBUTION,
        )
        return context
