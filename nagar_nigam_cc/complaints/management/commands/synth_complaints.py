"""`manage.py synth_complaints`: bulk synthetic complaints on top of the demo city, for benchmarks."""
from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from nagar_nigam_cc.demo import loader


class Command(BaseCommand):
    help = (
        "Bulk-insert synthetic citizens and complaints into the loaded city, with valid, unique docket numbers "
        "reserved from the monthly counters, each complaint's SLA plan and deadline, the breaches and escalations "
        "the sweep would have made, resolutions (some late), citizens' confirmations and disputes, and each "
        "complaint's timeline of events. For benchmarks and reports at scale only: the rows bypass the actions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=100_000, help="How many complaints (100000).")
        parser.add_argument("--batch", type=int, default=5000, help="Rows per insert transaction (5000).")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--days", type=int, default=365, help="Spread registrations over this many past days.")
        parser.add_argument("--no-events", action="store_true", help="Skip the timelines (the complaints' events).")

    def handle(self, *args, count: int, batch: int, seed: int, days: int, no_events: bool, verbosity: int, **options):
        if count < 1 or batch < 1 or days < 1:
            raise CommandError(_("--count, --batch and --days must be positive."))
        quiet = verbosity == 0
        citizens = tqdm(desc=_("Citizens"), unit="", disable=quiet)
        complaints = tqdm(total=count, desc=_("Complaints"), unit="", disable=quiet)

        def progress(made_complaints: int, made_citizens: int) -> None:
            citizens.update(made_citizens)
            complaints.update(made_complaints)

        started = time.monotonic()
        try:
            result = loader.synthesise(count, batch=batch, seed=seed, days=days, events=not no_events,
                                       progress=progress)
        except ValueError as error:
            raise CommandError(str(error)) from error
        finally:
            citizens.close()
            complaints.close()
        seconds = time.monotonic() - started
        if quiet:
            return
        self.stdout.write(self.style.SUCCESS(
            _("%(complaints)d complaints, %(citizens)d citizens and %(events)d events in %(seconds).1f s "
              "(%(rate).0f complaints/s).")
            % {"complaints": result.complaints, "citizens": result.citizens, "events": result.events,
               "seconds": seconds, "rate": result.complaints / seconds if seconds else 0}
        ))
        self.stdout.write(_("By status: %(statuses)s") % {
            "statuses": ", ".join(f"{status} {n}" for status, n in result.by_status.items())})
