"""Real image files for the tests, made with Pillow: JPEG with EXIF (date, GPS, direction), PNG, WebP."""

import io
from datetime import datetime

from PIL import ExifTags, Image, ImageDraw

# Where the test photos say they were taken: on Arbat (Zhibek Zholy), looking east.
ARBAT_LAT, ARBAT_LON, ARBAT_BEARING = 43.2610, 76.9440, 90


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes_float = (value - degrees) * 60
    minutes = int(minutes_float)
    return (float(degrees), float(minutes), round((minutes_float - minutes) * 60, 4))


def picture(width: int = 640, height: int = 480, colour: str = "#6a9f58") -> Image.Image:
    """A picture with some shapes on it, so that it compresses like a photo, not like a flat colour."""
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    for step in range(0, max(width, height), 40):
        draw.line((0, step, step, 0), fill="#f0e6d2", width=3)
    draw.ellipse((width // 4, height // 4, width // 2, height // 2), fill="#2b5a8a")
    return image


def jpeg_bytes(
    width: int = 640,
    height: int = 480,
    *,
    taken: datetime | None = None,
    lat: float | None = None,
    lon: float | None = None,
    bearing: float | None = None,
    colour: str = "#6a9f58",
) -> bytes:
    """A JPEG whose EXIF carries the date taken, the GPS position and the direction, when given."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Qala test camera"
    if taken is not None:
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if lat is not None and lon is not None:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSLatitudeRef] = "N" if lat >= 0 else "S"
        gps[ExifTags.GPS.GPSLatitude] = _dms(abs(lat))
        gps[ExifTags.GPS.GPSLongitudeRef] = "E" if lon >= 0 else "W"
        gps[ExifTags.GPS.GPSLongitude] = _dms(abs(lon))
        if bearing is not None:
            gps[ExifTags.GPS.GPSImgDirectionRef] = "T"
            gps[ExifTags.GPS.GPSImgDirection] = float(bearing)
    buffer = io.BytesIO()
    picture(width, height, colour).save(buffer, "JPEG", quality=85, exif=exif)
    return buffer.getvalue()


def png_bytes(width: int = 640, height: int = 480, colour: str = "#8a5a2b") -> bytes:
    buffer = io.BytesIO()
    picture(width, height, colour).save(buffer, "PNG")
    return buffer.getvalue()


def webp_bytes(width: int = 640, height: int = 480, colour: str = "#2b8a7a") -> bytes:
    buffer = io.BytesIO()
    picture(width, height, colour).save(buffer, "WEBP", quality=80)
    return buffer.getvalue()


def arbat_jpeg(**kwargs) -> bytes:
    """A photo taken on Arbat on 1 May 2017, looking east, as a phone would record it."""
    return jpeg_bytes(taken=datetime(2017, 5, 1, 10, 30), lat=ARBAT_LAT, lon=ARBAT_LON, bearing=ARBAT_BEARING, **kwargs)
