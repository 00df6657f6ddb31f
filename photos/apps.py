from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhotosConfig(AppConfig):
    name = "photos"
    verbose_name = _("Photos")

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        # Anything else that opens an image with Pillow (Django's ImageField reading dimensions)
        # gets the same guard against decompression bombs as an upload (photos.processing).
        Image.MAX_IMAGE_PIXELS = settings.PHOTO_MAX_PIXELS
