from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def map_page(request: HttpRequest) -> HttpResponse:
    return render(request, "gis_data/map.html")
