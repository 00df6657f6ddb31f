"""Fill the loaded city with plausible residents' proposals, so the map, the lists and the queues are never empty.

The proposals are written by demo residents, accounts at ``DEMO_DOMAIN`` (a
reserved domain: no mail reaches anyone) created once and reused; a demo
proposal is one whose author is a demo resident, so ``--remove`` takes away
exactly them, with the residents, their supports and comments. Points lie
on the city's real streets, a few lines follow streets, a few polygons lie in
its parks. They are published through participation.services (routed to a
department, with a due date), some answered and moved on, supported and
discussed; a few are left waiting for a moderator. Dates are then spread
over the past months, so that some answers are overdue. The same city gives
the same proposals (a seeded random generator over its features in a fixed order).
"""

import datetime
import math
import random
from dataclasses import dataclass
from itertools import pairwise

from django.contrib.auth import get_user_model
from django.contrib.gis.db.models import Union
from django.contrib.gis.geos import GEOSGeometry, LineString, Point, Polygon
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.roles import MODERATOR, RESIDENT, assign_role
from gis_data.geometry import SRID, GeometryRuleError, check_geometry
from gis_data.models import City, District, GreenArea, Street
from gis_data.packs import current_city
from participation import services
from participation.limits import LimitReached
from participation.models import Category, Comment, Kind, Proposal, Status, StatusChange, Visibility
from projects.models import Project

SEED = 311  # GeoReport's number
DEMO_DOMAIN = "demo.qala.example"
MODERATOR_EMAIL = f"moderator@{DEMO_DOMAIN}"
# The demo residents' display names; their addresses are resident-<n>@DEMO_DOMAIN.
RESIDENTS = (
    "Айгерим С.",
    "Ерлан Б.",
    "Мария К.",
    "Данияр Т.",
    "Ольга П.",
    "Асель Н.",
    "Тимур Ж.",
    "Гүлнар А.",
    "Сергей Л.",
    "Жанар М.",
    "Арман Е.",
    "Dana R.",
)
# In which language residents write, and how often.
LANGUAGES = (("ru", 55), ("kk", 30), ("en", 15))
# What becomes of a published demo proposal, and how often; a few stay waiting for a moderator.
FATES = (
    ("pending", 10),
    (Status.PUBLISHED, 30),
    (Status.UNDER_REVIEW, 18),
    (Status.ACCEPTED, 16),
    (Status.IMPLEMENTED, 8),
    (Status.REJECTED, 12),
    (Status.DUPLICATE, 6),
)
# The path to each status (after "published").
PATHS = {
    "pending": (),
    Status.PUBLISHED: (),
    Status.UNDER_REVIEW: (Status.UNDER_REVIEW,),
    Status.ACCEPTED: (Status.UNDER_REVIEW, Status.ACCEPTED),
    Status.IMPLEMENTED: (Status.UNDER_REVIEW, Status.ACCEPTED, Status.IMPLEMENTED),
    Status.REJECTED: (Status.UNDER_REVIEW, Status.REJECTED),
    Status.DUPLICATE: (Status.DUPLICATE,),
}


@dataclass(frozen=True)
class Idea:
    """One kind of demo proposal: its shape, kind, category and texts (kk, ru, en) with {place}."""

    shape: str  # point, line or polygon
    kind: str
    category: str
    titles: tuple[str, str, str]
    descriptions: tuple[str, str, str]


IDEAS = (
    Idea(
        "point",
        Kind.PROBLEM,
        "lighting",
        ("{place}: шам жанбайды", "{place}: не горит фонарь", "{place}: street light out"),
        (
            "Кешке бұл жер мүлдем қараңғы, балалар мектептен осы жолмен қайтады.",
            "Вечером здесь совсем темно, дети возвращаются этой дорогой из школы.",
            "It is pitch dark here in the evening, and children walk home from school this way.",
        ),
    ),
    Idea(
        "point",
        Kind.PROBLEM,
        "roads",
        ("{place}: жолда терең шұңқыр", "{place}: глубокая яма на дороге", "{place}: deep pothole"),
        (
            "Жаңбырдан кейін шұңқыр сумен толады, көліктер тротуарға шығып айналып өтеді.",
            "После дождя яма заполняется водой, машины объезжают её по тротуару.",
            "After rain the hole fills with water and cars drive onto the pavement to avoid it.",
        ),
    ),
    Idea(
        "point",
        Kind.PROBLEM,
        "public_transport",
        ("{place}: аялдамада күнқағар жоқ", "{place}: на остановке нет навеса", "{place}: no shelter at the stop"),
        (
            "Жазда ыстықта, қыста қар астында күтеміз. Орындық пен күнқағар керек.",
            "Летом ждём на жаре, зимой под снегом. Нужны навес и скамейка.",
            "We wait in the heat in summer and in the snow in winter. A shelter and a bench are needed.",
        ),
    ),
    Idea(
        "point",
        Kind.PROBLEM,
        "waste",
        ("{place}: қоқыс жәшіктері толып кеткен", "{place}: переполнены урны", "{place}: overflowing bins"),
        (
            "Қоқыс аптасына бір рет қана алынады, айналаның бәрі шашылып жатыр.",
            "Мусор вывозят раз в неделю, всё вокруг разлетается.",
            "Rubbish is collected once a week and blows all over the street.",
        ),
    ),
    Idea(
        "point",
        Kind.PROBLEM,
        "accessibility",
        ("{place}: өткелде пандус жоқ", "{place}: нет пандуса на переходе", "{place}: no ramp at the crossing"),
        (
            "Арбамен немесе мүгедектер арбасымен биік жиектастан өту мүмкін емес.",
            "С коляской или на инвалидной коляске через высокий бордюр не перебраться.",
            "A pram or a wheelchair cannot get over the high kerb.",
        ),
    ),
    Idea(
        "point",
        Kind.PROBLEM,
        "water",
        ("{place}: арық бітеліп қалған", "{place}: забит арык", "{place}: blocked aryk"),
        (
            "Арықта су тұрып қалды, ағаштар кеуіп барады, жаңбырда жол суға батады.",
            "Вода в арыке стоит, деревья сохнут, в дождь улицу заливает.",
            "The water in the ditch does not flow, the trees are drying out and the street floods when it rains.",
        ),
    ),
    Idea(
        "point",
        Kind.PUBLIC_SPACE,
        "architecture",
        ("{place}: бос қабырғаға мурал", "{place}: мурал на глухой стене", "{place}: a mural on the blank wall"),
        (
            "Жергілікті суретшілермен бірге қала тарихы туралы мурал салуды ұсынамын.",
            "Предлагаю вместе с местными художниками нарисовать мурал об истории города.",
            "I suggest painting a mural about the city's history together with local artists.",
        ),
    ),
    Idea(
        "point",
        Kind.PUBLIC_SPACE,
        "yards",
        ("{place}: орындықтар мен көлеңке", "{place}: скамейки и тень", "{place}: benches and shade"),
        (
            "Мұнда қарт адамдар жиі демалады, бірақ отыратын жер жоқ. Бірнеше орындық пен ағаш керек.",
            "Здесь часто отдыхают пожилые люди, но сесть негде. Нужны скамейки и пара деревьев.",
            "Older people often rest here but there is nowhere to sit. A few benches and trees would help.",
        ),
    ),
    Idea(
        "line",
        Kind.CORRIDOR,
        "cycling_walking",
        ("{place} бойымен веложол", "Велодорожка по {place}", "A bike lane along {place}"),
        (
            "Көшемен көп адам велосипедпен жүреді, бірақ көліктер арасында қауіпті. Бөлінген жол керек.",
            "По улице ездит много велосипедистов, но среди машин опасно. Нужна отделённая дорожка.",
            "Many people cycle here, but it is dangerous among the cars. A separated lane is needed.",
        ),
    ),
    Idea(
        "line",
        Kind.CORRIDOR,
        "greenery",
        ("{place} бойымен жасыл дәліз", "Зелёный коридор вдоль {place}", "A green corridor along {place}"),
        (
            "Ағаштар қатарын қалпына келтіріп, арықтарды тазалап, көлеңкелі жаяу жол жасауды ұсынамын.",
            "Предлагаю восстановить ряды деревьев, расчистить арыки и сделать тенистый пешеходный путь.",
            "Restore the rows of trees, clear the aryks and make a shaded walking route.",
        ),
    ),
    Idea(
        "line",
        Kind.PROBLEM,
        "roads",
        ("{place}: тротуар бұзылған", "{place}: разбитый тротуар", "{place}: broken pavement"),
        (
            "Тротуар плиткалары шығып тұр, қыста мұз болып, адамдар құлайды.",
            "Плитка на тротуаре вздыблена, зимой всё во льду, люди падают.",
            "The paving stones are heaved up; in winter it is all ice and people fall.",
        ),
    ),
    Idea(
        "polygon",
        Kind.PARK,
        "greenery",
        ("{place}: скверді жаңарту", "{place}: обновить сквер", "{place}: renew the little park"),
        (
            "Жаңа ағаштар, тамшылатып суару, жолдар мен орындықтар. Көгалды сақтау керек.",
            "Новые деревья, капельный полив, дорожки и скамейки. Газоны нужно сохранить.",
            "New trees, drip irrigation, paths and benches. The lawns should be kept.",
        ),
    ),
    Idea(
        "polygon",
        Kind.PUBLIC_SPACE,
        "yards",
        ("{place}: балалар алаңы", "{place}: детская площадка", "{place}: a playground"),
        (
            "Маңайда балалар көп, бірақ ойын алаңы жоқ. Қауіпсіз жабыны бар алаң жасауды сұраймыз.",
            "Детей вокруг много, а площадки нет. Просим сделать площадку с безопасным покрытием.",
            "There are many children around but no playground. Please build one with a safe surface.",
        ),
    ),
    Idea(
        "polygon",
        Kind.PARK,
        "accessibility",
        ("{place}: баспалдақсыз жолдар", "{place}: дорожки без ступенек", "{place}: step-free paths"),
        (
            "Саябаққа мүгедектер арбасымен кіру мүмкін емес: барлық жолда баспалдақ бар.",
            "В парк не попасть на коляске: на всех дорожках ступени.",
            "The park cannot be entered in a wheelchair: every path has steps.",
        ),
    ),
)
# The department's public answer on each status, in the proposal's language.
ANSWERS = {
    Status.UNDER_REVIEW: {
        "kk": "Өтініш жұмысқа алынды, мамандар орнына барып қарайды.",
        "ru": "Обращение принято в работу, специалисты выедут на место.",
        "en": "We have taken this up; our staff will visit the site.",
    },
    Status.ACCEPTED: {
        "kk": "Жұмыстар келесі маусымның жоспарына енгізілді.",
        "ru": "Работы включены в план на следующий сезон.",
        "en": "The works are included in next season's plan.",
    },
    Status.IMPLEMENTED: {
        "kk": "Абаттандыру жобасы аясында орындалды.",
        "ru": "Выполнено в рамках проекта благоустройства.",
        "en": "Done as part of an improvement project.",
    },
    Status.REJECTED: {
        "kk": "Бұл учаске коммуналдық меншікте емес; өтініш иесіне жіберілді.",
        "ru": "Участок не в коммунальной собственности; обращение передано балансодержателю.",
        "en": "This plot is not municipal property; we have forwarded the request to its owner.",
    },
    Status.DUPLICATE: {
        "kk": "Бұл ұсыныс бұрын берілгенін қайталайды, соны қадағалаңыз.",
        "ru": "Это предложение повторяет поданное ранее; следите за ним.",
        "en": "This repeats an earlier proposal; please follow that one.",
    },
}
COMMENTS = {
    "kk": ("Толық қолдаймын!", "Мен де осы жерден күнде өтемін.", "Бұл мәселе бірнеше жылдан бері шешілмей жатыр."),
    "ru": (
        "Полностью поддерживаю!",
        "Хожу здесь каждый день, всё так и есть.",
        "Эта проблема тянется уже несколько лет.",
    ),
    "en": ("Fully agree!", "I walk past here every day: it is exactly like that.", "This has been going on for years."),
}
# Unnamed parks are called this, in each language.
UNNAMED_PARK = {"kk": "аула маңындағы сквер", "ru": "сквер у домов", "en": "the small park by the houses"}
CODES = ("kk", "ru", "en")


def _clean(name: str) -> str:
    # OSM joins alternative names with ";" ("ул. Джандосова;ул.Джандосова").
    return name.split(";")[0].strip()


def place_name(feature, language: str) -> str:
    return _clean(getattr(feature, f"name_{language}", "") or feature.name)


def stretch(line: LineString, length: float, rng: random.Random) -> LineString:
    """A piece ``length`` metres long of a line in a metric SRID, from a random start; the whole line if shorter."""
    total = line.length
    if total <= length:
        return line
    start = rng.uniform(0, total - length)
    end = start + length
    coords = [line.interpolate(start).coords]
    walked = 0.0
    for a, b in pairwise(line.coords):
        walked += math.dist(a, b)
        if start < walked < end:
            coords.append(b)
    coords.append(line.interpolate(end).coords)
    return LineString(coords, srid=line.srid)


def largest_polygon(geometry: GEOSGeometry) -> Polygon | None:
    """The largest polygon of an intersection (which may be a polygon, a multipolygon or a collection)."""
    if geometry.empty:
        return None
    if geometry.geom_type == "Polygon":
        return geometry
    if geometry.geom_type in ("MultiPolygon", "GeometryCollection"):
        polygons = [part for part in geometry if part.geom_type == "Polygon"]
        return max(polygons, key=lambda polygon: polygon.area) if polygons else None
    return None


@dataclass
class Plan:
    idea: Idea
    geometry: GEOSGeometry  # in SRID 4326
    place: object  # the street or park: its names go into the title


class DemoBuilder:
    """Draws the demo proposals on the city's streets and parks, with one seeded random generator."""

    def __init__(self, city: City) -> None:
        self.city = city
        self.random = random.Random(SEED)  # noqa: S311 (demo data must repeat, not be secret)
        districts = District.objects.filter(source__city=city)
        self.area = districts.aggregate(area=Union("geom"))["area"] if districts.exists() else city.extent
        self.metric_area = self.area.transform(city.metric_srid, clone=True)
        self.streets = Street.objects.filter(source__city=city, geom__intersects=self.area).exclude(name="")
        self.parks = GreenArea.objects.filter(
            source__city=city, kind__in=("park", "garden", "recreation_ground"), geom__intersects=self.area
        )
        self.rules = Proposal().geometry_rules()

    def metric(self, geometry: GEOSGeometry) -> GEOSGeometry:
        return geometry.transform(self.city.metric_srid, clone=True)

    def lonlat(self, geometry: GEOSGeometry) -> GEOSGeometry:
        return geometry.transform(SRID, clone=True)

    def pick(self, queryset, count: int) -> list:
        """``count`` features of ``queryset`` at random (with repeats when there are fewer), in a fixed order."""
        ids = list(queryset.order_by("osm_type", "osm_id").values_list("pk", flat=True))
        if not ids:
            return []
        chosen = self.random.sample(ids, count) if count <= len(ids) else self.random.choices(ids, k=count)
        features = queryset.in_bulk(chosen)
        return [features[pk] for pk in chosen]

    def point_on(self, street: Street) -> GEOSGeometry | None:
        line = self.metric(street.geom)
        point = line.interpolate(self.random.uniform(0.1, 0.9) * line.length)
        return point if self.metric_area.contains(point) else None

    def line_on(self, street: Street) -> GEOSGeometry | None:
        line = self.metric(street.geom).intersection(self.metric_area)
        if line.geom_type != "LineString" or line.length < 120:
            return None
        return stretch(line, self.random.uniform(120, 600), self.random)

    def polygon_in(self, park: GreenArea) -> GEOSGeometry | None:
        area = largest_polygon(self.metric(park.geom).intersection(self.metric_area))
        if area is None:
            return None
        inner = area.buffer(-15)
        if inner.empty:
            center = area.point_on_surface
        else:
            xmin, ymin, xmax, ymax = inner.extent
            center = area.point_on_surface
            for _attempt in range(50):
                candidate = Point(self.random.uniform(xmin, xmax), self.random.uniform(ymin, ymax), srid=area.srid)
                if inner.contains(candidate):
                    center = candidate
                    break
        width, height = self.random.uniform(40, 90), self.random.uniform(30, 60)
        box = Polygon.from_bbox(
            (center.x - width / 2, center.y - height / 2, center.x + width / 2, center.y + height / 2)
        )
        box.srid = area.srid
        return largest_polygon(box.intersection(area))

    def plans(self, count: int) -> list[Plan]:
        by_shape = {shape: [idea for idea in IDEAS if idea.shape == shape] for shape in ("point", "line", "polygon")}
        polygons = max(1, count // 8) if self.parks.exists() else 0
        lines = max(1, count // 8)
        points = max(0, count - polygons - lines)
        plans: list[Plan] = []
        # Lines follow local streets where there are some: a corridor idea on a motorway reads oddly.
        local = self.streets.filter(is_main=False)
        for shape, wanted, features, draw in (
            ("point", points, self.streets, self.point_on),
            ("line", lines, local if local.exists() else self.streets, self.line_on),
            ("polygon", polygons, self.parks, self.polygon_in),
        ):
            made = 0
            # Some features give nothing (a street leaving the city, a sliver of a park): try a few more.
            for feature in self.pick(features, wanted * 3) if wanted else []:
                if made == wanted:
                    break
                geometry = draw(feature)
                if geometry is None:
                    continue
                try:
                    checked = check_geometry(self.lonlat(geometry), self.rules).geometry
                except GeometryRuleError:
                    continue
                plans.append(Plan(self.random.choice(by_shape[shape]), checked, feature))
                made += 1
        self.random.shuffle(plans)
        return plans


def demo_users():
    return get_user_model().objects.filter(email__iendswith=f"@{DEMO_DOMAIN}")


def demo_residents() -> tuple[list, object]:
    """The demo residents and the demo moderator, created the first time (no password: nobody logs in as them)."""
    User = get_user_model()
    residents = []
    for number, name in enumerate(RESIDENTS, start=1):
        user, created = User.objects.get_or_create(
            email=f"resident-{number}@{DEMO_DOMAIN}",
            defaults={"display_name": name, "email_confirmed_at": timezone.now()},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            assign_role(user, RESIDENT)
        residents.append(user)
    moderator, created = User.objects.get_or_create(
        email=MODERATOR_EMAIL, defaults={"display_name": "Demo moderator", "email_confirmed_at": timezone.now()}
    )
    if created:
        moderator.set_unusable_password()
        moderator.save(update_fields=["password"])
        assign_role(moderator, MODERATOR)
    return residents, moderator


@transaction.atomic
def remove_demo_proposals() -> tuple[int, int]:
    """Delete the demo proposals, the demo residents and what they wrote; return (removed, kept).

    A demo proposal that a real one is marked a duplicate of is kept (with its
    author), since the real one needs its original.
    """
    users = demo_users()
    demo = Proposal.objects.filter(author__in=users)
    kept_ids = set(
        Proposal.objects.filter(duplicate_of__in=demo).exclude(author__in=users).values_list("duplicate_of", flat=True)
    )
    removable = demo.exclude(pk__in=kept_ids)
    removed = removable.count()
    Comment.objects.filter(author__in=users).exclude(proposal__in=kept_ids).delete()
    # Duplicates first: deleting an original would otherwise empty the link its duplicate must keep.
    removable.filter(status=Status.DUPLICATE).delete()
    removable.delete()
    users.exclude(proposals__in=kept_ids).delete()
    return removed, len(kept_ids)


class Publisher:
    """Publishes the plans through participation.services, answers, supports and discusses them."""

    def __init__(self, residents: list, moderator, rng: random.Random, now: datetime.datetime) -> None:
        self.residents = residents
        self.moderator = moderator
        self.random = rng
        self.now = now
        self.categories = {category.slug: category for category in Category.objects.all()}
        self.published: list[Proposal] = []

    def weighted(self, choices):
        return self.random.choices([value for value, _w in choices], [weight for _v, weight in choices])[0]

    def create(self, plan: Plan, number: int) -> Proposal | None:
        category = self.categories.get(plan.idea.category) or self.categories.get("other")
        if category is None:
            return None
        language = self.weighted(LANGUAGES)
        index = CODES.index(language)
        if isinstance(plan.place, GreenArea) and not plan.place.name:
            place = UNNAMED_PARK[language]
        else:
            place = place_name(plan.place, language)
        title = plan.idea.titles[index].format(place=place)
        proposal = Proposal(
            kind=plan.idea.kind,
            category=category,
            title=title[:1].upper() + title[1:140],
            description=plan.idea.descriptions[index],
            language=language,
            geom=plan.geometry,
            author=self.residents[number % len(self.residents)],
            visibility=Visibility.PENDING,
        )
        proposal.save()
        fate = self.weighted(FATES)
        if fate == "pending":
            # Waiting for a moderator: sent in the last days.
            self.backdate(proposal, self.random.uniform(0.1, 3))
            return proposal
        services.publish_proposal(proposal, moderator=self.moderator)
        proposal.refresh_from_db()
        for status in PATHS[fate]:
            if not self.move(proposal, status):
                break
        self.support_and_discuss(proposal)
        # Open ones are recent (some overdue), answered ones older.
        age = self.random.uniform(1, 45) if proposal.is_open else self.random.uniform(30, 330)
        self.backdate(proposal, age)
        self.published.append(proposal)
        return proposal

    def move(self, proposal: Proposal, status: str) -> bool:
        extra = {}
        if status == Status.IMPLEMENTED:
            project = Project.objects.published().near(proposal.geom, 1000).first()
            if project is None:
                return False
            extra["implemented_by"] = project
        if status == Status.DUPLICATE:
            earlier = [
                other
                for other in self.published
                if other.category_id == proposal.category_id and other.status != Status.DUPLICATE
            ] or [other for other in self.published if other.status != Status.DUPLICATE]
            if not earlier:
                return False
            extra["duplicate_of"] = self.random.choice(earlier)
        try:
            services.change_status(
                proposal, status, user=self.moderator, note=ANSWERS[status][proposal.language], **extra
            )
        except ValidationError:
            return False
        proposal.refresh_from_db()
        return True

    def support_and_discuss(self, proposal: Proposal) -> None:
        others = [resident for resident in self.residents if resident != proposal.author]
        for resident in self.random.sample(others, self.random.randint(0, min(8, len(others)))):
            services.support(proposal, resident, follows=self.random.random() < 0.7)
        if self.random.random() < 0.35:
            texts = COMMENTS[proposal.language]
            for number, resident in enumerate(self.random.sample(others, self.random.randint(1, 3))):
                try:
                    comment = services.add_comment(
                        proposal, author=resident, text=texts[number % len(texts)], network=f"demo-{resident.pk}"
                    )
                except (LimitReached, ValidationError):
                    continue
                if not comment.is_published:
                    services.publish_comment(comment, moderator=self.moderator)

    def backdate(self, proposal: Proposal, days: float) -> None:
        """Move everything about the proposal ``days`` into the past, keeping its order and its deadline."""
        shift = datetime.timedelta(days=days)
        created = self.now - shift - datetime.timedelta(hours=self.random.uniform(1, 20))
        changes: dict = {"created_at": created}
        if proposal.published_at is not None:
            changes["published_at"] = self.now - shift
        if proposal.due_date is not None and proposal.published_at is not None:
            # The same number of days to answer, counted from the earlier publication.
            deadline = proposal.due_date - timezone.localdate(proposal.published_at)
            changes["due_date"] = timezone.localdate(changes["published_at"]) + deadline
        Proposal.objects.filter(pk=proposal.pk).update(**changes)
        steps = list(proposal.status_changes.order_by("changed_at", "pk"))
        for number, step in enumerate(steps):
            # The first step is the publication; the answers follow, spread up to today.
            step.changed_at = self.now - shift * (1 - 0.9 * number / len(steps))
        StatusChange.objects.bulk_update(steps, ["changed_at"])
        comments = list(proposal.comments.all())
        for comment in comments:
            comment.created_at = self.now - shift * self.random.uniform(0.05, 0.9)
        Comment.objects.bulk_update(comments, ["created_at"])
        for name, value in changes.items():
            setattr(proposal, name, value)


class Command(BaseCommand):
    help = "Fill the loaded city with demo residents' proposals (replacing earlier demo ones)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing when any proposal exists")
        parser.add_argument("--remove", action="store_true", help="delete every demo proposal, and nothing else")
        parser.add_argument("--count", type=int, default=60, help="how many demo proposals (60)")
        parser.add_argument("--language", default="en", help="language of the messages: kk, ru or en")

    def handle(self, *args, if_empty=False, remove=False, count=60, language="en", **options):
        with translation.override(language):
            if remove:
                removed, kept = remove_demo_proposals()
                self.stdout.write(_("%(count)d demo proposals removed.") % {"count": removed})
                if kept:
                    self.stdout.write(
                        _("%(count)d demo proposals kept: real proposals are marked duplicates of them.")
                        % {"count": kept}
                    )
                return
            if if_empty and Proposal.objects.exists():
                self.stdout.write(_("There are proposals already: no demo proposals added."))
                return
            if count < 1:
                raise CommandError(_("--count must be at least 1."))
            city = current_city()
            if city is None:
                raise CommandError(_("No city is loaded: load a city pack first (manage.py gis_load_city)."))
            builder = DemoBuilder(city)
            if not builder.streets.exists():
                message = _("%(city)s has no named streets: the demo proposals are drawn on real streets.") % {
                    "city": city
                }
                if if_empty:
                    # The set-up (make run) goes on for a city pack without a street layer.
                    self.stderr.write(message)
                    return
                raise CommandError(message)
            # Demo residents read no mail: the notifications of the services go nowhere.
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
                transaction.atomic(),
            ):
                removed, _kept = remove_demo_proposals()
                residents, moderator = demo_residents()
                publisher = Publisher(residents, moderator, builder.random, timezone.now())
                created = [
                    proposal
                    for number, plan in enumerate(builder.plans(count))
                    if (proposal := publisher.create(plan, number)) is not None
                ]
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(city)s: %(count)d demo proposals added (%(removed)d earlier ones replaced).")
                    % {"city": city, "count": len(created), "removed": removed}
                )
            )
