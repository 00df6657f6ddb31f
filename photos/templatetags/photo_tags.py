"""Template filters of the photo templates (templates/photos/)."""

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from photos.models import Phase, Photo

register = template.Library()


@register.filter
def photo_alt(photo: Photo) -> str:
    """The text alternative of a photo, from its phase, date and caption: "Before, 1 May 2017: Cars parked".

    A photo marked neither before nor after is described by its caption, or else by its date.
    """
    params = {"date": date_format(photo.taken_on, "DATE_FORMAT"), "caption": photo.caption}
    if photo.phase == Phase.BEFORE:
        text = _("Before, %(date)s: %(caption)s") if photo.caption else _("Before, %(date)s")
    elif photo.phase == Phase.AFTER:
        text = _("After, %(date)s: %(caption)s") if photo.caption else _("After, %(date)s")
    elif photo.caption:
        return photo.caption
    else:
        text = _("Photo taken on %(date)s")
    return text % params
