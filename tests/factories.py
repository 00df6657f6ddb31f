"""factory_boy factories for the suite."""

import factory
from django.utils import timezone

from accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a confirmed e-mail; ``role=`` puts them in that role's group."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name")
    email_confirmed_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", "a-long-test-password-42")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            from accounts.roles import assign_role

            assign_role(self, extracted)
        if create:
            self.save()


# Geo factories: small, real-looking Almaty features (simplified from the city pack's own data).

from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon  # noqa: E402 (appended section)

from gis_data.models import (  # noqa: E402 (appended section)
    City,
    DataSource,
    District,
    GreenArea,
    PopulatedPlace,
    Railway,
    Street,
    Waterway,
)

ODBL = "© OpenStreetMap contributors, ODbL"
CC_BY_SA = "© OpenStreetMap contributors, CC BY-SA 2.0"
# The data sources of the Almaty pack, by key: title, file, licence, attribution.
SOURCES = {
    "districts": ("District boundaries, OpenStreetMap", "osm/almaty_districts_osm.geojson", "ODbL 1.0", ODBL),
    "places": (
        "Populated places, OpenStreetMap (HOT export)",
        "places/almaty_area_populated_places_hotosm.geojson",
        "ODbL 1.0",
        ODBL,
    ),
    "osm2012": ("OpenStreetMap extract, March 2012", "osm/almaty_osm_2012-03.osm.pbf", "CC BY-SA 2.0", CC_BY_SA),
    "dem": ("SRTM3 elevation model", "dem/almaty_srtm3_dem.tif", "Public domain", "SRTM data courtesy of NASA/USGS"),
}
# Almaly district, simplified from OSM relation 3072807.
ALMALY = MultiPolygon(
    Polygon(
        (
            (76.8637, 43.2494),
            (76.8709, 43.2332),
            (76.9483, 43.2426),
            (76.9448, 43.2704),
            (76.8687, 43.2577),
            (76.8637, 43.2494),
        )
    ),
    srid=4326,
)
# Auezov district, simplified from OSM relation 3072808; it touches Almaly on the west.
AUEZOV = MultiPolygon(
    Polygon(
        (
            (76.8094, 43.2381),
            (76.8382, 43.1993),
            (76.8510, 43.1926),
            (76.8710, 43.1975),
            (76.8841, 43.2074),
            (76.8700, 43.2338),
            (76.8651, 43.2567),
            (76.8094, 43.2381),
        )
    ),
    srid=4326,
)
# The Malaya Almatinka through Medeu, east of Almaly (OSM way 27062988).
MALAYA_ALMATINKA = LineString((76.9595, 43.2515), (76.9674, 43.2645), (76.9668, 43.2720), srid=4326)
# Gorky Central Park (OSM way 23650750).
GORKY_PARK = MultiPolygon(
    Polygon(
        (
            (76.9655, 43.2596),
            (76.9663, 43.2567),
            (76.9718, 43.2568),
            (76.9737, 43.2610),
            (76.9734, 43.2643),
            (76.9713, 43.2668),
            (76.9685, 43.2673),
            (76.9655, 43.2596),
        )
    ),
    srid=4326,
)
# The Turksib main line north of Almaty-1 station.
TURKSIB_LINE = LineString((76.9405, 43.3370), (76.9560, 43.3440), (76.9850, 43.3570), srid=4326)
# Abay Avenue, west to east.
ABAY_AVENUE = LineString((76.8700, 43.2380), (76.9100, 43.2395), (76.9450, 43.2410), srid=4326)


class CityFactory(factory.django.DjangoModelFactory):
    """Almaty, as the city pack describes it."""

    class Meta:
        model = City
        django_get_or_create = ("slug",)

    slug = "almaty"
    name_en = "Almaty"
    name_ru = "Алматы"
    name_kk = "Алматы"
    extent = factory.LazyFunction(
        lambda: Polygon(((76.5, 42.9), (77.35, 42.9), (77.35, 43.6), (76.5, 43.6), (76.5, 42.9)), srid=4326)
    )
    center = factory.LazyFunction(lambda: Point(76.93, 43.25, srid=4326))
    default_zoom = 12
    metric_srid = 32643
    loaded_at = factory.LazyFunction(timezone.now)


class DataSourceFactory(factory.django.DjangoModelFactory):
    """A source of the Almaty pack; ``key=`` picks which (districts, places, osm2012, dem)."""

    class Meta:
        model = DataSource
        django_get_or_create = ("city", "key")

    city = factory.SubFactory(CityFactory)
    key = "districts"
    title = factory.LazyAttribute(lambda o: SOURCES.get(o.key, (o.key,) * 4)[0])
    file = factory.LazyAttribute(lambda o: SOURCES.get(o.key, (o.key,) * 4)[1])
    licence = factory.LazyAttribute(lambda o: SOURCES.get(o.key, (o.key,) * 4)[2])
    attribution = factory.LazyAttribute(lambda o: SOURCES.get(o.key, (o.key,) * 4)[3])
    sha256 = "0" * 64
    loaded_at = factory.LazyFunction(timezone.now)


class ReferenceFeatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    osm_type = "way"
    osm_id = factory.Sequence(lambda n: 100_000_000 + n)


class DistrictFactory(ReferenceFeatureFactory):
    class Meta:
        model = District

    source = factory.SubFactory(DataSourceFactory, key="districts")
    osm_type = "relation"
    name = "Almaly"
    name_kk = "Алмалы ауданы"
    name_ru = "Алмалинский район"
    name_en = "Almaly District"
    geom = factory.LazyFunction(lambda: ALMALY.clone())


class WaterwayFactory(ReferenceFeatureFactory):
    class Meta:
        model = Waterway

    source = factory.SubFactory(DataSourceFactory, key="osm2012")
    kind = "river"
    name = "Малая Алматинка"
    name_kk = "Кіші Алматы"
    name_ru = "Малая Алматинка"
    name_en = "Malaya Almatinka"
    geom = factory.LazyFunction(lambda: MALAYA_ALMATINKA.clone())


class RailwayFactory(ReferenceFeatureFactory):
    class Meta:
        model = Railway

    source = factory.SubFactory(DataSourceFactory, key="osm2012")
    kind = "rail"
    in_use = True
    geom = factory.LazyFunction(lambda: TURKSIB_LINE.clone())


class GreenAreaFactory(ReferenceFeatureFactory):
    class Meta:
        model = GreenArea

    source = factory.SubFactory(DataSourceFactory, key="osm2012")
    kind = "park"
    name = "парк им. Горького"
    name_kk = "Горький атындағы орталық саябақ"
    name_ru = "Центральный парк им. Горького"
    name_en = "Gorky Central Park"
    geom = factory.LazyFunction(lambda: GORKY_PARK.clone())


class StreetFactory(ReferenceFeatureFactory):
    class Meta:
        model = Street

    source = factory.SubFactory(DataSourceFactory, key="osm2012")
    highway = "primary"
    is_main = True
    name = "проспект Абая"
    name_kk = "Абай даңғылы"
    name_ru = "проспект Абая"
    name_en = "Abay Avenue"
    geom = factory.LazyFunction(lambda: ABAY_AVENUE.clone())


class PopulatedPlaceFactory(ReferenceFeatureFactory):
    class Meta:
        model = PopulatedPlace

    source = factory.SubFactory(DataSourceFactory, key="places")
    osm_type = "node"
    place = "village"
    population = 5000
    name = "Талгар"
    name_kk = "Талғар"
    name_ru = "Талгар"
    name_en = "Talgar"
    geom = factory.LazyFunction(lambda: Point(77.2350, 43.3030, srid=4326))


# Rasters: a small synthetic elevation model over central Almaty, written by the test that needs it.

from gis_data.models import Raster  # noqa: E402 (appended section)

# The synthetic DEM: 64 × 48 pixels of 0.001° (about 80 m by 110 m) from this north-west corner, in EPSG:4326.
DEM_WEST, DEM_NORTH, DEM_RES = 76.90, 43.27, 0.001
DEM_HEIGHT, DEM_WIDTH = 48, 64
DEM_NODATA = -32768
DEM_SOUTH, DEM_EAST = DEM_NORTH - DEM_HEIGHT * DEM_RES, DEM_WEST + DEM_WIDTH * DEM_RES
DEM_BOUNDS = Polygon.from_bbox((DEM_WEST, DEM_SOUTH, DEM_EAST, DEM_NORTH))
DEM_BOUNDS.srid = 4326
# Where the synthetic DEM's cone stands, in pixels (row, column), and how far it reaches.
DEM_PEAK, DEM_CONE_RADIUS = (24, 40), 14


def cone_elevation():
    """A 1,000 m cone on an 800 m plain, with a no-data strip along the DEM's west edge (as in an SRTM void)."""
    import numpy as np

    rows, columns = np.mgrid[0:DEM_HEIGHT, 0:DEM_WIDTH]
    distance = np.hypot(rows - DEM_PEAK[0], columns - DEM_PEAK[1])
    elevation = 800 + 1000 * np.clip(1 - distance / DEM_CONE_RADIUS, 0, 1)
    elevation[:, :4] = DEM_NODATA
    return elevation


def write_dem(path, elevation=None):
    """Write ``elevation`` (the cone by default) as a one-band float32 GeoTIFF at the synthetic DEM's place."""
    import rasterio
    from affine import Affine

    elevation = cone_elevation() if elevation is None else elevation
    profile = {
        "driver": "GTiff",
        "width": elevation.shape[1],
        "height": elevation.shape[0],
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:4326",
        "transform": Affine(DEM_RES, 0, DEM_WEST, 0, -DEM_RES, DEM_NORTH),
        "nodata": DEM_NODATA,
    }
    with rasterio.open(path, "w", **profile) as dataset:
        dataset.write(elevation.astype("float32"), 1)
    return path


class RasterFactory(factory.django.DjangoModelFactory):
    """The pack's elevation model, registered as the loader does; give ``path=write_dem(tmp_path / "dem.tif")``."""

    class Meta:
        model = Raster

    source = factory.SubFactory(DataSourceFactory, key="dem")
    kind = "dem"
    path = factory.LazyAttribute(lambda o: o.source.file)
    srid = 4326
    width = DEM_WIDTH
    height = DEM_HEIGHT
    resolution = DEM_RES
    nodata = DEM_NODATA
    bounds = factory.LazyFunction(lambda: DEM_BOUNDS.clone())


# Projects. The built-in categories come from a migration, but a test that flushes the database
# (a browser test) removes them, so the factory gets or creates a category by its slug.

from projects.models import Category, Project  # noqa: E402 (appended section)

# Arbat: the pedestrian part of Zhibek Zholy street, in Almaly (about 560 m).
ARBAT = LineString((76.9410, 43.2606), (76.9479, 43.2614), srid=4326)
# Astana Square (the old Republic Square) in front of the Kazakh-British University, in Almaly.
ASTANA_SQUARE = Polygon(
    ((76.9445, 43.2545), (76.9470, 43.2546), (76.9470, 43.2562), (76.9445, 43.2561), (76.9445, 43.2545)), srid=4326
)
CATEGORY_MEASURES = {
    "pedestrian_zone": "length",
    "sidewalk": "area",
    "square": "area",
    "bike_lane": "length",
    "playground": "count",
    "sports_ground": "count",
}


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = "pedestrian_zone"
    name_en = factory.LazyAttribute(lambda o: o.slug.replace("_", " ").capitalize())
    name_ru = factory.LazyAttribute(lambda o: o.name_en)
    name_kk = factory.LazyAttribute(lambda o: o.name_en)
    measure = factory.LazyAttribute(lambda o: CATEGORY_MEASURES.get(o.slug, "count"))


class ProjectFactory(factory.django.DjangoModelFactory):
    """A published pedestrian-zone project on Arbat; pass ``geom=`` and ``category__slug=`` for others."""

    class Meta:
        model = Project

    title_en = factory.Sequence(lambda n: f"Pedestrian zone {n}")
    title_ru = factory.Sequence(lambda n: f"Пешеходная зона {n}")
    title_kk = factory.Sequence(lambda n: f"Жаяу жүргіншілер аймағы {n}")
    category = factory.SubFactory(CategoryFactory)
    geom = factory.LazyFunction(lambda: ARBAT.clone())
    status = "planned"
    is_published = True


# Photos: real image files, stored the way photos.services stores an upload (re-encoded, EXIF read and stripped).

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402 (appended section)

from photos.models import Photo  # noqa: E402 (appended section)
from tests.photo_files import arbat_jpeg  # noqa: E402 (appended section)


class PhotoFactory(factory.django.DjangoModelFactory):
    """A photo of a project on Arbat, taken on 1 May 2017 looking east (from the JPEG's EXIF).

    Created through photos.services.add_photo, so its files are real; ``owner=`` any record, ``content=``
    other image bytes (tests.photo_files), and any add_photo argument (``phase="before"``, ``caption=``...).
    Created only: there is no unsaved photo without its files.
    """

    class Meta:
        model = Photo

    owner = factory.SubFactory(ProjectFactory)
    content = factory.LazyFunction(arbat_jpeg)

    @classmethod
    def _create(cls, model_class, owner, content, uploaded_by=None, **kwargs):
        from photos.services import add_photo

        upload = SimpleUploadedFile("photo.jpg", content, content_type="image/jpeg")
        return add_photo(owner, upload, user=uploaded_by, **kwargs)


# Proposals: residents' ideas and reports (participation app).

from participation.models import (  # noqa: E402 (appended section)
    Category as ProposalCategory,
)
from participation.models import (  # noqa: E402 (appended section)
    Comment,
    Department,
    Proposal,
    Route,
    Support,
)

# A bench on Panfilov Street, in Almaly (a point proposal).
PANFILOV_BENCH = Point(76.9452, 43.2580, srid=4326)


class ProposalCategoryFactory(factory.django.DjangoModelFactory):
    """A proposal category; the built-in ones (lighting, roads...) exist from the migration, so get_or_create."""

    class Meta:
        model = ProposalCategory
        django_get_or_create = ("slug",)

    slug = "lighting"
    name_kk = "Көше жарығы"
    name_ru = "Уличное освещение"
    name_en = "Street lighting"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"department-{n}")
    name_kk = factory.Sequence(lambda n: f"Басқарма {n}")
    name_ru = factory.Sequence(lambda n: f"Управление {n}")
    name_en = factory.Sequence(lambda n: f"Department {n}")


class RouteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Route

    category = factory.SubFactory(ProposalCategoryFactory)
    district = None
    department = factory.SubFactory(DepartmentFactory)
    deadline_days = 30


class ProposalFactory(factory.django.DjangoModelFactory):
    """A published problem report (a point on Panfilov Street) by a resident, written in Russian.

    Saved directly, not through participation.services: no route, no timeline, no mail.
    Pass ``geom=`` (tests.factories.ARBAT for a line), ``visibility="pending"``, ``status=`` as needed.
    """

    class Meta:
        model = Proposal

    kind = "problem"
    category = factory.SubFactory(ProposalCategoryFactory)
    title = factory.Sequence(lambda n: f"Broken street light {n}")
    description = "The light by the bench has been out for a month."
    language = "ru"
    geom = factory.LazyFunction(lambda: PANFILOV_BENCH.clone())
    author = factory.SubFactory(UserFactory, role="resident")
    visibility = "published"
    status = "published"
    published_at = factory.LazyFunction(timezone.now)


class SupportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Support

    proposal = factory.SubFactory(ProposalFactory)
    user = factory.SubFactory(UserFactory, role="resident")


class CommentFactory(factory.django.DjangoModelFactory):
    """A published comment on a proposal."""

    class Meta:
        model = Comment

    proposal = factory.SubFactory(ProposalFactory)
    author = factory.SubFactory(UserFactory, role="resident")
    text = "I walk there every evening: it is dark."
    visibility = "published"


# Buildings, population cells, corridors and segments.

from corridors.models import Corridor, Segment  # noqa: E402 (appended section)
from gis_data.models import Building, PopulationCell  # noqa: E402 (appended section)

# A block of flats on Abay Avenue, about 60 m by 15 m.
FLATS_ON_ABAY = MultiPolygon(
    Polygon(((76.9200, 43.2400), (76.9207, 43.2400), (76.9207, 43.2401), (76.9200, 43.2401), (76.9200, 43.2400))),
    srid=4326,
)
# The embankment of the Malaya Almatinka from Abay Avenue to Gorky Park (a promenade along the river).
ALMATINKA_PROMENADE = LineString((76.9598, 43.2517), (76.9640, 43.2585), (76.9676, 43.2646), srid=4326)
# Republic Square and the Medeu skating rink: two places whose DEM heights are known (874 m, 1,707 m).
REPUBLIC_SQUARE = Point(76.9458, 43.2383, srid=4326)
MEDEU = Point(77.0586, 43.1573, srid=4326)


class BuildingFactory(ReferenceFeatureFactory):
    class Meta:
        model = Building

    source = factory.SubFactory(DataSourceFactory, key="osm2012")
    building = "apartments"
    is_residential = True
    geom = factory.LazyFunction(lambda: FLATS_ON_ABAY.clone())


class PopulationCellFactory(factory.django.DjangoModelFactory):
    """A 200 m cell whose south-west corner is ``corner`` (longitude, latitude), with ``residents``."""

    class Meta:
        model = PopulationCell
        exclude = ("corner",)

    city = factory.SubFactory(CityFactory)
    corner = (76.9200, 43.2400)
    geom = factory.LazyAttribute(
        lambda o: Polygon.from_bbox((o.corner[0], o.corner[1], o.corner[0] + 0.00247, o.corner[1] + 0.0018))
    )
    centre = factory.LazyAttribute(lambda o: Point(o.corner[0] + 0.001235, o.corner[1] + 0.0009, srid=4326))
    residents = 100
    is_urban = False


class CorridorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Corridor

    name_kk = "Кіші Алматы өзенінің жағалауы"
    name_ru = "Набережная Малой Алматинки"
    name_en = "Malaya Almatinka promenade"
    kind = "river_promenade"
    status = "planned"
    is_published = True


class SegmentFactory(factory.django.DjangoModelFactory):
    """A segment saved without the derived measures; use corridors.services to save one measured."""

    class Meta:
        model = Segment

    corridor = factory.SubFactory(CorridorFactory)
    position = factory.Sequence(lambda n: n)
    geom = factory.LazyFunction(lambda: ALMATINKA_PROMENADE.clone())
    mode = "shared"
    status = "planned"


# Parks, renovation concepts and plantings.
import datetime  # noqa: E402 (appended section)

from django.contrib.gis.geos import MultiPoint  # noqa: E402 (appended section)

from parks.models import (  # noqa: E402 (appended section)
    ConceptStatusChange,
    Inspection,
    Park,
    Planting,
    RenovationConcept,
    Zone,
)
from participation.models import Workshop  # noqa: E402 (appended section)

# Points and lines inside GORKY_PARK: a playground's corner, the main alley, a fountain.
GORKY_PLAYGROUND = Polygon(
    ((76.9680, 43.2610), (76.9690, 43.2610), (76.9690, 43.2617), (76.9680, 43.2617), (76.9680, 43.2610)), srid=4326
)
GORKY_ALLEY = LineString((76.9670, 43.2600), (76.9700, 43.2630), srid=4326)
GORKY_FOUNTAIN = Point(76.9695, 43.2622, srid=4326)
# The main gate of Gorky Park, on Gogol Street.
GORKY_GATE = Point(76.9656, 43.2598, srid=4326)


class ParkFactory(factory.django.DjangoModelFactory):
    """Gorky Central Park, saved without its derived district and area (use parks.services to derive them)."""

    class Meta:
        model = Park

    city = factory.SubFactory(CityFactory)
    name_kk = "Горький атындағы орталық саябақ"
    name_ru = "Центральный парк им. Горького"
    name_en = "Gorky Central Park"
    state = "open"
    boundary = factory.LazyFunction(lambda: GORKY_PARK.clone())
    entrances = None


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop

    title_kk = "Саябақтарды жаңарту шеберханасы"
    title_ru = "Мастерская по обновлению парков"
    title_en = "Park renovation workshop"
    starts_on = datetime.date(2023, 5, 12)
    ends_on = datetime.date(2023, 5, 14)


class ConceptFactory(factory.django.DjangoModelFactory):
    """A published concept; its status is set as given, without a dated step (see parks.concepts for those)."""

    class Meta:
        model = RenovationConcept

    park = factory.SubFactory(ParkFactory)
    title_en = factory.Sequence(lambda n: f"Concept {n + 1}")
    title_ru = factory.Sequence(lambda n: f"Концепция {n + 1}")
    title_kk = factory.Sequence(lambda n: f"Тұжырымдама {n + 1}")
    team = "Team Alatau"
    origin = "urbanist"
    status = "concept"
    is_published = True


class ConceptStatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConceptStatusChange

    concept = factory.SubFactory(ConceptFactory)
    status = "shortlisted"
    date = datetime.date(2023, 6, 1)


class ZoneFactory(factory.django.DjangoModelFactory):
    """A zone saved without its derived area or length (use parks.concepts to derive them)."""

    class Meta:
        model = Zone

    concept = factory.SubFactory(ConceptFactory)
    purpose = "playground"
    label = "Playground by the pond"
    geom = factory.LazyFunction(lambda: GORKY_PLAYGROUND.clone())


class PlantingFactory(factory.django.DjangoModelFactory):
    """Twenty elms planted on Abay Avenue in compensation for trees felled on Republic Square."""

    class Meta:
        model = Planting

    city = factory.SubFactory(CityFactory)
    geom = factory.LazyFunction(lambda: ABAY_AVENUE.clone())
    species = "Ulmus pumila"
    count = 20
    planted_on = datetime.date(2024, 4, 15)
    reason = "compensation"
    felled_place = factory.LazyFunction(lambda: REPUBLIC_SQUARE.clone())
    felled_on = datetime.date(2024, 3, 1)
    felled_count = 10
    responsible = "Green Economy Department"


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    planting = factory.SubFactory(PlantingFactory)
    inspected_on = datetime.date(2025, 4, 20)
    alive = 18
    dead = 2


def gorky_entrances() -> MultiPoint:
    return MultiPoint(GORKY_GATE.clone(), srid=4326)


# Workshops' ballots, events and contests (participation). Times are relative to now, so a ballot is open.
from django.contrib.contenttypes.models import ContentType  # noqa: E402 (appended section)

from participation.models import (  # noqa: E402 (appended section)
    Ballot,
    BallotItem,
    Contest,
    Criterion,
    Entry,
    Event,
    Method,
    Registration,
    RegistrationStatus,
    ResultsShown,
    Voters,
)


class BallotFactory(factory.django.DjangoModelFactory):
    """An open single-choice ballot for codes and accounts, results shown live; add items with ItemFactory."""

    class Meta:
        model = Ballot

    workshop = factory.SubFactory(WorkshopFactory)
    title_kk = "Қай жоба жақсы?"
    title_ru = "Какой проект лучше?"
    title_en = "Which concept is best?"
    method = Method.SINGLE
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))
    results_shown = ResultsShown.LIVE
    voters = Voters.BOTH

    class Params:
        approval = factory.Trait(method=Method.APPROVAL, max_choices=2)
        points = factory.Trait(method=Method.POINTS, points_total=10, points_per_item=5)


class ItemFactory(factory.django.DjangoModelFactory):
    """A ballot item; pass ``subject`` (a concept by default)."""

    class Meta:
        model = BallotItem
        exclude = ["subject"]

    ballot = factory.SubFactory(BallotFactory)
    subject = factory.SubFactory(ConceptFactory)
    content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.subject))
    object_id = factory.LazyAttribute(lambda o: o.subject.pk)
    position = factory.Sequence(int)


class EventFactory(factory.django.DjangoModelFactory):
    """A published forum in a week, registration open until the day before at 18:00 (city time)."""

    class Meta:
        model = Event

    title_kk = "Жасыл дәліздер форумы"
    title_ru = "Форум зелёных коридоров"
    title_en = "Green corridors forum"
    programme_en = "10:00 Welcome\n10:30 The corridors along the rivers\n12:00 Discussion"
    starts_at = factory.LazyFunction(
        lambda: (timezone.localtime() + datetime.timedelta(days=7)).replace(hour=10, minute=0, second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=3))
    registration_deadline = factory.LazyAttribute(
        lambda o: (o.starts_at - datetime.timedelta(days=1)).replace(hour=18, minute=0)
    )
    venue = GORKY_GATE
    venue_name = "Gorky Park, Gogol Street 1"
    capacity = 50
    is_published = True


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    status = RegistrationStatus.CONFIRMED


class ContestFactory(factory.django.DjangoModelFactory):
    """A published contest taking entries (opened yesterday, closes in two weeks); criteria: CriterionFactory."""

    class Meta:
        model = Contest

    title_kk = "Белсенді азамат"
    title_ru = "Самый активный горожанин"
    title_en = "Most active citizen"
    rules_en = "One photo of the city and one idea to make it better."
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))
    is_published = True


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    contest = factory.SubFactory(ContestFactory)
    name_en = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 1
    position = factory.Sequence(int)


class EntryFactory(factory.django.DjangoModelFactory):
    """An entry without a photo; tests that need one add it through photos.services.add_photo."""

    class Meta:
        model = Entry

    contest = factory.SubFactory(ContestFactory)
    author = factory.SubFactory(UserFactory)
    idea = "Plant a row of elms along the canal and put benches in their shade."
    language = "en"
    place = GORKY_FOUNTAIN
    hashtags = factory.LazyFunction(lambda: ["trees", "shade"])
