from django.db import migrations

from youfu.standards import guard


class Migration(migrations.Migration):
    dependencies = [("standards", "0001_initial")]

    operations = [migrations.RunPython(guard.install, guard.remove)]
