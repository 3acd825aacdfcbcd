"""The care offer most Dutch home-care organisations start from, with the published
Treeknormen as maximum waiting times: verpleging and thuiszorg 6 weeks, verzorging
13 weeks, GGZ registration 4 weeks. The administrator adapts it at /beheer/."""

from django.db import migrations

DEFAULT_OFFER = [
    # code, name, financing, norm in days
    ("wijkverpleging", "Wijkverpleging", "zvw", 42),
    ("specialistische-thuiszorg", "Specialistische thuiszorg", "zvw", 42),
    ("huishoudelijke-hulp", "Huishoudelijke hulp", "wmo", 42),
    ("dagbesteding", "Dagbesteding", "wmo", 91),
    ("ggz-begeleiding", "GGZ-begeleiding", "wmo", 28),
    ("verpleeghuiszorg", "Verpleeghuiszorg (Wlz)", "wlz", 91),
]


def add_offer(apps, schema_editor):
    CareProduct = apps.get_model("journey", "CareProduct")
    for code, name, financing, norm_days in DEFAULT_OFFER:
        CareProduct.objects.get_or_create(
            code=code, defaults={"name": name, "financing": financing, "norm_days": norm_days}
        )


class Migration(migrations.Migration):
    dependencies = [("journey", "0001_initial")]

    operations = [migrations.RunPython(add_offer, migrations.RunPython.noop)]
