"""The periodic jobs: the embedded scheduler thread, the Celery task that beat sends, and `manage.py serve`
that runs the web app and the scheduler in one process."""
from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from nagar_nigam_cc import scheduling
from nagar_nigam_cc.celery import _schedule_periodic_jobs, run_job
from nagar_nigam_cc.scheduling import EmbeddedScheduler, Job

REPO = Path(__file__).resolve().parent.parent


def started(scheduler: EmbeddedScheduler) -> EmbeddedScheduler:
    scheduler.start()
    return scheduler


def test_the_embedded_scheduler_runs_a_due_job():
    ran = threading.Event()
    scheduler = started(EmbeddedScheduler([Job("tick", 3600, ran.set)]))
    try:
        assert ran.wait(5), "the job did not run"
    finally:
        scheduler.stop()


def test_it_runs_a_job_again_after_its_interval():
    runs = []
    twice = threading.Event()

    def tick():
        runs.append(time.monotonic())
        if len(runs) == 2:
            twice.set()

    scheduler = started(EmbeddedScheduler([Job("tick", 0.05, tick)]))
    try:
        assert twice.wait(5)
    finally:
        scheduler.stop()
    assert runs[1] - runs[0] >= 0.04


def test_it_waits_for_the_initial_delay():
    ran = threading.Event()
    scheduler = started(EmbeddedScheduler([Job("tick", 3600, ran.set)], initial_delay=3600))
    try:
        assert not ran.wait(0.2)
    finally:
        scheduler.stop()


def test_a_failing_job_is_logged_and_the_scheduler_keeps_going(caplog):
    failures = []
    good_after_failures = threading.Event()

    def broken():
        failures.append(1)
        raise RuntimeError("gateway down")

    def good():
        if len(failures) >= 2:
            good_after_failures.set()

    scheduler = started(EmbeddedScheduler([Job("broken", 0.02, broken), Job("good", 0.02, good)]))
    try:
        with caplog.at_level(logging.ERROR, logger="nagar_nigam_cc.scheduling"):
            assert good_after_failures.wait(5), "the scheduler stopped after a failing job"
    finally:
        scheduler.stop()
    assert scheduler.is_alive() is False
    failed = [r for r in caplog.records if r.name == "nagar_nigam_cc.scheduling" and r.levelno == logging.ERROR]
    assert failed and "broken" in failed[0].getMessage()
    assert failed[0].exc_info[0] is RuntimeError


def test_it_stops_cleanly_and_promptly_between_runs():
    ran = threading.Event()
    scheduler = started(EmbeddedScheduler([Job("hourly", 3600, ran.set)]))
    assert ran.wait(5)
    assert scheduler.daemon  # never keeps a stopping server process alive

    began = time.monotonic()
    scheduler.stop()
    assert not scheduler.is_alive()
    assert time.monotonic() - began < 2


def test_stop_lets_a_running_job_finish():
    inside, release, finished = threading.Event(), threading.Event(), threading.Event()

    def slow():
        inside.set()
        release.wait(5)
        finished.set()

    scheduler = started(EmbeddedScheduler([Job("slow", 3600, slow)]))
    assert inside.wait(5)
    threading.Timer(0.1, release.set).start()
    scheduler.stop()
    assert finished.is_set()
    assert not scheduler.is_alive()


def test_it_runs_the_periodic_jobs_list_by_default(monkeypatch):
    ran = threading.Event()
    monkeypatch.setattr(scheduling, "PERIODIC_JOBS", [Job("from-the-list", 3600, ran.set)])
    scheduler = started(EmbeddedScheduler())
    try:
        assert ran.wait(5)
    finally:
        scheduler.stop()


def test_a_job_may_name_its_function_by_dotted_path():
    assert Job("x", 1, "nagar_nigam_cc.scheduling.clear_expired_sessions").resolve() is scheduling.clear_expired_sessions


def test_every_periodic_job_resolves_and_has_a_unique_name():
    names = [job.name for job in scheduling.PERIODIC_JOBS]
    assert len(names) == len(set(names))
    for job in scheduling.PERIODIC_JOBS:
        assert callable(job.resolve())
        assert job.every_seconds > 0


def test_the_celery_task_runs_the_named_job(monkeypatch):
    calls = []
    monkeypatch.setattr(scheduling, "PERIODIC_JOBS", [Job("count", 60, lambda: calls.append("ran"))])
    result = run_job.apply(args=["count"])
    assert result.successful()
    assert calls == ["ran"]


def test_the_celery_task_fails_for_an_unknown_job():
    with pytest.raises(LookupError, match="no periodic job named 'nope'"):
        run_job.apply(args=["nope"], throw=True)


def test_beat_schedules_every_periodic_job():
    """celery.py turns PERIODIC_JOBS into beat entries that send run_job with the job's name."""
    # A fresh app: the real one was finalized (and scheduled) once, by whichever test came first.
    app = Celery("beat-schedule-check", set_as_current=False)
    _schedule_periodic_jobs(sender=app)
    schedule = app.conf.beat_schedule
    assert set(schedule) == {job.name for job in scheduling.PERIODIC_JOBS}
    for job in scheduling.PERIODIC_JOBS:
        entry = schedule[job.name]
        assert entry["task"] == "nagar_nigam_cc.run_job"
        assert list(entry["args"]) == [job.name]
        assert entry["schedule"] == job.every_seconds


@pytest.mark.django_db
def test_clearing_expired_sessions_deletes_only_the_expired_ones():
    old, fresh = SessionStore(), SessionStore()
    old.create()
    fresh.create()
    Session.objects.filter(session_key=old.session_key).update(expire_date=timezone.now() - timedelta(days=1))

    result = run_job.apply(args=["clear-expired-sessions"])

    assert result.successful()
    assert list(Session.objects.values_list("session_key", flat=True)) == [fresh.session_key]


def test_serve_serves_the_desk_and_its_static_files_then_stops_on_sigterm(tmp_path):
    """`manage.py serve`, as `make demo` runs it: waitress with DEBUG off, whitenoise for the CSS."""
    env = {**os.environ, "NNC_DATA_DIR": str(tmp_path), "DEBUG": "false", "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)  # its own SQLite file: the login page and static files need no tables
    server = subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), "serve", "--port", "0", "--no-scheduler"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        lines = []
        for line in server.stdout:
            lines.append(line)
            if match := re.search(r"http://127\.0\.0\.1:(\d+)/desk/", line):
                break
        assert match, "".join(lines)
        root = f"http://127.0.0.1:{match[1]}"
        request = urllib.request.Request(f"{root}/desk/login/", headers={"Accept-Language": "en"})
        page = urllib.request.urlopen(request, timeout=10).read().decode()
        stylesheets = re.findall(r'href="(/static/[^"]+\.css)"', page)
        assert stylesheets
        for href in stylesheets:
            with urllib.request.urlopen(root + href, timeout=10) as response:
                assert response.status == 200
                assert response.headers["Content-Type"].startswith("text/css")

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=15) == 0
        assert "stopped" in server.stdout.read()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
