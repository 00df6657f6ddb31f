from django.urls import path

from participation import event_views

app_name = "events"

urlpatterns = [
    path("", event_views.event_list, name="list"),
    path("<int:pk>/", event_views.event_detail, name="detail"),
    path("<int:pk>/register/", event_views.register, name="register"),
    path("<int:pk>/cancel/", event_views.cancel, name="cancel"),
    path("<int:pk>/calendar.ics", event_views.calendar, name="calendar"),
    # Organisers.
    path("new/", event_views.event_create, name="create"),
    path("<int:pk>/edit/", event_views.event_edit, name="edit"),
    path("<int:pk>/attendees/", event_views.attendees, name="attendees"),
    path("<int:pk>/attendees.csv", event_views.attendees_csv, name="attendees_csv"),
]
