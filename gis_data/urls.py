from django.urls import path

from gis_data import views

app_name = "gis_data"
urlpatterns = [
    path("", views.map_page, name="map"),
    path("layers/", views.layer_list, name="layer_list"),
    path("layers/<slug:name>.geojson", views.layer_geojson, name="layer_geojson"),
    path("layers/<slug:name>/clusters.json", views.layer_clusters, name="layer_clusters"),
    path("rasters/<int:pk>/relief.png", views.raster_relief, name="raster_relief"),
]
