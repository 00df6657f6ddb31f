from django.urls import path

from gis_data import views

app_name = "gis_data"
urlpatterns = [
    path("", views.map_page, name="map"),
]
