from django.urls import path

from participation import export, maps, moderation, views

app_name = "participation"

urlpatterns = [
    # What residents and visitors see and do (participation/views.py).
    path("", views.proposal_list, name="list"),
    path("new/", views.proposal_create, name="create"),
    path("mine/", views.my_proposals, name="mine"),
    path("nearby.json", views.nearby, name="nearby"),
    path("export.csv", export.proposal_export, name="export"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/support/", views.proposal_support, name="support"),
    path("<int:pk>/follow/", views.proposal_follow, name="follow"),
    path("<int:pk>/comments/", views.comment_create, name="comment"),
    path("<int:pk>/flag/", views.proposal_flag, name="flag"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/flag/", views.comment_flag, name="comment_flag"),
    # The map of proposals (participation/maps.py).
    path("map/", maps.proposal_map, name="map"),
    # Moderators and departments (participation/moderation.py).
    path("moderation/", moderation.queue, name="moderation"),
    path("<int:pk>/moderate/", moderation.proposal_moderate, name="moderate"),
    path("comments/<int:pk>/moderate/", moderation.comment_moderate, name="comment_moderate"),
    path("department/", moderation.department_queue, name="department"),
    path("overdue/", moderation.overdue, name="overdue"),
    path("<int:pk>/status/", moderation.proposal_status, name="status"),
]
