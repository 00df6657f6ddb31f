"""GeoReport v2 (Open311) at /open311/v2/: each resource in JSON or XML, by its extension."""

from django.urls import path

from participation import open311

app_name = "open311"

urlpatterns = [
    path("discovery.<str:fmt>", open311.discovery, name="discovery"),
    path("services.<str:fmt>", open311.service_list, name="services"),
    path("services/<slug:code>.<str:fmt>", open311.service_definition, name="service"),
    path("requests.<str:fmt>", open311.requests, name="requests"),
    path("requests/<int:pk>.<str:fmt>", open311.request_detail, name="request"),
]
