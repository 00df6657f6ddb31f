from django.urls import path

from corridors import editor, trajectory_views, views

app_name = "corridors"

urlpatterns = [
    # What everyone sees (corridors/views.py).
    path("", views.corridor_list, name="list"),
    path("<int:pk>/", views.corridor_detail, name="detail"),
    path("network/", views.network_page, name="network"),
    path("route/", views.route_planner, name="route"),
    path("route.json", views.route_json, name="route_json"),
    # What urbanists edit (corridors/editor.py).
    path("new/", editor.corridor_create, name="create"),
    path("<int:pk>/edit/", editor.corridor_edit, name="edit"),
    path("<int:pk>/publish/", editor.corridor_publish, name="publish"),
    path("<int:pk>/photos/", editor.corridor_photos, name="photos"),
    path("<int:pk>/segments/new/", editor.segment_create, name="segment_create"),
    path("segments/<int:pk>/edit/", editor.segment_edit, name="segment_edit"),
    path("segments/<int:pk>/delete/", editor.segment_delete, name="segment_delete"),
    path("<int:pk>/history/", editor.corridor_history, name="history"),
    path("<int:pk>/history/<int:history_id>/restore/", editor.corridor_restore, name="restore"),
    path("<int:pk>/segments/history/<int:history_id>/restore/", editor.segment_restore, name="segment_restore"),
    # Trajectory suggestions for urbanists, and the cost surface behind them (corridors/trajectory_views.py).
    path("suggest.json", trajectory_views.suggest_json, name="suggest"),
    path("cost-surface.png", trajectory_views.cost_surface_png, name="cost_surface"),
]
