from django.urls import path

from parks import access_views, concept_editor, editor, planting_views, views

app_name = "parks"

urlpatterns = [
    # What everyone sees (parks/views.py).
    path("", views.park_list, name="list"),
    path("<int:pk>/", views.park_detail, name="detail"),
    path("<int:pk>/compare/", views.concept_compare, name="compare"),
    path("concepts/<int:pk>/", views.concept_detail, name="concept"),
    path("programme/", views.programme, name="programme"),
    # Park access and its what-if (parks/access_views.py).
    path("access/", access_views.access_page, name="access"),
    path("access/what-if.json", access_views.what_if_json, name="what_if"),
    path("access/outside.geojson", access_views.outside_geojson, name="outside"),
    # What urbanists edit: parks (parks/editor.py).
    path("new/", editor.park_create, name="create"),
    path("<int:pk>/edit/", editor.park_edit, name="edit"),
    path("<int:pk>/photos/", editor.park_photos, name="photos"),
    path("<int:pk>/history/", editor.park_history, name="history"),
    path("<int:pk>/history/<int:history_id>/restore/", editor.park_restore, name="restore"),
    # Renovation concepts (parks/concept_editor.py).
    path("<int:pk>/concepts/new/", concept_editor.concept_create, name="concept_create"),
    path("concepts/<int:pk>/edit/", concept_editor.concept_edit, name="concept_edit"),
    path("concepts/<int:pk>/zones/", concept_editor.concept_zones, name="concept_zones"),
    path("concepts/<int:pk>/plans/", concept_editor.concept_plans, name="concept_plans"),
    path("concepts/<int:pk>/status/", concept_editor.concept_status, name="concept_status"),
    # Compensatory plantings (parks/planting_views.py).
    path("plantings/", planting_views.planting_list, name="plantings"),
    path("plantings/<int:pk>/", planting_views.planting_detail, name="planting"),
    path("plantings/new/", planting_views.planting_create, name="planting_create"),
    path("plantings/<int:pk>/edit/", planting_views.planting_edit, name="planting_edit"),
    path("plantings/<int:pk>/inspections/new/", planting_views.inspection_create, name="inspection_create"),
    path("plantings/import/", planting_views.planting_import, name="planting_import"),
]
