"""Which department answers a proposal: the most specific row of the routing table."""

from django.db.models import F, Q

from participation.models import Route


def route_for(category, district) -> Route | None:
    """The route for a proposal of ``category`` in ``district`` (either may be None), or None if no row fits.

    The most specific row wins: (category, district), then (category, any
    district), then (any category, district), then (any, any). The category
    weighs more than the district: a category route for the whole city beats a
    catch-all route of the district.
    """
    category_match = Q(category__isnull=True) | (Q(category=category) if category is not None else Q(pk__in=[]))
    district_match = Q(district__isnull=True) | (Q(district=district) if district is not None else Q(pk__in=[]))
    return (
        Route.objects.filter(category_match, district_match)
        .select_related("department")
        .order_by(F("category").asc(nulls_last=True), F("district").asc(nulls_last=True))
        .first()
    )
