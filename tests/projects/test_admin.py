"""The admin of projects and categories: the map widget, the same checks as the editor, the status timeline."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from gis_data.widgets import CityMapWidget
from projects.models import Category, Project, Status, StatusChange
from tests.factories import ARBAT, CategoryFactory, CityFactory, DistrictFactory, ProjectFactory
from tests.test_no_external_assets import external_references

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def almaty(db):
    CityFactory()
    DistrictFactory()


def change_url(project: Project) -> str:
    return reverse("admin:projects_project_change", args=[project.pk])


def admin_form_data(client, url: str, **overrides) -> dict:
    """What the browser sends back for the admin page at ``url``, with ``overrides`` typed in."""
    response = client.get(url)
    form = response.context["adminform"].form
    data = {}
    for field in form:
        value = field.value()
        if value is None or field.name in {f for f in form.fields if getattr(form.fields[f], "disabled", False)}:
            value = ""
        data[field.html_name] = value.ewkt if hasattr(value, "ewkt") else value
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for field in management:
            data[field.html_name] = field.value()
        for inline_form in formset.formset.forms:
            for field in inline_form:
                value = field.value()
                data[field.html_name] = "" if value is None else value
    data.update(overrides)
    return data


def test_projects_and_categories_have_an_admin():
    assert Project in admin.site._registry
    assert Category in admin.site._registry
    assert admin.site._registry[Project].gis_widget is CityMapWidget


def test_an_urbanist_opens_the_add_page_with_the_map_widget_from_static_files(client, urbanist):
    client.force_login(urbanist)
    response = client.get(reverse("admin:projects_project_add"))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<script src="/static/vendor/ol-7.2.2/ol.js">' in content
    assert "new MapWidget(options)" in content
    assert external_references(content, "html") == []


def test_an_urbanist_opens_the_change_page_of_a_project(client, urbanist):
    project = ProjectFactory(title_en="Arbat")
    client.force_login(urbanist)
    response = client.get(change_url(project))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Arbat" in content
    assert "new MapWidget(options)" in content
    assert "Almaly District" in content  # the derived districts, read-only


def test_the_derived_fields_are_read_only_in_the_admin(client, urbanist):
    project = ProjectFactory()
    client.force_login(urbanist)
    form = client.get(change_url(project)).context["adminform"].form
    assert not {"districts", "length_m", "area_m2"} & set(form.fields)


def test_the_project_list_filters_by_category_status_publication_and_district(client, urbanist):
    ProjectFactory(title_en="Arbat")
    client.force_login(urbanist)
    response = client.get(reverse("admin:projects_project_changelist"))
    assert response.status_code == 200
    titles = [str(spec.title) for spec in response.context["cl"].filter_specs]
    assert {"category", "status", "published", "districts"} <= set(titles)


def test_an_admin_status_change_is_recorded_on_the_timeline(client, admin_user):
    project = ProjectFactory(status=Status.COMPLETED)
    client.force_login(admin_user)
    url = change_url(project)
    response = client.post(url, admin_form_data(client, url, status="construction"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    project.refresh_from_db()
    assert project.status == Status.CONSTRUCTION
    step = project.status_changes.get()
    assert (step.status, step.date, step.changed_by) == ("construction", timezone.localdate(), admin_user)


def test_an_admin_save_without_a_status_change_adds_no_step(client, admin_user):
    project = ProjectFactory()
    client.force_login(admin_user)
    url = change_url(project)
    client.post(url, admin_form_data(client, url, contractor="Almaty Kala Kurylys"))
    project.refresh_from_db()
    assert project.contractor == "Almaty Kala Kurylys"
    assert not StatusChange.objects.exists()


def test_the_admin_refuses_a_line_for_a_sidewalk(client, admin_user):
    project = ProjectFactory(category=CategoryFactory(slug="square"), geom=ARBAT.clone().buffer(0.0005))
    client.force_login(admin_user)
    url = change_url(project)
    response = client.post(url, admin_form_data(client, url, geom=ARBAT.ewkt))
    assert response.status_code == 200
    assert "draw it as a polygon" in str(response.context["adminform"].form.errors["geom"])
    project.refresh_from_db()
    assert project.geom.geom_type == "Polygon"


def test_a_project_added_in_the_admin_starts_its_timeline(client, urbanist):
    category = CategoryFactory(slug="pedestrian_zone")
    client.force_login(urbanist)
    url = reverse("admin:projects_project_add")
    data = admin_form_data(client, url, category=category.pk, title_en="Arbat", geom=ARBAT.ewkt, status="planned")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    project = Project.objects.get()
    assert project.created_by == urbanist
    assert project.length_m > 500
    assert project.status_changes.get().changed_by == urbanist


def test_an_urbanist_may_view_but_not_add_categories(client, urbanist):
    client.force_login(urbanist)
    assert client.get(reverse("admin:projects_category_changelist")).status_code == 200
    assert client.get(reverse("admin:projects_category_add")).status_code == 403


def test_an_admin_adds_a_category(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:projects_category_add"),
        {
            "slug": "fountain",
            "name_kk": "Субұрқақ",
            "name_ru": "Фонтан",
            "name_en": "Fountain",
            "color": "#1d4ed8",
            "measure": "count",
            "order": 200,
        },
    )
    assert response.status_code == 302
    assert Category.objects.get(slug="fountain").name_en == "Fountain"
