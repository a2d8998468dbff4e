"""`manage.py deliver_messages`: send the outbox's due messages once (--once) or every few seconds until
stopped (SIGTERM/SIGINT finish the message in hand, then exit)."""
from __future__ import annotations

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from nagar_nigam_cc.messaging.delivery import deliver_due


class Command(BaseCommand):
    help = "Deliver due messages from the outbox (SMS, WhatsApp, e-mail)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Deliver what is due now, then exit.")
        parser.add_argument("--every", type=float, default=settings.NNC_DELIVERY_INTERVAL_SECONDS,
                            help="Seconds between runs in loop mode.")
        parser.add_argument("--batch", type=int, default=50, help="Messages claimed per transaction (50).")

    def handle(self, *args, once: bool, every: float, batch: int, **options):
        stop = threading.Event()
        if not once:
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
        while True:
            result = deliver_due(batch=batch, stopping=stop.is_set)
            if result.claimed or once:
                self.stdout.write(str(result))
            close_old_connections()
            if once or stop.wait(every):
                return
