from django.http import HttpRequest

from gis_data.packs import current_city


def city(request: HttpRequest) -> dict:
    """The city this site serves, for the page title and the map."""
    return {"city": current_city()}
