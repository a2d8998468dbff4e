"""Docket numbers stay unique when many agents register at the same instant.

The claim in `dockets`: one counter row per month, incremented by an atomic UPDATE in the registration's
transaction, serialises concurrent registrations; the unique index is the last word. Here several
*processes* (the production shape: gunicorn workers on more than one machine) and, separately, several
threads register through do_register against one committed database, starting together at a barrier at
the very start of a month. One test has them race to open a new month (create its counter row).

These need a database that several connections share, with committed data: MariaDB. On SQLite the
in-memory test database is private to one process, so the process tests are skipped; the thread test
is skipped there too (see its docstring).
"""
from __future__ import annotations

import multiprocessing
import threading
import traceback
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from nagar_nigam_cc.complaints import dockets
from tests.processes import run_to_the_end

# No model imports at the top: a spawned child imports this module (to find _child) before
# django.setup(), so models are imported inside the functions.

IST = ZoneInfo("Asia/Kolkata")
MONTH_START = datetime(2026, 5, 1, 0, 0, tzinfo=IST)  # period 2605
BARRIER_TIMEOUT = 60  # seconds; a worker that never arrives must fail the test, not hang it

needs_mariadb = pytest.mark.skipif(
    connection.vendor != "mysql",
    reason="needs a database shared by several processes (MariaDB: set DATABASE_URL=mysql://…); "
    "the SQLite test database lives in one process's memory",
)
pytestmark = [
    pytest.mark.mariadb,
    needs_mariadb,
    # Committed rows, visible to other connections; serialized_rollback restores the role groups
    # (created by a data migration) for any transactional test that runs after this one.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _roles_exist(transactional_db):
    """The role groups come from a data migration, and a transactional test's flush removes them.
    serialized_rollback should bring them back, but after the Playwright tests have run the test's
    connection object is not the one the database was serialized on, and nothing is restored. Access
    goes by group name, so the names are all these tests need."""
    from django.contrib.auth.models import Group

    from nagar_nigam_cc.directory import roles

    for name in roles.ALL:
        Group.objects.get_or_create(name=name)


def _register_many(db_name, worker, count, agent_id, category_id, ward_id, barrier, errors, new_month_each_round):
    """Register `count` complaints, one caller each, in this process or thread."""
    from django.contrib.auth.models import User

    from nagar_nigam_cc.complaints.actions import NewComplaint, do_register
    from nagar_nigam_cc.directory.models import Category, Ward

    try:
        connections["default"].settings_dict["NAME"] = db_name  # the test database, not the real one
        agent = User.objects.get(pk=agent_id)
        category, ward = Category.objects.get(pk=category_id), Ward.objects.get(pk=ward_id)
        for i in range(count):
            if new_month_each_round:  # everyone opens a new month at the same instant
                barrier.wait(BARRIER_TIMEOUT)
                now = MONTH_START.replace(year=2030 + i // 12, month=1 + i % 12)
            else:
                if i == 0:
                    barrier.wait(BARRIER_TIMEOUT)
                now = MONTH_START + timedelta(microseconds=i)
            new = NewComplaint(mobile=f"+9198{worker:02d}{i:06d}", category=category, ward=ward,
                               description=f"Garbage heap {worker}/{i}")
            do_register(new, actor=agent, now=now)
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails the test
        errors.put(f"worker {worker}:\n{traceback.format_exc()}")
        barrier.abort()  # release the others rather than leave them waiting
    finally:
        connections["default"].close()


def _child(db_name, *args):
    """A spawned process starts from nothing: set Django up, then work. (Spawn, not fork: by the time
    this runs the test process may have other threads — a live server, Playwright — whose locks a
    forked child would inherit held.)"""
    import django

    django.setup()
    _register_many(db_name, *args)


def _run_processes(city, agent, processes, per_process, new_month_each_round=False):
    context = multiprocessing.get_context("spawn")
    barrier, errors = context.Barrier(processes), context.Queue()
    db_name = connection.settings_dict["NAME"]
    children = [
        context.Process(target=_child, args=(db_name, w, per_process, agent.pk, city.garbage.pk,
                                             city.wards[1].pk, barrier, errors, new_month_each_round))
        for w in range(processes)
    ]
    hung, problems = run_to_the_end(children, errors, timeout=180)
    assert not problems, "\n".join(problems)
    assert not hung, f"{len(hung)} workers did not finish"
    assert [child.exitcode for child in children] == [0] * processes


def assert_every_number_accounted_for(expected_total: int):
    from nagar_nigam_cc.complaints.models import Complaint, DocketCounter

    rows = list(Complaint.objects.values_list("docket", flat=True))
    assert len(rows) == expected_total
    assert len(set(rows)) == expected_total, "duplicate dockets"
    assert all(dockets.is_valid(d) for d in rows)
    per_period = Counter(d[:4] for d in rows)
    for period, count in per_period.items():
        sequences = sorted(int(d[4:-1]) for d in rows if d.startswith(period))
        # No registration rolled back here, so no gaps either: 1..count, each once.
        assert sequences == list(range(1, count + 1)), period
        assert DocketCounter.objects.get(period=period).last == count


def month_already_open():
    """The steady state: the month's counter row exists (opening a month is the next test's subject)."""
    from nagar_nigam_cc.complaints.models import DocketCounter

    DocketCounter.objects.create(period="2605", last=0)


def test_four_processes_registering_3000_complaints_get_3000_distinct_dockets(city, officer, agent):
    month_already_open()
    _run_processes(city, agent, processes=4, per_process=750)
    assert_every_number_accounted_for(3000)


def test_eight_processes_opening_twelve_new_months_at_the_same_instant(city, officer, agent):
    """The first registration of a month creates its counter row. Eight at once, twelve times: all must
    succeed (a deadlock or a duplicate-key error would reach the caller as a failed registration).

    BUG (actions.next_docket), MariaDB: UPDATE finds no row → INSERT in a savepoint → the losers get
    a duplicate-key error while holding a shared lock on the new row, and their retry UPDATE deadlocks
    (1213) with each other. The agent's registration fails at 00:00 on the 1st of every month when
    calls coincide. Fix: one upsert statement — MariaDB `INSERT … ON DUPLICATE KEY UPDATE last = last + 1`
    then SELECT; SQLite `INSERT … ON CONFLICT(period) DO UPDATE SET last = last + 1 RETURNING last`
    (checked: this test and the thread test pass with it, three runs out of three)."""
    from nagar_nigam_cc.complaints.models import DocketCounter

    _run_processes(city, agent, processes=8, per_process=12, new_month_each_round=True)
    assert_every_number_accounted_for(96)
    assert DocketCounter.objects.count() == 12


def test_eight_threads_registering_2000_complaints_get_2000_distinct_dockets(city, officer, agent):
    """Threads in one process, each with its own connection (Django's are per thread). Skipped on
    SQLite with the rest of the file: its shared-cache in-memory test database takes table locks that
    the busy timeout does not wait for, so concurrent writers fail with 'database table is locked'
    regardless of our code; the embedded mode runs a file database in WAL mode instead."""
    month_already_open()
    threads, per_thread = 8, 250
    barrier, errors = threading.Barrier(threads), _ListQueue()
    db_name = connection.settings_dict["NAME"]
    workers = [
        threading.Thread(target=_register_many, args=(db_name, w, per_thread, agent.pk, city.garbage.pk,
                                                       city.wards[1].pk, barrier, errors, False))
        for w in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not errors.items, "\n".join(errors.items)
    assert_every_number_accounted_for(threads * per_thread)


class _ListQueue:
    def __init__(self):
        self.items: list[str] = []

    def put(self, item: str):
        self.items.append(item)
