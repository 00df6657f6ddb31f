"""The one way an uploaded picture becomes a Qala photo: checked, read, re-encoded, thumbnailed.

What is accepted: JPEG, PNG and WebP, told by the file's content (its magic
bytes, as Pillow detects them), never by its name: a PNG named ``.jpg`` is
taken as the PNG it is; text, an archive or HTML named ``.jpg`` is refused.
The size in bytes (``PHOTO_MAX_BYTES``) is checked before the file is read, the
size in pixels (``PHOTO_MAX_PIXELS``) from the image header before any pixel
is decoded, so a decompression bomb (a few kilobytes that decode to gigabytes)
is refused before it can take the memory.

What is kept: the pixels only. The date taken, the GPS position and the
viewing direction are read from EXIF first and returned as defaults; then the
picture is turned upright (EXIF orientation) and encoded anew, so the stored
file and its thumbnail carry no EXIF, XMP, ICC profile, comment or text chunk.
An embedded colour profile is converted to sRGB before it is dropped.

Formats stored: a JPEG is stored as a JPEG (quality 85) and a WebP as a WebP
(quality 85, transparency kept); a PNG stays a PNG, lossless, with its
transparency: PNGs are mostly plans, drawings and screenshots, which JPEG's
artefacts spoil. An animated image (APNG, animated WebP) is accepted and its
first frame is kept. File names are random (a UUID) with the extension of the
format stored, never the name the user's file had.
"""

import contextlib
import io
import math
import struct
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from PIL import ExifTags, Image, ImageCms, ImageOps

from gis_data.geometry import SRID

# Pillow's format name -> the extension stored. Only these decoders ever see an upload.
FORMATS: dict[str, str] = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
JPEG_QUALITY = 85
WEBP_QUALITY = 85
# The thumbnail fits in a square of this side, in pixels.
THUMBNAIL_SIZE = 480
# What Pillow raises when a file passes the magic-byte test but its content is broken.
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)

_MEGABYTE = 1024 * 1024
_KILOBYTE = 1024


class PhotoError(ValidationError):
    """An upload that cannot become a photo; the message names the problem, ``code`` says which."""

    def __init__(self, message: Any, code: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(message, code=code, params=params)


@dataclass
class ProcessedPhoto:
    """An upload made safe: the re-encoded image and its thumbnail, and what the camera said."""

    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int
    taken_on: date | None
    location: Point | None
    bearing: int | None


def process_upload(upload: UploadedFile) -> ProcessedPhoto:
    """Check an uploaded picture, read its EXIF, and encode it anew without metadata, with a thumbnail.

    Raises PhotoError (size, empty, format, pixels, damaged) with a message for the user.
    GPS positions outside the current city's extent are not returned: they cannot be the place.
    """
    _check_file_size(upload)
    fp = upload.open("rb") if upload.closed else upload
    fp.seek(0)
    fmt, image = _identify(fp)
    _check_pixels(*image.size)
    # The pixels are decoded only now, once the header said how many there are.
    try:
        image.load()
    except Image.DecompressionBombError:  # Pillow's own guard, should a plugin apply it while decoding
        raise _too_many_pixels(*image.size) from None
    except DECODE_ERRORS:
        raise _damaged(fmt) from None
    taken_on, location, bearing = read_camera_metadata(image)
    upright = _upright(image)
    stored = _pixels_for(upright, fmt)
    thumbnail = _thumbnail(stored)
    name = uuid.uuid4().hex
    extension = FORMATS[fmt]
    return ProcessedPhoto(
        image=ContentFile(_encode(stored, fmt), name=f"{name}.{extension}"),
        thumbnail=ContentFile(_encode(thumbnail, fmt), name=f"{name}.{extension}"),
        width=stored.width,
        height=stored.height,
        taken_on=taken_on,
        location=location if location is not None and in_city(location) else None,
        bearing=bearing,
    )


# Checks before decoding


def file_size_text(size: int) -> str:
    """A size in bytes as a person reads it, in the active language: "22.4 MB", "15 MB", "850 KB"."""
    for unit, text in ((_MEGABYTE, _("%(size)s MB")), (_KILOBYTE, _("%(size)s KB"))):
        if size >= unit:
            whole = size % unit == 0
            # Rounded here: number_format cuts a float's decimals off rather than rounding them.
            value = size // unit if whole else round(size / unit, 1)
            return text % {"size": number_format(value, 0 if whole else 1)}
    return ngettext_lazy("%(size)s byte", "%(size)s bytes", size) % {"size": size}


def _check_file_size(upload: UploadedFile) -> None:
    size = upload.size
    if size is None:  # a file object that does not know its size: measure it
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size == 0:
        raise PhotoError(_("The file is empty."), "empty")
    limit = settings.PHOTO_MAX_BYTES
    if size > limit:
        raise PhotoError(
            _("The file is %(size)s; photos may be at most %(limit)s."),
            "size",
            {"size": file_size_text(size), "limit": file_size_text(limit)},
        )


def _identify(fp: IO[bytes]) -> tuple[str, Image.Image]:
    """The format (by magic bytes) and the header-only image of an upload; no pixel is decoded.

    This is what Image.open does, restricted to the accepted formats and less
    its decompression-bomb check: Image.open raises DecompressionBombError
    (over twice Image.MAX_IMAGE_PIXELS) or warns (over it) without saying the
    image's size, and the process-wide MAX_IMAGE_PIXELS cannot follow the
    PHOTO_MAX_PIXELS setting. The caller checks the size from this header
    against PHOTO_MAX_PIXELS before anything is decoded, and names it.
    """
    Image.init()
    prefix = fp.read(16)
    for fmt in FORMATS:
        factory, accept = Image.OPEN.get(fmt, (None, None))
        if factory is None or (accept is not None and not accept(prefix)):
            continue
        fp.seek(0)
        try:
            return fmt, factory(fp, "")
        except DECODE_ERRORS:
            raise _damaged(fmt) from None
    raise PhotoError(_("The file is not a JPEG, PNG or WebP image."), "format")


def _check_pixels(width: int, height: int) -> None:
    if width * height > settings.PHOTO_MAX_PIXELS:
        raise _too_many_pixels(width, height)


def _too_many_pixels(width: int, height: int) -> PhotoError:
    limit = settings.PHOTO_MAX_PIXELS
    params = {
        "width": number_format(width, force_grouping=True),
        "height": number_format(height, force_grouping=True),
    }
    if limit >= 1_000_000 and limit % 100_000 == 0:
        millions = limit // 1_000_000 if limit % 1_000_000 == 0 else round(limit / 1_000_000, 1)
        return PhotoError(
            _("The image is %(width)s × %(height)s pixels; at most %(limit)s million pixels are allowed."),
            "pixels",
            {**params, "limit": number_format(millions, 0 if isinstance(millions, int) else 1)},
        )
    return PhotoError(
        _("The image is %(width)s × %(height)s pixels; at most %(limit)s pixels are allowed."),
        "pixels",
        {**params, "limit": number_format(limit, force_grouping=True)},
    )


def _damaged(fmt: str) -> PhotoError:
    label = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}[fmt]
    return PhotoError(
        _("The file looks like a %(format)s image, but it is damaged or incomplete and cannot be read."),
        "damaged",
        {"format": label},
    )


# What the camera said


def read_camera_metadata(image: Image.Image) -> tuple[date | None, Point | None, int | None]:
    """The date taken, the GPS position (SRID 4326) and the viewing direction in EXIF, each None when absent.

    A value that is missing, malformed or impossible is ignored, never an error:
    these are only defaults that the person uploading can change.
    """
    try:
        exif = image.getexif()
    except Exception:  # a broken EXIF block only costs the defaults, never the photo
        return None, None, None
    taken_on = _safely(lambda: _exif_date(exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal)))
    taken_on = taken_on or _safely(lambda: _exif_date(exif.get(ExifTags.Base.DateTime)))
    gps = _safely(lambda: exif.get_ifd(ExifTags.IFD.GPSInfo)) or {}
    location = _safely(lambda: _exif_location(gps))
    bearing = _safely(lambda: _exif_bearing(gps.get(ExifTags.GPS.GPSImgDirection)))
    return taken_on, location, bearing


def _safely(read: Callable[[], Any]) -> Any:
    """What ``read`` returns, or None when the EXIF it reads is broken: each default is read on its own."""
    try:
        return read()
    except Exception:  # Pillow's EXIF parser raises whatever the bytes lead it to; a default is not worth a refusal
        return None


def _exif_date(value: Any) -> date | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    # "2017:05:01 10:30:00" by the standard; some software writes dashes.
    text = value.strip("\x00 ")[:10].replace("-", ":")
    try:
        taken = datetime.strptime(text, "%Y:%m:%d").date()
    except ValueError:
        return None
    # A camera whose clock was never set says 1970 or 2000, or a date to come: not worth offering.
    if taken.year < 1900 or taken > timezone.localdate():
        return None
    return taken


def _exif_number(value: Any) -> float | None:
    try:
        number = float(value)  # IFDRational, int or float; a zero denominator gives NaN
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _exif_degrees(value: Any, ref: Any, refs: str, limit: float) -> float | None:
    """Degrees from EXIF's (degrees, minutes, seconds) rationals; ``refs`` is "NS" or "EW"."""
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    if not isinstance(ref, str) or not isinstance(value, tuple | list) or not 1 <= len(value) <= 3:
        return None
    ref = ref.strip("\x00 ").upper()
    if ref not in refs:
        return None
    parts = [_exif_number(part) for part in value]
    if any(part is None or part < 0 for part in parts) or any(part >= 60 for part in parts[1:]):
        return None
    degrees = sum(part / 60**index for index, part in enumerate(parts))
    if degrees > limit:
        return None
    return -degrees if ref == refs[1] else degrees


def _exif_location(gps: Any) -> Point | None:
    lat = _exif_degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "NS", 90)
    lon = _exif_degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "EW", 180)
    # 0, 0 is what some phones write when they have no fix.
    if lat is None or lon is None or (lat == 0 and lon == 0):
        return None
    return Point(lon, lat, srid=SRID)


def _exif_bearing(value: Any) -> int | None:
    # True or magnetic north (GPSImgDirectionRef) differ by a few degrees: near enough for a map arrow.
    direction = _exif_number(value)
    if direction is None or not 0 <= direction <= 360:
        return None
    return round(direction) % 360


def in_city(point: Point, city: Any = None) -> bool:
    """Whether ``point`` (lon/lat) lies in the city's extent (its bounding box, as the geometry rules read it).

    ``city`` defaults to the current city; with no city loaded, any point is taken.
    """
    if city is None:
        from gis_data.packs import current_city

        city = current_city()
    if city is None:
        return True
    west, south, east, north = city.extent.extent
    return west <= point.x <= east and south <= point.y <= north


# Re-encoding


def _upright(image: Image.Image) -> Image.Image:
    # In place: a 40-megapixel photo is 120 MB decoded, one copy fewer counts.
    # An unreadable orientation leaves the picture as it was stored: not worth refusing the photo.
    with contextlib.suppress(Exception):
        ImageOps.exif_transpose(image, in_place=True)
    return image


def _has_alpha(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        return True
    return "transparency" in image.info


def _to_srgb(image: Image.Image) -> Image.Image:
    """The picture in sRGB when it carries a colour profile, so dropping the profile keeps its colours."""
    icc = image.info.get("icc_profile")
    modes = {"RGB": "RGB", "RGBA": "RGBA", "CMYK": "RGB"}
    if not icc or image.mode not in modes:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=modes[image.mode]
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # a broken profile: the pixels as they are, the profile dropped all the same
    return converted or image


def _pixels_for(image: Image.Image, fmt: str) -> Image.Image:
    """The picture in a mode the stored format takes, with nothing but its pixels (``info`` emptied)."""
    image = _to_srgb(image)
    if image.mode in ("I", "I;16", "I;16B", "I;16L"):
        # 16-bit greys: scaled to 8 bits, as converting straight to L would clip them to white.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if _has_alpha(image) and fmt != "JPEG":
        mode = "RGBA"
    elif image.mode in ("L", "1", "F", "LA", "La") and fmt != "WEBP":
        mode = "L"
    else:
        mode = "RGB"
    if image.mode != mode:
        image = image.convert(mode)
    # The encoders write what ``info`` holds (ICC profile, comment, transparency, XMP): nothing is kept.
    image.info = {}
    return image


def _thumbnail(image: Image.Image) -> Image.Image:
    width, height = image.size
    scale = THUMBNAIL_SIZE / max(width, height)
    if scale >= 1:
        thumbnail = image.copy()
    else:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        thumbnail = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    thumbnail.info = {}
    return thumbnail


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif fmt == "PNG":
        image.save(buffer, "PNG", compress_level=6)
    else:
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    return buffer.getvalue()
