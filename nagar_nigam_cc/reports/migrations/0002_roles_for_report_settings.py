"""Grant the roles their permissions on the report settings and the record of MIS e-mails (see
directory.roles): the commissioner's office configures, the auditor reads.

After every migration whose permissions directory.roles lists (create_roles *sets* each group's
permissions, so it must see them all, open311's keys included)."""
from django.db import migrations

from nagar_nigam_cc.complaints.migrations import _roles


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("complaints", "0010_event_time_index"),
        ("directory", "0001_initial"),
        ("messaging", "0005_new_message_kinds"),
        ("sla", "0001_initial"),
        ("open311", "0002_commissioner_issues_keys"),
    ]
    operations = [migrations.RunPython(_roles.create_roles, migrations.RunPython.noop)]
