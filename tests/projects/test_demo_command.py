"""projects_demo: demo projects on the real streets and parks of the loaded city, and their removal."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import LineString, MultiPolygon, Polygon
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from gis_data.models import Street
from photos.models import Photo
from projects.models import TRANSITIONS, Category, Project, StatusChange
from tests.factories import (
    ALMALY,
    ARBAT,
    AUEZOV,
    CityFactory,
    DistrictFactory,
    GreenAreaFactory,
    ProjectFactory,
    StreetFactory,
)
from tests.photo_files import jpeg_bytes

pytestmark = pytest.mark.django_db


def _box(west, south, east, north):
    return MultiPolygon(Polygon.from_bbox((west, south, east, north)), srid=4326)


# Streets as the 2012 extract has them: a Russian name only. (class, name, line)
STREETS = [
    ("primary", "ул. Фурманова", LineString((76.9350, 43.2380), (76.9352, 43.2520), (76.9355, 43.2680), srid=4326)),
    ("primary", "улица Толе Би", LineString((76.8800, 43.2520), (76.9400, 43.2525), srid=4326)),
    ("pedestrian", "Жибек Жолы ул.", ARBAT),
    ("tertiary", "ул. Жандосова", LineString((76.8400, 43.2250), (76.8600, 43.2260), srid=4326)),
    ("secondary", "ул. Утеген батыра", LineString((76.8450, 43.2100), (76.8470, 43.2300), srid=4326)),
    ("residential", "ул. Жамбыла", LineString((76.9000, 43.2450), (76.9100, 43.2460), srid=4326)),
    ("residential", "ул. Гоголя", LineString((76.9000, 43.2600), (76.9150, 43.2610), srid=4326)),
    ("residential", "ул. Айтеке би", LineString((76.8900, 43.2550), (76.9000, 43.2555), srid=4326)),
]
PARK = _box(76.9000, 43.2500, 76.9050, 43.2527)  # about 400 m by 300 m, in Almaly
SMALL_PARK = _box(76.9200, 43.2550, 76.9210, 43.2555)  # about 80 m by 55 m: a square


@pytest.fixture
def city_features():
    """A small piece of Almaty: two districts, named main and local streets, a pedestrian street, two parks."""
    city = CityFactory()
    DistrictFactory(geom=ALMALY.clone())
    DistrictFactory(
        name="Auezov", name_kk="Әуезов ауданы", name_ru="Ауэзовский район", name_en="Auezov District", geom=AUEZOV
    )
    StreetFactory()  # Abay Avenue, west to east, named in three languages
    unnamed = {"name_kk": "", "name_ru": "", "name_en": ""}
    for highway, name, geom in STREETS:
        StreetFactory(highway=highway, is_main=highway == "primary", name=name, geom=geom.clone(), **unnamed)
    GreenAreaFactory(name="парк Жастар", geom=PARK.clone(), **unnamed)
    GreenAreaFactory(name="сквер Кунаева", geom=SMALL_PARK.clone(), **unnamed)
    return city


def run(*args) -> str:
    out = StringIO()
    call_command("projects_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    return sorted(
        (p.title_en, p.status, p.planned_start, p.actual_end, p.budget, p.department, p.geom.wkt)
        for p in Project.objects.all()
    )


def test_it_fills_the_city_with_published_demo_projects(city_features):
    output = run()

    projects = Project.objects.all()
    assert projects.count() >= 20
    assert all(project.is_demo and project.is_published for project in projects)
    assert f"{projects.count()} demo projects added" in output


def test_every_demo_line_lies_on_the_street_its_title_names(city_features):
    run()

    lines = Project.objects.filter(category__measure="length")
    assert lines.count() >= 8
    for project in lines:
        name = project.title_ru.split(": ", 1)[1]
        street = Street.objects.get(name=name).geom.transform(32643, clone=True)
        assert street.buffer(1).contains(project.geom.transform(32643, clone=True)), project.title_en


def test_the_playgrounds_lie_inside_the_park_their_title_names(city_features):
    run()

    playgrounds = Project.objects.filter(category__slug="playground")
    assert playgrounds.count() >= 3
    for project in playgrounds:
        assert project.title_en == "Playground: парк Жастар"
        assert project.geom.within(PARK)
        assert project.department == "Аппарат акима Алмалинского района"


def test_the_titles_name_the_category_in_kazakh_russian_and_english(city_features):
    run()

    category = Category.objects.get(slug="pedestrian_zone")
    project = Project.objects.get(category=category)
    assert (project.title_kk, project.title_ru, project.title_en) == (
        "Жаяу жүргіншілер аймағы: Жибек Жолы ул.",
        "Пешеходная зона: Жибек Жолы ул.",
        "Pedestrian zone: Жибек Жолы ул.",
    )


def test_every_timeline_follows_the_transitions_up_to_the_projects_status_and_never_goes_past_today(city_features):
    run()

    today = timezone.localdate()
    for project in Project.objects.all():
        steps = list(project.status_changes.order_by("date", "pk"))
        assert steps[0].status == "planned"
        assert steps[-1].status == project.status
        for before, after in zip(steps, steps[1:], strict=False):
            assert after.status in TRANSITIONS[before.status] and before.date <= after.date
        assert steps[-1].date <= today
        assert datetime.date(2015, 1, 1) <= project.planned_start <= datetime.date(today.year + 1, 12, 31)
        if project.status == "completed":
            assert project.actual_start <= project.actual_end < today


def test_running_it_again_replaces_the_demo_projects_with_the_same_ones(city_features):
    run()
    first = snapshot()

    output = run()

    assert snapshot() == first
    assert f"({len(first)} earlier ones replaced)" in output


def test_if_empty_fills_a_city_without_projects(city_features):
    run("--if-empty")

    assert Project.objects.filter(is_demo=True).exists()


def test_if_empty_leaves_a_city_with_projects_alone(city_features):
    ProjectFactory()

    output = run("--if-empty")

    assert Project.objects.count() == 1
    assert "no demo projects added" in output


def test_remove_deletes_the_demo_projects_and_their_photos_and_nothing_else(
    city_features, django_capture_on_commit_callbacks
):
    real = ProjectFactory(title_en="Real works")
    StatusChange.objects.create(project=real, status="planned", date=datetime.date(2025, 1, 10))
    real_photo = add_photo(real)
    run()
    demo_photo = add_photo(Project.objects.filter(is_demo=True).first())
    demo_file = demo_photo.image.path

    with django_capture_on_commit_callbacks(execute=True):
        output = run("--remove")

    assert list(Project.objects.all()) == [real]
    assert real.status_changes.count() == 1
    assert list(Photo.objects.all()) == [real_photo]
    assert not Project.history.filter(is_demo=True).exists()
    assert not Path(demo_file).exists()
    assert Path(real_photo.image.path).exists() and Path(real_photo.thumbnail.path).exists()
    assert "demo projects removed" in output


def test_it_refuses_when_no_city_is_loaded(db):
    with pytest.raises(CommandError, match="No city is loaded"):
        run()


def test_it_refuses_a_city_without_named_streets(db):
    CityFactory()
    DistrictFactory(geom=ALMALY.clone())
    StreetFactory(name="")

    with pytest.raises(CommandError, match="has no named streets"):
        run()

    assert Project.objects.count() == 0


def add_photo(project: Project) -> Photo:
    return Photo.objects.create(
        content_type=ContentType.objects.get_for_model(Project),
        object_id=project.pk,
        image=ContentFile(jpeg_bytes(), name=f"project-{project.pk}.jpg"),
        thumbnail=ContentFile(jpeg_bytes(64, 48), name=f"project-{project.pk}-thumb.jpg"),
        taken_on=datetime.date(2025, 5, 1),
    )


def test_if_empty_only_warns_about_a_city_without_named_streets_so_the_set_up_goes_on(db):
    CityFactory()
    DistrictFactory(geom=ALMALY.clone())
    errors = StringIO()

    call_command("projects_demo", "--if-empty", stdout=StringIO(), stderr=errors)

    assert "has no named streets" in errors.getvalue()
    assert Project.objects.count() == 0
