"""A ballot's results: the page, the JSON the projector reads, the CSV and the projector view; who sees them
when; and a draft item, which appears on none of them."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from participation import voting
from participation.models import ResultsShown
from tests.factories import BallotFactory, CityFactory, ConceptFactory, ItemFactory, ParkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def almaty(db):
    return CityFactory()


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def url(name, ballot):
    return reverse(f"workshops:{name}", args=[ballot.pk])


def vote(ballot, marks_by_title: dict[str, int]):
    """A new resident's vote: {concept title: points}."""
    items = {item.subject.title: item.pk for item in ballot.items.all()}
    return voting.cast_vote(
        ballot, voting.Voter(account=UserFactory()), {items[title]: points for title, points in marks_by_title.items()}
    )


@pytest.fixture
def ballot(db):
    """A points ballot (10 points, 5 on one item) on Shade, Water and Lights, with three votes:
    Shade 5 + 5 + 2 = 12, Water 5 + 3 = 8, Lights 5 + 3 = 8: 28 points in all."""
    ballot = BallotFactory(points=True)
    park = ParkFactory()
    for title in ("Shade", "Water", "Lights"):
        ItemFactory(ballot=ballot, subject=ConceptFactory(park=park, title_en=title))
    vote(ballot, {"Shade": 5, "Water": 5})
    vote(ballot, {"Shade": 5, "Lights": 5})
    vote(ballot, {"Shade": 2, "Water": 3, "Lights": 3})
    return ballot


def close(ballot):
    ballot.opens_at = timezone.now() - datetime.timedelta(days=2)
    ballot.closes_at = timezone.now() - datetime.timedelta(minutes=5)
    ballot.save()


def after_close(ballot):
    ballot.results_shown = ResultsShown.AFTER_CLOSE
    ballot.save()


def table_rows(response) -> list[list[str]]:
    body = re.search(r'<table class="results-table".*?<tbody>(.*?)</tbody>', response.content.decode(), re.S)[1]
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


# The page


def test_the_results_page_ranks_every_item_with_ties_marked(client, ballot):
    response = client.get(url("results", ballot))

    assert table_rows(response) == [
        ["1", "Park renovation concept Shade", "12", "42.9 %"],
        ["2 tied", "Park renovation concept Water", "8", "28.6 %"],
        ["2 tied", "Park renovation concept Lights", "8", "28.6 %"],
    ]


def test_the_results_page_states_the_rule_and_the_votes_cast(client, ballot):
    page_text = text(client.get(url("results", ballot)))

    assert "Each voter spread up to 10 points, at most 5 on one item; the item with the most points leads." in page_text
    assert "3 votes cast" in page_text
    assert "Live result: voting is open until" in page_text


def test_the_results_page_draws_bars_and_shades_each_item_by_its_share(client, ballot):
    response = client.get(url("results", ballot))
    shades = response.context["maps_config"]["shades"]
    shade, water, _lights = ballot.items.order_by("position")

    assert re.search(r'class="result-bar" style="width: 100\.0%"', response.content.decode())
    assert re.search(r'class="result-bar" style="width: 66\.7%"', response.content.decode())
    assert shades[str(shade.pk)] == "#006d2c"  # 42.9 %: the darkest class, from 40 %
    assert shades[str(water.pk)] == "#74c476"  # 28.6 %: from 20 to 30 %
    assert "40 % or more" in text(response)


def test_the_results_page_links_the_csv_and_the_projector(client, ballot):
    content = client.get(url("results", ballot)).content.decode()

    assert url("results_csv", ballot) in content
    assert url("projector", ballot) in content


def test_results_shown_after_closing_are_not_shown_while_voting_is_open(client, resident, ballot):
    after_close(ballot)
    client.force_login(resident)

    response = client.get(url("results", ballot))

    assert response.status_code == 200
    assert "The results are not shown yet" in text(response)
    assert "The results of this ballot are shown once voting closes, on" in text(response)
    assert "Shade" not in text(response)


def test_an_organiser_sees_results_before_they_are_shown_to_everybody(client, urbanist, ballot):
    after_close(ballot)
    client.force_login(urbanist)

    response = client.get(url("results", ballot))

    assert table_rows(response)[0][1] == "Park renovation concept Shade"


def test_once_closed_the_results_are_final_and_published(client, ballot):
    after_close(ballot)
    close(ballot)

    response = client.get(url("results", ballot))

    assert "Final result: voting closed on" in text(response)
    ballot.refresh_from_db()
    assert ballot.published_totals["voters"] == 3


def test_an_unknown_ballot_has_no_results(client):
    assert client.get(reverse("workshops:results", args=[999_999])).status_code == 404


# The JSON the projector reads


def test_the_json_has_the_ballot_its_voters_and_every_item_ranked(client, ballot):
    data = client.get(url("results_json", ballot)).json()
    shade = ballot.items.order_by("position").first()

    assert data["ballot"] == ballot.pk
    assert data["published"] is False
    assert data["closed"] is False
    assert data["voters"] == 3
    assert data["closes_at"] == timezone.localtime(ballot.closes_at).isoformat()
    assert data["items"][0] == {
        "id": shade.pk,
        "title": "Shade",
        "kind": "Park renovation concept",
        "total": 12,
        "total_text": "12",
        "share": 12 / 28,
        "share_text": "42.9 %",
        "rank": 1,
        "tied": False,
    }
    assert [(item["title"], item["rank"], item["tied"]) for item in data["items"][1:]] == [
        ("Water", 2, True),
        ("Lights", 2, True),
    ]
    assert data["voters_text"] == "3 votes cast"
    assert data["updated_text"].startswith("Updated ")


def test_the_json_follows_a_new_vote(client, ballot):
    vote(ballot, {"Lights": 5})

    data = client.get(url("results_json", ballot)).json()

    assert [(item["title"], item["total"]) for item in data["items"]] == [("Lights", 13), ("Shade", 12), ("Water", 8)]


def test_the_json_is_refused_while_the_results_wait_for_the_close(client, ballot):
    after_close(ballot)

    response = client.get(url("results_json", ballot))

    assert response.status_code == 403
    assert response.json()["error"] == "The results are not shown yet."


# The CSV


def test_the_csv_is_utf8_with_a_byte_order_mark_and_one_row_per_item(client, ballot):
    response = client.get(url("results_csv", ballot))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="ballot-{ballot.pk}-results.csv"' in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0]) == ["rank", "tied", "kind", "title", "total", "share", "url"]
    assert [(row["rank"], row["tied"], row["title"], row["total"], row["share"]) for row in rows] == [
        ("1", "no", "Shade", "12", "0.4286"),
        ("2", "yes", "Water", "8", "0.2857"),
        ("2", "yes", "Lights", "8", "0.2857"),
    ]
    shade = next(item.subject for item in ballot.items.all() if item.subject.title == "Shade")
    assert rows[0]["url"] == "http://testserver" + shade.get_absolute_url()
    assert rows[0]["kind"] == "Park renovation concept"


def test_the_csv_keeps_a_title_that_starts_like_a_formula_as_text(client, ballot):
    concept = ballot.items.order_by("position").first().subject
    concept.title_en = "=HYPERLINK(1)"
    concept.save()

    rows = list(csv.DictReader(io.StringIO(client.get(url("results_csv", ballot)).content.decode("utf-8-sig"))))

    assert rows[0]["title"] == "'=HYPERLINK(1)"


def test_the_csv_is_refused_while_the_results_wait_for_the_close(client, ballot):
    after_close(ballot)

    response = client.get(url("results_csv", ballot))

    assert response.status_code == 403
    assert "text/csv" not in response["Content-Type"]


# The projector


def test_the_projector_shows_the_figures_and_polls_the_json(client, ballot, settings):
    settings.BALLOT_PROJECTOR_REFRESH_SECONDS = 7

    response = client.get(url("projector", ballot))

    assert "3 votes cast" in text(response)
    assert re.search(r"Rank 1: 12 \(42\.9 %\)", text(response))
    config = response.context["projector_config"]
    assert config["url"] == url("results_json", ballot)
    assert config["refreshSeconds"] == 7
    assert 'class="site-header"' not in response.content.decode()


def test_the_projector_waits_for_the_close_when_results_are_shown_after_it(client, ballot):
    after_close(ballot)

    response = client.get(url("projector", ballot))

    assert "The results are not shown yet" in text(response)
    assert "projector-config" not in response.content.decode()


# A draft never shows


def test_a_draft_concept_on_a_ballot_appears_on_no_results_page_json_csv_or_projector(client, ballot):
    concept = ballot.items.order_by("position").first().subject
    concept.title_en = "Secret draft"
    concept.is_published = False
    concept.save()

    for name in ("results", "results_json", "results_csv", "projector"):
        response = client.get(url(name, ballot))
        assert response.status_code == 200
        assert "Secret draft" not in response.content.decode("utf-8-sig"), name
    assert client.get(url("results_json", ballot)).json()["items"][0]["title"] == "(removed)"
