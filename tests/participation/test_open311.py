"""Open311 GeoReport v2: services and problem reports, read and posted with raw HTTP against the running server."""

import datetime
import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from participation.apikeys import create_api_client
from participation.models import ApiClient, Proposal, Route
from participation.services import publish_proposal
from tests.factories import (
    ARBAT,
    PANFILOV_BENCH,
    CityFactory,
    DepartmentFactory,
    DistrictFactory,
    PhotoFactory,
    ProposalCategoryFactory,
    ProposalFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


class Response:
    def __init__(self, status: int, headers, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)

    def xml(self) -> ET.Element:
        return ET.fromstring(self.body)  # noqa: S314 (our own server's answer, in a test)


def call(url: str, data: dict | None = None) -> Response:
    """GET ``url``, or POST ``data`` form-encoded; an HTTP error is returned like any response."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=10) as response:  # noqa: S310 (the test server)
            return Response(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, error.headers, error.read())


@pytest.fixture
def api(live_server):
    """Call the endpoint: api("requests.json", status="open"), or api("requests.json", post={...})."""

    def request(resource: str, post: dict | None = None, **params) -> Response:
        url = f"{live_server.url}/open311/v2/{resource}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        return call(url, post)

    return request


@pytest.fixture
def city(db):
    district = DistrictFactory()
    CityFactory()
    return district


@pytest.fixture
def lighting(db):
    return ProposalCategoryFactory(slug="lighting")


@pytest.fixture
def api_key(db) -> str:
    return create_api_client("City back-end", contact_email="it@example.org")[1]


def report(api_key: str, **fields) -> dict:
    """The form of a report of a dark street light on Panfilov Street."""
    return {
        "api_key": api_key,
        "service_code": "lighting",
        "lat": str(PANFILOV_BENCH.y),
        "long": str(PANFILOV_BENCH.x),
        "description": "The street light by the bench is out\nIt has been dark for a month.",
        **fields,
    }


def ids(response: Response) -> list[str]:
    return [item["service_request_id"] for item in response.json()]


def test_the_services_are_the_active_categories_in_the_language_asked_for(api, lighting):
    ProposalCategoryFactory(slug="retired", name_en="Retired", is_active=False)

    services = {service["service_code"]: service for service in api("services.json", locale="en").json()}
    russian = api("services.json", locale="ru_KZ")
    in_russian = {service["service_code"]: service for service in russian.json()}

    assert "retired" not in services
    assert services["lighting"]["service_name"] == "Street lighting"
    assert services["lighting"]["metadata"] is False
    assert services["lighting"]["type"] == "realtime"
    assert "Уличное освещение" in services["lighting"]["keywords"]
    assert in_russian["lighting"]["service_name"] == "Уличное освещение"
    assert russian.headers["Content-Language"] == "ru"


def test_the_service_list_in_xml_uses_the_specifications_elements(api, lighting):
    response = api("services.xml", locale="en")

    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    services = response.xml()
    assert services.tag == "services"
    lighting_service = next(s for s in services.findall("service") if s.findtext("service_code") == "lighting")
    assert lighting_service.findtext("service_name") == "Street lighting"
    assert lighting_service.findtext("metadata") == "false"


def test_a_service_definition_has_no_attributes_and_an_unknown_code_is_an_open311_404(api, lighting):
    definition = api("services/lighting.json")
    unknown = api("services/fireworks.json")
    unknown_xml = api("services/fireworks.xml")

    assert definition.json() == {"service_code": "lighting", "attributes": []}
    assert unknown.status == 404
    assert unknown.json()[0]["code"] == 404
    assert "fireworks" in unknown.json()[0]["description"]
    assert unknown_xml.status == 404
    assert unknown_xml.xml().find("error").findtext("code") == "404"


def test_a_posted_report_is_listed_only_once_a_moderator_publishes_it(api, city, lighting, api_key, settings):
    settings.PROPOSALS_PREMODERATION = True
    department = DepartmentFactory(name_en="Energy department")
    Route.objects.update_or_create(category=lighting, district=None, defaults={"department": department})

    posted = api("requests.json", post=report(api_key, email="aigerim@example.org", first_name="Aigerim"))

    assert posted.status == 200
    [answer] = posted.json()
    assert "moderator" in answer["service_notice"]
    proposal = Proposal.objects.get(pk=answer["service_request_id"])
    assert proposal.kind == "problem"
    assert proposal.visibility == "pending"
    assert proposal.title == "The street light by the bench is out"
    assert proposal.api_client == ApiClient.objects.get(name="City back-end")
    assert (proposal.contact_name, proposal.contact_email) == ("Aigerim", "aigerim@example.org")
    assert answer["service_request_id"] not in ids(api("requests.json"))
    assert api(f"requests/{proposal.pk}.json").status == 404

    publish_proposal(proposal)

    [listed] = api("requests.json", locale="en").json()
    assert listed["service_request_id"] == str(proposal.pk)
    assert abs(listed["lat"] - PANFILOV_BENCH.y) < 1e-6
    assert abs(listed["long"] - PANFILOV_BENCH.x) < 1e-6
    assert listed["status"] == "open"
    assert listed["service_code"] == "lighting"
    assert listed["agency_responsible"] == "Energy department"
    assert listed["description"].startswith("The street light by the bench is out")
    assert listed["expected_datetime"]
    assert "media_url" not in listed
    assert api(f"requests/{proposal.pk}.json", locale="en").json() == [listed]
    request_xml = api(f"requests/{proposal.pk}.xml").xml().find("request")
    assert request_xml.findtext("service_request_id") == str(proposal.pk)
    assert abs(float(request_xml.findtext("lat")) - PANFILOV_BENCH.y) < 1e-6


def test_a_posted_report_in_xml_answers_in_xml(api, city, lighting, api_key):
    posted = api("requests.xml", post=report(api_key))

    assert posted.status == 200
    request = posted.xml().find("request")
    assert Proposal.objects.filter(pk=request.findtext("service_request_id")).exists()
    assert request.findtext("service_notice")


def test_a_hidden_or_pending_report_or_an_idea_is_never_returned(api, city, lighting):
    hidden = ProposalFactory(visibility="hidden")
    pending = ProposalFactory(visibility="pending")
    idea = ProposalFactory(kind="public_space")
    shown = ProposalFactory()
    numbers = ",".join(str(p.pk) for p in (hidden, pending, idea, shown))

    assert ids(api("requests.json")) == [str(shown.pk)]
    assert ids(api("requests.json", service_request_id=numbers)) == [str(shown.pk)]
    for proposal in (hidden, pending, idea):
        assert api(f"requests/{proposal.pk}.json").status == 404
        assert api(f"requests/{proposal.pk}.xml").xml().find("error").findtext("code") == "404"


def test_requests_are_filtered_by_status_service_code_and_dates(api, city, lighting):
    roads = ProposalCategoryFactory(slug="roads", name_en="Roads")
    now = timezone.now()
    light = ProposalFactory(created_at=now - datetime.timedelta(days=1))
    pothole = ProposalFactory(category=roads, status="rejected", created_at=now - datetime.timedelta(days=10))
    old = ProposalFactory(created_at=now - datetime.timedelta(days=200))

    assert ids(api("requests.json")) == [str(light.pk), str(pothole.pk)]
    assert ids(api("requests.json", status="closed")) == [str(pothole.pk)]
    assert ids(api("requests.json", status="open")) == [str(light.pk)]
    assert ids(api("requests.json", status="open,closed")) == [str(light.pk), str(pothole.pk)]
    assert ids(api("requests.json", service_code="roads")) == [str(pothole.pk)]
    start = (now - datetime.timedelta(days=300)).isoformat()
    end = (now - datetime.timedelta(days=5)).isoformat()
    assert ids(api("requests.json", start_date=start, end_date=end)) == [str(pothole.pk), str(old.pk)]
    day = timezone.localdate(old.created_at).isoformat()
    assert ids(api("requests.json", start_date=day, end_date=day)) == [str(old.pk)]


def test_a_date_in_a_query_string_with_an_unescaped_plus_is_understood(api, city, lighting):
    shown = ProposalFactory()
    start = timezone.localtime(timezone.now() - datetime.timedelta(hours=1)).isoformat(timespec="seconds")

    # "+05:00" sent as is: the "+" arrives as a space.
    response = api(f"requests.json?start_date={start}")

    assert ids(response) == [str(shown.pk)]


@pytest.mark.parametrize(
    ("parameter", "value"),
    [("start_date", "yesterday"), ("end_date", "2026-13-40"), ("status", "pending"), ("service_request_id", "1,x")],
)
def test_a_bad_filter_is_refused_with_a_400_naming_it(api, city, parameter, value):
    response = api("requests.json", **{parameter: value})

    assert response.status == 400
    [error] = response.json()
    assert error["code"] == 400
    assert parameter in error["description"]


def test_a_missing_wrong_or_deactivated_key_is_refused_with_a_403(api, city, lighting, api_key):
    revoked_client, revoked_key = create_api_client("Old app")
    revoked_client.is_active = False
    revoked_client.save()

    for key in ("", "not-a-key", revoked_key):
        response = api("requests.json", post=report(key))
        assert response.status == 403
        assert response.json()[0]["code"] == 403
    assert not Proposal.objects.exists()


def test_a_latitude_that_is_not_a_number_is_refused_with_a_400(api, city, lighting, api_key):
    response = api("requests.json", post=report(api_key, lat="forty-three"))

    assert response.status == 400
    assert "lat " in response.json()[0]["description"]
    assert not Proposal.objects.exists()


def test_a_report_outside_the_city_is_refused_with_a_400(api, city, lighting, api_key):
    # Astana, a thousand kilometres north-west.
    response = api("requests.json", post=report(api_key, lat="51.1282", long="71.4306"))

    assert response.status == 400
    assert "city" in response.json()[0]["description"]
    assert not Proposal.objects.exists()


def test_an_address_without_a_place_on_the_map_is_refused(api, city, lighting, api_key):
    form = report(api_key, address_string="Panfilov Street 100")
    del form["lat"], form["long"]

    response = api("requests.json", post=form)

    assert response.status == 400
    assert "lat and long" in response.json()[0]["description"]
    assert not Proposal.objects.exists()


def test_a_report_without_a_description_or_with_an_unknown_service_is_refused(api, city, lighting, api_key):
    no_description = api("requests.json", post=report(api_key, description="  "))
    unknown_service = api("requests.json", post=report(api_key, service_code="fireworks"))

    assert no_description.status == 400
    assert "description" in no_description.json()[0]["description"]
    assert unknown_service.status == 400
    assert "service_code" in unknown_service.json()[0]["description"]
    assert not Proposal.objects.exists()


def test_a_key_over_its_limit_is_answered_429_with_retry_after(api, city, lighting, api_key, settings):
    settings.OPEN311_LIMITS_PER_KEY = "2/hour"

    statuses = [api("requests.json", post=report(api_key)).status for _ in range(3)]
    refused = api("requests.json", post=report(api_key))

    assert statuses == [200, 200, 429]
    assert refused.status == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.json()[0]["code"] == 429
    assert Proposal.objects.count() == 2


def test_a_line_is_placed_at_a_point_on_it_and_its_photo_is_linked(api, city, lighting):
    street = ProposalFactory(geom=ARBAT.clone())
    PhotoFactory(owner=street)

    [listed] = api("requests.json").json()

    assert ARBAT.distance(Point(listed["long"], listed["lat"], srid=4326)) < 1e-6
    assert listed["media_url"].startswith("http://")
    assert call(listed["media_url"]).status == 200


def test_answers_to_reads_may_be_cached_for_a_minute_and_an_unknown_format_is_a_404(api, city, lighting):
    listed = api("requests.json")
    unknown = api("requests.csv")

    assert "max-age=60" in listed.headers["Cache-Control"]
    assert "public" in listed.headers["Cache-Control"]
    assert unknown.status == 404
    assert unknown.json()[0]["code"] == 404


def test_discovery_names_the_specification_and_the_base_url(api, live_server):
    [endpoint] = api("discovery.json").json()["endpoints"]

    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == f"{live_server.url}/open311/v2"
    assert api("discovery.xml").xml().find("endpoints/endpoint/formats/format") is not None
