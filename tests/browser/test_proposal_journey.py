"""A proposal's whole journey in a real browser, one person after the other on the same page.

A resident signs up, confirms the address, draws a line along Arbat, adds a photo and sends it; a moderator
publishes it and it goes to the department of its route; a neighbour supports it and comments (the comment
waits for the moderator, who publishes it); the department answers, "Under review" then "Accepted"; and the
author finds the answer on "My proposals", the dated timeline on the proposal's page, and the mail.
"""

import datetime
import json
import re

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from accounts.models import User
from participation.models import Comment, Proposal, StatusChange, Support
from photos.models import Photo
from tests.factories import (
    ARBAT,
    CityFactory,
    DepartmentFactory,
    DistrictFactory,
    ProposalCategoryFactory,
    RouteFactory,
    StreetFactory,
    UserFactory,
)
from tests.photo_files import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONFIRMATION_LINK = re.compile(r"https?://\S+/accounts/confirm/\S+/")
GEOMAN_LINE = ".leaflet-pm-toolbar .leaflet-pm-icon-polyline"
TITLE = "Half of the lamps on Arbat are out"
COMMENT = "I walk there every evening: it is dark from the corner on."
ANSWER = "New lamps go up along the whole street in September."
DEADLINE_DAYS = 15


@pytest.fixture
def city():
    """Almaty opening on Arbat (Zhibek Zholy Street, in Almaly); lighting in Almaly goes to the energy department."""
    CityFactory(center=Point(76.94445, 43.2610, srid=4326), default_zoom=16)
    almaly = DistrictFactory()
    StreetFactory(name="Zhibek Zholy", name_en="Zhibek Zholy Street", highway="pedestrian", geom=ARBAT.clone())
    lighting = ProposalCategoryFactory(slug="lighting", name_en="Street lighting")
    energy = DepartmentFactory(slug="energy", name_en="Energy and Utilities Department")
    RouteFactory(category=lighting, district=almaly, department=energy, deadline_days=DEADLINE_DAYS)
    return energy


def log_in(page, live_server, email, password):
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".site-header .user-name")).to_be_visible()


def log_out(page):
    page.locator(".site-header").get_by_role("button", name="Log out").click()
    expect(page.locator(".site-header .user-name")).to_have_count(0)


def open_from_nav(page, name):
    page.locator(".site-nav").get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def english_date(day: datetime.date) -> str:
    with translation.override("en"):
        return formats.date_format(day, "DATE_FORMAT")


def sign_up_and_confirm(page, live_server, mailoutbox, password):
    page.goto(live_server.url + reverse("accounts:signup"))
    page.get_by_label("E-mail").fill("aigerim@example.org")
    page.get_by_label("Display name").fill("Aigerim")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password again").fill(password)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your e-mail address")

    (message,) = mailoutbox
    assert message.to == ["aigerim@example.org"]
    page.goto(CONFIRMATION_LINK.search(message.body).group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("E-mail address confirmed")
    assert User.objects.get(email="aigerim@example.org").email_confirmed


def propose_a_line_along_arbat(page, tmp_path):
    page.locator(".site-nav").get_by_role("link", name="Proposals", exact=True).click()
    page.get_by_role("link", name="Propose something").click()
    # The street under the map is drawn once the page's script has fetched it.
    page.wait_for_selector("#proposal-map path.qala-reference-streets", state="attached")

    page.get_by_label("Problem report").check()
    page.get_by_label("Category").select_option(label="Street lighting")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Description").fill("From the Ablai Khan corner to Furmanov Street, every second lamp.")

    # Along Arbat (it rises about 1 px in 6 to the east) through the map's centre, where the street is:
    # click the vertices, then the last one again to finish.
    page.locator("#proposal-map").scroll_into_view_if_needed()
    page.locator(GEOMAN_LINE).click()
    box = page.locator("#proposal-map").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for point in [(x - 120, y + 19), (x, y), (x + 120, y - 19), (x + 120, y - 19)]:
        page.mouse.click(*point)
    expect(page.locator("#proposal-status")).to_have_text("The place is a line on the map.")
    assert json.loads(page.locator("#id_geom").input_value())["type"] == "LineString"

    photo = tmp_path / "lamps.jpg"
    photo.write_bytes(jpeg_bytes())
    page.get_by_label("Photos", exact=True).set_input_files(photo)
    page.get_by_role("button", name="Send the proposal").click()

    expect(page.locator(".messages")).to_contain_text("Your proposal waits for a moderator")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("#moderation-notice")).to_contain_text("This proposal waits for a moderator.")
    expect(page.locator(".photo-gallery img")).to_have_count(1)


def change_status(page, status, answer=""):
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Answer “{TITLE}”")
    page.get_by_label(status, exact=True).check()
    if answer:
        page.get_by_label("Public answer").fill(answer)
    page.get_by_role("button", name="Change the status and publish the answer").click()
    expect(page.locator(".messages")).to_contain_text(f"The proposal is now “{status}”")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def test_a_proposal_goes_from_a_new_resident_through_moderation_to_the_departments_answer(
    page, live_server, city, moderator, password, mailoutbox, tmp_path
):
    energy = city
    neighbour = UserFactory(email="daniyar@example.org", display_name="Daniyar", password=password, role="resident")
    clerk = UserFactory(email="clerk@example.org", display_name="Clerk Saule", password=password, role="resident")
    energy.members.add(clerk)

    # 1-2. A visitor signs up, confirms the address, and proposes a line along the street with a photo.
    sign_up_and_confirm(page, live_server, mailoutbox, password)
    propose_a_line_along_arbat(page, tmp_path)
    proposal = Proposal.objects.get()
    assert proposal.visibility == "pending"
    assert proposal.geom.geom_type == "LineString"
    # Drawn along the street: each end within about 10 m of it.
    assert all(Point(*end, srid=4326).distance(ARBAT) < 0.0001 for end in proposal.geom.coords[::2])
    assert Photo.objects.of(proposal).count() == 1
    log_out(page)

    # 3. The moderator publishes it from the queue; it goes to the department of its route.
    log_in(page, live_server, moderator.email, password)
    open_from_nav(page, "Moderation")
    waiting = page.locator(".moderation-item", has_text=TITLE)
    expect(waiting).to_contain_text("1 photo")
    waiting.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text(f"“{TITLE}” is published.")
    expect(page.get_by_text("No proposal is waiting.")).to_be_visible()
    published_mail = mailoutbox[-1]
    assert published_mail.to == ["aigerim@example.org"]
    assert "It has been sent to: Energy and Utilities Department." in published_mail.body
    log_out(page)

    # 4. A neighbour finds it among the proposals, supports it and comments.
    log_in(page, live_server, neighbour.email, password)
    page.locator(".site-nav").get_by_role("link", name="Proposals", exact=True).click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator(".support-count")).to_have_text("0 residents support this proposal.")
    page.get_by_role("button", name="Support this proposal").click()
    expect(page.locator(".support-count")).to_have_text("1 resident supports this proposal.")
    expect(page.locator("#support")).to_contain_text("You support this proposal.")
    page.locator("#comment-form").get_by_label("Your comment").fill(COMMENT)
    page.get_by_role("button", name="Send the comment").click()
    expect(page.locator(".messages")).to_contain_text("Your comment waits for a moderator")
    expect(page.locator(".comment", has_text=COMMENT)).to_contain_text("Waiting for a moderator")
    log_out(page)

    # The comment waits for the moderator, who publishes it.
    log_in(page, live_server, moderator.email, password)
    open_from_nav(page, "Moderation")
    page.locator(".moderation-item", has_text=COMMENT).get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("The comment is published.")
    expect(page.get_by_text("No comment is waiting.")).to_be_visible()
    log_out(page)

    # 5. The department's clerk finds it among the answers due and moves its status on, answering publicly.
    log_in(page, live_server, clerk.email, password)
    open_from_nav(page, "Answers due")
    row = page.get_by_role("row").filter(has_text=TITLE)
    due = timezone.localdate() + datetime.timedelta(days=DEADLINE_DAYS)
    expect(row).to_contain_text(f"{DEADLINE_DAYS} days left")
    expect(row.locator("td.number")).to_have_text("1")
    # "Answer", then the title for screen readers (visually hidden).
    row.get_by_role("link", name=re.compile(rf"^Answer\W+{re.escape(TITLE)}$")).click()
    change_status(page, "Under review")
    page.get_by_role("link", name="Answer and change the status").click()
    change_status(page, "Accepted (planned)", ANSWER)
    log_out(page)

    # 6. The author sees the new status and the answer on "My proposals", and the dated timeline.
    log_in(page, live_server, "aigerim@example.org", password)
    open_from_nav(page, "My proposals")
    card = page.locator(".proposal-card", has_text=TITLE)
    expect(card.locator(".status-badge")).to_contain_text("Accepted (planned)")
    expect(card).to_contain_text("Energy and Utilities Department")
    expect(card.locator(".last-answer-title")).to_contain_text("Latest step: Accepted (planned)")
    expect(card.locator(".last-answer-note")).to_have_text(ANSWER)
    card.get_by_role("link", name=TITLE).click()

    today = english_date(timezone.localdate())
    steps = page.locator(".timeline .timeline-step")
    expect(steps).to_have_count(3)
    expect(steps.nth(0)).to_contain_text("Published")
    expect(steps.nth(1)).to_contain_text("Under review")
    expect(steps.nth(2)).to_contain_text("Accepted (planned) (now)")
    expect(steps.nth(2).locator(".timeline-note")).to_have_text(ANSWER)
    for index in range(3):
        expect(steps.nth(index).locator("time")).to_have_text(today)
    expect(page.locator(".project-facts")).to_contain_text(english_date(due))
    expect(page.locator(".support-count")).to_have_text("1 resident supports this proposal.")
    expect(page.locator(".comment", has_text=COMMENT).locator(".comment-author")).to_have_text("Daniyar")

    # Both the author and the following neighbour were mailed each status change, the answer with the last.
    status_mails = [message for message in mailoutbox if TITLE in message.subject and "Accepted" in message.subject]
    assert sorted(address for message in status_mails for address in message.to) == [
        "aigerim@example.org",
        "daniyar@example.org",
    ]
    assert all(ANSWER in message.body for message in status_mails)
    assert len([message for message in mailoutbox if message.subject == f"Under review: {TITLE}"]) == 2

    proposal = Proposal.objects.get()
    assert proposal.status == "accepted"
    assert proposal.visibility == "published"
    assert proposal.department == energy
    assert proposal.due_date == due
    assert list(Support.objects.values_list("proposal", "user")) == [(proposal.pk, neighbour.pk)]
    comment = Comment.objects.get()
    assert (comment.proposal, comment.author, comment.text, comment.visibility) == (
        proposal,
        neighbour,
        COMMENT,
        "published",
    )
    changes = list(StatusChange.objects.filter(proposal=proposal).order_by("changed_at", "pk"))
    assert [(change.status, change.department, change.note) for change in changes] == [
        ("published", energy, ""),
        ("under_review", energy, ""),
        ("accepted", energy, ANSWER),
    ]
    assert changes[2].changed_by == clerk
