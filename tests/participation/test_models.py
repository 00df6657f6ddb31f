"""What a proposal derives from where it lies, and who may see it."""

import pytest
from django.contrib.gis.geos import LineString, Point

from participation.models import Proposal
from tests.factories import AUEZOV, PANFILOV_BENCH, DistrictFactory, ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_point_proposal_is_anchored_on_itself_in_web_mercator_and_takes_its_district():
    almaly = DistrictFactory()

    proposal = ProposalFactory(geom=PANFILOV_BENCH.clone())

    proposal.refresh_from_db()
    assert proposal.anchor.srid == 3857
    lonlat = proposal.anchor.transform(4326, clone=True)
    assert lonlat.x == pytest.approx(PANFILOV_BENCH.x, abs=1e-9)
    assert lonlat.y == pytest.approx(PANFILOV_BENCH.y, abs=1e-9)
    assert proposal.district == almaly
    assert list(proposal.districts.all()) == [almaly]


def test_a_line_across_two_districts_lies_in_both_and_is_routed_by_its_anchor():
    almaly = DistrictFactory()
    auezov = DistrictFactory(name="Auezov", name_en="Auezov District", geom=AUEZOV.clone())
    # A walk from Auezov (west) into Almaly.
    walk = LineString((76.85, 43.23), (76.90, 43.245), srid=4326)
    proposal = ProposalFactory(geom=walk)

    assert set(proposal.districts.all()) == {almaly, auezov}
    assert proposal.district in (almaly, auezov)
    assert proposal.anchor.transform(4326, clone=True).distance(walk) < 1e-9


def test_moving_a_proposal_derives_its_district_again():
    DistrictFactory()
    proposal = ProposalFactory()
    proposal.geom = Point(76.7, 43.1, srid=4326)  # outside every district

    proposal.save(update_fields=["geom"])

    proposal.refresh_from_db()
    assert proposal.district is None
    assert not proposal.districts.exists()
    assert proposal.anchor.transform(4326, clone=True).x == pytest.approx(76.7)


def test_everyone_sees_published_proposals_authors_their_own_and_moderators_all(moderator):
    author = UserFactory(role="resident")
    published = ProposalFactory()
    pending = ProposalFactory(visibility="pending", author=author)
    hidden = ProposalFactory(visibility="hidden", author=author)
    other = UserFactory(role="resident")

    assert set(Proposal.objects.visible_to(None)) == {published}
    assert set(Proposal.objects.visible_to(other)) == {published}
    assert set(Proposal.objects.visible_to(author)) == {published, pending, hidden}
    assert set(Proposal.objects.visible_to(moderator)) == {published, pending, hidden}


def test_a_polygon_proposal_is_anchored_inside_it():
    square = LineString((76.944, 43.257), (76.946, 43.257), (76.946, 43.259), (76.944, 43.259), (76.944, 43.257))
    from django.contrib.gis.geos import Polygon

    proposal = ProposalFactory(geom=Polygon(square.coords, srid=4326))

    assert proposal.geom.contains(proposal.anchor.transform(4326, clone=True))
