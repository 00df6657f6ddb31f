"""The project list and a project's page, as visitors and urbanists see them."""

import datetime
import json
import re

import pytest
from django.conf import settings
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Project, StatusChange
from tests.factories import (
    ASTANA_SQUARE,
    CategoryFactory,
    CityFactory,
    DistrictFactory,
    GreenAreaFactory,
    ProjectFactory,
)
from tests.photo_files import arbat_jpeg

pytestmark = pytest.mark.django_db

LIST = reverse("projects:list")

# A park about 250 m north of Arbat.
PARK_NEAR_ARBAT = MultiPolygon(
    Polygon(((76.9440, 43.2633), (76.9450, 43.2633), (76.9450, 43.2640), (76.9440, 43.2640), (76.9440, 43.2633))),
    srid=4326,
)
# A playground on Kaldayakov street, about 340 m south of Arbat.
KALDAYAKOV = Point(76.9445, 43.2580, srid=4326)
# Furmanov street from Abay to Satpaev, about 2.3 km: long enough to be counted in kilometres.
FURMANOV = LineString((76.9455, 43.2400), (76.9460, 43.2190), srid=4326)


@pytest.fixture(autouse=True)
def almaty(db):
    CityFactory()
    return DistrictFactory()


def content_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def titles(response) -> list[str]:
    return re.findall(r'<h3 class="project-card-title"><a href="[^"]+" lang="\w+">([^<]+)</a>', content_of(response))


# The list


def test_the_list_shows_each_published_project_with_its_category_status_and_district(client):
    ProjectFactory(title_en="Arbat pedestrian zone", status="construction")
    content = content_of(client.get(LIST))
    assert "Arbat pedestrian zone" in content
    assert "Pedestrian zone</span>" in content
    assert '<span class="status-badge status-construction">' in content
    assert "Almaly District" in content


def test_the_list_says_how_many_projects_it_found(client):
    ProjectFactory.create_batch(3)
    assert "3 projects" in content_of(client.get(LIST))


def test_the_list_hides_drafts_from_visitors(client, resident):
    ProjectFactory(title_en="Secret draft", is_published=False)
    client.force_login(resident)
    assert "Secret draft" not in content_of(client.get(LIST))


def test_the_list_shows_drafts_to_urbanists_with_a_draft_badge(client, urbanist):
    ProjectFactory(title_en="Secret draft", is_published=False)
    client.force_login(urbanist)
    content = content_of(client.get(LIST))
    assert "Secret draft" in content
    assert "Draft, not published" in content


def test_the_list_offers_urbanists_a_new_project_link(client, urbanist):
    client.force_login(urbanist)
    assert f'href="{reverse("projects:create")}"' in content_of(client.get(LIST))


def test_the_list_offers_visitors_no_new_project_link(client):
    assert reverse("projects:create") not in content_of(client.get(LIST))


def test_the_list_links_to_the_map(client):
    assert f'href="{reverse("gis_data:map")}"' in content_of(client.get(LIST))


def test_the_list_filters_by_category(client):
    ProjectFactory(title_en="Arbat")
    ProjectFactory(title_en="Astana Square", category=CategoryFactory(slug="square"), geom=ASTANA_SQUARE.clone())
    assert titles(client.get(LIST, {"category": "square"})) == ["Astana Square"]


def test_the_list_filters_by_status(client):
    ProjectFactory(title_en="Planned one", status="planned")
    ProjectFactory(title_en="Built one", status="completed")
    assert titles(client.get(LIST, {"status": "completed"})) == ["Built one"]


def test_the_list_filters_by_year(client):
    ProjectFactory(
        title_en="Built in 2017", actual_start=datetime.date(2017, 4, 1), actual_end=datetime.date(2017, 9, 1)
    )
    ProjectFactory(title_en="Planned for 2026", planned_start=datetime.date(2026, 4, 1))
    assert titles(client.get(LIST, {"year": "2017"})) == ["Built in 2017"]


def test_the_list_searches_the_titles(client):
    ProjectFactory(title_en="Arbat lighting")
    ProjectFactory(title_en="Furmanov sidewalks")
    assert titles(client.get(LIST, {"q": "furmanov"})) == ["Furmanov sidewalks"]


def test_the_list_sorts_by_title(client):
    for title in ("Zhibek Zholy", "Abay", "Masanchi"):
        ProjectFactory(title_en=title)
    assert titles(client.get(LIST, {"sort": "title"})) == ["Abay", "Masanchi", "Zhibek Zholy"]


def test_the_list_sorts_by_budget_largest_first(client):
    ProjectFactory(title_en="Small", budget=1_000)
    ProjectFactory(title_en="Large", budget=9_000_000)
    assert titles(client.get(LIST, {"sort": "-budget"})) == ["Large", "Small"]


def test_the_list_shows_25_projects_a_page(client):
    ProjectFactory.create_batch(27)
    assert len(titles(client.get(LIST))) == 25
    assert len(titles(client.get(LIST, {"page": 2}))) == 2


def test_the_page_links_keep_the_filters(client):
    ProjectFactory.create_batch(26, status="design")
    content = content_of(client.get(LIST, {"status": "design"}))
    assert '<nav class="pagination" aria-label="Pages of the list">' in content
    assert 'href="?status=design&amp;page=2" rel="next"' in content


def test_the_current_page_is_marked_for_screen_readers(client):
    ProjectFactory.create_batch(26)
    content = content_of(client.get(LIST, {"page": 2}))
    assert re.search(r'<a href="\?page=2" aria-current="page">', content)


def test_a_page_number_out_of_range_shows_the_last_page(client):
    ProjectFactory.create_batch(3)
    assert len(titles(client.get(LIST, {"page": 99}))) == 3


def test_an_invalid_filter_shows_the_forms_message_instead_of_the_list(client):
    ProjectFactory(title_en="Arbat")
    response = client.get(LIST, {"year": "not-a-year", "category": "no-such-category"})
    content = content_of(response)
    assert "Please correct the errors below." in content
    assert "Select a valid choice." in content
    assert titles(response) == []


def test_the_list_shows_a_length_in_kilometres_and_a_budget_in_tenge(client):
    ProjectFactory(geom=FURMANOV.clone(), budget=1_234_567_890)
    content = content_of(client.get(LIST))
    assert re.search(r"<dd>2\.\d\d km</dd>", content)
    assert "<dd>1,234,567,890 ₸</dd>" in content


def test_the_list_shows_a_short_length_in_metres(client):
    ProjectFactory()  # Arbat, about 570 m
    assert re.search(r"<dd>5\d\d m</dd>", content_of(client.get(LIST)))


def test_the_list_shows_an_area_in_square_metres(client):
    ProjectFactory(category=CategoryFactory(slug="square"), geom=ASTANA_SQUARE.clone())
    assert re.search(r"<dd>\d\d,\d\d\d m²</dd>", content_of(client.get(LIST)))


def test_the_list_formats_numbers_as_the_russian_page_does(client):
    ProjectFactory(budget=1_234_567)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    assert "1\xa0234\xa0567" in content_of(client.get(LIST))


def test_the_list_shows_the_planned_and_actual_dates(client):
    ProjectFactory(
        planned_start=datetime.date(2024, 4, 1),
        planned_end=datetime.date(2024, 9, 30),
        actual_start=datetime.date(2024, 4, 15),
    )
    content = content_of(client.get(LIST))
    assert '<time datetime="2024-04-01">' in content
    assert '<time datetime="2024-09-30">' in content
    assert '<time datetime="2024-04-15">' in content


def test_the_list_takes_the_same_number_of_queries_for_many_projects(client, django_assert_max_num_queries):
    ProjectFactory.create_batch(25)
    # Session-less visitor: the projects, their count, the districts, the form's choices; never one per project.
    with django_assert_max_num_queries(12):
        client.get(LIST)


def test_every_page_links_to_the_project_pages_in_the_site_navigation(client):
    nav = content_of(client.get("/"))
    nav = nav[nav.index('<nav class="site-nav"') : nav.index("</nav>")]
    for name in ("list", "near", "figures"):
        assert f'href="{reverse(f"projects:{name}")}"' in nav


def test_the_navigation_marks_the_current_page(client):
    assert f'<a href="{LIST}" aria-current="page">Projects</a>' in content_of(client.get(LIST))


# A project's page


def detail(project: Project) -> str:
    return reverse("projects:detail", args=[project.pk])


def map_config(content: str) -> dict:
    match = re.search(r'<script id="project-map-config" type="application/json">(.*?)</script>', content, re.S)
    assert match, "the page embeds no project-map-config"
    return json.loads(match.group(1))


def test_a_draft_is_not_found_by_a_visitor(client):
    assert client.get(detail(ProjectFactory(is_published=False))).status_code == 404


def test_a_draft_is_not_found_by_a_resident(client, resident):
    client.force_login(resident)
    assert client.get(detail(ProjectFactory(is_published=False))).status_code == 404


def test_an_urbanist_sees_a_draft(client, urbanist):
    client.force_login(urbanist)
    project = ProjectFactory(title_en="Draft square", is_published=False)
    assert "Draft square" in content_of(client.get(detail(project)))


def test_the_page_shows_the_metrics_of_the_project(client):
    project = ProjectFactory(
        budget=450_000_000,
        department="Department of Urban Planning",
        contractor="Almaty Kala Kurylys",
        planned_start=datetime.date(2024, 4, 1),
        planned_end=datetime.date(2024, 10, 31),
    )
    content = content_of(client.get(detail(project)))
    assert re.search(r"<dt>Length</dt><dd>5\d\d m</dd>", content)
    assert "<dt>Districts</dt><dd>Almaly District</dd>" in content
    assert "<dt>Budget</dt><dd>450,000,000 ₸</dd>" in content
    assert "Department of Urban Planning" in content
    assert "Almaty Kala Kurylys" in content
    assert '<time datetime="2024-04-01">' in content
    assert '<time datetime="2024-10-31">' in content


def test_the_page_shows_the_description_in_the_visitors_language(client):
    project = ProjectFactory(description_en="A street for walking.", description_ru="Улица для прогулок.")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    content = content_of(client.get(detail(project)))
    assert "Улица для прогулок." in content
    assert "A street for walking." not in content


def test_the_page_falls_back_to_a_description_in_another_language_and_says_which(client):
    project = ProjectFactory(description_ru="Улица для прогулок.")
    content = content_of(client.get(detail(project), HTTP_ACCEPT_LANGUAGE="en"))
    assert '<div class="project-description" lang="ru"><p>Улица для прогулок.</p></div>' in content


def test_the_timeline_lists_the_status_changes_in_date_order_and_marks_the_current_one(client):
    project = ProjectFactory(status="construction")
    StatusChange.objects.create(
        project=project, status="construction", date=datetime.date(2024, 5, 2), note="Works began"
    )
    StatusChange.objects.create(project=project, status="planned", date=datetime.date(2023, 11, 20))
    StatusChange.objects.create(project=project, status="design", date=datetime.date(2024, 1, 15))
    content = content_of(client.get(detail(project)))
    timeline = content[content.index('<ol class="timeline">') :]
    timeline = timeline[: timeline.index("</ol>")]
    steps = re.findall(r'<span class="timeline-status">(\w+)</span>', timeline)
    assert steps == ["Planned", "Design", "Construction"]
    current = re.search(r'<li class="timeline-step timeline-current" aria-current="step">(.*?)</li>', timeline, re.S)
    assert "Construction" in current.group(1)
    assert '<time datetime="2024-05-02">' in current.group(1)
    assert "Works began" in current.group(1)


def test_the_map_draws_the_project_on_the_tile_url_setting_with_its_district_outline(client):
    content = content_of(client.get(detail(ProjectFactory())))
    config = map_config(content)
    assert config["tiles"]["url"] == settings.MAP_TILE_URL
    assert config["features"][0]["geometry"]["type"] == "LineString"
    assert config["outlines"][0]["properties"]["name"] == "Almaly District"
    assert content.count(settings.MAP_TILE_URL) == 1, "the tile URL is written somewhere else than the map config"


def test_the_page_lists_a_park_within_300_m_with_its_distance(client):
    GreenAreaFactory(name_en="Panfilov Park", geom=PARK_NEAR_ARBAT.clone())
    content = content_of(client.get(detail(ProjectFactory())))
    park = re.search(r"<li>Panfilov Park <span class=\"related-distance\">(\d+) m away</span></li>", content)
    assert park, "the park is not listed with its distance"
    assert 200 <= int(park.group(1)) <= 300


def test_the_page_leaves_out_a_park_farther_than_300_m(client):
    GreenAreaFactory()  # Gorky Park, 1.6 km east of Arbat
    assert "Gorky Central Park" not in content_of(client.get(detail(ProjectFactory())))


def test_the_page_lists_other_published_projects_within_500_m(client):
    project = ProjectFactory()
    ProjectFactory(title_en="Playground on Kaldayakov", category=CategoryFactory(slug="playground"), geom=KALDAYAKOV)
    ProjectFactory(title_en="Furmanov", geom=FURMANOV.clone())
    content = content_of(client.get(detail(project)))
    assert re.search(r'>Playground on Kaldayakov</a> <span class="related-distance">3\d\d m away</span>', content)
    assert "Furmanov" not in content


def test_urbanists_see_the_links_to_edit_the_project(client, urbanist):
    project = ProjectFactory()
    client.force_login(urbanist)
    content = content_of(client.get(detail(project)))
    for name in ("edit", "status", "photos", "history"):
        assert f'href="{reverse(f"projects:{name}", args=[project.pk])}"' in content


def test_visitors_see_no_link_to_edit_the_project(client):
    project = ProjectFactory()
    assert reverse("projects:edit", args=[project.pk]) not in content_of(client.get(detail(project)))


# Photos (photos.services, written alongside)


def upload(name: str, **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, arbat_jpeg(**kwargs), content_type="image/jpeg")


def test_the_page_shows_a_before_and_after_pair_and_its_viewpoint_on_the_map(client, urbanist):
    from photos.services import add_photo, pair_photos

    project = ProjectFactory()
    before = add_photo(project, upload("before.jpg"), user=urbanist, phase="before", caption="Cars parked")
    after = add_photo(project, upload("after.jpg", colour="#b0b0b0"), user=urbanist, phase="after")
    pair_photos(before, after)
    content = content_of(client.get(detail(project)))
    assert "Before and after" in content
    assert before.image.url in content
    assert after.image.url in content
    viewpoints = map_config(content)["photos"]
    assert len(viewpoints) == 2
    assert viewpoints[0]["bearing"] == 90
    assert "looking east" in viewpoints[0]["label"]


def test_the_page_shows_a_photo_without_a_pair_in_the_gallery(client, urbanist):
    from photos.services import add_photo

    project = ProjectFactory()
    photo = add_photo(project, upload("street.jpg"), user=urbanist, caption="Zhibek Zholy in May")
    content = content_of(client.get(detail(project)))
    assert '<h2 id="photos-title">Photos</h2>' in content
    assert photo.thumbnail.url in content or photo.image.url in content
