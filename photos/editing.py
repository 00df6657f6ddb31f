"""The photos tab of an editor: upload, edit (phase, pair, caption, ...), delete after a confirmation.

Projects and corridors (and the parks next) manage their photos on one page
each; this is that page's logic, shared. One URL serves every action: a POST
says what it does in ``action``.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from gis_data.editing import add_errors
from gis_data.models import City
from photos.forms import PhotoEditForm, PhotoUploadForm
from photos.models import Photo
from photos.services import delete_photo


def photo_forms(owner: Model, city: City | None, bound: tuple[int, Form] | None = None) -> list[tuple[Photo, Form]]:
    """Each photo of ``owner`` with its edit form; ``bound`` replaces one of them by a form sent back."""
    rows = []
    for photo in Photo.objects.of(owner).select_related("pair"):
        if bound is not None and bound[0] == photo.pk:
            form = bound[1]
        else:
            form = PhotoEditForm(instance=photo, city=city, prefix=f"photo-{photo.pk}")
        rows.append((photo, form))
    return rows


def manage_photos(
    request: HttpRequest,
    owner: Model,
    *,
    city: City | None,
    page_url: str,
    forbidden: Callable[[HttpRequest], HttpResponse],
) -> HttpResponse | dict[str, Any]:
    """Handle the photos page of ``owner`` at ``page_url``: a redirect or a 403 to return, or the page's context.

    The context holds ``upload_form``, ``photos`` (photo, edit form) and
    ``confirm_delete`` (the photo a ``?delete=<id>`` asks to confirm) for
    templates/photos/_manage.html.
    """
    upload_form = PhotoUploadForm(city=city)
    bound: tuple[int, Form] | None = None
    action = request.POST.get("action")

    if request.method == "POST" and action == "upload":
        if not request.user.has_perm("photos.add_photo"):
            return forbidden(request)
        upload_form = PhotoUploadForm(request.POST, request.FILES, city=city)
        if upload_form.is_valid():
            try:
                upload_form.save(owner=owner, user=request.user)
            except ValidationError as error:
                add_errors(upload_form, error)
            else:
                messages.success(request, _("The photo was added."))
                return redirect(page_url)

    elif request.method == "POST" and action in ("edit", "delete"):
        photo_id = request.POST.get("photo", "")
        photo = get_object_or_404(Photo.objects.of(owner), pk=int(photo_id) if photo_id.isdigit() else 0)
        if not request.user.has_perm(f"photos.{'change' if action == 'edit' else 'delete'}_photo"):
            return forbidden(request)
        if action == "delete":
            delete_photo(photo)
            messages.success(request, _("The photo was deleted."))
            return redirect(page_url)
        form = PhotoEditForm(request.POST, instance=photo, city=city, prefix=f"photo-{photo.pk}")
        if form.is_valid():
            try:
                form.save()
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The photo was saved."))
                return redirect(f"{page_url}#photo-{photo.pk}")
        bound = (photo.pk, form)

    elif request.method == "POST":
        messages.error(request, _("The form was not understood; nothing was changed."))
        return redirect(page_url)

    # ?delete=<id> asks for a confirmation before the POST that deletes.
    confirm_delete = None
    if request.method == "GET" and request.GET.get("delete", "").isdigit():
        confirm_delete = Photo.objects.of(owner).filter(pk=request.GET["delete"]).first()
    return {
        "upload_form": upload_form,
        "photos": photo_forms(owner, city, bound),
        "confirm_delete": confirm_delete,
        "photos_url": page_url,
    }
