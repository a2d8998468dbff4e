"""Several sweeps at once (two beat processes by mistake, a worker restarted mid-batch, the embedded
scheduler next to Celery): every step is performed exactly once, and nobody deadlocks.

2 and 4 spawned processes, each running `sweep()` in small batches, start together at a barrier over the
same 500 due complaints, twice: once when their 50% reminder is due (one step each), then after the
scheduler was down long enough for the 90% reminder, the breach and level 1 of the ladder (reports_to,
reassign) to come due together (two steps each, one overtaken reminder skipped). Counted afterwards, per
complaint and step key: events, messages, the steps the processes say they performed.

MariaDB only (DATABASE_URL=mysql://…): the SQLite test database lives in one process's memory, and its
sweeps run one after another anyway (BEGIN IMMEDIATE takes the database's write lock).
"""
from __future__ import annotations

import multiprocessing
import traceback
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from tests.processes import run_to_the_end

# No model imports at the top: a spawned child imports this module before django.setup().

IST = ZoneInfo("Asia/Kolkata")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=IST)
H = timedelta(hours=1)
COMPLAINTS = 500
BATCH = 25
BARRIER_TIMEOUT = 120
# Complaint i is registered at T0 + i seconds (i < 500), so every one of them is due at each instant.
ROUNDS = [  # (sweep instant, step keys then done, steps performed per complaint)
    (T0 + 13 * H, ["remind:50"], 1),
    (T0 + 27 * H, ["breach", "escalate:1", "remind:50", "remind:90"], 2),
]

pytestmark = [
    pytest.mark.mariadb,
    pytest.mark.skipif(connection.vendor != "mysql", reason=(
        "needs a database several processes share (MariaDB: DATABASE_URL=mysql://…); the SQLite test database "
        "lives in one process's memory, and SQLite sweeps never overlap (BEGIN IMMEDIATE)")),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _roles_exist(transactional_db):
    """The role groups come from a data migration that a transactional test's flush removes (see
    test_docket_concurrency)."""
    from django.contrib.auth.models import Group

    from nagar_nigam_cc.directory import roles

    for name in roles.ALL:
        Group.objects.get_or_create(name=name)


def _sweeper(db_name, worker, rounds, barrier, results, errors):
    import django

    django.setup()
    from django.db import connections as conns

    from nagar_nigam_cc.sla.sweep import sweep

    try:
        conns["default"].settings_dict["NAME"] = db_name
        for now, _keys, _per in rounds:
            barrier.wait(BARRIER_TIMEOUT)
            result = sweep(now=now, batch=BATCH)
            results.put((worker, now.isoformat(), result.complaints, result.steps, result.skipped))
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails the test
        errors.put(f"sweeper {worker}:\n{traceback.format_exc()}")
        barrier.abort()
    finally:
        conns["default"].close()


def _due_complaints(city, officer, head, agent):
    from conftest import make_officer

    from nagar_nigam_cc.complaints.actions import NewComplaint, do_register
    from nagar_nigam_cc.directory import roles
    from nagar_nigam_cc.sla.models import EscalationStep, SLAPolicy

    senior = make_officer("senior", roles.FIELD_OFFICER, city.sanitation, level=2, reports_to=head,
                          designation="Chief Sanitary Inspector", mobile="+919839000002")
    officer.reports_to, officer.mobile = senior, "+919839000001"
    officer.save()
    policy = SLAPolicy.objects.create(name_en="Garbage 24 h", name_hi="कूड़ा 24 घंटे", category=city.garbage,
                                      resolution_hours=Decimal(24), reminder_percents="50,90")
    EscalationStep.objects.create(policy=policy, level=1, delay_hours=Decimal(2), target="reports_to", reassign=True)
    EscalationStep.objects.create(policy=policy, level=2, delay_hours=Decimal(12), target="department_head")
    return senior, [
        do_register(NewComplaint(mobile=f"+9198392{i:05d}", category=city.garbage, ward=city.wards[1 + i % 2],
                                 description=f"Garbage heap {i}"), actor=agent, now=T0 + timedelta(seconds=i))
        for i in range(COMPLAINTS)
    ]


@pytest.mark.parametrize("processes", [2, 4])
def test_sweeps_running_at_once_perform_each_step_exactly_once(city, officer, head, agent, processes):
    from nagar_nigam_cc.complaints.models import Complaint, ComplaintEvent
    from nagar_nigam_cc.messaging.models import OutboundMessage

    senior, complaints = _due_complaints(city, officer, head, agent)
    ids = {c.pk for c in complaints}
    context = multiprocessing.get_context("spawn")
    barrier, results, errors = context.Barrier(processes), context.Queue(), context.Queue()
    db_name = connection.settings_dict["NAME"]
    children = [context.Process(target=_sweeper, args=(db_name, w, ROUNDS, barrier, results, errors))
                for w in range(processes)]
    hung, problems = run_to_the_end(children, errors, timeout=300)
    assert not problems, "\n".join(problems)  # a deadlock (1213) or lock wait timeout would be here
    assert not hung, f"{len(hung)} sweepers did not finish"
    assert [child.exitcode for child in children] == [0] * processes

    reported = []
    while not results.empty():
        reported.append(results.get())
    assert len(reported) == processes * len(ROUNDS)
    for now, _keys, per_complaint in ROUNDS:
        this_round = [r for r in reported if r[1] == now.isoformat()]
        assert sum(r[3] for r in this_round) == COMPLAINTS * per_complaint, "steps reported twice or lost"
    # Every process took part (skip-locked claims share the work rather than queueing behind one).
    busy = Counter(r[0] for r in reported if r[3])
    assert len(busy) >= 2, busy

    final_keys = ROUNDS[-1][1]
    logged = [(complaint_id, data) for complaint_id, data in
              ComplaintEvent.objects.filter(complaint_id__in=ids).values_list("complaint_id", "data") if data.get("step")]
    # Every step key once on the timeline (the overtaken reminder too, marked skipped) …
    assert Counter((pk, data["step"]) for pk, data in logged) == Counter(
        {(pk, key): 1 for pk in ids for key in final_keys})
    # … and performed exactly once.
    performed = ["remind:50", "breach", "escalate:1"]
    assert Counter((pk, data["step"]) for pk, data in logged if not data.get("skipped")) == Counter(
        {(pk, key): 1 for pk in ids for key in performed})
    messages = Counter(
        (complaint_id, key.split(":")[1])
        for complaint_id, key in OutboundMessage.objects.filter(complaint_id__in=ids)
        .exclude(event__in=("registered", "assigned"))  # queued by registration, not by the sweep
        .values_list("complaint_id", "key")
    )
    assert messages == Counter({(pk, step): 1 for pk in ids for step in ("remind", "breach", "escalate")})
    rows = Complaint.objects.filter(pk__in=ids)
    assert all(sorted(c.sla_done) == final_keys for c in rows)
    assert all(c.assigned_to_id == senior.pk and c.escalation_level == 1 for c in rows)
    assert not rows.filter(next_action_at__lte=ROUNDS[-1][0]).exists()
