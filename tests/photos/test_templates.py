"""The photo templates: before/after pairs in the comparison slider, the gallery, the slider's assets."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from photos.services import pair_photos, photo_pairs, unpaired_photos
from tests.factories import PhotoFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def project():
    return ProjectFactory()


@pytest.fixture
def pair(project):
    before = PhotoFactory(owner=project, phase="before", caption="Cars on the pavement", credit="Akimat")
    after = PhotoFactory(owner=project, phase="after", caption="Benches and trees")
    pair_photos(before, after)
    return before, after


def test_a_pair_is_a_figure_with_the_slider_before_on_the_left(project, pair):
    before, after = pair
    html = render_to_string("photos/_pairs.html", {"pairs": photo_pairs(project)})
    slider = re.search(r"<img-comparison-slider[^>]*>(.*?)</img-comparison-slider>", html, re.S)
    assert slider is not None
    assert 'role="slider"' in slider.group(0) and 'tabindex="0"' in slider.group(0)
    first, second = slider.group(1).split('slot="second"')
    assert before.image.url in first and after.image.url in second
    assert 'alt="Before, May 1, 2017: Cars on the pavement"' in first
    assert 'alt="After, May 1, 2017: Benches and trees"' in second


def test_a_pair_is_captioned_with_both_dates_captions_and_credits(project, pair):
    html = render_to_string("photos/_pairs.html", {"pairs": photo_pairs(project)})
    caption = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", html, re.S).group(1)
    text = " ".join(re.sub(r"<[^>]+>", "", caption).split())
    assert text == "Before, May 1, 2017: Cars on the pavement (photo: Akimat) After, May 1, 2017: Benches and trees"
    assert '<time datetime="2017-05-01">' in caption


def test_without_javascript_the_pair_is_shown_side_by_side(project, pair):
    before, after = pair
    html = render_to_string("photos/_pairs.html", {"pairs": photo_pairs(project)})
    fallback = re.search(r'<div class="photo-pair-fallback">(.*?)</div>', html, re.S).group(1)
    assert f'href="{before.image.url}"' in fallback and f'href="{after.image.url}"' in fallback
    assert before.thumbnail.url in fallback


def test_no_pair_renders_nothing():
    assert render_to_string("photos/_pairs.html", {"pairs": []}).strip() == ""


def test_the_gallery_links_each_thumbnail_to_the_full_photo(project):
    photo = PhotoFactory(owner=project, caption="Zhibek Zholy in May", credit="A. Resident")
    html = render_to_string("photos/_gallery.html", {"photos": unpaired_photos(project)})
    link = re.search(r'<a href="([^"]+)">\s*<img src="([^"]+)"[^>]*alt="([^"]*)"', html)
    assert link.groups() == (photo.image.url, photo.thumbnail.url, "Zhibek Zholy in May")
    assert "photo: A. Resident" in html


def test_a_photo_without_a_caption_is_described_by_its_date(project):
    PhotoFactory(owner=project)
    html = render_to_string("photos/_gallery.html", {"photos": unpaired_photos(project)})
    assert 'alt="Photo taken on May 1, 2017"' in html


def test_the_slider_assets_are_vendored_files():
    html = render_to_string("photos/_slider_assets.html")
    paths = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
    assert "vendor/img-comparison-slider-8.0.7/index.js" in paths
    assert "js/photos.js" in paths
    assert all(finders.find(path) for path in paths)
