"""The admin of the city and its reference layers, for urbanists: every map widget uses vendored assets only."""

from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from django.http import HttpRequest
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from gis_data.models import (
    Building,
    City,
    DataSource,
    District,
    GreenArea,
    PopulatedPlace,
    PopulationCell,
    Railway,
    Raster,
    Street,
    Waterway,
)
from gis_data.widgets import CityMapWidget

NAME_SEARCH = ("name", "name_kk", "name_ru", "name_en", "=osm_id")


class MapAdmin(GISModelAdmin):
    gis_widget = CityMapWidget


class ReferenceFeatureAdmin(MapAdmin):
    """The common admin of a reference layer: names in three languages, OpenStreetMap identity, source."""

    list_display = ("__str__", "name_kk", "name_ru", "name_en", "osm_type", "osm_id", "source")
    list_filter = ("source",)
    list_select_related = ("source",)
    search_fields = NAME_SEARCH
    # Counting every street for the paginator costs more than the page itself.
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("name", "name_kk", "name_ru", "name_en")}),
        ("OpenStreetMap", {"fields": ("source", "osm_type", "osm_id")}),
    )
    extra_fields: tuple[str, ...] = ()

    def get_fieldsets(self, request, obj=None):
        return (*self.fieldsets[:1], (None, {"fields": (*self.extra_fields, "geom")}), *self.fieldsets[1:])


@admin.register(City)
class CityAdmin(MapAdmin):
    list_display = ("name_en", "name_ru", "name_kk", "slug", "default_zoom", "metric_srid", "loaded_at")
    search_fields = ("slug", "name_en", "name_ru", "name_kk")
    readonly_fields = ("manifest_sha256", "loaded_at")


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    list_display = ("title", "key", "licence", "attribution", "city", "loaded_at")
    list_filter = ("city", "licence")
    list_select_related = ("city",)
    search_fields = ("title", "key", "file", "licence", "attribution")
    readonly_fields = ("sha256", "loaded_at")


@admin.register(District)
class DistrictAdmin(ReferenceFeatureAdmin):
    pass


@admin.register(Waterway)
class WaterwayAdmin(ReferenceFeatureAdmin):
    list_display = ("__str__", "kind", "name_kk", "name_ru", "name_en", "osm_id", "source")
    list_filter = ("kind", "source")
    extra_fields = ("kind",)


@admin.register(Railway)
class RailwayAdmin(ReferenceFeatureAdmin):
    list_display = ("__str__", "kind", "in_use", "name_kk", "name_ru", "name_en", "osm_id", "source")
    list_filter = ("kind", "in_use", "source")
    extra_fields = ("kind", "in_use")


@admin.register(GreenArea)
class GreenAreaAdmin(ReferenceFeatureAdmin):
    list_display = ("__str__", "kind", "name_kk", "name_ru", "name_en", "osm_id", "source")
    list_filter = ("kind", "source")
    extra_fields = ("kind",)


@admin.register(Street)
class StreetAdmin(ReferenceFeatureAdmin):
    list_display = ("__str__", "highway", "is_main", "name_kk", "name_ru", "name_en", "osm_id", "source")
    list_filter = ("is_main", "highway", "source")
    extra_fields = ("highway", "is_main")


@admin.register(PopulatedPlace)
class PopulatedPlaceAdmin(ReferenceFeatureAdmin):
    list_display = ("__str__", "place", "population", "name_kk", "name_ru", "name_en", "osm_id", "source")
    list_filter = ("place", "source")
    extra_fields = ("place", "population")


@admin.register(Raster)
class RasterAdmin(MapAdmin):
    list_display = ("__str__", "kind", "srid", "width", "height", "resolution", "source")
    list_filter = ("kind",)
    list_select_related = ("source",)
    search_fields = ("path", "source__title")


class ReadOnlyAdmin(MapAdmin):
    """Data derived from the city pack: shown, never edited here (the next pack load would undo the edit)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def _centre(geom) -> str:
    centre = geom.centroid
    return f"{centre.y:.5f}, {centre.x:.5f}"


@admin.register(Building)
class BuildingAdmin(ReadOnlyAdmin):
    """Buildings come from the pack's OpenStreetMap extract; they weigh in the population estimate."""

    list_display = ("__str__", "building", "levels", "is_residential", "footprint", "osm_id", "source")
    list_filter = ("is_residential", "building", "source")
    list_select_related = ("source", "source__city")
    search_fields = NAME_SEARCH
    show_full_result_count = False
    fields = (
        "name",
        "name_kk",
        "name_ru",
        "name_en",
        "building",
        "levels",
        "is_residential",
        "footprint",
        "location",
        "source",
        "osm_type",
        "osm_id",
    )
    readonly_fields = ("footprint", "location")

    @admin.display(description=_("footprint (m²)"))
    def footprint(self, building: Building) -> str:
        # In the city's metric projection, as the population estimate measures it.
        area = building.geom.transform(building.source.city.metric_srid, clone=True).area
        return number_format(area, 0, force_grouping=True)

    @admin.display(description=_("centre (latitude, longitude)"))
    def location(self, building: Building) -> str:
        return _centre(building.geom)


@admin.register(PopulationCell)
class PopulationCellAdmin(ReadOnlyAdmin):
    """The resident estimate's cells (gis_data.population), rebuilt with every pack load."""

    list_display = ("__str__", "district", "residents_rounded", "building_area_m2", "street_length_m", "is_urban")
    list_filter = ("is_urban", "district", "city")
    list_select_related = ("district",)
    ordering = ("-residents",)
    show_full_result_count = False
    fields = ("city", "district", "location", "residents", "building_area_m2", "street_length_m", "is_urban")
    readonly_fields = ("location",)

    @admin.display(description=_("estimated residents"), ordering="residents")
    def residents_rounded(self, cell: PopulationCell) -> str:
        return number_format(cell.residents, 0, force_grouping=True)

    @admin.display(description=_("centre (latitude, longitude)"))
    def location(self, cell: PopulationCell) -> str:
        return _centre(cell.centre)
