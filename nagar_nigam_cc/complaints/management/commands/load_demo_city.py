"""`manage.py load_demo_city`: a Prayagraj-shaped demo city, its logins, and a month of complaints."""
from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from nagar_nigam_cc.demo import loader


class Command(BaseCommand):
    help = (
        "Load the demo city (4 zones, 100 wards, 5 departments, officers and one login per role) and "
        "register complaints over the last 30 days through the normal actions. --reset deletes the demo "
        "city first: never use it on a real city's database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--complaints", type=int, default=300, help="How many complaints to register (300).")
        parser.add_argument("--seed", type=int, default=2025, help="Random seed: the same seed gives the same demo.")
        parser.add_argument("--password", default=loader.DEFAULT_PASSWORD, help="Password of every demo login.")
        parser.add_argument("--reset", action="store_true",
                            help="Delete the demo city, its people and complaints first.")

    def handle(self, *args, complaints: int, seed: int, password: str, reset: bool, verbosity: int, **options):
        if complaints < 0:
            raise CommandError(_("--complaints cannot be negative."))
        if reset:
            # Also when the city is half there (a login or department left from elsewhere) and would collide.
            deleted = loader.delete_demo()
            if any(deleted.values()):
                self.stdout.write(_("Deleted the demo city: %(counts)s.") % {
                    "counts": ", ".join(f"{n} {what}" for what, n in deleted.items())})
        elif loader.city_exists():
            self.stdout.write(_("The demo city is already loaded; nothing to do (use --reset to load it afresh)."))
            return
        started = time.monotonic()
        with tqdm(total=complaints, desc=_("Complaints"), unit="", disable=verbosity == 0) as bar:
            result = loader.load_demo_city(complaints=complaints, seed=seed, password=password, progress=bar.update)
        if verbosity == 0:
            return
        self.stdout.write(self.style.SUCCESS(
            _("Demo city loaded with %(count)d complaints in %(seconds).1f s.")
            % {"count": result.complaints, "seconds": time.monotonic() - started}
        ))
        self.stdout.write(_("By status: %(statuses)s") % {
            "statuses": ", ".join(f"{status} {n}" for status, n in result.by_status.items())})
        for what, docket in result.showcases.items():
            self.stdout.write(f"  {docket}  {what}")
        rows = [(_("login"), _("role"), _("who"))] + loader.logins()
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(_("Demo logins (password: %(password)s)") % {"password": password})
        for index, row in enumerate(rows):
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        self.stdout.write(
            _("Every other officer (si-03, je-jalkal-naini, head-health, …) logs in with the same password."))
