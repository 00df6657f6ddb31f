"""Fill the loaded city with a demo of the participation programme: ballots, a forum and a contest.

- On the demo park workshop (``parks_demo``), the ballot its participants
  voted in on its last day: points among the concepts, cast with participant
  codes, closed and published.
- A corridor workshop that is on now, with an open approval ballot among the
  demo corridors (``corridors_demo``), cast by demo residents and codes, its
  results live: the projector view has something to show.
- A green corridors forum next week with registrations and its waiting list,
  and a public space forum two months ago with the proposals made at it.
- A "most active citizen" contest taking entries, judged on the quality of
  the idea and the creativity of the photo, with some entries scored by a
  demo jury. Each entry's picture is a sketch of the streets and rivers
  around its place, drawn from the city pack (so its credit is the pack's).

Everything goes through the services residents and organisers use
(participation.voting, .events, .contests), so every rule is kept. The demo
accounts are those of ``participation_demo`` (its residents), plus a demo
jury; ``--remove`` deletes only what this command made.
"""

import datetime
import io
import random

from django.contrib.auth import get_user_model
from django.contrib.gis.db.models.functions import Area
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw

from accounts.roles import JURY, assign_role
from gis_data.models import Building, City, GreenArea, Street, Waterway
from gis_data.packs import current_city
from participation import contests, events, voting
from participation.ballot_items import candidates, item_content_types
from participation.management.commands.participation_demo import DEMO_DOMAIN, demo_residents
from participation.models import (
    Ballot,
    BallotItem,
    Contest,
    Criterion,
    Event,
    Method,
    Proposal,
    ResultsShown,
    Visibility,
    Voters,
    Workshop,
)

SEED = 2023
JURY_NAMES = ("Demo jury: Алия Қ.", "Demo jury: Viktor S.", "Demo jury: Dana M.")
# The ideas of the contest's entries, in the language each is written in.
IDEAS = (
    ("ru", "Поставить скамейки в тени вдоль арыка и посадить карагачи там, где они погибли.", ["арык", "тень"]),
    ("kk", "Өзен жағасына велосипед жолын салып, саябақтарды бір-бірімен жалғау.", ["велошабақ", "өзен"]),
    ("en", "Turn the empty lot by the tram stop into a pocket park with a drinking fountain.", ["pocketpark"]),
    ("ru", "Сделать пешеходный переход к парку безопасным: островок и подсветка.", ["безопасность"]),
    ("en", "Open the courtyard between the blocks to the street and plant a row of apple trees.", ["apples", "trees"]),
    ("kk", "Аулаға балалар алаңы мен субұрқақ орнату.", ["балалар"]),
)


def demo_jury() -> list:
    User = get_user_model()
    jurors = []
    for number, name in enumerate(JURY_NAMES, start=1):
        user, created = User.objects.get_or_create(
            email=f"jury-{number}@{DEMO_DOMAIN}", defaults={"display_name": name, "email_confirmed_at": timezone.now()}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            assign_role(user, JURY)
        jurors.append(user)
    return jurors


@transaction.atomic
def remove_demo() -> int:
    """Delete the demo ballots (with their votes), workshops, events and contests; return how many records."""
    removed = 0
    for ballot in Ballot.objects.filter(is_demo=True):
        ballot.votes.all().delete()
        ballot.delete()
        removed += 1
    # The corridor workshop is this command's; the park workshop is parks_demo's and stays.
    removed += Workshop.objects.filter(is_demo=True, concepts__isnull=True, ballots__isnull=True).delete()[0]
    removed += Event.objects.filter(is_demo=True).delete()[0]
    for contest in Contest.objects.filter(is_demo=True):
        for entry in contest.entries.all():
            entry.photos.all().delete()  # one by one, so that their files go too
        contest.delete()
        removed += 1
    get_user_model().objects.filter(email__istartswith="jury-", email__iendswith=f"@{DEMO_DOMAIN}").delete()
    return removed


def sketch(city: City, place: Point) -> bytes:
    """A picture of the parks, buildings, rivers and streets within about 300 m of ``place`` (a JPEG)."""
    width, height, radius = 1200, 900, 300.0
    centre = place.transform(city.metric_srid, clone=True)
    scale = width / (2 * radius)
    image = Image.new("RGB", (width, height), "#f4efe6")
    draw = ImageDraw.Draw(image)
    area = centre.buffer(radius * 1.5)
    area.srid = city.metric_srid
    area_lonlat = area.transform(4326, clone=True)

    def pixels(line):
        line = line.transform(city.metric_srid, clone=True)
        return [((x - centre.x) * scale + width / 2, height / 2 - (y - centre.y) * scale) for x, y in line.coords]

    def parts(geometry, kind):
        if geometry.geom_type == kind:
            return [geometry]
        return [part for part in geometry if part.geom_type == kind]

    for green in GreenArea.objects.filter(geom__intersects=area_lonlat):
        for polygon in parts(green.geom, "Polygon"):
            draw.polygon(pixels(polygon.exterior_ring), fill="#bbe5b5")
    for building in Building.objects.filter(geom__intersects=area_lonlat):
        for polygon in parts(building.geom, "Polygon"):
            draw.polygon(pixels(polygon.exterior_ring), fill="#d9cfc1", outline="#b8a994")
    for waterway in Waterway.objects.filter(geom__intersects=area_lonlat):
        for line in parts(waterway.geom, "LineString"):
            draw.line(pixels(line), fill="#4f9be8", width=16, joint="curve")
    streets = [
        line
        for street in Street.objects.filter(geom__intersects=area_lonlat)
        for line in parts(street.geom, "LineString")
    ]
    for line in streets:
        draw.line(pixels(line), fill="#8f8a84", width=24, joint="curve")
    for line in streets:
        draw.line(pixels(line), fill="#ffffff", width=18, joint="curve")
    draw.ellipse(
        (width / 2 - 22, height / 2 - 22, width / 2 + 22, height / 2 + 22), fill="#c2410c", outline="#ffffff", width=5
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


class Demo:
    def __init__(self, city: City, now: datetime.datetime) -> None:
        self.city = city
        self.now = now
        # Windows that open and close on the hour, as an organiser would set them.
        self.hour = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
        self.random = random.Random(SEED)  # noqa: S311 (a repeatable demo, not a secret)
        self.residents, self.moderator = demo_residents()

    def venue(self) -> tuple[Point, str]:
        """The heart of the city's largest named park and its name, else the middle of the city's extent."""
        park = (
            GreenArea.objects.filter(kind="park").exclude(name="").annotate(size=Area("geom")).order_by("-size").first()
        )
        if park is not None:
            return park.geom.point_on_surface, park.name
        return self.city.extent.centroid, str(self.city)

    def items(self, ballot: Ballot, records) -> list[BallotItem]:
        content_types = item_content_types()
        return [
            BallotItem.objects.create(
                ballot=ballot,
                content_type=content_types[record._meta.label_lower],
                object_id=record.pk,
                position=position,
            )
            for position, record in enumerate(records)
        ]

    def code_votes(self, ballot: Ballot, items: list[BallotItem], count: int, at: datetime.datetime) -> None:
        """``count`` participants vote with codes at ``at`` (a few minutes apart), each by the ballot's method."""
        _batch, texts = voting.generate_codes(ballot, count, note="Demo")
        for number, text in enumerate(texts):
            moment = at + datetime.timedelta(minutes=2 * number)
            code = voting.redeem_code(ballot, text, network="demo", now=moment)
            voting.cast_vote(ballot, voting.Voter(code=code), self.marks(ballot, items), now=moment)

    def marks(self, ballot: Ballot, items: list[BallotItem]) -> dict[int, int]:
        # Earlier items are liked a little more, so the results have a shape.
        weights = [len(items) - position + 2 for position in range(len(items))]
        if ballot.method == Method.SINGLE:
            return {self.random.choices(items, weights)[0].pk: 1}
        if ballot.method == Method.APPROVAL:
            chosen = {self.random.choices(items, weights)[0].pk for _draw in range(ballot.max_choices)}
            return dict.fromkeys(chosen, 1)
        marks: dict[int, int] = {}
        for _point in range(ballot.points_total):
            item = self.random.choices(items, weights)[0]
            if marks.get(item.pk, 0) < ballot.points_per_item:
                marks[item.pk] = marks.get(item.pk, 0) + 1
        return marks

    def park_ballot(self) -> str | None:
        workshop = Workshop.objects.filter(is_demo=True, concepts__isnull=False).distinct().first()
        if workshop is None:
            return None
        concepts = list(candidates("parks.renovationconcept").filter(workshop=workshop).order_by("pk")[:6])
        if len(concepts) < 2:
            return None
        last_day = datetime.datetime.combine(
            workshop.ends_on, datetime.time(15, 0), tzinfo=timezone.get_current_timezone()
        )
        ballot = Ballot.objects.create(
            workshop=workshop,
            title_kk="Қай саябақтарды бірінші жаңарту керек?",
            title_ru="Какие парки обновить первыми?",
            title_en="Which parks should be renovated first?",
            description_en="You have 10 points: give up to 4 to one concept.",
            description_ru="У вас 10 баллов: не больше 4 одному проекту.",
            description_kk="Сізде 10 ұпай бар: бір жобаға 4 ұпайдан артық емес.",
            method=Method.POINTS,
            points_total=10,
            points_per_item=4,
            opens_at=last_day,
            closes_at=last_day + datetime.timedelta(hours=3),
            results_shown=ResultsShown.AFTER_CLOSE,
            voters=Voters.CODES,
            is_demo=True,
        )
        items = self.items(ballot, concepts)
        self.code_votes(ballot, items, 46, last_day + datetime.timedelta(minutes=5))
        voting.results(ballot)  # closed: the totals are published
        return _("a closed points ballot of %(count)d concepts with 46 votes") % {"count": len(items)}

    def corridor_ballot(self) -> str | None:
        corridors = list(candidates("corridors.corridor").filter(is_demo=True).order_by("pk")[:4])
        if len(corridors) < 2:
            return None
        today = timezone.localdate(self.now)
        workshop = Workshop.objects.create(
            title_kk="Жасыл дәліздер шеберханасы (демо)",
            title_ru="Мастерская зелёных коридоров (демо)",
            title_en="Green corridors workshop (demo)",
            description_en="Residents compare corridor alternatives along the rivers and choose which to design.",
            description_ru="Жители сравнивают варианты коридоров вдоль рек и выбирают, какие проектировать.",
            description_kk="Тұрғындар өзендер бойындағы дәліз нұсқаларын салыстырып, жобалауға таңдайды.",
            starts_on=today,
            ends_on=today + datetime.timedelta(days=2),
            venue=self.venue()[0],
            venue_name=self.venue()[1],
            is_demo=True,
        )
        ballot = Ballot.objects.create(
            workshop=workshop,
            title_kk="Қай дәліз нұсқаларын жобалау керек?",
            title_ru="Какие варианты коридоров проектировать?",
            title_en="Which corridor alternatives should be designed?",
            method=Method.APPROVAL,
            max_choices=2,
            opens_at=self.hour - datetime.timedelta(hours=2),
            closes_at=(self.hour + datetime.timedelta(days=30)).replace(hour=20),
            results_shown=ResultsShown.LIVE,
            voters=Voters.BOTH,
            is_demo=True,
        )
        items = self.items(ballot, corridors)
        self.code_votes(ballot, items, 18, self.now - datetime.timedelta(hours=1, minutes=50))
        for resident in self.residents[:8]:
            voting.cast_vote(ballot, voting.Voter(account=resident), self.marks(ballot, items), now=self.now)
        return _("an open approval ballot of %(count)d corridors with 26 votes") % {"count": len(items)}

    def forums(self) -> str:
        next_week = (timezone.localtime(self.now) + datetime.timedelta(days=7)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        forum = Event.objects.create(
            title_kk="Жасыл дәліздер форумы (демо)",
            title_ru="Форум зелёных коридоров (демо)",
            title_en="Green corridors forum (demo)",
            programme_en="10:00 Welcome\n10:30 Corridors along the rivers: the alternatives\n12:00 Discussion",
            programme_ru="10:00 Приветствие\n10:30 Коридоры вдоль рек: варианты\n12:00 Обсуждение за столами",
            programme_kk="10:00 Сәлемдесу\n10:30 Өзендер бойындағы дәліздер: нұсқалар\n12:00 Үстел басында талқылау",
            starts_at=next_week,
            ends_at=next_week + datetime.timedelta(hours=4),
            registration_deadline=(next_week - datetime.timedelta(days=1)).replace(hour=18),
            venue=self.venue()[0],
            venue_name=self.venue()[1],
            capacity=10,
            is_published=True,
            is_demo=True,
        )
        for resident in self.residents:
            events.register(forum, resident, now=self.now)
        past_start = (timezone.localtime(self.now) - datetime.timedelta(days=60)).replace(
            hour=15, minute=0, second=0, microsecond=0
        )
        past = Event.objects.create(
            title_kk="Қоғамдық кеңістіктер форумы (демо)",
            title_ru="Форум общественных пространств (демо)",
            title_en="Public spaces forum (demo)",
            programme_en="15:00 What the city built this year\n16:00 Residents' proposals, pinned on the map together",
            starts_at=past_start,
            ends_at=past_start + datetime.timedelta(hours=3),
            registration_deadline=past_start - datetime.timedelta(hours=21),
            venue=self.venue()[0],
            venue_name=self.venue()[1],
            capacity=120,
            is_published=True,
            is_demo=True,
        )
        # Proposals made at the past forum: demo proposals, moved to its afternoon.
        proposals = list(
            Proposal.objects.filter(author__email__iendswith=f"@{DEMO_DOMAIN}", visibility=Visibility.PUBLISHED)
            .filter(event__isnull=True)
            .order_by("pk")[:4]
        )
        for number, proposal in enumerate(proposals):
            Proposal.objects.filter(pk=proposal.pk).update(
                event=past, created_at=past_start + datetime.timedelta(minutes=70 + 15 * number)
            )
        return _("a forum next week with a waiting list, and a past one with %(count)d proposals made at it") % {
            "count": len(proposals)
        }

    def contest(self) -> str:
        contest = Contest.objects.create(
            title_kk="Ең белсенді азамат (демо)",
            title_ru="Самый активный горожанин (демо)",
            title_en="Most active citizen (demo)",
            rules_en="Post a photo of a place in the city with an idea to make it better. "
            "The jury judges the quality of the idea and the creativity of the photo.",
            rules_ru="Опубликуйте фото места в городе и идею, как сделать его лучше. "
            "Жюри оценивает качество идеи и креативность фото.",
            rules_kk="Қаладағы бір жердің суретін және оны жақсарту идеясын жариялаңыз. "
            "Қазылар идеяның сапасы мен суреттің шығармашылығын бағалайды.",
            opens_at=(self.hour - datetime.timedelta(days=10)).replace(hour=9),
            closes_at=(self.hour + datetime.timedelta(days=20)).replace(hour=18),
            winners=3,
            is_published=True,
            is_demo=True,
        )
        idea = Criterion.objects.create(
            contest=contest,
            name_kk="Идеяның сапасы",
            name_ru="Качество идеи",
            name_en="Quality of the idea",
            weight=3,
            position=0,
        )
        photo = Criterion.objects.create(
            contest=contest,
            name_kk="Суреттің шығармашылығы",
            name_ru="Креативность фото",
            name_en="Creativity of the photo",
            weight=2,
            position=1,
        )
        jurors = demo_jury()
        contest.jury.set(jurors)
        streets = list(Street.objects.exclude(name="").order_by("pk")[:2000])
        entries = []
        for number, (language, text, tags) in enumerate(IDEAS):
            author = self.residents[number % len(self.residents)]
            place = self.random.choice(streets).geom.interpolate_normalized(0.5) if streets else self.venue()[0]
            upload = SimpleUploadedFile(f"demo-{number}.jpg", sketch(self.city, place), content_type="image/jpeg")
            entries.append(
                contests.submit_entry(
                    contest,
                    author,
                    idea=text,
                    photo_upload=upload,
                    place=place,
                    hashtags=tags,
                    language=language,
                    now=self.now - datetime.timedelta(days=9 - number),
                )
            )
        for entry in entries:
            entry.is_demo = True
            entry.save(update_fields=["is_demo"])
        for juror in jurors[:2]:
            for entry in entries[:4]:
                values = {idea.pk: self.random.randint(4, 10), photo.pk: self.random.randint(3, 10)}
                contests.score_entry(entry, juror, values, now=self.now)
        return _("a contest with %(count)d entries, 4 of them scored by two of its three jurors") % {
            "count": len(entries)
        }


class Command(BaseCommand):
    help = "Fill the loaded city with demo ballots, forums and a contest (replacing earlier demo ones)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when any ballot, event or contest exists"
        )
        parser.add_argument("--remove", action="store_true", help="delete what this demo made, and nothing else")
        parser.add_argument("--language", default="en", help="language of the messages: kk, ru or en")

    def handle(self, *args, if_empty=False, remove=False, language="en", **options):
        with translation.override(language):
            if remove:
                self.stdout.write(_("%(count)d demo records removed.") % {"count": remove_demo()})
                return
            if if_empty and (Ballot.objects.exists() or Event.objects.exists() or Contest.objects.exists()):
                self.stdout.write(_("There are ballots, events or contests already: no demo added."))
                return
            city = current_city()
            if city is None:
                raise CommandError(_("No city is loaded: load a city pack first (manage.py gis_load_city)."))
            # Demo accounts read no mail: the services' confirmations go nowhere.
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
                transaction.atomic(),
            ):
                remove_demo()
                demo = Demo(city, timezone.now())
                made = [demo.park_ballot(), demo.corridor_ballot(), demo.forums(), demo.contest()]
            for line in made:
                if line:
                    self.stdout.write(self.style.SUCCESS(line))
