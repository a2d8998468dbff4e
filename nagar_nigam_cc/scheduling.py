"""The periodic jobs (Frappe's `scheduler_events`) and the in-process scheduler that runs them.

`PERIODIC_JOBS` is the one list of what runs on a timer. Both ways of running the product read it:
- production: `nagar_nigam_cc.celery` turns each job into a Celery beat entry that sends the
  `nagar_nigam_cc.run_job` task (one `beat` process, any number of `worker`s);
- embedded (`manage.py serve`, `make demo`): `EmbeddedScheduler`, a daemon thread of the web process.

The jobs: the SLA sweep (reminders, escalations, auto-close over `next_action_at`), the outbox's
delivery, the daily MIS e-mail, and forgetting what has expired (sessions, public-form drafts,
idempotency keys, IGRS row reports). Each job must be safe to run twice at once (two schedulers, a
replay, a restart), because both modes may overlap.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """One periodic job: run `func` (a callable, or its dotted path) every `every_seconds`."""

    name: str
    every_seconds: float
    func: str | Callable[[], object]

    def resolve(self) -> Callable[[], object]:
        return import_string(self.func) if isinstance(self.func, str) else self.func

    def run(self) -> object:
        return self.resolve()()


def clear_expired_sessions() -> None:
    """What `manage.py clearsessions` does, for whichever session engine is configured."""
    engine = import_module(settings.SESSION_ENGINE)
    try:
        engine.SessionStore.clear_expired()
    except NotImplementedError:
        # Engines whose store expires sessions by itself (cache) say so this way; nothing to do.
        logger.debug("session engine %s does not clear expired sessions", settings.SESSION_ENGINE)


def sla_sweep() -> None:
    """Reminders, breaches, escalations and auto-closing that are due (nagar_nigam_cc.sla.sweep)."""
    from nagar_nigam_cc.sla.sweep import sweep

    result = sweep()
    if result.complaints:
        logger.info("SLA sweep: %s", result)


def deliver_messages() -> None:
    """Send what the outbox holds that is due (nagar_nigam_cc.messaging.delivery)."""
    from nagar_nigam_cc.messaging.delivery import deliver_due

    result = deliver_due()
    if result.claimed:
        logger.info("messages: %s", result)


def forget_public_drafts() -> None:
    """Forget what citizens typed on the public form and never confirmed (nagar_nigam_cc.public)."""
    from nagar_nigam_cc.public.verification import forget_stale

    forget_stale()


def send_daily_mis() -> None:
    """Yesterday's MIS to its recipients, once per day after the configured hour (nagar_nigam_cc.reports.mis)."""
    from nagar_nigam_cc.reports.mis import send_daily_mis as send

    result = send()
    if result.outcome in ("sent", "failed"):
        logger.info("%s", result)


PERIODIC_JOBS: list[Job] = [
    Job("sla-sweep", 60, "nagar_nigam_cc.scheduling.sla_sweep"),
    Job("deliver-messages", settings.NNC_DELIVERY_INTERVAL_SECONDS, "nagar_nigam_cc.scheduling.deliver_messages"),
    Job("clear-expired-sessions", 60 * 60, "nagar_nigam_cc.scheduling.clear_expired_sessions"),
    Job("forget-public-drafts", 60 * 60, "nagar_nigam_cc.scheduling.forget_public_drafts"),
    # Every 15 minutes: sends soon after the configured hour, and retries a failed e-mail within the day.
    Job("send-daily-mis", 15 * 60, "nagar_nigam_cc.scheduling.send_daily_mis"),
    # Old idempotency keys and IGRS row reports, in small batches (nagar_nigam_cc.retention).
    Job("purge-expired", 60 * 60, "nagar_nigam_cc.retention.purge_expired"),
]


def get_job(name: str) -> Job:
    # Looked up at call time (not cached) so a test, or a later app, can change the list.
    for job in PERIODIC_JOBS:
        if job.name == name:
            return job
    known = ", ".join(job.name for job in PERIODIC_JOBS)
    raise LookupError(f"no periodic job named {name!r} (known: {known})")


def run_job_by_name(name: str) -> object:
    """Run one job now, in this thread. The Celery task `run_job` calls this."""
    return get_job(name).run()


class EmbeddedScheduler(threading.Thread):
    """Runs the periodic jobs in a daemon thread of the web process (the embedded mode).

    Each job runs once soon after `start()` (`initial_delay`; so a restart catches up at once), then
    every `every_seconds`, counted from when its previous turn came. Jobs run one at a
    time; a job that raises is logged and tried again at its next turn, and never stops the others.
    """

    def __init__(self, jobs: Iterable[Job] | None = None, *, initial_delay: float = 0.0,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__(name="nnc-scheduler", daemon=True)
        self._jobs: Sequence[Job] | None = list(jobs) if jobs is not None else None
        self._initial_delay = initial_delay
        self._clock = clock
        self._stopping = threading.Event()

    @property
    def jobs(self) -> Sequence[Job]:
        return self._jobs if self._jobs is not None else PERIODIC_JOBS

    def run(self) -> None:
        jobs = list(self.jobs)
        start = self._clock() + self._initial_delay
        due = {job.name: start for job in jobs}
        logger.info("embedded scheduler started: %s", ", ".join(job.name for job in jobs) or "no jobs")
        try:
            while not self._stopping.is_set():
                now = self._clock()
                for job in jobs:
                    if self._stopping.is_set():
                        break
                    if due[job.name] <= now:
                        self._run_one(job)
                        due[job.name] = now + job.every_seconds
                if not jobs:
                    self._stopping.wait()
                    break
                # Wake for the next due job, or for stop(); never sleep past either.
                self._stopping.wait(max(0.0, min(due.values()) - self._clock()))
        finally:
            # This thread's own connections: a closed one, not an abandoned one, when the server stops.
            connections.close_all()
            logger.info("embedded scheduler stopped")

    def _run_one(self, job: Job) -> None:
        # The same bracket Django puts round a request: drop a connection that broke or aged out
        # (CONN_MAX_AGE), so a MariaDB restart or wait_timeout never wedges the scheduler for good.
        close_old_connections()
        try:
            job.run()
        except Exception:
            logger.exception("periodic job %s failed; it will run again in %ss", job.name, job.every_seconds)
        finally:
            close_old_connections()

    def stop(self, timeout: float | None = 30.0) -> None:
        """Ask the thread to finish and wait for it (a job already running is let finish)."""
        self._stopping.set()
        if self.is_alive():
            self.join(timeout)
