"""Production's shape, end to end: the Procfile's own `worker` and `beat` commands, on Redis and MariaDB, escalate
an overdue complaint by themselves (issue 3, item 5).

How beat learns of the sweep: `nagar_nigam_cc.celery` adds every PERIODIC_JOBS entry with
`add_periodic_task` when the app is finalized, which fills `beat_schedule`; django-celery-beat's
DatabaseScheduler (CELERY_BEAT_SCHEDULER) copies `beat_schedule` into its PeriodicTask table when it
starts (`update_from_dict`), so the Procfile's plain `celery -A nagar_nigam_cc beat` sends `sla-sweep`
every 60 s without a schedule file, and an administrator can see or pause it in the desk. A new interval
entry first comes due one interval after beat starts, so the escalation shows up ~60–70 s in.

Needs MariaDB (DATABASE_URL=mysql://…) and Redis on 127.0.0.1:6379; skipped cleanly without them. The
processes get the test database's name, Redis database 13 (flushed first; nobody else's) and
NNC_EMBEDDED_SCHEDULER=false.
"""
from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

REPO = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("NNC_TEST_CELERY_REDIS_URL", "redis://127.0.0.1:6379/13")
WAIT_SECONDS = 80  # beat's first sla-sweep comes 60 s after it starts; a worker takes a few seconds to boot


def _redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2).ping())
    except Exception:  # noqa: BLE001 - any failure means: not here
        return False


pytestmark = [
    pytest.mark.mariadb,
    pytest.mark.skipif(connection.vendor != "mysql", reason=(
        "needs MariaDB (DATABASE_URL=mysql://…): the worker and beat are separate processes that must share "
        "the test database")),
    pytest.mark.skipif(not _redis_reachable(), reason=f"needs Redis at {REDIS_URL} (the Celery broker)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _roles_exist(transactional_db):
    """The role groups come from a data migration a transactional test's flush removes (see test_docket_concurrency)."""
    from django.contrib.auth.models import Group

    from nagar_nigam_cc.directory import roles

    for name in roles.ALL:
        Group.objects.get_or_create(name=name)


def procfile_command(name: str) -> list[str]:
    for line in (REPO / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return shlex.split(line.split(":", 1)[1])
    raise LookupError(f"no {name!r} process in the Procfile")


def test_the_procfile_worker_and_beat_escalate_an_overdue_complaint(city, officer, head, agent, tmp_path):
    import redis
    from conftest import make_officer

    from nagar_nigam_cc.complaints.actions import NewComplaint, do_register
    from nagar_nigam_cc.complaints.models import Complaint, ComplaintEvent, EventKind
    from nagar_nigam_cc.directory import roles
    from nagar_nigam_cc.messaging.models import OutboundMessage
    from nagar_nigam_cc.sla.models import EscalationStep, SLAPolicy

    senior = make_officer("senior", roles.FIELD_OFFICER, city.sanitation, level=2, reports_to=head,
                          designation="Chief Sanitary Inspector", mobile="+919839000002")
    officer.reports_to = senior
    officer.save()
    policy = SLAPolicy.objects.create(name_en="Garbage 24 h", name_hi="कूड़ा 24 घंटे", category=city.garbage,
                                      resolution_hours=Decimal(24), reminder_percents="50,90")
    EscalationStep.objects.create(policy=policy, level=1, delay_hours=Decimal(2), target="reports_to", reassign=True)
    now = timezone.now()
    overdue = do_register(NewComplaint(mobile="+919839100001", category=city.garbage, ward=city.wards[1],
                                       description="Garbage heap for two days"), actor=agent, now=now - timedelta(hours=30))
    fresh = do_register(NewComplaint(mobile="+919839100002", category=city.garbage, ward=city.wards[1],
                                     description="Garbage heap this morning"), actor=agent, now=now)
    assert overdue.next_action_at < now < fresh.next_action_at

    redis.Redis.from_url(REDIS_URL).flushdb()  # our own database number: no stale tasks from an earlier run
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"mysql://{db['USER']}{':' + db['PASSWORD'] if db['PASSWORD'] else ''}@{db['HOST'] or '127.0.0.1'}"
                        f":{db['PORT'] or 3306}/{db['NAME']}",
        "REDIS_URL": REDIS_URL,
        "NNC_EMBEDDED_SCHEDULER": "false",
        "NNC_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "nagar_nigam_cc.settings",
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "PYTHONUNBUFFERED": "1",
    }
    logs = {name: tmp_path / f"{name}.log" for name in ("worker", "beat")}
    processes = {}
    try:
        for name in ("worker", "beat"):
            processes[name] = subprocess.Popen(
                procfile_command(name), cwd=tmp_path, env=env, stdout=logs[name].open("w"), stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the prefork children go with it
            )
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if Complaint.objects.filter(pk=overdue.pk, escalation_level__gte=1).exists():
                break
            for name, process in processes.items():
                assert process.poll() is None, f"{name} exited early:\n{_tail(logs[name])}"
            time.sleep(1)
        else:
            pytest.fail(f"not escalated within {WAIT_SECONDS} s\n--- beat:\n{_tail(logs['beat'])}\n"
                        f"--- worker:\n{_tail(logs['worker'])}")
    finally:
        codes = _stop(processes)

    overdue = Complaint.objects.get(pk=overdue.pk)
    assert overdue.escalation_level == 1 and overdue.assigned_to_id == senior.pk
    assert overdue.breached_at == overdue.due_at
    performed = ComplaintEvent.objects.filter(complaint=overdue, kind__in=[EventKind.BREACHED, EventKind.ESCALATED])
    assert sorted(e.data["step"] for e in performed) == ["breach", "escalate:1"]
    assert OutboundMessage.objects.filter(complaint=overdue, key__contains=":escalate:1:").count() == 1
    untouched = Complaint.objects.get(pk=fresh.pk)
    assert (untouched.sla_done, untouched.escalation_level) == ([], 0)
    assert "Sending due task sla-sweep (nagar_nigam_cc.run_job)" in logs["beat"].read_text()
    assert "nagar_nigam_cc.run_job" in logs["worker"].read_text() and "succeeded" in logs["worker"].read_text()
    assert codes == {"worker": 0, "beat": 0}, (codes, _tail(logs["worker"]), _tail(logs["beat"]))


def _stop(processes: dict[str, subprocess.Popen]) -> dict[str, int]:
    """SIGTERM (a worker's warm shutdown: it finishes the task in hand), then wait; kill only what hangs."""
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    codes = {}
    for name, process in processes.items():
        try:
            codes[name] = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            codes[name] = process.wait()
    return codes


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(no log)"
