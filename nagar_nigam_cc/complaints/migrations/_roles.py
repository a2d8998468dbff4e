"""The roles' groups and permissions, granted by migrations 0002 and 0005 (see directory.roles).

Not a migration itself (Django skips modules whose names start with "_").
"""
from django.contrib.auth.management import create_permissions

from nagar_nigam_cc.directory import roles


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in roles.ALL:
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [code.split(".") for code in roles.PERMISSIONS[name]]
        # Permissions of apps whose tables come in later migrations are granted by those migrations
        # (they call this function again), so each step grants what exists at that point.
        perms = [
            perm
            for app, codename in wanted
            for perm in Permission.objects.filter(content_type__app_label=app, codename=codename)
        ]
        group.permissions.set(perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=roles.ALL).delete()
