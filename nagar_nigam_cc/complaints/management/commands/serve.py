"""`manage.py serve`: the embedded mode's one process — the web app (waitress) plus the scheduler thread.

Waitress is a production-grade, pure-Python WSGI server, so the demo and a small single-machine
install run the same way; static files come through whitenoise. Larger installs use the Procfile
(gunicorn, Celery worker and beat) instead, with `NNC_EMBEDDED_SCHEDULER=false` or `--no-scheduler`
wherever `serve` still runs, so the periodic jobs are run by exactly one beat.
"""
from __future__ import annotations

import os
import signal
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from waitress import create_server

from nagar_nigam_cc.scheduling import EmbeddedScheduler
from nagar_nigam_cc.wsgi import application


def _default_port() -> int:
    try:
        return int(os.environ.get("PORT", "8000"))
    except ValueError:
        raise CommandError(f"PORT must be a number, not {os.environ['PORT']!r}") from None


class Command(BaseCommand):
    help = "Serve the call centre with waitress, running the periodic jobs in the same process."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1",
                            help="address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)")
        parser.add_argument("--port", type=int, default=None,
                            help="port to listen on (default $PORT, else 8000; 0 picks a free one)")
        parser.add_argument("--threads", type=int, default=8, help="request threads (default 8)")
        parser.add_argument("--no-scheduler", action="store_true",
                            help="do not run the periodic jobs here (Celery beat runs them)")

    def handle(self, *args, host: str, port: int | None, threads: int, no_scheduler: bool, **options):
        port = _default_port() if port is None else port
        self.check_migrations()

        server = create_server(application, host=host, port=port, threads=threads, ident="nagar-nigam-cc")
        scheduler = None
        if not no_scheduler and settings.NNC_EMBEDDED_SCHEDULER:
            scheduler = EmbeddedScheduler()
            scheduler.start()

        # SIGTERM (systemd, docker stop, a Procfile runner) and SIGINT (Ctrl+C) end the same way: waitress
        # lets in-flight requests finish and the scheduler stops between jobs. SIGINT is set explicitly
        # because a shell starts background jobs with it ignored, and then Python never raises
        # KeyboardInterrupt.
        listen_port = _listen_port(server)
        previous = {sig: signal.signal(sig, _raise_system_exit) for sig in (signal.SIGTERM, signal.SIGINT)}
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "") else f"[{host}]" if ":" in host else host
        self.stdout.write(self.style.SUCCESS(
            f"Nagar Nigam Call Centre: http://{shown_host}:{listen_port}/desk/"
        ))
        self.stdout.write(
            f"listening on {host}:{listen_port}, {threads} threads, "
            f"scheduler {'on' if scheduler else 'off'}; Ctrl+C to stop"
        )
        sys.stdout.flush()
        try:
            server.run()  # returns after SIGINT/SIGTERM, its task threads shut down
        except (KeyboardInterrupt, SystemExit):
            pass  # a signal that came between two waitress loop iterations
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            server.close()
            if scheduler is not None:
                scheduler.stop()
        self.stdout.write("stopped")


def _listen_port(server) -> int:
    # A host name that resolves to several addresses (localhost: 127.0.0.1 and ::1) gives a
    # MultiSocketServer, which lists its sockets instead of having one port.
    if hasattr(server, "effective_port"):
        return server.effective_port
    return server.effective_listen[0][1]


def _raise_system_exit(signum, frame):
    raise SystemExit(0)
