"""The commissioner's office issues and deactivates Open311 keys; the auditor may see them.

Granted here with explicit group lookups, adding to what the roles already hold. It runs after the
migrations that call `complaints.migrations._roles.create_roles`, which *sets* each group's permissions
to `directory.roles.PERMISSIONS`; these codenames belong in that list too, or a later `create_roles`
would take them away.
"""
from django.contrib.auth.management import create_permissions
from django.db import migrations

COMMISSIONER = "Commissioner / administrator"
AUDITOR = "Auditor"
GRANTS = {
    COMMISSIONER: ["add_apikey", "change_apikey", "view_apikey", "view_open311request"],
    AUDITOR: ["view_apikey", "view_open311request"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("open311")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="open311", codename__in=codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="open311"))


class Migration(migrations.Migration):
    dependencies = [
        ("open311", "0001_initial"),
        ("complaints", "0005_roles_for_time_limits_and_messages"),
        ("messaging", "0004_roles_for_messages"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
