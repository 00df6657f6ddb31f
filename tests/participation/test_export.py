"""The CSV export of proposals: published ones only, filtered like the list, safe to open in a spreadsheet."""

import csv
import io

import pytest
from django.urls import reverse

from tests.factories import ARBAT, ProposalFactory

pytestmark = pytest.mark.django_db


def exported(client, **filters) -> list[dict]:
    response = client.get(reverse("participation:export"), filters)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_only_published_proposals_are_exported(client, moderator):
    published = ProposalFactory(title="Fix the light")
    ProposalFactory(title="Waiting", visibility="pending")
    ProposalFactory(title="Hidden", visibility="hidden")
    client.force_login(moderator)

    rows = exported(client)

    assert [row["title"] for row in rows] == ["Fix the light"]
    assert rows[0]["id"] == str(published.pk)
    assert rows[0]["url"].endswith(published.get_absolute_url())
    assert rows[0]["wkt"].startswith("POINT")


def test_the_export_follows_the_list_filters(client):
    ProposalFactory(title="A line", geom=ARBAT.clone(), kind="public_space")
    ProposalFactory(title="A report", kind="problem")

    assert [row["title"] for row in exported(client, kind="problem")] == ["A report"]


def test_a_formula_in_a_title_stays_text_in_a_spreadsheet(client):
    ProposalFactory(title='=HYPERLINK("http://evil.example","click")', description="+1 and -2")

    [row] = exported(client)

    assert row["title"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["description"] == "'+1 and -2"


def test_a_bad_filter_is_named(client):
    response = client.get(reverse("participation:export"), {"kind": "nonsense"})

    assert response.status_code == 400
    assert "kind" in response.json()["fields"]


def test_the_list_links_to_the_export_with_its_filters(client):
    page = client.get(reverse("participation:list"), {"kind": "problem"}).content.decode()

    assert f"{reverse('participation:export')}?kind=problem" in page
