"""Grant the roles their permissions on the SLA and message models (see directory.roles)."""
from django.db import migrations

from nagar_nigam_cc.complaints.migrations import _roles


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0004_complaint_sla_policy_alter_complaintevent_kind"),
        ("sla", "0001_initial"),
        ("messaging", "0001_initial"),
    ]
    operations = [migrations.RunPython(_roles.create_roles, migrations.RunPython.noop)]
