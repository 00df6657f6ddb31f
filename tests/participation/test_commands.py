"""participation_routes (an akimat and a route per district) and participation_demo (demo proposals, their removal)."""

from io import StringIO

import pytest
from django.contrib.gis.geos import LineString, MultiPolygon, Polygon
from django.core.management import CommandError, call_command

from accounts.models import User
from gis_data.models import Street
from participation.models import Comment, Department, Proposal, Route, Support
from tests.factories import (
    ALMALY,
    AUEZOV,
    CityFactory,
    CommentFactory,
    DistrictFactory,
    GreenAreaFactory,
    ProposalFactory,
    StreetFactory,
    SupportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DEMO_DOMAIN = "@demo.qala.example"


def run(command: str, *args) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def districts():
    CityFactory()
    almaly = DistrictFactory(geom=ALMALY.clone())
    auezov = DistrictFactory(
        name="Auezov", name_kk="Әуезов ауданы", name_ru="Ауэзовский район", name_en="Auezov District", geom=AUEZOV
    )
    return almaly, auezov


# participation_routes


def test_every_district_gets_its_akimat_and_a_route_to_it(districts):
    almaly, auezov = districts

    output = run("participation_routes")

    route = Route.objects.get(category=None, district=almaly)
    assert route.deadline_days == 30
    akimat = route.department
    assert (akimat.name_kk, akimat.name_ru, akimat.name_en) == (
        "Алмалы ауданының әкімдігі",
        "Акимат Алмалинского района",
        "Akimat of Almaly District",
    )
    assert Route.objects.get(category=None, district=auezov).department.name_ru == "Акимат Ауэзовского района"
    assert "2 akimats and 2 district routes added" in output


def test_running_the_routes_again_adds_nothing_and_keeps_what_an_admin_edited(districts):
    almaly, _auezov = districts
    run("participation_routes")
    route = Route.objects.get(category=None, district=almaly)
    reception = Department.objects.get(slug="reception")
    route.department, route.deadline_days = reception, 10
    route.save()
    departments, routes = Department.objects.count(), Route.objects.count()

    output = run("participation_routes")

    assert (Department.objects.count(), Route.objects.count()) == (departments, routes)
    route.refresh_from_db()
    assert (route.department, route.deadline_days) == (reception, 10)
    assert "0 akimats and 0 district routes added" in output


def test_a_deleted_district_route_comes_back_but_only_without_if_empty(districts):
    almaly, auezov = districts
    run("participation_routes")
    Route.objects.filter(district=auezov).delete()

    skipped = run("participation_routes", "--if-empty")
    assert not Route.objects.filter(district=auezov).exists()
    assert "nothing added" in skipped

    run("participation_routes")
    assert Route.objects.filter(district=auezov).exists()


def test_the_routes_need_a_loaded_city():
    with pytest.raises(CommandError, match="No city is loaded"):
        run("participation_routes")


# participation_demo

STREETS = [
    ("primary", "ул. Фурманова", LineString((76.9350, 43.2380), (76.9352, 43.2520), (76.9355, 43.2680), srid=4326)),
    ("primary", "улица Толе Би", LineString((76.8800, 43.2520), (76.9400, 43.2525), srid=4326)),
    ("tertiary", "ул. Жандосова", LineString((76.8400, 43.2250), (76.8600, 43.2260), srid=4326)),
    ("residential", "ул. Жамбыла", LineString((76.9000, 43.2450), (76.9100, 43.2460), srid=4326)),
    ("residential", "ул. Гоголя", LineString((76.9000, 43.2600), (76.9150, 43.2610), srid=4326)),
]
PARK = MultiPolygon(Polygon.from_bbox((76.9000, 43.2500, 76.9050, 43.2527)), srid=4326)


@pytest.fixture
def city_features(districts):
    """Two districts with named streets and a park, and their akimats."""
    StreetFactory()  # Abay Avenue
    unnamed = {"name_kk": "", "name_ru": "", "name_en": ""}
    for highway, name, geom in STREETS:
        StreetFactory(highway=highway, is_main=highway == "primary", name=name, geom=geom.clone(), **unnamed)
    GreenAreaFactory(name="парк Жастар", geom=PARK.clone(), **unnamed)
    run("participation_routes")
    return districts


def demo_proposals():
    return Proposal.objects.filter(author__email__endswith=DEMO_DOMAIN)


def test_the_demo_fills_the_city_with_proposals_of_demo_residents(city_features):
    output = run("participation_demo", "--count", "24")

    proposals = demo_proposals()
    assert proposals.count() == Proposal.objects.count() >= 20
    assert "demo proposals added" in output
    assert {proposal.geom.geom_type for proposal in proposals} == {"Point", "LineString", "Polygon"}
    assert {proposal.language for proposal in proposals} <= {"kk", "ru", "en"}
    published = proposals.filter(visibility="published")
    assert published.count() >= proposals.count() // 2
    assert all(proposal.department_id and proposal.due_date for proposal in published)
    assert published.exclude(status="published").exists()  # some are answered
    assert Support.objects.filter(proposal__in=published).exists()


def test_the_demo_points_lie_on_real_streets_and_polygons_in_the_park(city_features):
    run("participation_demo", "--count", "24")

    streets = [street.geom.transform(32643, clone=True) for street in Street.objects.all()]
    for proposal in demo_proposals():
        geometry = proposal.geom.transform(32643, clone=True)
        if proposal.geom.geom_type == "Polygon":
            assert proposal.geom.within(PARK.buffer(1e-6)), proposal.title
        else:
            assert any(street.buffer(1).contains(geometry) for street in streets), proposal.title


def test_the_demo_does_nothing_with_if_empty_when_there_are_proposals(city_features):
    ProposalFactory(title="A real proposal")

    output = run("participation_demo", "--if-empty")

    assert list(Proposal.objects.values_list("title", flat=True)) == ["A real proposal"]
    assert "no demo proposals added" in output


def test_running_the_demo_again_replaces_the_demo_proposals(city_features):
    run("participation_demo", "--count", "12")
    first = sorted(demo_proposals().values_list("title", flat=True))

    run("participation_demo", "--count", "12")

    assert sorted(demo_proposals().values_list("title", flat=True)) == first
    assert User.objects.filter(email__endswith=DEMO_DOMAIN).count() == 13  # twelve residents and a moderator


def test_remove_takes_away_exactly_the_demo_proposals_and_residents(city_features):
    resident = UserFactory(role="resident", email="real@example.org")
    real = ProposalFactory(title="A real proposal", author=resident)
    run("participation_demo", "--count", "12")
    demo = demo_proposals().filter(visibility="published").first()
    SupportFactory(proposal=real, user=User.objects.filter(email__endswith=DEMO_DOMAIN).first())
    real_comment = CommentFactory(proposal=demo, author=resident, text="A real comment on a demo proposal.")
    CommentFactory(proposal=real, author=User.objects.filter(email__endswith=DEMO_DOMAIN).first())

    output = run("participation_demo", "--remove")

    assert list(Proposal.objects.all()) == [real]
    assert not User.objects.filter(email__endswith=DEMO_DOMAIN).exists()
    assert User.objects.filter(pk=resident.pk).exists()
    assert not Support.objects.filter(proposal=real).exists()
    assert not Comment.objects.filter(proposal=real).exists()
    assert not Comment.objects.filter(pk=real_comment.pk).exists()  # it went with the demo proposal
    assert "demo proposals removed" in output
