# IdempotencyKey now belongs to the config app (config/migrations/0001); the table is kept.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("promises", "0001_initial"),
        ("config", "0001_idempotency_key"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyKey")],
            database_operations=[],
        ),
    ]
