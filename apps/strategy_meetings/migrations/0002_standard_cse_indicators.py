"""The standard CSE screening indicators (no authority); authorities add their own."""

from django.db import migrations


def seed(apps, schema_editor):
    from apps.children.services import STANDARD_INDICATORS

    CseIndicator = apps.get_model("strategy_meetings", "CseIndicator")
    have = set(CseIndicator.objects.filter(authority=None).values_list("text", flat=True))
    CseIndicator.objects.bulk_create(
        CseIndicator(domain=domain, text=text, order=n, weight=2 if n == 0 else 1)
        for domain, texts in STANDARD_INDICATORS.items()
        for n, text in enumerate(texts)
        if text not in have
    )


class Migration(migrations.Migration):
    dependencies = [("strategy_meetings", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
