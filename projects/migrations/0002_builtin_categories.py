"""The categories the city reports its public-space work in; admins may add more in the admin."""

from django.db import migrations

# slug, Kazakh, Russian, English, colour, measure
CATEGORIES = [
    ("pedestrian_zone", "Жаяу жүргіншілер аймағы", "Пешеходная зона", "Pedestrian zone", "#c2185b", "length"),
    ("sidewalk", "Тротуар", "Тротуар", "Sidewalk", "#7b1fa2", "area"),
    ("square", "Алаң", "Площадь", "Square", "#ad1457", "area"),
    ("street_reconstruction", "Көше қайта жаңарту", "Реконструкция улицы", "Street reconstruction", "#e65100", "length"),
    ("playground", "Балалар алаңы", "Детская площадка", "Playground", "#f9a825", "count"),
    ("sports_ground", "Спорт алаңы", "Спортивная площадка", "Sports ground", "#ef6c00", "count"),
    ("bike_lane", "Велосипед жолы", "Велодорожка", "Bike lane", "#00838f", "length"),
    ("green_planting", "Көгалдандыру", "Озеленение", "Green planting", "#2e7d32", "count"),
    ("aryk", "Арық", "Арык", "Aryk (irrigation ditch)", "#0277bd", "length"),
    ("heating_network", "Жылу желісі", "Тепловая сеть", "Heating network", "#d84315", "length"),
    ("road_repair", "Жол жөндеу", "Ремонт дороги", "Road repair", "#5d4037", "length"),
    ("yard_improvement", "Аулаларды абаттандыру", "Благоустройство дворов", "Yard improvement", "#6a1b9a", "count"),
    ("lighting", "Жарықтандыру", "Освещение", "Lighting", "#9e9d24", "count"),
    ("other", "Басқа", "Другое", "Other", "#546e7a", "count"),
]


def create(apps, schema_editor):
    Category = apps.get_model("projects", "Category")
    for order, (slug, kk, ru, en, color, measure) in enumerate(CATEGORIES, start=1):
        Category.objects.update_or_create(
            slug=slug,
            defaults={"name_kk": kk, "name_ru": ru, "name_en": en, "color": color, "measure": measure, "order": order * 10},
        )


def remove(apps, schema_editor):
    apps.get_model("projects", "Category").objects.filter(slug__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
