"""The yearly figures page and its CSV export: the numbers of projects.figures.yearly_figures, shown and exported."""

import csv
import datetime
import io
import json
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from projects.figures import FIGURES, yearly_figures
from tests.factories import ASTANA_SQUARE, AUEZOV, CategoryFactory, CityFactory, DistrictFactory, ProjectFactory

pytestmark = pytest.mark.django_db

FIGURES_PAGE = reverse("projects:figures")
FIGURES_CSV = reverse("projects:figures_csv")


@pytest.fixture(autouse=True)
def almaty(db):
    CityFactory()
    return DistrictFactory()


@pytest.fixture
def auezov(db):
    return DistrictFactory(name="Auezov", name_en="Auezov District", geom=AUEZOV.clone())


def completed(year: int, **kwargs):
    return ProjectFactory(
        status="completed",
        actual_start=datetime.date(year, 4, 1),
        actual_end=datetime.date(year, 9, 1),
        **kwargs,
    )


@pytest.fixture
def works():
    """Arbat and Astana Square completed in 2017, another Arbat in 2019, a draft that is not counted."""
    completed(2017)
    completed(2017, category=CategoryFactory(slug="square"), geom=ASTANA_SQUARE.clone())
    completed(2019)
    completed(2019, is_published=False)


def table_rows(content: str) -> dict[str, list[str]]:
    body = content[content.index("<tbody>") : content.index("</tbody>")]
    rows = {}
    for year, cells in re.findall(r'<th scope="row">(\d+)</th>(.*?)</tr>', body, re.S):
        rows[year] = re.findall(r"<td>([^<]*)</td>", cells)
    return rows


def test_the_table_shows_the_numbers_of_yearly_figures_formatted(client, works):
    rows = table_rows(client.get(FIGURES_PAGE).content.decode())
    for row in yearly_figures():
        cells = dict(zip((key for key, _label in FIGURES), rows[str(row.year)], strict=True))
        assert cells["pedestrian_km"] == f"{row.pedestrian_km:.2f}"
        assert cells["square_m2"] == f"{round(row.square_m2):,}"
        assert cells["completed"] == str(row.completed)


def test_the_table_has_a_row_per_year_oldest_first(client, works):
    rows = table_rows(client.get(FIGURES_PAGE).content.decode())
    assert list(rows) == ["2017", "2019"]


def test_the_table_heads_each_column_with_the_figures_label(client, works):
    content = client.get(FIGURES_PAGE).content.decode()
    for _key, label in FIGURES:
        assert f'<th scope="col">{label}</th>' in content


def test_the_table_leaves_out_unpublished_projects(client, works):
    rows = table_rows(client.get(FIGURES_PAGE).content.decode())
    completed_column = [key for key, _label in FIGURES].index("completed")
    assert rows["2019"][completed_column] == "1"


def test_the_table_groups_square_metres_as_the_russian_page_does(client, works):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    content = client.get(FIGURES_PAGE).content.decode()
    square = next(row.square_m2 for row in yearly_figures() if row.year == 2017)
    assert f"<td>{round(square):,}</td>".replace(",", "\xa0") in content


def test_the_district_select_shows_one_districts_figures(client, works, almaty):
    completed(2018, geom=ASTANA_SQUARE.clone(), category=CategoryFactory(slug="square"))
    rows = table_rows(client.get(FIGURES_PAGE, {"district": almaty.pk}).content.decode())
    assert list(rows) == ["2017", "2018", "2019"]


def test_a_district_without_completed_projects_says_so(client, works, auezov):
    content = client.get(FIGURES_PAGE, {"district": auezov.pk}).content.decode()
    assert "No completed project is published yet for Auezov District." in content


def test_an_unknown_district_shows_the_forms_message(client, works):
    response = client.get(FIGURES_PAGE, {"district": "999999"})
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()


def test_the_page_says_what_is_counted(client):
    content = client.get(FIGURES_PAGE).content.decode()
    assert "completed, published projects, counted in the year they were completed" in content
    assert "a project crossing districts is split between them" in content


def test_the_chart_is_an_image_with_a_label_and_its_numbers_are_the_tables(client, works):
    content = client.get(FIGURES_PAGE).content.decode()
    assert re.search(r'<canvas id="figures-chart" role="img" aria-label="Bar chart of [^"]+">', content)
    config = json.loads(
        re.search(r'<script id="figures-config" type="application/json">(.*?)</script>', content, re.S).group(1)
    )
    assert config["years"] == [2017, 2019]
    counted = next(series for series in config["series"] if series["key"] == "completed")
    assert counted["values"] == [2, 1]


def test_the_page_loads_chart_js_from_the_sites_own_files(client, works):
    assert 'src="/static/vendor/chartjs-4.6.1/chart.umd.min.js"' in client.get(FIGURES_PAGE).content.decode()


def test_the_page_links_to_the_csv_of_the_district_shown(client, almaty):
    content = client.get(FIGURES_PAGE, {"district": almaty.pk}).content.decode()
    assert f'href="{FIGURES_CSV}?district={almaty.pk}"' in content


# The CSV


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "the CSV has no byte-order mark for Excel"
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_csv_is_an_attachment(client, works):
    response = client.get(FIGURES_CSV)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="qala-yearly-figures.csv"'


def test_the_csv_has_a_header_and_a_row_per_year_with_plain_numbers(client, works):
    header, *rows = read_csv(client.get(FIGURES_CSV))
    assert header == ["Year", *(str(label) for _key, label in FIGURES)]
    figures = {row.year: row for row in yearly_figures()}
    assert [row[0] for row in rows] == ["2017", "2019"]
    for row in rows:
        expected = figures[int(row[0])]
        values = dict(zip((key for key, _label in FIGURES), row[1:], strict=True))
        assert values["pedestrian_km"] == f"{expected.pedestrian_km:.3f}"
        assert values["square_m2"] == str(round(expected.square_m2))
        assert values["completed"] == str(expected.completed)


def test_the_csv_header_is_in_the_visitors_language(client, works):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    header = read_csv(client.get(FIGURES_CSV))[0]
    with translation.override("ru"):
        assert header == [translation.gettext("Year"), *(str(label) for _key, label in FIGURES)]


def test_the_csv_of_a_district_names_it(client, works, almaty):
    header, *rows = read_csv(client.get(FIGURES_CSV, {"district": almaty.pk}))
    assert header[:2] == ["Year", "District"]
    assert {row[1] for row in rows} == {"Almaly District"}


def test_the_csv_refuses_an_unknown_district(client):
    assert client.get(FIGURES_CSV, {"district": "nope"}).status_code == 400
