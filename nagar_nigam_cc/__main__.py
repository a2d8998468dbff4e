"""`nnc` / `python -m nagar_nigam_cc`: the project's manage.py, installed as a command."""
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nagar_nigam_cc.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
