"""corridors_demo: demo corridors along the real rivers, canal and railways of the loaded city, and their removal."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import LineString, MultiPolygon, Polygon
from django.core.management import CommandError, call_command

from corridors import services
from corridors.models import Corridor, Segment
from gis_data.loading import load_city_pack
from gis_data.models import Waterway
from photos.models import Photo
from tests.factories import (
    CityFactory,
    CorridorFactory,
    DistrictFactory,
    PhotoFactory,
    RailwayFactory,
    WaterwayFactory,
)

pytestmark = pytest.mark.django_db

# A district over central Almaty, about 12 km by 11 km, so the lines below run inside the city.
CENTRE = MultiPolygon(Polygon.from_bbox((76.85, 43.20, 77.00, 43.30)), srid=4326)
# Simplified courses, named as the 2012 extract names them (Russian, or English for the canal).
MALAYA = LineString((76.9600, 43.2200), (76.9640, 43.2550), (76.9650, 43.2900), srid=4326)
VESNOVKA = LineString((76.9200, 43.2100), (76.9230, 43.2450), (76.9210, 43.2800), srid=4326)
CANAL = LineString((76.8600, 43.2950), (76.9300, 43.2960), (76.9900, 43.2940), srid=4326)
BRANCH = LineString((76.9000, 43.2600), (76.9200, 43.2720), (76.9400, 43.2850), srid=4326)
SHARED = Path(settings.CITY_PACK).parent


@pytest.fixture
def city_lines():
    """A piece of Almaty with two rivers, the canal and an unnamed railway branch; no Bolshaya Almatinka."""
    city = CityFactory()
    DistrictFactory(geom=CENTRE.clone())
    unnamed = {"name_kk": "", "name_ru": "", "name_en": ""}
    WaterwayFactory(name="Малая Алматинка", geom=MALAYA.clone(), **unnamed)
    WaterwayFactory(name="Весновка", geom=VESNOVKA.clone(), **unnamed)
    WaterwayFactory(name="Big Almaty Canal", kind="canal", geom=CANAL.clone(), **unnamed)
    RailwayFactory(name="", geom=BRANCH.clone())
    return city


def run(*args) -> str:
    out = StringIO()
    call_command("corridors_demo", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_it_draws_published_demo_corridors_along_the_lines_the_city_has(city_lines):
    output = run()
    corridors = Corridor.objects.order_by("name_en")
    assert [corridor.name_en for corridor in corridors] == [
        "Big Almaty Canal bike route (demo)",
        "Malaya Almatinka promenade (demo)",
        "Rails to trails on a railway branch (demo)",
        "Vesnovka green corridor (demo)",
    ]
    assert all(corridor.is_demo and corridor.is_published for corridor in corridors)
    assert "Almaty: 4 demo corridors added (0 earlier ones replaced)." in output


def test_a_line_the_pack_does_not_have_is_skipped_with_a_message(city_lines):
    output = run()
    assert "Bolshaya Almatinka is not in the city pack" in output
    assert not Corridor.objects.filter(name_en__startswith="Bolshaya").exists()


def test_the_names_say_demo_in_kazakh_russian_and_english(city_lines):
    run()
    for corridor in Corridor.objects.all():
        assert corridor.name_en.endswith("(demo)")
        assert corridor.name_ru.endswith("(демо)")
        assert corridor.name_kk.endswith("(демо)")
        assert corridor.description_en and corridor.description_ru and corridor.description_kk


def test_each_corridor_is_two_to_four_segments_of_mixed_modes_and_statuses(city_lines):
    run()
    for corridor in Corridor.objects.all():
        assert 2 <= corridor.segments.count() <= 4
    assert {segment.mode for segment in Segment.objects.all()} == {"bike", "pedestrian", "shared"}
    assert len({segment.status for segment in Segment.objects.all()}) >= 2
    assert len({corridor.kind for corridor in Corridor.objects.all()}) >= 3


def test_the_segments_follow_the_river_they_are_named_for_and_are_measured(city_lines):
    run()
    promenade = Corridor.objects.get(name_en="Malaya Almatinka promenade (demo)")
    for segment in promenade.segments.all():
        assert (segment.follows, segment.follows_name) == ("river", "Малая Алматинка")
        assert segment.follows_share > 0.9
        assert segment.length_m > 500
        assert segment.districts.exists()
    assert promenade.length_m == pytest.approx(sum(s.length_m for s in promenade.segments.all()))
    assert 4000 < promenade.length_m < 4600
    canal = Corridor.objects.get(name_en="Big Almaty Canal bike route (demo)")
    assert {segment.follows for segment in canal.segments.all()} == {"canal"}
    trail = Corridor.objects.get(kind="rails_to_trails")
    assert {segment.follows for segment in trail.segments.all()} == {"railway"}


def test_a_promenade_runs_on_the_embankment_beside_the_river_not_in_it(city_lines):
    run()
    river = Waterway.objects.get(name="Малая Алматинка").geom.transform(32643, clone=True)
    for segment in Corridor.objects.get(kind="river_promenade").segments.all():
        middle = segment.geom.transform(32643, clone=True).interpolate_normalized(0.5)
        assert 10 < river.distance(middle) < 20


def test_the_segments_of_a_corridor_join_end_to_start(city_lines):
    run()
    for corridor in Corridor.objects.all():
        segments = list(corridor.segments.order_by("position"))
        for before, after in zip(segments, segments[1:], strict=False):
            assert before.geom.coords[-1] == pytest.approx(after.geom.coords[0], abs=1e-7)


def test_a_disused_railway_is_taken_for_the_trail_when_the_city_has_one(city_lines):
    disused = LineString((76.8700, 43.2100), (76.8750, 43.2300), srid=4326)
    RailwayFactory(name="", kind="disused", in_use=False, geom=disused.clone())
    run()
    trail = Corridor.objects.get(kind="rails_to_trails")
    assert all(segment.follows == "disused_railway" for segment in trail.segments.all())


def test_running_it_again_replaces_the_demo_corridors(city_lines):
    run()
    first = set(Corridor.objects.values_list("pk", flat=True))
    output = run()
    assert Corridor.objects.count() == len(first)
    assert not first & set(Corridor.objects.values_list("pk", flat=True))
    assert "(4 earlier ones replaced)" in output
    assert Corridor.history.filter(id__in=first).count() == 0


def test_if_empty_fills_a_city_without_corridors(city_lines):
    run("--if-empty")
    assert Corridor.objects.count() == 4


def test_if_empty_leaves_a_city_with_corridors_alone(city_lines, urbanist):
    services.create_corridor(CorridorFactory.build(), user=urbanist)
    output = run("--if-empty")
    assert "There are corridors already" in output
    assert Corridor.objects.count() == 1


def test_remove_deletes_the_demo_corridors_with_their_segments_photos_and_history_and_nothing_else(
    city_lines, urbanist, django_capture_on_commit_callbacks
):
    real = services.create_corridor(CorridorFactory.build(name_en="Real"), user=urbanist)
    run()
    demo = Corridor.objects.filter(is_demo=True).first()
    image = Path(PhotoFactory(owner=demo).image.path)

    with django_capture_on_commit_callbacks(execute=True):
        output = run("--remove")

    assert "4 demo corridors removed." in output
    assert list(Corridor.objects.all()) == [real]
    assert not Segment.objects.exists()
    assert not Segment.history.exists()
    assert list(Corridor.history.values_list("id", flat=True)) == [real.pk]
    assert not Photo.objects.exists()
    assert not image.exists()


def test_it_refuses_when_no_city_is_loaded(db):
    with pytest.raises(CommandError, match="No city is loaded"):
        run()


# The real Almaty pack ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def almaty(django_db_setup, django_db_blocker):
    """The real Almaty pack, loaded once for this module and rolled back after it."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        report = load_city_pack(settings.CITY_PACK)
        yield report
        transaction.set_rollback(True)


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared Almaty data is not beside the repository")
def test_on_the_real_pack_it_draws_five_to_seven_corridors_along_its_rivers(almaty, db):
    output = run()
    assert 5 <= Corridor.objects.count() <= 7
    assert "is not in the city pack" not in output
    follows = {
        corridor.name_en: set(corridor.segments.values_list("follows_name", flat=True))
        for corridor in Corridor.objects.all()
    }
    assert follows["Malaya Almatinka promenade (demo)"] == {"Малая Алматинка"}
    assert follows["Bolshaya Almatinka green corridor (demo)"] == {"р. Большая Алматинка"}
    assert follows["Vesnovka green corridor (demo)"] == {"Весновка"}
    assert follows["Big Almaty Canal bike route (demo)"] == {"Big Almaty Canal"}
    for segment in Segment.objects.all():
        assert segment.length_m > 300
        assert segment.climb_m is not None  # the DEM covers every demo line
        assert segment.profile["elevations"]
