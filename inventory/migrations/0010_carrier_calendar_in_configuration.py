from django.db import migrations

KEY = "nonDeliveryDaysPerCountryAndProvince"


def to_configuration(apps, schema_editor):
    """The carriers' calendars, kept in `extra` until the configuration had a field of its own,
    move to `configuration` (where PUT …/configuration writes them and routing reads them)."""
    Carrier = apps.get_model("inventory", "Carrier")
    for carrier in Carrier.objects.filter(extra__has_key=KEY):
        carrier.configuration = {**carrier.configuration, KEY: carrier.extra.pop(KEY)}
        carrier.save(update_fields=["extra", "configuration"])


def to_extra(apps, schema_editor):
    Carrier = apps.get_model("inventory", "Carrier")
    for carrier in Carrier.objects.filter(configuration__has_key=KEY):
        carrier.extra = {**carrier.extra, KEY: carrier.configuration.pop(KEY)}
        carrier.save(update_fields=["extra", "configuration"])


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0009_carrier_configuration"),
    ]

    operations = [migrations.RunPython(to_configuration, to_extra)]
