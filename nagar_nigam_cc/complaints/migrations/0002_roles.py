"""Create the desk's roles as groups with their model permissions (see directory.roles)."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

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
        perms = [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in wanted]
        group.permissions.set(perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=roles.ALL).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("directory", "0001_initial"),
        ("complaints", "0001_initial"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
