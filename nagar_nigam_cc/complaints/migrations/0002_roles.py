"""Create the desk's roles as groups with their model permissions (see directory.roles)."""
from django.db import migrations

from nagar_nigam_cc.complaints.migrations._roles import create_roles, remove_roles


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("directory", "0001_initial"),
        ("complaints", "0001_initial"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
