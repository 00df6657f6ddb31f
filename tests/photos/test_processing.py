"""photos.processing with real files: what is accepted, what is refused and why, what is kept of the upload."""

import io
import re
import zipfile
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import override_settings
from django.utils import translation
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

from photos.processing import PhotoError, file_size_text, process_upload
from tests.factories import CityFactory
from tests.photo_files import (
    ARBAT_BEARING,
    ARBAT_LAT,
    ARBAT_LON,
    arbat_jpeg,
    jpeg_bytes,
    picture,
    png_bytes,
    webp_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def almaty():
    return CityFactory()


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def opened(content) -> Image.Image:
    content.seek(0)
    image = Image.open(io.BytesIO(content.read()))
    image.load()
    return image


def refusal(data: bytes, name: str = "photo.jpg") -> PhotoError:
    with pytest.raises(PhotoError) as caught:
        process_upload(upload(data, name))
    return caught.value


def saved(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


# What the camera said


def test_the_date_place_and_direction_in_exif_are_read_as_defaults(almaty):
    processed = process_upload(upload(arbat_jpeg()))
    assert processed.taken_on == date(2017, 5, 1)
    assert processed.location.srid == 4326
    assert processed.location.x == pytest.approx(ARBAT_LON, abs=1e-6)
    assert processed.location.y == pytest.approx(ARBAT_LAT, abs=1e-6)
    assert processed.bearing == ARBAT_BEARING


def test_a_southern_and_western_gps_position_reads_as_negative_degrees():
    processed = process_upload(upload(jpeg_bytes(lat=-33.8568, lon=-70.6483)))
    assert processed.location.y == pytest.approx(-33.8568, abs=1e-6)
    assert processed.location.x == pytest.approx(-70.6483, abs=1e-6)


def test_a_gps_position_outside_the_city_is_not_offered(almaty):
    # Astana, 1,000 km from Almaty: a photo taken there is not a photo of an Almaty project.
    processed = process_upload(upload(jpeg_bytes(taken=datetime(2017, 5, 1), lat=51.128, lon=71.430, bearing=10)))
    assert processed.location is None
    assert processed.taken_on == date(2017, 5, 1)


def test_the_date_modified_is_used_when_the_date_taken_is_missing():
    exif = Image.Exif()
    exif[ExifTags.Base.DateTime] = "2016:09:30 18:00:00"
    processed = process_upload(upload(saved(picture(), "JPEG", exif=exif)))
    assert processed.taken_on == date(2016, 9, 30)


def test_malformed_exif_values_are_ignored():
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "0000:00:00 00:00:00"
    exif[ExifTags.Base.DateTime] = "yesterday"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "X"
    gps[ExifTags.GPS.GPSLatitude] = (43.0, 15.0, 40.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (76.0, 99.0, 0.0)
    gps[ExifTags.GPS.GPSImgDirection] = 720.0
    processed = process_upload(upload(saved(picture(), "JPEG", exif=exif)))
    assert (processed.taken_on, processed.location, processed.bearing) == (None, None, None)


def test_a_date_in_the_future_from_a_wrong_camera_clock_is_not_offered():
    processed = process_upload(upload(jpeg_bytes(taken=datetime(2999, 1, 1))))
    assert processed.taken_on is None


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_a_broken_exif_block_costs_only_the_defaults():
    # An APP1 Exif segment whose TIFF header is garbage.
    data = saved(picture(), "JPEG", exif=b"Exif\x00\x00II*\x00\xff\xff\xff\x7fgarbage")
    processed = process_upload(upload(data))
    assert (processed.taken_on, processed.location, processed.bearing) == (None, None, None)
    assert processed.width == 640


# What is stored


def test_the_stored_photo_and_its_thumbnail_carry_no_exif_and_no_gps():
    processed = process_upload(upload(arbat_jpeg()))
    for content in (processed.image, processed.thumbnail):
        image = opened(content)
        exif = image.getexif()
        assert dict(exif) == {}
        assert exif.get_ifd(ExifTags.IFD.GPSInfo) == {}
        assert "exif" not in image.info
        assert b"Qala test camera" not in content.file.getvalue()


def test_a_jpeg_comment_xmp_and_colour_profile_are_not_kept():
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>43,15.66N</exif:GPSLatitude></x:xmpmeta>'
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = saved(picture(), "JPEG", comment=b"taken at home", xmp=xmp, icc_profile=icc)
    image = opened(process_upload(upload(data)).image)
    assert not {"comment", "xmp", "icc_profile", "exif"} & set(image.info)


def test_png_text_chunks_are_not_kept():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Somebody at home")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta/>")
    image = opened(process_upload(upload(saved(picture(), "PNG", pnginfo=info), "plan.png")).image)
    assert image.text == {}


def test_the_stored_name_is_random_with_the_extension_of_the_format():
    processed = process_upload(upload(arbat_jpeg(), "Ivanov family, Arbat.jpeg"))
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", processed.image.name)
    assert processed.thumbnail.name == processed.image.name


def test_a_jpeg_is_stored_as_a_jpeg_of_the_same_size():
    processed = process_upload(upload(arbat_jpeg(width=800, height=600)))
    image = opened(processed.image)
    assert (image.format, image.size) == ("JPEG", (800, 600))
    assert (processed.width, processed.height) == (800, 600)


def test_a_webp_is_accepted_and_stored_as_a_webp():
    processed = process_upload(upload(webp_bytes(), "street.webp"))
    assert processed.image.name.endswith(".webp")
    assert opened(processed.image).format == "WEBP"


def test_the_thumbnail_fits_in_480_pixels_and_is_smaller_than_the_photo():
    processed = process_upload(upload(jpeg_bytes(2000, 1500)))
    thumbnail = opened(processed.thumbnail)
    assert thumbnail.size == (480, 360)
    assert processed.thumbnail.size < processed.image.size


def test_a_small_photo_keeps_its_size_as_thumbnail():
    processed = process_upload(upload(jpeg_bytes(320, 200)))
    assert opened(processed.thumbnail).size == (320, 200)


def test_the_exif_orientation_is_applied_before_the_photo_is_stored():
    image = Image.new("RGB", (640, 480), "white")
    image.paste((255, 0, 0), (0, 0, 40, 40))  # a red mark in the top-left corner as the sensor saw it
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # the camera was turned: show it rotated 90° clockwise
    processed = process_upload(upload(saved(image, "JPEG", exif=exif, quality=95)))
    stored = opened(processed.image)
    assert stored.size == (480, 640)
    red, green, blue = stored.getpixel((460, 20))  # the mark is now top right
    assert red > 200 and green < 60 and blue < 60
    assert ExifTags.Base.Orientation not in stored.getexif()


def test_a_png_keeps_its_transparency():
    image = Image.new("RGBA", (200, 100), (0, 128, 0, 255))
    image.paste((0, 0, 0, 0), (0, 0, 100, 100))
    stored = opened(process_upload(upload(saved(image, "PNG"), "plan.png")).image)
    assert stored.mode == "RGBA"
    assert stored.getpixel((10, 10))[3] == 0
    assert stored.getpixel((150, 10))[3] == 255


def test_an_animated_png_keeps_its_first_frame():
    frames = [Image.new("RGB", (120, 80), colour) for colour in ("red", "blue")]
    data = saved(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=200)
    stored = opened(process_upload(upload(data, "anim.png")).image)
    assert not getattr(stored, "is_animated", False)
    assert stored.getpixel((5, 5)) == (255, 0, 0)


def test_a_16_bit_greyscale_png_is_scaled_not_clipped():
    image = Image.new("I", (64, 64), 32768).convert("I;16")  # mid grey in 16 bits
    stored = opened(process_upload(upload(saved(image, "PNG"), "scan.png")).image)
    assert stored.getpixel((10, 10)) == 128


# By content, not by name


def test_a_large_upload_kept_in_a_temporary_file_is_processed_the_same_way():
    data = arbat_jpeg()
    with TemporaryUploadedFile("photo.jpg", "image/jpeg", len(data), None) as upload_file:
        upload_file.write(data)
        upload_file.seek(0)
        processed = process_upload(upload_file)
    assert processed.taken_on == date(2017, 5, 1)
    assert opened(processed.image).format == "JPEG"


def test_a_png_named_jpg_is_accepted_and_stored_as_the_png_it_is():
    processed = process_upload(upload(png_bytes(), "photo.jpg"))
    assert processed.image.name.endswith(".png")
    assert opened(processed.image).format == "PNG"


@pytest.mark.parametrize(
    "content",
    [
        b"These are my notes about the square, not a photo.\n",
        b"<!doctype html><html><body><script>alert(1)</script></body></html>",
        b"%PDF-1.4\n1 0 obj << >> endobj\n",
    ],
    ids=["text", "html", "pdf"],
)
def test_a_file_that_is_not_an_image_but_named_jpg_is_refused(content):
    error = refusal(content, "photo.jpg")
    assert error.messages == ["The file is not a JPEG, PNG or WebP image."]
    assert error.code == "format"


def test_a_zip_archive_named_jpg_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.jpg", arbat_jpeg())
    assert refusal(buffer.getvalue()).messages == ["The file is not a JPEG, PNG or WebP image."]


def test_a_gif_is_refused_as_not_a_jpeg_png_or_webp():
    assert refusal(saved(picture(), "GIF"), "photo.gif").code == "format"


def test_a_truncated_jpeg_is_refused_as_damaged():
    error = refusal(arbat_jpeg()[:6000])
    assert error.messages == ["The file looks like a JPEG image, but it is damaged or incomplete and cannot be read."]


def test_a_png_with_a_broken_header_is_refused_as_damaged():
    data = bytearray(png_bytes())
    data[16:24] = b"\xff" * 8  # the width and height in the IHDR chunk, whose checksum now fails
    assert refusal(bytes(data), "plan.png").code == "damaged"


def test_an_empty_file_is_refused():
    assert refusal(b"").messages == ["The file is empty."]


# Limits


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    # 400 million black pixels, 1 bit each: under 50 KB on disk, 1.2 GB once decoded in RGB.
    bomb = saved(Image.new("1", (20_000, 20_000)), "PNG")
    assert len(bomb) < 100_000
    error = refusal(bomb, "photo.png")
    assert error.messages == ["The image is 20,000 × 20,000 pixels; at most 40 million pixels are allowed."]
    assert error.code == "pixels"


def test_an_image_over_the_pixel_limit_but_under_pillows_own_is_refused():
    # 7,000 × 6,000 = 42 million: over Qala's 40 million, under Pillow's warning threshold (89 million).
    bomb = saved(Image.new("1", (7_000, 6_000)), "PNG")
    assert refusal(bomb, "photo.png").messages == [
        "The image is 7,000 × 6,000 pixels; at most 40 million pixels are allowed."
    ]


@override_settings(PHOTO_MAX_PIXELS=10_000)
def test_the_pixel_limit_is_a_setting():
    error = refusal(jpeg_bytes(200, 100))
    assert error.messages == ["The image is 200 × 100 pixels; at most 10,000 pixels are allowed."]


@override_settings(PHOTO_MAX_BYTES=20 * 1024)
def test_an_oversize_file_is_refused_with_its_size_and_the_limit():
    data = jpeg_bytes(1600, 1200)
    assert len(data) > 20 * 1024
    error = refusal(data)
    assert re.fullmatch(r"The file is \d+(\.\d)? KB; photos may be at most 20 KB\.", error.messages[0])
    assert error.code == "size"


def test_file_sizes_read_as_a_person_would_write_them():
    assert file_size_text(15 * 1024 * 1024) == "15 MB"
    assert file_size_text(int(22.4 * 1024 * 1024)) == "22.4 MB"
    assert file_size_text(850 * 1024) == "850 KB"
    assert file_size_text(1) == "1 byte"


def test_the_messages_are_translated_when_they_are_shown():
    with translation.override("ru"):
        error = refusal(b"plain text")
    # Lazy: the words are chosen when the message is shown, in the reader's language.
    assert error.messages == ["The file is not a JPEG, PNG or WebP image."]
    assert type(error.message).__name__ == "__proxy__"
