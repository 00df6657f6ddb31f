"""The projects and their photos on the map.

A project is coloured by its category (a row of the Category table, so a
category an admin adds gets its colour on the map at once) and drawn by its
status: dotted while planned, dashed in design, solid under construction and
when completed, faint when suspended or cancelled. Its points are circle
markers. Project data is Qala's own, so the layers carry no attribution.
"""

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from gis_data.registry import Layer, Variant, register
from photos.models import Phase, Photo
from projects.filters import ProjectFilterForm
from projects.models import Category, Project, Status

# The status styles only change strokes and opacities, so they read over any category's colour.
STATUS_VARIANTS = (
    Variant("status", Status.PLANNED.value, Status.PLANNED.label, {"dashArray": "2 6", "fillOpacity": 0.2}),
    Variant("status", Status.DESIGN.value, Status.DESIGN.label, {"dashArray": "8 5", "fillOpacity": 0.25}),
    Variant("status", Status.CONSTRUCTION.value, Status.CONSTRUCTION.label, {"weight": 5}),
    Variant("status", Status.COMPLETED.value, Status.COMPLETED.label, {"fillOpacity": 0.55}),
    Variant(
        "status",
        Status.SUSPENDED.value,
        Status.SUSPENDED.label,
        {"dashArray": "8 5", "opacity": 0.5, "fillOpacity": 0.1},
    ),
    Variant(
        "status",
        Status.CANCELLED.value,
        Status.CANCELLED.label,
        {"dashArray": "2 6", "opacity": 0.35, "fillOpacity": 0.05},
    ),
)


def project_variants() -> Iterator[Variant]:
    """Each category's colour (named in the request's language), then each status's strokes."""
    for category in Category.objects.all():
        yield Variant("category", category.slug, category.name, {"color": category.color, "fillColor": category.color})
    yield from STATUS_VARIANTS


register(
    Layer(
        name="projects",
        title=_("Projects and city works"),
        queryset=lambda: Project.objects.published(),
        # Points, lines and areas in one layer.
        legend="mixed",
        attributes=("title_kk", "title_ru", "title_en", "category=category__slug", "status"),
        # A neutral grey, so that the legend's status swatches show strokes, not a category.
        style={
            "color": "#37474f",
            "weight": 4,
            "opacity": 0.9,
            "fillColor": "#37474f",
            "fillOpacity": 0.35,
            "radius": 7,
        },
        variants=project_variants,
        # A few hundred features at most: the whole city is worth seeing at once.
        min_zoom=10,
        filter_form=ProjectFilterForm,
        label="title",
        link="projects:detail",
    )
)


def published_project_photos():
    """Photos of published projects that say where they were taken."""
    return Photo.objects.of_model(Project).filter(
        location__isnull=False, object_id__in=Project.objects.published().values("pk")
    )


# Viewpoints crowd a city-wide view; from zoom 15 a street's photos stand apart.
register(
    Layer(
        name="project_photos",
        title=_("Photos of projects"),
        queryset=published_project_photos,
        legend="point",
        attributes=("caption", "bearing", "phase", "thumbnail", "project=object_id"),
        geometry_field="location",
        style={"color": "#1d4ed8", "weight": 2, "fillColor": "#1d4ed8", "fillOpacity": 0.9, "radius": 5},
        variants=(
            Variant("phase", Phase.BEFORE.value, Phase.BEFORE.label, {"color": "#b45309", "fillColor": "#b45309"}),
            Variant("phase", Phase.AFTER.value, Phase.AFTER.label, {"color": "#15803d", "fillColor": "#15803d"}),
        ),
        min_zoom=15,
        label="caption",
        link="projects:detail",
        link_attribute="project",
        image="thumbnail",
        direction="bearing",
    )
)
