"""The ledger's guard in the database: append-only triggers, reversal and publication checks, per
vendor (SQLite, PostgreSQL). The SQL and why it is built so are in youfu/ledger/guard.py."""

from django.db import migrations

from youfu.ledger import guard


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(guard.install, guard.remove, elidable=False)]
