"""`manage.py sla_sweep`: perform the due SLA steps once (--once) or every minute until stopped."""
from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from nagar_nigam_cc.sla.sweep import sweep


class Command(BaseCommand):
    help = "Send due reminders, record breaches, escalate and auto-close (the SLA sweep)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One sweep, then exit.")
        parser.add_argument("--every", type=float, default=60.0, help="Seconds between sweeps in loop mode (60).")
        parser.add_argument("--batch", type=int, default=200, help="Complaints claimed per transaction (200).")

    def handle(self, *args, once: bool, every: float, batch: int, **options):
        stop = threading.Event()
        if not once:
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
        while True:
            result = sweep(batch=batch)
            self.stdout.write(str(result))
            close_old_connections()
            if once or stop.wait(every):
                return
