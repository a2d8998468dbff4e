"""Grant the roles their permissions on message templates, settings and citizens' replies (see
directory.roles): the commissioner configures, everyone who answers for messages reads."""
from django.db import migrations

from nagar_nigam_cc.complaints.migrations import _roles


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0003_default_templates"),
        ("complaints", "0006_escalation_level_index"),
        ("sla", "0001_initial"),
    ]
    operations = [migrations.RunPython(_roles.create_roles, migrations.RunPython.noop)]
