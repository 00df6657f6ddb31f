"""The pages residents use: making a proposal, its page, supporting, discussing, flagging, the lists."""

import datetime
import json
import uuid

import pytest
from django.contrib.gis.geos import LineString, Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from participation.models import Comment, Flag, Proposal, StatusChange, Support
from photos.models import Photo
from tests.factories import (
    ARBAT,
    PANFILOV_BENCH,
    CityFactory,
    CommentFactory,
    DepartmentFactory,
    DistrictFactory,
    ProjectFactory,
    ProposalCategoryFactory,
    ProposalFactory,
    SupportFactory,
    UserFactory,
)
from tests.photo_files import jpeg_bytes

pytestmark = pytest.mark.django_db

CREATE = reverse("participation:create")
LIST = reverse("participation:list")
MINE = reverse("participation:mine")
NEARBY = reverse("participation:nearby")
# A point in the Caspian Sea: far outside Almaty's extent.
FAR_AWAY = Point(51.0, 42.0, srid=4326)


@pytest.fixture(autouse=True)
def almaty(db):
    """Almaty with its Almaly district, so geometries are checked against the city's extent."""
    CityFactory()
    return DistrictFactory()


@pytest.fixture
def lighting(db):
    return ProposalCategoryFactory(slug="lighting")


@pytest.fixture
def signed_in(client, resident):
    client.force_login(resident)
    return client


def photo(name="bench.jpg", content=None):
    return SimpleUploadedFile(name, content or jpeg_bytes(), content_type="image/jpeg")


def proposal_data(category, **overrides) -> dict:
    data = {
        "kind": "problem",
        "category": category.pk,
        "title": "Dark stretch of Arbat",
        "description": "Half of the lamps on the pedestrian street are out.",
        "language": "ru",
        "geom": ARBAT.geojson,
        "subject": "",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def page_text(response) -> str:
    return response.content.decode()


def detail_url(proposal) -> str:
    return reverse("participation:detail", args=[proposal.pk])


# Making a proposal ----------------------------------------------------------------------------------------


def test_a_resident_makes_a_proposal_along_a_street_with_a_photo(signed_in, resident, lighting):
    response = signed_in.post(CREATE, {**proposal_data(lighting), "photos": [photo()]}, follow=True)

    proposal = Proposal.objects.get()
    assert response.redirect_chain[-1][0] == detail_url(proposal)
    assert "waits for a moderator" in page_text(response)
    assert proposal.author == resident
    assert proposal.visibility == "pending"
    assert proposal.title == "Dark stretch of Arbat"
    assert proposal.geom.geom_type == "LineString"
    assert proposal.district is not None
    assert Photo.objects.of(proposal).count() == 1


def test_the_form_is_shown_with_a_fresh_submission_key_and_the_page_language(signed_in, lighting):
    first = page_text(signed_in.get(CREATE, HTTP_ACCEPT_LANGUAGE="ru"))
    second = page_text(signed_in.get(CREATE))

    def key(page):
        start = page.index('name="submission_key" value="') + len('name="submission_key" value="')
        return page[start : start + 36]

    assert uuid.UUID(key(first)) != uuid.UUID(key(second))
    assert 'value="ru" selected' in first
    assert "Use my location" in second
    assert "Near your place" in second


def test_a_geometry_outside_the_city_is_refused_with_its_reason(signed_in, lighting):
    response = signed_in.post(CREATE, proposal_data(lighting, geom=FAR_AWAY.geojson))

    assert response.status_code == 200
    assert "The geometry lies outside the city" in page_text(response)
    assert not Proposal.objects.exists()


def test_a_missing_place_asks_to_draw_it(signed_in, lighting):
    response = signed_in.post(CREATE, proposal_data(lighting, geom=""))

    assert "Show the place on the map: draw it, or use your location." in page_text(response)
    assert not Proposal.objects.exists()


def test_an_empty_title_is_named(signed_in, lighting):
    response = signed_in.post(CREATE, proposal_data(lighting, title="   "))

    form = response.context["form"]
    assert "title" in form.errors
    assert not Proposal.objects.exists()


def test_too_many_photos_are_refused_and_nothing_is_saved(signed_in, lighting, settings):
    settings.PROPOSAL_MAX_PHOTOS = 2
    photos = [photo(f"photo{n}.jpg") for n in range(3)]

    response = signed_in.post(CREATE, {**proposal_data(lighting), "photos": photos})

    assert "You chose 3 photos; a proposal has at most 2 photos." in page_text(response)
    assert "choose them again" in page_text(response)
    assert not Proposal.objects.exists()
    assert not Photo.objects.exists()


def test_a_file_that_is_not_a_photo_is_named(signed_in, lighting):
    notes = SimpleUploadedFile("notes.jpg", b"These are my notes, not a picture.", content_type="image/jpeg")

    response = signed_in.post(CREATE, {**proposal_data(lighting), "photos": [photo(), notes]})

    errors = response.context["form"].errors["photos"]
    assert len(errors) == 1
    assert errors[0].startswith("“notes.jpg”: ")
    assert not Proposal.objects.exists()


def test_html_in_a_title_is_shown_as_text(signed_in, lighting):
    title = '<script>alert("x")</script><b>Lamps</b>'
    response = signed_in.post(CREATE, proposal_data(lighting, title=title), follow=True)

    page = page_text(response)
    assert Proposal.objects.get().title == title
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;Lamps&lt;/b&gt;" in page
    assert '<script>alert("x")' not in page


def test_a_resident_whose_email_is_not_confirmed_is_told_how_to_confirm(client, lighting):
    unconfirmed = UserFactory(role="resident", email_confirmed_at=None)
    client.force_login(unconfirmed)

    page = page_text(client.get(CREATE))
    response = client.post(CREATE, proposal_data(lighting))

    assert "Confirm your e-mail address first" in page
    assert reverse("accounts:resend_confirmation") in page
    assert "Confirm your e-mail address first" in page_text(response)
    assert not Proposal.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(CREATE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_limit_per_account_answers_429_with_when_to_try_again(signed_in, resident, lighting, settings):
    settings.PROPOSAL_LIMITS_PER_ACCOUNT = "1/hour"
    ProposalFactory(author=resident, created_at=timezone.now() - datetime.timedelta(minutes=10))

    response = signed_in.post(CREATE, proposal_data(lighting, title="One more"))

    assert response.status_code == 429
    assert "Try again in 50 minutes." in page_text(response)
    assert not Proposal.objects.filter(title="One more").exists()


def test_the_same_form_sent_twice_makes_one_proposal(signed_in, lighting):
    data = {**proposal_data(lighting), "photos": [photo()]}
    first = signed_in.post(CREATE, data)
    data["photos"] = [photo()]
    second = signed_in.post(CREATE, data)

    proposal = Proposal.objects.get()
    assert first["Location"] == second["Location"] == detail_url(proposal)
    assert Photo.objects.of(proposal).count() == 1


def test_a_proposal_about_a_project_links_to_it(signed_in, lighting):
    project = ProjectFactory(title_en="Arbat lights")
    about = f"projects.project:{project.pk}"

    form_page = page_text(signed_in.get(CREATE, {"about": about}))
    signed_in.post(CREATE, proposal_data(lighting, subject=about))

    assert "About:" in form_page and "Arbat lights" in form_page
    assert Proposal.objects.get().subject == project


def test_a_link_about_an_unpublished_project_is_dropped_with_a_warning(signed_in, lighting):
    draft = ProjectFactory(is_published=False)

    page = page_text(signed_in.get(CREATE, {"about": f"projects.project:{draft.pk}"}, follow=True))

    assert "About:" not in page
    assert "cannot be found" in page


def test_premoderation_off_publishes_at_once(signed_in, lighting, settings):
    settings.PROPOSALS_PREMODERATION = False

    response = signed_in.post(CREATE, proposal_data(lighting), follow=True)

    assert "Your proposal is published." in page_text(response)
    assert Proposal.objects.get().visibility == "published"


# Near the place -------------------------------------------------------------------------------------------


def test_nearby_lists_projects_and_proposals_within_300_metres_nearest_first(client):
    project = ProjectFactory(title_en="Arbat pedestrian zone")
    ProjectFactory(title_en="Far away", geom=LineString((76.90, 43.22), (76.91, 43.22), srid=4326))
    near = ProposalFactory(title="Bench on Panfilov", geom=PANFILOV_BENCH.clone())
    nearer = ProposalFactory(title="Lamp on Arbat", geom=Point(76.9445, 43.2612, srid=4326))
    ProposalFactory(title="Waiting", geom=Point(76.9445, 43.2612, srid=4326), visibility="pending")
    place = Point(76.9445, 43.2600, srid=4326)

    response = client.get(NEARBY, {"geom": place.geojson})

    data = response.json()
    assert [item["title"] for item in data["projects"]] == ["Arbat pedestrian zone"]
    assert data["projects"][0]["url"] == project.get_absolute_url()
    assert 100 < data["projects"][0]["distance_m"] < 150
    assert [item["id"] for item in data["proposals"]] == [nearer.pk, near.pk]
    assert data["proposals"][0]["status"] == "Published"


def test_nearby_answers_400_with_the_reason_for_a_bad_geometry(client):
    response = client.get(NEARBY, {"geom": FAR_AWAY.geojson})

    assert response.status_code == 400
    assert "outside the city" in response.json()["error"]
    assert client.get(NEARBY, {"geom": "{not json"}).json()["error"] == "The geometry is not valid JSON."


# The list and "my proposals" ------------------------------------------------------------------------------


def test_the_list_shows_published_proposals_with_their_supports(client):
    published = ProposalFactory(title="Published bench")
    SupportFactory.create_batch(3, proposal=published)
    ProposalFactory(title="Waiting bench", visibility="pending")
    ProposalFactory(title="Hidden bench", visibility="hidden")

    page = page_text(client.get(LIST))

    assert "Published bench" in page
    assert "Waiting bench" not in page and "Hidden bench" not in page
    assert "<dt>Supports</dt><dd>3</dd>" in page
    assert reverse("participation:map") in page and CREATE in page


def test_the_list_filters_by_kind(client):
    ProposalFactory(title="A problem", kind="problem")
    ProposalFactory(title="An idea", kind="park")

    page = page_text(client.get(LIST, {"kind": "park"}))

    assert "An idea" in page and "A problem" not in page


def test_my_proposals_show_every_visibility_with_the_reason_and_the_last_answer(signed_in, resident):
    waiting = ProposalFactory(author=resident, title="Waiting one", visibility="pending")
    hidden = ProposalFactory(author=resident, title="Hidden one", visibility="hidden", moderation_reason="Insults.")
    answered = ProposalFactory(author=resident, title="Answered one", department=DepartmentFactory())
    StatusChange.objects.create(proposal=answered, status="published")
    StatusChange.objects.create(proposal=answered, status="under_review", note="We are measuring the street.")
    ProposalFactory(title="Someone else's")

    page = page_text(signed_in.get(MINE))

    assert waiting.title in page and hidden.title in page and answered.title in page
    assert "Someone else&#x27;s" not in page
    assert "Hidden by a moderator: Insults." in page
    assert "Latest step: Under review" in page and "We are measuring the street." in page


# A proposal's page ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("visibility", ["pending", "hidden"])
def test_an_unpublished_proposal_is_404_for_others_but_shown_to_its_author_and_moderators(
    client, moderator, visibility
):
    proposal = ProposalFactory(visibility=visibility, moderation_reason="Advertising.")
    url = detail_url(proposal)

    assert client.get(url).status_code == 404
    client.force_login(UserFactory(role="resident"))
    assert client.get(url).status_code == 404
    client.force_login(proposal.author)
    assert client.get(url).status_code == 200
    client.force_login(moderator)
    assert client.get(url).status_code == 200


def test_the_author_sees_why_a_moderator_hid_the_proposal(client):
    proposal = ProposalFactory(visibility="hidden", moderation_reason="It names a private person.")
    client.force_login(proposal.author)

    page = page_text(client.get(detail_url(proposal)))

    assert "A moderator hid this proposal" in page
    assert "It names a private person." in page


def test_the_page_shows_the_answers_the_department_and_the_overdue_due_date(client):
    department = DepartmentFactory(name_en="Department of Energy")
    proposal = ProposalFactory(department=department, due_date=timezone.localdate() - datetime.timedelta(days=2))
    StatusChange.objects.create(proposal=proposal, status="published", department=department)
    StatusChange.objects.create(proposal=proposal, status="under_review", note="<b>Crew sent</b> on Monday.")

    page = page_text(client.get(detail_url(proposal)))

    assert "Department of Energy" in page
    assert "(overdue)" in page
    assert "Under review" in page
    assert "&lt;b&gt;Crew sent&lt;/b&gt; on Monday." in page


def test_moderators_get_the_moderation_forms_and_answerers_the_status_link(client, moderator):
    proposal = ProposalFactory(visibility="pending")
    client.force_login(moderator)

    page = page_text(client.get(detail_url(proposal)))

    assert reverse("participation:moderate", args=[proposal.pk]) in page
    assert 'name="action" value="publish"' in page and 'name="action" value="hide"' in page
    assert reverse("participation:status", args=[proposal.pk]) in page


# Supporting -----------------------------------------------------------------------------------------------


def test_a_resident_supports_a_proposal_and_withdraws(signed_in, resident):
    proposal = ProposalFactory()
    url = reverse("participation:support", args=[proposal.pk])

    signed_in.post(url, {"action": "support"})
    assert Support.objects.filter(proposal=proposal, user=resident, follows=True).exists()
    page = page_text(signed_in.get(detail_url(proposal)))
    assert "1 resident supports this proposal." in page
    assert "Withdraw my support" in page

    signed_in.post(url, {"action": "withdraw"})
    assert not Support.objects.filter(proposal=proposal).exists()


def test_a_supporter_stops_and_starts_following_by_email(signed_in, resident):
    support = SupportFactory(user=resident)
    url = reverse("participation:follow", args=[support.proposal.pk])

    signed_in.post(url, {"follows": "0"})
    support.refresh_from_db()
    assert support.follows is False

    signed_in.post(url, {"follows": "1"})
    support.refresh_from_db()
    assert support.follows is True


def test_the_author_cannot_support_their_own_proposal(client):
    proposal = ProposalFactory()
    client.force_login(proposal.author)

    response = client.post(reverse("participation:support", args=[proposal.pk]), {"action": "support"})

    assert response.status_code == 403
    assert "You cannot support your own proposal." in page_text(response)
    assert not Support.objects.exists()


def test_supporting_needs_a_post(signed_in):
    proposal = ProposalFactory()

    assert signed_in.get(reverse("participation:support", args=[proposal.pk])).status_code == 405


# Comments -------------------------------------------------------------------------------------------------


def test_a_comment_and_a_reply_and_a_reply_to_the_reply_share_one_thread(signed_in, resident, settings):
    settings.PROPOSALS_PREMODERATION = False
    proposal = ProposalFactory()
    url = reverse("participation:comment", args=[proposal.pk])

    signed_in.post(url, {"text": "Agreed, it is dark."})
    top = Comment.objects.get()
    signed_in.post(url, {"text": "Since March.", "parent": top.pk})
    reply = Comment.objects.get(text="Since March.")
    signed_in.post(url, {"text": "Still dark in May.", "parent": reply.pk})
    answer = Comment.objects.get(text="Still dark in May.")

    assert reply.parent == top
    assert answer.parent == top
    page = page_text(signed_in.get(detail_url(proposal)))
    assert page.index("Agreed, it is dark.") < page.index("Since March.") < page.index("Still dark in May.")
    assert 'class="comment-replies"' in page


def test_a_new_comment_waits_for_moderation_and_only_its_author_sees_it(signed_in, client, resident):
    proposal = ProposalFactory()

    response = signed_in.post(reverse("participation:comment", args=[proposal.pk]), {"text": "Lamps please"})

    assert response.status_code == 302
    assert Comment.objects.get().visibility == "pending"
    assert "Lamps please" in page_text(signed_in.get(detail_url(proposal)))
    signed_in.logout()
    assert "Lamps please" not in page_text(signed_in.get(detail_url(proposal)))


def test_an_empty_comment_is_refused_with_a_message(signed_in):
    proposal = ProposalFactory()

    response = signed_in.post(reverse("participation:comment", args=[proposal.pk]), {"text": "  "})

    assert "Write something before you send the comment." in page_text(response)
    assert not Comment.objects.exists()


def test_an_empty_reply_comes_back_open_under_its_comment(signed_in):
    top = CommentFactory()

    response = signed_in.post(reverse("participation:comment", args=[top.proposal.pk]), {"text": "", "parent": top.pk})

    page = page_text(response)
    assert '<details class="reply-details" open>' in page
    assert f'id="reply-{top.pk}-text"' in page
    assert page.count('id="comment-text"') == 1  # the form for a new comment keeps its own ids
    assert Comment.objects.count() == 1


def test_the_comment_limit_answers_429_and_keeps_the_text(signed_in, resident, settings):
    settings.COMMENT_LIMITS_PER_ACCOUNT = "1/hour"
    proposal = ProposalFactory()
    CommentFactory(proposal=proposal, author=resident)

    response = signed_in.post(reverse("participation:comment", args=[proposal.pk]), {"text": "A second thought"})

    assert response.status_code == 429
    assert "Try again in" in page_text(response)
    assert "A second thought" in page_text(response)
    assert Comment.objects.count() == 1


def test_html_in_a_comment_is_shown_as_text(client):
    comment = CommentFactory(text="<img src=x onerror=alert(1)>")

    page = page_text(client.get(detail_url(comment.proposal)))

    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x" not in page


def test_an_author_edits_a_comment_within_the_edit_window(signed_in, resident):
    comment = CommentFactory(author=resident, text="Typo hre")

    page = page_text(signed_in.get(detail_url(comment.proposal), {"edit": comment.pk}))
    signed_in.post(reverse("participation:comment_edit", args=[comment.pk]), {"text": "Typo here"})

    assert f'action="{reverse("participation:comment_edit", args=[comment.pk])}"' in page
    comment.refresh_from_db()
    assert comment.text == "Typo here"
    assert comment.edited_at is not None


def test_a_comment_cannot_be_edited_after_the_window(signed_in, resident, settings):
    comment = CommentFactory(author=resident, text="Old words")
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=settings.COMMENT_EDIT_MINUTES + 1)
    )

    page = page_text(signed_in.get(detail_url(comment.proposal)))
    response = signed_in.post(reverse("participation:comment_edit", args=[comment.pk]), {"text": "New words"})

    assert f"?edit={comment.pk}" not in page
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.text == "Old words"


def test_nobody_edits_someone_elses_comment(signed_in):
    comment = CommentFactory(text="Mine, not yours")

    response = signed_in.post(reverse("participation:comment_edit", args=[comment.pk]), {"text": "Changed"})

    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.text == "Mine, not yours"


# Flags ----------------------------------------------------------------------------------------------------


def test_a_resident_flags_a_proposal_and_a_comment(signed_in, resident):
    comment = CommentFactory()
    proposal = comment.proposal

    signed_in.post(reverse("participation:flag", args=[proposal.pk]), {"reason": "spam", "note": "An advert"})
    signed_in.post(reverse("participation:comment_flag", args=[comment.pk]), {"reason": "abuse"})

    assert Flag.objects.get(proposal=proposal, user=resident).note == "An advert"
    assert Flag.objects.get(comment=comment, user=resident).reason == "abuse"
    page = page_text(signed_in.get(detail_url(proposal)))
    assert "You reported this proposal to the moderators." in page
    assert "You reported this comment." in page


def test_a_flag_without_a_reason_is_refused(signed_in):
    proposal = ProposalFactory()

    response = signed_in.post(reverse("participation:flag", args=[proposal.pk]), {"note": "?"}, follow=True)

    assert "Choose what is wrong." in page_text(response)
    assert not Flag.objects.exists()


def test_the_page_of_a_proposal_renders_its_map_config(client):
    proposal = ProposalFactory()

    response = client.get(detail_url(proposal))

    config = json.loads(
        response.content.decode().split('id="proposal-map-config" type="application/json">')[1].split("</script>")[0]
    )
    assert config["feature"]["geometry"]["type"] == "Point"


def test_a_hand_over_shows_on_the_timeline_as_handed_to_the_new_department(client, moderator):
    from participation import services
    from tests.factories import DepartmentFactory

    proposal = ProposalFactory(visibility="pending", published_at=None)
    services.publish_proposal(proposal, moderator=moderator)
    transport = DepartmentFactory(name_en="Mobility department")
    services.reassign(proposal, transport, user=moderator, note="Buses are theirs.")

    text = page_text(client.get(detail_url(proposal)))

    assert "Handed to Mobility department" in text
    assert "Buses are theirs." in text
    assert text.count("Published") >= 1
