from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from gis_data.packs import current_city


def city(request: HttpRequest) -> dict:
    """The city this site serves, for the page title and the map.

    Lazy: a view that puts its own ``city`` in the context (the map page) costs no second query.
    """
    return {"city": SimpleLazyObject(current_city)}
