"""django-helpdesk's ticket API under the same load as ours (bench/api_throughput.py): the comparison.

    python3 bench/helpdesk_api.py                       # installs django-helpdesk into bench/.helpdesk-venv
    python3 bench/helpdesk_api.py --workers 2 --threads 4 --seconds 30 --ours 230

Like bench/helpdesk_escalation.py, this makes (or reuses) bench/.helpdesk-venv with django-helpdesk 2.6.1,
Django 5.2, mysqlclient and gunicorn, and re-executes itself inside it. There it creates its own MariaDB
database (default mysql://root@127.0.0.1:3306/nnc_helpdesk_api, dropped and created afresh), migrates,
makes one queue and a staff user with a DRF token, and serves django-helpdesk through gunicorn with the
same worker/thread counts, the same 16 keep-alive clients, warm-up and timed window as ours
(bench/_load.py). Each POST /helpdesk/api/tickets/ creates a ticket with a title, a description, a
submitter e-mail and a priority, as an agent's app would; django-helpdesk then writes its follow-up and
e-mails the submitter (Django's locmem backend: rendered, not sent) — where ours writes an SMS to the
outbox for a worker to send. --no-mail leaves the submitter e-mail out.

--ours R prints the ratio ours/helpdesk with R requests/s measured by bench/api_throughput.py.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from helpdesk_escalation import VENV, VENV_PYTHON, cpu_name, ensure_venv  # noqa: E402

INSIDE_FLAG = "--inside-helpdesk-venv"
DEFAULT_URL = "mysql://root@127.0.0.1:3306/nnc_helpdesk_api"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-mail", action="store_true", help="no submitter e-mail (no mail rendered)")
    parser.add_argument("--ours", type=float, default=0.0, help="our requests/s, for the ratio")
    parser.add_argument(INSIDE_FLAG, action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def database(database_url: str) -> dict:
    url = urlparse(database_url)
    name = url.path.lstrip("/")
    import MySQLdb

    connection = MySQLdb.connect(host=url.hostname or "127.0.0.1", port=url.port or 3306,
                                 user=url.username or "root", passwd=url.password or "")
    cursor = connection.cursor()
    cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
    cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    connection.close()
    return {"ENGINE": "django.db.backends.mysql", "NAME": name, "USER": url.username or "root",
            "PASSWORD": url.password or "", "HOST": url.hostname or "127.0.0.1", "PORT": str(url.port or 3306),
            "OPTIONS": {"charset": "utf8mb4"}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def inside(args) -> None:
    import importlib.metadata

    import _helpdesk_site
    from _load import CpuMeter, percentile, report, run

    settings_db = database(args.database_url)
    _helpdesk_site.configure(settings_db)
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from helpdesk.models import Queue, Ticket
    from rest_framework.authtoken.models import Token

    call_command("migrate", verbosity=0)
    queue = Queue.objects.create(title="Complaints", slug="complaints", email_address="", new_ticket_cc="",
                                 updated_ticket_cc="", allow_email_submission=False)
    agent = User.objects.create_user("agent", "agent@example.invalid", "x", is_staff=True, is_superuser=True)
    token = Token.objects.create(user=agent).key
    connection.close()

    port = free_port()
    env = {**os.environ, "HELPDESK_BENCH_DATABASE": json.dumps(settings_db)}
    command = [str(VENV / "bin" / "gunicorn"), "_helpdesk_site:application", "--chdir", str(HERE),
               "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--threads", str(args.threads),
               "--worker-class", "gthread", "--keep-alive", "30", "--log-level", "warning"]
    server = subprocess.Popen(command, env=env)
    headers = {"Authorization": f"Token {token}"}
    try:
        import http.client

        for _ in range(200):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/helpdesk/api/tickets/", headers=headers)
                if probe.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.3)

        def make(client: int, n: int) -> dict:
            body = {"queue": queue.pk, "title": "कूड़ा नहीं उठा / Garbage not lifted",
                    "description": "कूड़ा तीन दिन से नहीं उठा, बदबू आ रही है / garbage not lifted for three days",
                    "priority": 3}
            if not args.no_mail:
                body["submitter_email"] = f"citizen{client:02d}{n:06d}@example.invalid"
            return body

        meter = CpuMeter(server.pid)
        load_before = os.getloadavg()
        result = run("127.0.0.1", port, "/helpdesk/api/tickets/", headers, make, lambda data: data["id"],
                     clients=args.clients, warmup=args.warmup, seconds=args.seconds, on_start=meter.start)
        cpu = meter.stop(result.count)
        load_after = os.getloadavg()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)

    stored = list(Ticket.objects.values_list("id", flat=True))
    told = result.created_ids
    print(f"\ndjango-helpdesk {importlib.metadata.version('django-helpdesk')}, MariaDB ({settings_db['NAME']}), "
          f"gunicorn {args.workers} worker(s) × {args.threads} thread(s), {args.clients} clients, "
          f"{'no mail' if args.no_mail else 'submitter e-mail (locmem backend)'}")
    print(f"machine: {os.cpu_count()} cores, {cpu_name()}, Python {sys.version.split()[0]}")
    print(f"load average (1, 5, 15 min) before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    print(report("POST /helpdesk/api/tickets/", result))
    print(cpu)
    print(f"  tickets stored {len(stored):,}; 201 answers {len(told):,}; "
          f"ids told twice {len(told) - len(set(told))}; stored but never told {len(set(map(str, stored)) - set(told))}")
    if args.ours:
        print(f"\nratio ours / helpdesk (requests/s): {args.ours:.1f} / {result.rate:.1f} = {args.ours / result.rate:.2f}×"
              f"   (p99 helpdesk {percentile(result.latencies, 99):.1f} ms)")


def main() -> None:
    args = parse_args(sys.argv[1:])
    if not getattr(args, INSIDE_FLAG.lstrip("-").replace("-", "_")):
        ensure_venv()
        if subprocess.run([str(VENV_PYTHON), "-c", "import gunicorn"], capture_output=True).returncode != 0:
            subprocess.run([str(VENV_PYTHON), "-m", "pip", "install", "--quiet", "gunicorn"], check=True)
        sys.stdout.flush()
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), str(Path(__file__).resolve()), *sys.argv[1:], INSIDE_FLAG])
    inside(args)


if __name__ == "__main__":
    main()
