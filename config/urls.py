from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.static import serve

from participation.voting_views import any_code_entry

admin.site.site_header = _("Qala administration")
admin.site.site_title = _("Qala")

urlpatterns = [
    path("", include("gis_data.urls")),
    path("accounts/", include("accounts.urls")),
    path("projects/", include("projects.urls")),
    path("corridors/", include("corridors.urls")),
    path("parks/", include("parks.urls")),
    path("proposals/", include("participation.urls")),
    path("workshops/", include("participation.workshop_urls")),
    path("vote/", any_code_entry, name="vote"),
    path("events/", include("participation.event_urls")),
    path("contests/", include("participation.contest_urls")),
    path("open311/v2/", include("participation.open311_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]


def media(request, path):
    # MEDIA_ROOT is read on each request, not when the URLs load, so that tests may move it.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


if settings.SERVE_MEDIA:
    # Uploaded photos are Qala's own re-encodings (see photos.processing), never a user's raw file.
    urlpatterns += [re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", media)]
