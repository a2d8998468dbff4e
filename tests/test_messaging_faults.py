"""The outbox under faults: every message reaches the citizen exactly once, none is lost, none is left
behind — while the gateway fails 30% of its calls (half of those after it had already delivered the
message, the answer lost on the way back) and one of two delivery workers is killed with SIGKILL in the
middle of its work.

1,000 acknowledgements are queued; two `manage.py deliver_messages` processes (the production command,
in loop mode) send them through the DLT gateway's generic style to the fake gateway over HTTP. The
settings reach the processes by environment, as in production: retries after 0.01 s and up, a lease of
2 s, so the killed worker's claimed messages are taken over two seconds later. Afterwards, per message:
state "sent", the gateway's id recorded, one delivery at the gateway for its key.

Exactly once holds because our key travels as the gateway's client reference, and the fake gateway,
like a real one given a reference, does not deliver a reference twice; the number of submissions shows
how often that saved a citizen a second SMS.

Runs on MariaDB (DATABASE_URL=mysql://…: the workers use the test database) and on SQLite, where the
in-memory test database is copied to a file for the workers (and their writes queue on SQLite's one
write lock, so the two workers take turns).
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.utils import timezone

from nagar_nigam_cc.messaging.fakegateway import FakeGateway

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = 1_000
TEMPLATE_ID = "1107160000000000001"
DEADLINE = 240  # seconds for the whole run; it takes ~14 s on SQLite, ~21 s on MariaDB here

# Not marked `mariadb`: it runs on both databases.
pytestmark = [
    # Committed rows, visible to the worker processes; serialized_rollback puts the migrations' rows back.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def queue_acknowledgements(count: int) -> None:
    from nagar_nigam_cc.messaging.models import Event, MessageTemplate, OutboundMessage

    MessageTemplate.objects.update_or_create(
        event=Event.REGISTERED, channel="sms", language="en",
        defaults={"body": "Nagar Nigam: your complaint {docket} is registered.", "dlt_template_id": TEMPLATE_ID,
                  "is_active": True})
    MessageTemplate.objects.filter(event=Event.REGISTERED).exclude(language="en").update(is_active=False)
    now = timezone.now()
    OutboundMessage.objects.bulk_create([
        OutboundMessage(key=f"fault:{n}:registered:citizen", event=Event.REGISTERED, to_mobile=f"+9198390{n:05d}",
                        language="en", context={"docket": f"2603{n:07d}"}, created_at=now, next_attempt_at=now)
        for n in range(count)
    ], batch_size=500)


class Database:
    """Where the workers' database is, and a look at it from here while they work."""

    def __init__(self, tmp_path: Path):
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            self.file = tmp_path / "outbox.sqlite3"
            connection.ensure_connection()
            copy = sqlite3.connect(self.file)
            connection.connection.backup(copy)  # the in-memory test database, as it is now
            copy.close()
            self.url = f"sqlite:///{self.file}"
        else:
            self.file = None
            url = urlsplit(os.environ["DATABASE_URL"])
            self.url = urlunsplit(url._replace(path="/" + settings["NAME"]))  # the test database

    def rows(self, sql: str) -> list[tuple]:
        if self.file is None:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return list(cursor.fetchall())
        with closing(sqlite3.connect(self.file, timeout=20)) as db:
            return db.execute(sql).fetchall()

    def states(self) -> Counter:
        return Counter(dict(self.rows("SELECT state, COUNT(*) FROM messaging_outboundmessage GROUP BY state")))


def start_worker(database: Database, gateway: FakeGateway, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nagar_nigam_cc.settings",
        "DATABASE_URL": database.url,
        "NNC_SMS_GATEWAY": "dlt", "NNC_DLT_STYLE": "generic", "NNC_DLT_URL": gateway.send_url,
        "NNC_DLT_API_KEY": "key", "NNC_DLT_SENDER": "NNCPRJ", "NNC_DLT_ENTITY_ID": "1101456780000012345",
        "NNC_MESSAGE_RETRY_BASE_SECONDS": "0.01", "NNC_MESSAGE_RETRY_CAP_SECONDS": "0.5",
        "NNC_MESSAGE_LEASE_SECONDS": "2",
        # 30% of calls fail: 30 attempts make a message that fails every one (0.3^30) impossible in practice.
        "NNC_MESSAGE_MAX_ATTEMPTS": "30",
        "NNC_GATEWAY_TIMEOUT_SECONDS": "5",
        "LOG_LEVEL": "WARNING",
    }
    with open(log, "w") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", "deliver_messages", "--every", "0.05", "--batch", "20"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )


def test_every_message_reaches_the_gateway_exactly_once_through_failures_and_a_killed_worker(tmp_path):
    queue_acknowledgements(MESSAGES)
    database = Database(tmp_path)
    with FakeGateway(fail_rate=0.3, ambiguous_share=0.5, seed=2026, keep_requests=False) as gateway:
        workers = [start_worker(database, gateway, tmp_path / f"worker-{n}.log") for n in (1, 2)]
        try:
            started = time.monotonic()
            # Kill worker 1 in the middle of the run, when the gateway has seen a third of the messages.
            while len(gateway.delivered) < MESSAGES // 3:
                assert time.monotonic() - started < DEADLINE, "the workers did not get going"
                assert all(w.poll() is None for w in workers), _logs(tmp_path)
                time.sleep(0.02)
            workers[0].send_signal(signal.SIGKILL)
            workers[0].wait(10)
            delivered_at_kill = len(gateway.delivered)
            in_flight_at_kill = database.states()["sending"]

            while True:
                states = database.states()
                if states["sent"] + states["failed"] == MESSAGES:
                    break
                assert time.monotonic() - started < DEADLINE, f"not done in {DEADLINE} s: {states}"
                assert workers[1].poll() is None, _logs(tmp_path)
                time.sleep(0.1)
            seconds = time.monotonic() - started
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)  # finishes the message in hand, then exits
            for worker in workers:
                try:
                    worker.wait(15)
                except subprocess.TimeoutExpired:
                    worker.kill()

    assert workers[0].returncode == -signal.SIGKILL
    assert workers[1].returncode == 0, _logs(tmp_path)
    assert delivered_at_kill < MESSAGES, "the kill came after the work was done"

    key = connection.ops.quote_name("key")  # a reserved word in MariaDB
    rows = database.rows(f"SELECT {key}, state, provider_id, attempts FROM messaging_outboundmessage")
    by_key = {key: (state, provider_id, attempts) for key, state, provider_id, attempts in rows}
    # None lost, none left queued or being sent, none failed.
    assert len(rows) == MESSAGES
    assert Counter(state for state, _, _ in by_key.values()) == Counter({"sent": MESSAGES})
    # Exactly once at the gateway: one delivery per key, no delivery for anything else …
    assert set(gateway.delivered) == set(by_key)
    # … and the id we recorded is that delivery's (a second delivery would have had another id).
    assert {key: provider_id for key, (_, provider_id, _) in by_key.items()} == {
        key: d.id for key, d in gateway.delivered.items()}
    assert len({d.id for d in gateway.delivered.values()}) == MESSAGES

    # The faults did happen: answers lost after delivery were sent again and recognised by the
    # reference, and messages were tried more than once.
    resent = sum(d.submissions - 1 for d in gateway.delivered.values())
    # (Each answer lost after delivery is followed by at least one more submission of that key.)
    assert gateway.failures["after"] > 0 and resent >= gateway.failures["after"]
    assert gateway.failures["before"] > 0
    assert max(attempts for _, _, attempts in by_key.values()) >= 3
    print(f"\n{connection.vendor}: {MESSAGES} messages in {seconds:.1f} s, {gateway.calls} calls, failures "
          f"{gateway.failures}, {resent} resubmissions recognised; worker 1 killed at {delivered_at_kill} "
          f"delivered with {in_flight_at_kill} being sent")


def _logs(tmp_path: Path) -> str:
    return "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in sorted(tmp_path.glob("worker-*.log")))
