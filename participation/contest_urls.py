from django.urls import path

from participation import contest_views

app_name = "contests"

urlpatterns = [
    path("", contest_views.contest_list, name="list"),
    path("<int:pk>/", contest_views.contest_detail, name="detail"),
    path("<int:pk>/map/", contest_views.contest_map, name="map"),
    path("<int:pk>/enter/", contest_views.entry_create, name="enter"),
    path("<int:contest_pk>/entries/<int:pk>/", contest_views.entry_detail, name="entry"),
    path("<int:contest_pk>/entries/<int:pk>/hide/", contest_views.entry_hide, name="entry_hide"),
    # The jury.
    path("<int:pk>/jury/", contest_views.jury, name="jury"),
    path("<int:contest_pk>/entries/<int:pk>/score/", contest_views.score, name="score"),
    # Results, and what organisers do.
    path("<int:pk>/results/", contest_views.results, name="results"),
    path("<int:pk>/close/", contest_views.close, name="close"),
    path("new/", contest_views.contest_create, name="create"),
    path("<int:pk>/edit/", contest_views.contest_edit, name="edit"),
]
