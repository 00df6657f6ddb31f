"""Proposals from submission to answer: checks, moderation, the status machine, supports, comments, flags, mail."""

import datetime
import itertools
import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import Point, Polygon
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from participation import services
from participation.apikeys import create_api_client
from participation.limits import LimitReached
from participation.models import (
    TRANSITIONS,
    ApiClient,
    Comment,
    Flag,
    Proposal,
    Route,
    Status,
    Support,
)
from photos.models import Photo
from photos.processing import PhotoError, process_upload
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
    RouteFactory,
    SupportFactory,
    UserFactory,
)
from tests.photo_files import jpeg_bytes, png_bytes

pytestmark = pytest.mark.django_db

SITE = "https://qala.example.org"


@pytest.fixture(autouse=True)
def place(settings):
    """Almaty loaded with Almaly district; mail links on a known site."""
    settings.QALA_SITE_URL = SITE
    CityFactory()
    return DistrictFactory()


@pytest.fixture
def department():
    """The department that answers lighting proposals everywhere, in 14 days."""
    department = DepartmentFactory(slug="energy", name_en="Energy department", name_ru="Управление энергетики")
    Route.objects.filter(category__slug="lighting", district=None).delete()
    RouteFactory(category=ProposalCategoryFactory(slug="lighting"), department=department, deadline_days=14)
    return department


@pytest.fixture
def answerer(department):
    staff = UserFactory(email="energy@example.org")
    department.members.add(staff)
    return staff


@pytest.fixture
def proposal(resident, department, moderator):
    """A lighting proposal by the resident, in Russian, published by a moderator (so routed to the department)."""
    proposal = services.submit_proposal(new_proposal(language="ru"), author=resident)
    services.publish_proposal(proposal, moderator=moderator)
    proposal.refresh_from_db()
    mail.outbox.clear()
    return proposal


def new_proposal(**fields) -> Proposal:
    values = {
        "kind": "problem",
        "category": ProposalCategoryFactory(slug="lighting"),
        "title": "A dark underpass",
        "description": "No light at night.",
        "language": "en",
        "geom": PANFILOV_BENCH.clone(),
        "submission_key": uuid.uuid4(),
    }
    return Proposal(**(values | fields))


def processed(content: bytes | None = None):
    return process_upload(SimpleUploadedFile("photo.jpg", content or jpeg_bytes(), content_type="image/jpeg"))


def mails_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def errors_of(caught) -> dict:
    return caught.value.message_dict


# Submitting


def test_a_submitted_proposal_waits_for_moderation_with_its_place_derived(resident, place):
    proposal = services.submit_proposal(new_proposal(), author=resident, network="f" * 64)

    proposal.refresh_from_db()
    assert (proposal.visibility, proposal.status, proposal.author) == ("pending", "published", resident)
    assert proposal.sender_network == "f" * 64
    assert proposal.district == place and list(proposal.districts.all()) == [place]
    assert proposal.department is None and proposal.published_at is None
    assert not proposal.status_changes.exists()


def test_titles_and_descriptions_are_stripped_and_html_is_kept_as_written(resident):
    proposal = services.submit_proposal(
        new_proposal(title="  <b>Lamp</b> & bench \n", description="\n<script>alert(1)</script>  "), author=resident
    )

    proposal.refresh_from_db()
    assert proposal.title == "<b>Lamp</b> & bench"
    assert proposal.description == "<script>alert(1)</script>"


def test_a_title_and_description_of_spaces_are_refused_by_field_and_nothing_is_saved(resident):
    with pytest.raises(ValidationError) as caught:
        services.submit_proposal(new_proposal(title="   ", description="\n\t "), author=resident)

    assert set(errors_of(caught)) == {"title", "description"}
    assert "cannot be empty" in errors_of(caught)["title"][0]
    assert not Proposal.objects.exists()


def test_texts_longer_than_allowed_are_refused_with_their_length(resident):
    with pytest.raises(ValidationError) as caught:
        services.submit_proposal(new_proposal(title="x" * 141, description="y" * 5001), author=resident)

    assert errors_of(caught)["title"] == ["This is 141 characters long; at most 140 are allowed."]
    assert errors_of(caught)["description"] == ["This is 5001 characters long; at most 5000 are allowed."]
    assert not Proposal.objects.exists()


def test_a_place_outside_the_city_is_refused_on_the_geometry(resident):
    with pytest.raises(ValidationError) as caught:
        services.submit_proposal(new_proposal(geom=Point(2.35, 48.85, srid=4326)), author=resident)

    assert errors_of(caught)["geom"] == ["The geometry lies outside the city's extent."]
    assert not Proposal.objects.exists()


def test_a_line_along_a_street_is_accepted(resident):
    proposal = services.submit_proposal(new_proposal(geom=ARBAT.clone()), author=resident)

    proposal.refresh_from_db()
    assert proposal.geom.geom_type == "LineString"


def test_a_bow_tie_area_is_refused_as_the_two_areas_it_repairs_into(resident):
    bowtie = Polygon(((76.94, 43.25), (76.95, 43.26), (76.95, 43.25), (76.94, 43.26), (76.94, 43.25)), srid=4326)

    with pytest.raises(ValidationError) as caught:
        services.submit_proposal(new_proposal(geom=bowtie), author=resident)

    # Repaired, a bow-tie is two polygons, and a proposal is one point, line or polygon.
    assert "MultiPolygon is not allowed here" in errors_of(caught)["geom"][0]
    assert not Proposal.objects.exists()


def test_a_resident_without_a_confirmed_email_cannot_submit():
    unconfirmed = UserFactory(email_confirmed_at=None)

    with pytest.raises(PermissionDenied, match="Confirm your e-mail address"):
        services.submit_proposal(new_proposal(), author=unconfirmed)
    assert not Proposal.objects.exists()


def test_the_same_form_sent_twice_makes_one_proposal(resident):
    key = uuid.uuid4()
    first = services.submit_proposal(new_proposal(submission_key=key), author=resident)

    second = services.submit_proposal(new_proposal(submission_key=key, title="Changed"), author=resident)

    assert second.pk == first.pk and second.title == "A dark underpass"
    assert Proposal.objects.count() == 1


def test_someone_elses_submission_key_is_refused(resident):
    key = uuid.uuid4()
    services.submit_proposal(new_proposal(submission_key=key), author=resident)

    with pytest.raises(ValidationError, match="already been used"):
        services.submit_proposal(new_proposal(submission_key=key), author=UserFactory())
    assert Proposal.objects.count() == 1


def test_a_proposal_may_be_about_a_published_project(resident):
    project = ProjectFactory()

    proposal = services.submit_proposal(new_proposal(subject=project), author=resident)

    proposal.refresh_from_db()
    assert proposal.subject == project


def test_a_proposal_cannot_be_about_a_draft_project(resident):
    with pytest.raises(ValidationError) as caught:
        services.submit_proposal(new_proposal(subject=ProjectFactory(is_published=False)), author=resident)

    assert "subject" in errors_of(caught)


def test_a_proposal_cannot_be_about_a_record_of_another_kind(resident):
    someone = UserFactory()
    proposal = new_proposal(subject_type=ContentType.objects.get_for_model(someone), subject_id=someone.pk)

    with pytest.raises(ValidationError) as caught:
        services.submit_proposal(proposal, author=resident)

    assert "subject" in errors_of(caught)


def test_a_category_no_longer_offered_is_refused(resident):
    retired = ProposalCategoryFactory(slug="kiosks", is_active=False)

    with pytest.raises(ValidationError) as caught:
        services.submit_proposal(new_proposal(category=retired), author=resident)

    assert errors_of(caught)["category"] == ["Choose one of the categories offered."]


def test_photos_are_stored_with_the_proposal(resident):
    proposal = services.submit_proposal(new_proposal(), author=resident, photos=[processed(), processed(png_bytes())])

    assert Photo.objects.of(proposal).count() == 2
    assert {photo.uploaded_by for photo in Photo.objects.of(proposal)} == {resident}


def test_more_photos_than_allowed_are_refused(resident, settings):
    settings.PROPOSAL_MAX_PHOTOS = 1

    with pytest.raises(ValidationError) as caught:
        services.submit_proposal(new_proposal(), author=resident, photos=[processed(), processed()])

    assert errors_of(caught)["photos"] == ["You added 2 photos; at most 1 are allowed."]
    assert not Proposal.objects.exists() and not Photo.objects.exists()


def test_a_photo_that_fails_leaves_no_proposal_and_no_photo(resident):
    broken = SimpleUploadedFile("photo.jpg", b"<html>not a picture</html>", content_type="image/jpeg")

    with pytest.raises(PhotoError):
        services.submit_proposal(new_proposal(), author=resident, photos=[processed(), broken])

    assert not Proposal.objects.exists()
    assert not Photo.objects.exists()


def test_without_premoderation_a_proposal_is_published_and_routed_at_once(resident, department, settings):
    settings.PROPOSALS_PREMODERATION = False

    proposal = services.submit_proposal(new_proposal(), author=resident)

    proposal.refresh_from_db()
    assert proposal.visibility == "published" and proposal.published_at is not None
    assert proposal.department == department
    assert proposal.due_date == timezone.localdate() + datetime.timedelta(days=14)
    assert list(proposal.status_changes.values_list("status", flat=True)) == ["published"]


def test_an_api_client_sends_a_report_with_a_contact_address():
    client = ApiClient.objects.create(name="City back-end", key_digest="1" * 64, key_prefix="abcd")

    proposal = services.submit_proposal(new_proposal(contact_email="citizen@example.org"), api_client=client)

    proposal.refresh_from_db()
    assert (proposal.api_client, proposal.author, proposal.contact_email) == (client, None, "citizen@example.org")


def test_a_switched_off_api_client_cannot_send():
    client = ApiClient.objects.create(name="Old", key_digest="2" * 64, key_prefix="abcd", is_active=False)

    with pytest.raises(PermissionDenied):
        services.submit_proposal(new_proposal(), api_client=client)


# Moderating proposals


def test_publishing_routes_the_proposal_and_mails_the_author_in_its_language(
    resident, department, moderator, django_capture_on_commit_callbacks
):
    proposal = services.submit_proposal(new_proposal(language="ru"), author=resident)

    with translation.override("kk"), django_capture_on_commit_callbacks(execute=True):
        services.publish_proposal(proposal, moderator=moderator)

    proposal.refresh_from_db()
    assert proposal.department == department
    assert proposal.due_date == timezone.localdate(proposal.published_at) + datetime.timedelta(days=14)
    (message,) = mail.outbox
    assert message.to == ["resident@example.org"]
    assert "Здравствуйте!" in message.body and "Управление энергетики" in message.body
    assert f"{SITE}/proposals/{proposal.pk}/" in message.body


def test_publishing_twice_keeps_one_timeline_step_and_one_mail(proposal, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_proposal(proposal, moderator=moderator)

    assert proposal.status_changes.count() == 1
    assert mail.outbox == []


def test_only_moderators_publish(resident, urbanist):
    proposal = services.submit_proposal(new_proposal(), author=resident)

    with pytest.raises(PermissionDenied):
        services.publish_proposal(proposal, moderator=urbanist)
    proposal.refresh_from_db()
    assert proposal.visibility == "pending"


def test_hiding_needs_a_reason(proposal, moderator):
    with pytest.raises(ValidationError) as caught:
        services.hide_proposal(proposal, moderator=moderator, reason="   ")

    assert errors_of(caught)["reason"] == ["Write the reason: its author will read it."]
    proposal.refresh_from_db()
    assert proposal.visibility == "published"


def test_hiding_mails_the_author_the_reason(proposal, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.hide_proposal(proposal, moderator=moderator, reason="Personal data in the photo")

    proposal.refresh_from_db()
    assert (proposal.visibility, proposal.moderation_reason, proposal.moderated_by) == (
        "hidden",
        "Personal data in the photo",
        moderator,
    )
    (message,) = mails_to("resident@example.org")
    assert "Personal data in the photo" in message.body


def test_a_hidden_proposal_published_again_keeps_its_route_and_timeline(proposal, moderator):
    published_at, due_date = proposal.published_at, proposal.due_date
    services.hide_proposal(proposal, moderator=moderator, reason="Checking")

    services.publish_proposal(proposal, moderator=moderator)

    proposal.refresh_from_db()
    assert (proposal.visibility, proposal.published_at, proposal.due_date) == ("published", published_at, due_date)
    assert proposal.status_changes.count() == 1


def test_an_open311_report_mails_its_contact_address(moderator, django_capture_on_commit_callbacks):
    client = ApiClient.objects.create(name="City back-end", key_digest="3" * 64, key_prefix="abcd")
    report = services.submit_proposal(new_proposal(contact_email="citizen@example.org"), api_client=client)

    with django_capture_on_commit_callbacks(execute=True):
        services.publish_proposal(report, moderator=moderator)

    assert len(mails_to("citizen@example.org")) == 1


def test_a_moderation_rolled_back_mails_nobody(proposal, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.hide_proposal(proposal, moderator=moderator, reason="Spam")

    assert len(callbacks) == 1 and mail.outbox == []


# The status machine

ILLEGAL_MOVES = [
    (current, new) for current, new in itertools.product(Status.values, repeat=2) if new not in TRANSITIONS[current]
]


@pytest.mark.parametrize(("current", "new"), ILLEGAL_MOVES)
def test_the_status_machine_refuses_an_illegal_move(proposal, moderator, current, new):
    original = ProposalFactory()
    Proposal.objects.filter(pk=proposal.pk).update(
        status=current,
        implemented_by=ProjectFactory() if current == Status.IMPLEMENTED else None,
        duplicate_of=original if current == Status.DUPLICATE else None,
    )

    with pytest.raises(ValidationError) as caught:
        services.change_status(
            proposal, new, user=moderator, note="Because", implemented_by=ProjectFactory(), duplicate_of=original
        )

    assert "cannot move from" in errors_of(caught)["status"][0]
    proposal.refresh_from_db()
    assert proposal.status == current
    assert proposal.status_changes.count() == 1


def test_a_proposal_moves_from_review_to_implemented_with_a_dated_public_step_each(proposal, answerer):
    project = ProjectFactory()

    services.change_status(proposal, "under_review", user=answerer, note="We will look at it.")
    services.change_status(proposal, "accepted", user=answerer, note="Planned for May.")
    step = services.change_status(proposal, "implemented", user=answerer, implemented_by=project)

    proposal.refresh_from_db()
    assert (proposal.status, proposal.implemented_by) == ("implemented", project)
    assert list(proposal.status_changes.values_list("status", "note")) == [
        ("published", ""),
        ("under_review", "We will look at it."),
        ("accepted", "Planned for May."),
        ("implemented", ""),
    ]
    assert (step.changed_by, step.department, step.changed_at.date()) == (
        answerer,
        proposal.department,
        timezone.now().date(),
    )


def test_a_rejection_needs_its_reason(proposal, answerer):
    with pytest.raises(ValidationError) as caught:
        services.change_status(proposal, "rejected", user=answerer, note="  ")

    assert "Write why the proposal is rejected" in errors_of(caught)["note"][0]
    proposal.refresh_from_db()
    assert proposal.status == "published"


def test_implemented_needs_a_published_project(proposal, answerer):
    services.change_status(proposal, "accepted", user=answerer)

    with pytest.raises(ValidationError) as caught:
        services.change_status(
            proposal, "implemented", user=answerer, implemented_by=ProjectFactory(is_published=False)
        )

    assert "implemented_by" in errors_of(caught)
    with pytest.raises(ValidationError):
        services.change_status(proposal, "implemented", user=answerer)


def test_a_duplicate_of_a_duplicate_points_to_the_original(proposal, answerer):
    original = ProposalFactory()
    middle = ProposalFactory(status="duplicate", duplicate_of=original)

    services.change_status(proposal, "duplicate", user=answerer, duplicate_of=middle)

    proposal.refresh_from_db()
    assert (proposal.status, proposal.duplicate_of) == ("duplicate", original)


def test_a_proposal_is_not_a_duplicate_of_itself_or_of_a_hidden_one(proposal, answerer):
    with pytest.raises(ValidationError) as caught:
        services.change_status(proposal, "duplicate", user=answerer, duplicate_of=proposal)
    assert "duplicate_of" in errors_of(caught)

    with pytest.raises(ValidationError):
        services.change_status(proposal, "duplicate", user=answerer, duplicate_of=ProposalFactory(visibility="hidden"))
    proposal.refresh_from_db()
    assert proposal.status == "published"


def test_a_proposal_waiting_for_moderation_cannot_be_answered(resident, moderator):
    pending = services.submit_proposal(new_proposal(), author=resident)

    with pytest.raises(ValidationError, match="Only a published proposal"):
        services.change_status(pending, "under_review", user=moderator)


def test_staff_of_another_department_may_not_answer(proposal):
    outsider = UserFactory()
    DepartmentFactory().members.add(outsider)

    assert not services.may_answer(outsider, proposal)
    with pytest.raises(PermissionDenied):
        services.change_status(proposal, "under_review", user=outsider)


def test_moderators_and_the_departments_staff_may_answer(proposal, moderator, answerer, resident):
    assert services.may_answer(moderator, proposal)
    assert services.may_answer(answerer, proposal)
    assert not services.may_answer(resident, proposal)


def test_a_status_change_mails_the_author_and_following_supporters_but_not_the_one_who_made_it(
    proposal, answerer, django_capture_on_commit_callbacks
):
    follower = SupportFactory(proposal=proposal, follows=True).user
    quiet = SupportFactory(proposal=proposal, follows=False).user
    SupportFactory(proposal=proposal, user=answerer, follows=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(proposal, "rejected", user=answerer, note="Not city land.")

    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        ["resident@example.org", follower.email]
    )
    assert quiet.email not in [address for message in mail.outbox for address in message.to]
    for message in mail.outbox:
        assert "Not city land." in message.body and f"{SITE}/proposals/{proposal.pk}/" in message.body


def test_status_mail_is_in_the_proposals_language_not_the_answerers(
    proposal, answerer, django_capture_on_commit_callbacks
):
    english = services.submit_proposal(new_proposal(language="en", title="An English one"), author=UserFactory())
    services.publish_proposal(english, moderator=UserFactory(role="moderator"))
    mail.outbox.clear()

    with translation.override("kk"), django_capture_on_commit_callbacks(execute=True):
        services.change_status(proposal, "under_review", user=answerer)
        services.change_status(english, "under_review", user=answerer)

    russian_mail, english_mail = mail.outbox
    assert "Здравствуйте!" in russian_mail.body and "Команда Qala" in russian_mail.body
    assert english_mail.body.startswith("Hello,") and "An English one" in english_mail.subject


def test_the_author_changing_the_status_gets_no_mail(proposal, resident, django_capture_on_commit_callbacks):
    proposal.department.members.add(resident)

    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(proposal, "under_review", user=resident)

    assert mail.outbox == []


def test_a_moderator_hands_a_proposal_to_another_department(proposal, moderator):
    housing = DepartmentFactory(slug="housing-test")
    due_date = proposal.due_date

    services.reassign(proposal, housing, user=moderator, note="Yards are theirs.")

    proposal.refresh_from_db()
    assert (proposal.department, proposal.due_date) == (housing, due_date)
    step = proposal.status_changes.last()
    assert (step.status, step.department, step.note) == ("published", housing, "Yards are theirs.")


def test_department_staff_cannot_hand_a_proposal_on(proposal, answerer):
    with pytest.raises(PermissionDenied):
        services.reassign(proposal, DepartmentFactory(), user=answerer)


# Supports


def test_supporting_twice_leaves_one_support(proposal):
    neighbour = UserFactory()

    first = services.support(proposal, neighbour)
    second = services.support(proposal, neighbour, follows=False)

    assert first.pk == second.pk
    assert list(Support.objects.filter(proposal=proposal).values_list("user", "follows")) == [(neighbour.pk, False)]


def test_an_author_cannot_support_their_own_proposal(proposal, resident):
    with pytest.raises(PermissionDenied, match="your own proposal"):
        services.support(proposal, resident)
    assert not Support.objects.exists()


def test_only_published_proposals_can_be_supported(resident):
    pending = services.submit_proposal(new_proposal(), author=resident)

    with pytest.raises(PermissionDenied):
        services.support(pending, UserFactory())


def test_supporting_needs_a_confirmed_email(proposal):
    with pytest.raises(PermissionDenied):
        services.support(proposal, UserFactory(email_confirmed_at=None))


def test_a_support_can_be_withdrawn_once(proposal):
    neighbour = UserFactory()
    services.support(proposal, neighbour)

    assert services.withdraw_support(proposal, neighbour) is True
    assert services.withdraw_support(proposal, neighbour) is False
    assert not Support.objects.exists()


def test_a_supporter_stops_following(proposal):
    neighbour = UserFactory()
    services.support(proposal, neighbour)

    services.set_following(proposal, neighbour, False)

    assert Support.objects.get(user=neighbour).follows is False


def test_following_needs_a_support(proposal):
    with pytest.raises(ValidationError, match="Support the proposal"):
        services.set_following(proposal, UserFactory(), True)


# Comments


def test_a_comment_waits_for_moderation_stripped(proposal):
    neighbour = UserFactory()

    comment = services.add_comment(proposal, author=neighbour, text="  <i>Me too</i>  ", network="c" * 64)

    comment.refresh_from_db()
    assert (comment.text, comment.visibility, comment.sender_network) == ("<i>Me too</i>", "pending", "c" * 64)


def test_without_premoderation_a_comment_is_published_at_once(proposal, settings):
    settings.PROPOSALS_PREMODERATION = False

    comment = services.add_comment(proposal, author=UserFactory(), text="Me too")

    assert comment.visibility == "published"


def test_a_reply_to_a_reply_joins_its_comment(proposal):
    top = CommentFactory(proposal=proposal)
    reply = CommentFactory(proposal=proposal, parent=top)

    answer = services.add_comment(proposal, author=UserFactory(), text="Agreed", parent=reply)

    assert answer.parent == top


def test_a_reply_to_a_comment_on_another_proposal_is_refused(proposal):
    elsewhere = CommentFactory()

    with pytest.raises(ValidationError) as caught:
        services.add_comment(proposal, author=UserFactory(), text="Agreed", parent=elsewhere)

    assert "parent" in errors_of(caught)


def test_an_empty_or_too_long_comment_is_refused(proposal):
    with pytest.raises(ValidationError) as caught:
        services.add_comment(proposal, author=UserFactory(), text=" \n ")
    assert "cannot be empty" in errors_of(caught)["text"][0]

    with pytest.raises(ValidationError) as caught:
        services.add_comment(proposal, author=UserFactory(), text="x" * 2001)
    assert errors_of(caught)["text"] == ["This is 2001 characters long; at most 2000 are allowed."]
    assert not Comment.objects.exists()


def test_the_same_comment_form_sent_twice_makes_one_comment(proposal):
    neighbour, key = UserFactory(), uuid.uuid4()

    first = services.add_comment(proposal, author=neighbour, text="Me too", submission_key=key)
    second = services.add_comment(proposal, author=neighbour, text="Me too", submission_key=key)

    assert first.pk == second.pk and Comment.objects.count() == 1


def test_a_proposal_waiting_for_moderation_cannot_be_discussed(resident):
    pending = services.submit_proposal(new_proposal(), author=resident)

    with pytest.raises(PermissionDenied):
        services.add_comment(pending, author=UserFactory(), text="Me too")


def test_commenting_needs_a_confirmed_email(proposal):
    with pytest.raises(PermissionDenied):
        services.add_comment(proposal, author=UserFactory(email_confirmed_at=None), text="Me too")


def test_the_author_edits_a_comment_for_a_while_then_no_more(proposal, settings):
    settings.COMMENT_EDIT_MINUTES = 15
    neighbour = UserFactory()
    fresh = CommentFactory(proposal=proposal, author=neighbour)
    old = CommentFactory(
        proposal=proposal, author=neighbour, created_at=timezone.now() - datetime.timedelta(minutes=16)
    )

    assert services.may_edit_comment(neighbour, fresh)
    assert not services.may_edit_comment(UserFactory(), fresh)
    assert not services.may_edit_comment(neighbour, old)
    with pytest.raises(PermissionDenied, match="15 minutes"):
        services.edit_comment(old, user=neighbour, text="Changed")


def test_an_edited_comment_is_dated_and_waits_for_moderation_again(proposal):
    comment = CommentFactory(proposal=proposal)

    services.edit_comment(comment, user=comment.author, text=" Changed ")

    comment.refresh_from_db()
    assert (comment.text, comment.visibility) == ("Changed", "pending")
    assert comment.edited_at is not None


def test_publishing_and_hiding_a_comment_mails_its_author(proposal, moderator, django_capture_on_commit_callbacks):
    comment = services.add_comment(proposal, author=UserFactory(email="neighbour@example.org"), text="Me too")

    with django_capture_on_commit_callbacks(execute=True):
        services.publish_comment(comment, moderator=moderator)
        services.hide_comment(comment, moderator=moderator, reason="Off topic")

    published, hidden = mails_to("neighbour@example.org")
    assert f"{SITE}/proposals/{proposal.pk}/#comment-{comment.pk}" in published.body
    assert "Off topic" in hidden.body and "Здравствуйте!" in hidden.body
    comment.refresh_from_db()
    assert (comment.visibility, comment.moderation_reason) == ("hidden", "Off topic")


def test_hiding_a_comment_needs_a_reason(proposal, moderator):
    comment = CommentFactory(proposal=proposal)

    with pytest.raises(ValidationError):
        services.hide_comment(comment, moderator=moderator, reason="")
    comment.refresh_from_db()
    assert comment.visibility == "published"


# Flags


def test_flagging_twice_leaves_one_flag(proposal):
    neighbour = UserFactory()

    first = services.flag(user=neighbour, reason="spam", proposal=proposal)
    second = services.flag(user=neighbour, reason="abuse", proposal=proposal)

    assert first.pk == second.pk and Flag.objects.count() == 1


def test_a_flag_needs_a_known_reason(proposal):
    with pytest.raises(ValidationError) as caught:
        services.flag(user=UserFactory(), reason="boring", proposal=proposal)

    assert "reason" in errors_of(caught)


def test_moderators_resolve_the_open_flags_of_a_comment(proposal, moderator):
    comment = CommentFactory(proposal=proposal)
    services.flag(user=UserFactory(), reason="abuse", comment=comment)
    services.flag(user=UserFactory(), reason="spam", comment=comment, note="Links to a shop")
    services.flag(user=UserFactory(), reason="spam", proposal=proposal)

    assert services.resolve_flags(moderator=moderator, comment=comment) == 2
    assert services.resolve_flags(moderator=moderator, comment=comment) == 0
    assert Flag.objects.filter(resolved_at__isnull=True).count() == 1


def test_a_resolved_flag_raised_again_is_open_again(proposal, moderator):
    neighbour = UserFactory()
    services.flag(user=neighbour, reason="spam", proposal=proposal)
    services.resolve_flags(moderator=moderator, proposal=proposal)

    again = services.flag(user=neighbour, reason="abuse", proposal=proposal)

    assert (again.reason, again.resolved_at) == ("abuse", None)
    assert Flag.objects.count() == 1


def test_only_moderators_resolve_flags(proposal, resident):
    with pytest.raises(PermissionDenied):
        services.resolve_flags(moderator=resident, proposal=proposal)


def test_an_api_client_is_limited_by_its_key_not_by_the_address_it_posts_from(settings, resident):
    settings.PROPOSAL_LIMITS_PER_NETWORK = "1/hour"
    settings.OPEN311_LIMITS_PER_KEY = "3/hour"
    client, _key = create_api_client("City back-end")

    for _ in range(3):
        services.submit_proposal(new_proposal(), api_client=client, network="back-end")
    with pytest.raises(LimitReached):
        services.submit_proposal(new_proposal(), api_client=client, network="back-end")
    # The reports of the back-end do not use up the residents' allowance from that address either.
    services.submit_proposal(new_proposal(), author=resident, network="back-end")

    assert Proposal.objects.filter(api_client=client).count() == 3
    assert Proposal.objects.filter(author=resident).count() == 1
