from django.urls import path

from projects import editor, views

app_name = "projects"

urlpatterns = [
    # What everyone sees (projects/views.py).
    path("", views.project_list, name="list"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("near/", views.works_near, name="near"),
    path("figures/", views.yearly_figures, name="figures"),
    path("figures.csv", views.yearly_figures_csv, name="figures_csv"),
    # What urbanists edit (projects/editor.py).
    path("new/", editor.project_create, name="create"),
    path("<int:pk>/edit/", editor.project_edit, name="edit"),
    path("<int:pk>/status/", editor.project_status, name="status"),
    path("<int:pk>/publish/", editor.project_publish, name="publish"),
    path("<int:pk>/photos/", editor.project_photos, name="photos"),
    path("<int:pk>/history/", editor.project_history, name="history"),
    path("<int:pk>/history/<int:history_id>/restore/", editor.project_restore, name="restore"),
]
