"""The planting pages: the list with survival and overdue inspections, a planting's page, the editor, the
inspection form and the import, with who may use which."""

import datetime
import json

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gis_data.models import DataSource, District
from parks.models import Inspection, Planting
from parks.plantings import save_planting
from tests.factories import AUEZOV, CityFactory, DistrictFactory, InspectionFactory, PlantingFactory
from tests.test_no_external_assets import external_references

pytestmark = pytest.mark.django_db

LIST = reverse("parks:plantings")
CREATE = reverse("parks:planting_create")
IMPORT = reverse("parks:planting_import")
IN_ALMALY = Point(76.9200, 43.2450, srid=4326)
IN_AUEZOV = Point(76.8500, 43.2200, srid=4326)
ROW_OF_TREES = {"type": "LineString", "coordinates": [[76.9000, 43.2450], [76.9100, 43.2460]]}
REPUBLIC_SQUARE = {"type": "Point", "coordinates": [76.9458, 43.2383]}


@pytest.fixture(autouse=True)
def city(db):
    city = CityFactory()
    DistrictFactory()
    DistrictFactory(name="Auezov", name_en="Auezov District", geom=AUEZOV.clone())
    return city


@pytest.fixture
def editor(client, urbanist):
    client.force_login(urbanist)
    return client


def add_planting(city, where=IN_ALMALY, **fields) -> Planting:
    planting = PlantingFactory.build(city=city, geom=where.clone(), **fields)
    return save_planting(planting)


@pytest.fixture
def elms(city) -> Planting:
    """Twenty elms in Almaly, planted in 2022; 18 alive in 2023, 15 in 2024."""
    planting = add_planting(
        city, species="Ulmus pumila", planted_on=datetime.date(2022, 4, 15), felled_on=datetime.date(2022, 3, 1)
    )
    InspectionFactory(planting=planting, inspected_on=datetime.date(2023, 4, 20), alive=18, dead=2)
    InspectionFactory(planting=planting, inspected_on=datetime.date(2024, 4, 20), alive=15, dead=5)
    return planting


@pytest.fixture
def maples(city) -> Planting:
    """Forty maples in Auezov, planted in 2023 for another reason, never inspected."""
    return add_planting(
        city,
        IN_AUEZOV,
        species="Acer negundo",
        count=40,
        planted_on=datetime.date(2023, 5, 2),
        reason="other",
        felled_place=None,
        felled_on=None,
        felled_count=None,
    )


def planting_data(**overrides) -> dict:
    data = {
        "species": "Ulmus pumila",
        "count": "20",
        "planted_on": "2024-04-15",
        "responsible": "Green Economy Department",
        "reason": "compensation",
        "felled_on": "2024-03-01",
        "felled_count": "10",
        "reason_note": "",
        "geom": json.dumps(ROW_OF_TREES),
        "felled_place": json.dumps(REPUBLIC_SQUARE),
    }
    data.update(overrides)
    return data


def table(content: str, table_id: str) -> str:
    start = content.index(f'id="{table_id}"')
    return content[start : content.index("</table>", start)]


# The list ------------------------------------------------------------------------------------------------------


def test_the_list_shows_survival_by_district_for_everyone(client, elms, maples):
    response = client.get(LIST)
    assert response.status_code == 200
    districts = table(response.content.decode(), "survival-districts")
    assert "Almaly District" in districts and "Auezov District" in districts
    assert "75 %" in districts  # 15 of the 20 elms
    assert "1 (40 trees)" in districts  # the maples, not yet inspected
    assert "over the inspected plantings only" in response.content.decode()


def test_the_list_shows_survival_by_year_planted(client, elms, maples):
    years = table(client.get(LIST).content.decode(), "survival-years")
    assert years.index("2022") < years.index("2023")
    assert "75 %" in years


def test_the_list_lists_the_plantings_overdue_for_inspection(client, elms, maples):
    content = client.get(LIST).content.decode()
    overdue = content[content.index("overdue-caption") :]
    overdue = overdue[: overdue.index("</table>")]
    assert "2 plantings overdue" in overdue
    assert "Ulmus pumila, 20 trees" in overdue and "Acer negundo, 40 trees" in overdue
    assert "never" in overdue


def test_the_list_filters_by_district_year_and_reason(client, elms, maples, city):
    auezov = maples.district
    response = client.get(LIST, {"district": auezov.pk})
    assert [row.planting for row in response.context["rows"]] == [maples]
    assert [row.label for row in response.context["by_district"]] == ["Auezov District"]
    assert [row.planting for row in client.get(LIST, {"year": 2022}).context["rows"]] == [elms]
    assert [row.planting for row in client.get(LIST, {"reason": "other"}).context["rows"]] == [maples]


def test_the_list_says_a_filter_it_cannot_read(client, elms):
    response = client.get(LIST, {"district": "999999"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert "rows" not in response.context


def test_the_list_draws_every_planting_on_its_map(client, elms, maples):
    config = client.get(LIST).context["map_config"]
    titles = sorted(feature["properties"]["title"] for feature in config["features"])
    assert titles == ["Acer negundo, 40 trees", "Ulmus pumila, 20 trees"]


def test_the_list_offers_urbanists_to_add_and_import(editor):
    content = editor.get(LIST).content.decode()
    assert CREATE in content and IMPORT in content


def test_the_list_offers_residents_neither_add_nor_import(client, resident):
    client.force_login(resident)
    content = client.get(LIST).content.decode()
    assert CREATE not in content and IMPORT not in content


def test_the_pages_load_nothing_from_another_host(client, editor, elms):
    for url in (LIST, elms.get_absolute_url(), CREATE, IMPORT, reverse("parks:inspection_create", args=[elms.pk])):
        assert external_references(editor.get(url).content.decode(), "html") == [], url


# A planting's page ---------------------------------------------------------------------------------------------


def test_a_planting_page_shows_its_facts_the_felled_place_and_its_inspections(client, elms):
    response = client.get(elms.get_absolute_url())
    content = response.content.decode()
    assert "<h1" in content and "Ulmus pumila, 20 trees" in content
    assert "Almaly District" in content
    assert "Where trees were felled" in content
    assert "latitude 43.23830, longitude 76.94580" in content  # Republic Square
    assert "15 of 20 trees alive at the latest inspection" in content
    inspections = content[content.index("inspections-caption") :]
    assert inspections.index("April 20, 2024") < inspections.index("April 20, 2023")
    kinds = [feature["properties"]["kind"] for feature in response.context["map_config"]["features"]]
    assert kinds == ["planting", "felled"]


def test_a_planting_never_inspected_says_so(client, maples):
    content = client.get(maples.get_absolute_url()).content.decode()
    assert "Not yet inspected: its survival is not known." in content
    assert "Overdue for inspection by" in content


def test_a_planting_page_offers_urbanists_an_inspection(editor, elms):
    content = editor.get(elms.get_absolute_url()).content.decode()
    assert reverse("parks:inspection_create", args=[elms.pk]) in content


# Drawing a planting --------------------------------------------------------------------------------------------


def test_an_urbanist_adds_a_planting_drawn_as_a_line(editor, urbanist):
    response = editor.post(CREATE, planting_data())
    planting = Planting.objects.get()
    assert response.status_code == 302 and response.url == planting.get_absolute_url()
    assert planting.geom.geom_type == "LineString"
    assert planting.district.name == "Almaly"
    assert (planting.felled_place.x, planting.felled_place.y) == (76.9458, 43.2383)
    assert planting.created_by == urbanist


def test_a_planting_with_a_future_date_is_refused_on_its_field(editor):
    response = editor.post(CREATE, planting_data(planted_on="2999-04-15", felled_on="2024-03-01"))
    assert response.status_code == 200
    assert response.context["form"].errors["planted_on"] == ["The planting date April 15, 2999 is in the future."]
    assert not Planting.objects.exists()


def test_a_compensation_without_the_felled_place_is_refused(editor):
    response = editor.post(CREATE, planting_data(felled_place=""))
    assert response.context["form"].errors["felled_place"] == [
        "For a compensation, give the place where the trees were felled."
    ]
    assert not Planting.objects.exists()


def test_a_planting_for_another_reason_needs_no_felling(editor):
    data = planting_data(reason="other")
    for name in ("felled_on", "felled_count", "felled_place"):
        data.pop(name)  # the page disables these inputs: the browser does not send them
    editor.post(CREATE, data)
    assert Planting.objects.get().reason == "other"


def test_an_urbanist_edits_a_planting(editor, elms):
    data = planting_data(count="25", planted_on="2022-04-15", felled_on="2022-03-01")
    response = editor.post(reverse("parks:planting_edit", args=[elms.pk]), data)
    assert response.status_code == 302
    elms.refresh_from_db()
    assert elms.count == 25


def test_a_planting_cannot_have_fewer_trees_than_an_inspection_counted(editor, elms):
    data = planting_data(count="10", planted_on="2022-04-15", felled_on="2022-03-01")
    response = editor.post(reverse("parks:planting_edit", args=[elms.pk]), data)
    assert response.context["form"].errors["count"] == [
        "The inspection of April 20, 2023 counted 20 trees: the planting cannot have fewer."
    ]
    elms.refresh_from_db()
    assert elms.count == 20


def test_a_resident_cannot_add_a_planting(client, resident):
    client.force_login(resident)
    response = client.post(CREATE, planting_data())
    assert response.status_code == 403
    assert "You cannot edit plantings" in response.content.decode()
    assert not Planting.objects.exists()


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(CREATE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# Inspections ---------------------------------------------------------------------------------------------------


def test_an_urbanist_records_an_inspection(editor, urbanist, maples):
    url = reverse("parks:inspection_create", args=[maples.pk])
    response = editor.post(url, {"inspected_on": "2024-05-01", "alive": "36", "dead": "4", "inspected_by": "Us"})
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert (inspection.planting, inspection.alive, inspection.dead) == (maples, 36, 4)
    assert inspection.recorded_by == urbanist
    page = editor.get(response.url).content.decode()
    assert "The inspection was recorded: 36 of 40 trees alive (90 %)." in page


def test_an_inspection_counting_more_trees_than_were_planted_is_refused(editor, maples):
    url = reverse("parks:inspection_create", args=[maples.pk])
    response = editor.post(url, {"inspected_on": "2024-05-01", "alive": "38", "dead": "5"})
    assert response.status_code == 200
    assert "The inspection counts 43 trees (38 alive, 5 dead) but 40 were planted." in response.content.decode()
    assert not Inspection.objects.exists()


def test_a_moderator_cannot_record_an_inspection(client, moderator, maples):
    client.force_login(moderator)
    url = reverse("parks:inspection_create", args=[maples.pk])
    response = client.post(url, {"inspected_on": "2024-05-01", "alive": "36", "dead": "4"})
    assert response.status_code == 403
    assert not Inspection.objects.exists()


# Import --------------------------------------------------------------------------------------------------------

CSV = (
    "species;count;planted_on;lon;lat;reason;felled_on;felled_lon;felled_lat;responsible\n"
    "Ulmus pumila;20;2024-04-15;76.92;43.245;compensation;2024-03-01;76.91;43.2395;Green Economy Department\n"
    "Acer negundo;12;2024-05-02;76.85;43.22;other;;;;Auezov akimat\n"
)


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("plantings.csv", text.encode("utf-8"), content_type="text/csv")


def test_an_urbanist_imports_a_file(editor):
    response = editor.post(IMPORT, {"file": upload(CSV)}, follow=True)
    assert "Imported 2 plantings and 0 inspections." in response.content.decode()
    assert sorted(Planting.objects.values_list("district__name", flat=True)) == ["Almaly", "Auezov"]


def test_a_bad_file_lists_its_problems_and_imports_nothing(editor):
    response = editor.post(IMPORT, {"file": upload(CSV.replace(";12;", ";twelve;"))})
    content = response.content.decode()
    assert "Nothing was imported: 1 problem in the file" in content
    assert "“twelve” is not a whole number of trees." in content
    assert response.context["report"].problems[0].row == 3
    assert not Planting.objects.exists()


def test_a_check_only_imports_nothing(editor):
    response = editor.post(IMPORT, {"file": upload(CSV), "dry_run": "on"})
    assert "importing it would add 2 plantings" in response.content.decode()
    assert not Planting.objects.exists()


def test_a_resident_cannot_import(client, resident):
    client.force_login(resident)
    assert client.post(IMPORT, {"file": upload(CSV)}).status_code == 403
    assert not Planting.objects.exists()


def test_the_list_says_when_no_city_is_loaded(client, city):
    District.objects.all().delete()
    DataSource.objects.all().delete()
    city.delete()
    response = client.get(LIST)
    assert response.status_code == 200
    assert "No city is loaded yet." in response.content.decode()


def test_the_import_page_documents_the_columns(editor):
    content = editor.get(IMPORT).content.decode()
    assert "<h1>Import plantings from a CSV file</h1>" in content
    assert "<code>planted_on</code>" in content and "<code>wkt</code>" in content
