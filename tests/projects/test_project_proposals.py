"""A project's page lists the residents' proposals it implemented or that are about it, and invites new ones."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from projects.models import Project
from tests.factories import ProjectFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def about(project):
    return {"subject_type": ContentType.objects.get_for_model(Project), "subject_id": project.pk}


def test_the_page_lists_the_proposals_the_project_implemented_and_those_about_it(client):
    project = ProjectFactory()
    ProposalFactory(title="Light the bench", status="implemented", implemented_by=project)
    ProposalFactory(title="Wider pavement here", **about(project))
    ProposalFactory(title="Elsewhere entirely")

    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()

    assert "Light the bench" in page
    assert "implemented by this project" in page
    assert "Wider pavement here" in page
    assert "Elsewhere entirely" not in page


def test_a_hidden_proposal_is_not_listed_but_its_author_sees_it(client):
    project = ProjectFactory()
    hidden = ProposalFactory(title="Hidden idea", visibility="hidden", **about(project))

    assert "Hidden idea" not in client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    client.force_login(hidden.author)
    assert "Hidden idea" in client.get(reverse("projects:detail", args=[project.pk])).content.decode()


def test_the_page_links_to_a_new_proposal_about_the_project(client):
    project = ProjectFactory()

    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()

    assert f"{reverse('participation:create')}?about=projects.project%3A{project.pk}" in page
    assert "No resident has made a proposal about this project yet." in page
