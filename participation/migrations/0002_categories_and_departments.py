"""The proposal categories, the city's departments and the routes that do not depend on a district.

District akimats and their routes depend on the districts a city pack loads;
``manage.py participation_routes`` adds them. Admins edit all of it in the admin.
"""

from django.db import migrations

# slug, Kazakh, Russian, English
CATEGORIES = [
    ("lighting", "Көше жарығы", "Уличное освещение", "Street lighting"),
    ("roads", "Жолдар мен тротуарлар", "Дороги и тротуары", "Roads and pavements"),
    ("public_transport", "Қоғамдық көлік және аялдамалар", "Общественный транспорт и остановки", "Public transport and stops"),
    ("cycling_walking", "Велосипед және жаяу жүргінші жолдары", "Велосипедные и пешеходные маршруты", "Cycling and walking routes"),
    ("greenery", "Ағаштар, саябақтар және көгалдандыру", "Деревья, парки и озеленение", "Trees, parks and greenery"),
    ("yards", "Аулалар мен балалар алаңдары", "Дворы и детские площадки", "Courtyards and playgrounds"),
    ("waste", "Қоқыс және тазалық", "Мусор и чистота", "Waste and cleanliness"),
    ("water", "Өзендер, арықтар және су бұру", "Реки, арыки и водоотвод", "Rivers, aryks and drainage"),
    ("accessibility", "Кедергісіз орта", "Доступная среда", "Accessibility"),
    ("architecture", "Ғимараттар, қасбеттер және қоғамдық өнер", "Здания, фасады и паблик-арт", "Buildings, facades and public art"),
    ("other", "Басқа", "Другое", "Other"),
]

# slug, Kazakh, Russian, English
DEPARTMENTS = [
    ("reception", "Ашық қабылдау бөлмесі", "Открытая приёмная", "Open reception"),
    ("transport", "Мобильділік басқармасы", "Управление мобильности", "Mobility department"),
    ("housing", "Тұрғын үй-коммуналдық шаруашылық басқармасы", "Управление жилищно-коммунального хозяйства", "Housing and utilities department"),
    ("natural_resources", "Табиғи ресурстар басқармасы", "Управление природных ресурсов", "Natural resources department"),
    ("architecture", "Сәулет және қала құрылысы басқармасы", "Управление архитектуры и градостроительства", "Architecture and urban planning department"),
    ("employment", "Жұмыспен қамту басқармасы", "Управление занятости", "Employment department"),
]

# category → department; every other category goes to the district akimat (see participation_routes)
# or, outside any district, to the open reception, which forwards by hand.
ROUTES = [
    ("public_transport", "transport", 30),
    ("cycling_walking", "transport", 30),
    ("greenery", "natural_resources", 30),
    ("water", "natural_resources", 15),
    ("yards", "housing", 30),
    ("architecture", "architecture", 30),
]


def create(apps, schema_editor):
    Category = apps.get_model("participation", "Category")
    Department = apps.get_model("participation", "Department")
    Route = apps.get_model("participation", "Route")
    for order, (slug, kk, ru, en) in enumerate(CATEGORIES, start=1):
        Category.objects.update_or_create(
            slug=slug, defaults={"name_kk": kk, "name_ru": ru, "name_en": en, "order": order * 10}
        )
    for slug, kk, ru, en in DEPARTMENTS:
        Department.objects.update_or_create(slug=slug, defaults={"name_kk": kk, "name_ru": ru, "name_en": en})
    Route.objects.get_or_create(
        category=None, district=None, defaults={"department": Department.objects.get(slug="reception"), "deadline_days": 30}
    )
    for category, department, days in ROUTES:
        Route.objects.get_or_create(
            category=Category.objects.get(slug=category),
            district=None,
            defaults={"department": Department.objects.get(slug=department), "deadline_days": days},
        )


def remove(apps, schema_editor):
    apps.get_model("participation", "Route").objects.all().delete()
    apps.get_model("participation", "Department").objects.filter(slug__in=[d[0] for d in DEPARTMENTS]).delete()
    apps.get_model("participation", "Category").objects.filter(slug__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("participation", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
