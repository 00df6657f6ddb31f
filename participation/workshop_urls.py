from django.urls import path

from participation import organising, voting_views

app_name = "workshops"

urlpatterns = [
    # What participants and visitors see and do (participation/voting_views.py).
    path("", voting_views.workshop_list, name="list"),
    path("<int:pk>/", voting_views.workshop_detail, name="detail"),
    path("ballots/<int:pk>/", voting_views.ballot, name="ballot"),
    path("ballots/<int:pk>/code/", voting_views.code_entry, name="code"),
    path("ballots/<int:pk>/results/", voting_views.results, name="results"),
    path("ballots/<int:pk>/results.json", voting_views.results_json, name="results_json"),
    path("ballots/<int:pk>/results.csv", voting_views.results_csv, name="results_csv"),
    path("ballots/<int:pk>/projector/", voting_views.projector, name="projector"),
    # What organisers do (participation/organising.py).
    path("new/", organising.workshop_create, name="create"),
    path("<int:pk>/edit/", organising.workshop_edit, name="edit"),
    path("<int:pk>/ballots/new/", organising.ballot_create, name="ballot_create"),
    path("ballots/<int:pk>/edit/", organising.ballot_edit, name="ballot_edit"),
    path("ballots/<int:pk>/codes/", organising.codes, name="codes"),
    path("ballots/<int:pk>/audit/", organising.audit, name="audit"),
]
