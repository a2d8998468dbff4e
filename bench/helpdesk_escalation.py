"""Our SLA sweep against django-helpdesk's `escalate_tickets`, on the same machine and MariaDB.

    python3 bench/helpdesk_escalation.py --due 10000
    python3 bench/helpdesk_escalation.py --due 2000 --fresh --ours-steps-per-second 578
    python3 bench/helpdesk_escalation.py --due 10000 --run-ours      # also run bench/sla_sweep.py here

django-helpdesk is not one of our dependencies: this script makes its own virtualenv, bench/.helpdesk-venv
(kept out of git), pip-installs the latest django-helpdesk that supports Django 5.2 on Python 3.11 (pinned
below) with mysqlclient and tqdm, and re-executes itself inside it. There it configures a throwaway Django
project in code (no file of ours is imported), migrates a database of its own (default
mysql://root@127.0.0.1:3306/nnc_helpdesk_bench, utf8mb4; --fresh drops it first), fills --queues queues
with escalate_days=1 and --due open tickets created and modified three days ago (bulk_create, then one
UPDATE, since `created` is auto_now_add), so every one is due, and times ONE
`call_command("escalate_tickets")`.

What is compared (not like for like, and printed as such):
  * helpdesk, per ticket: priority - 1 and `last_escalation` (a full-row save), a notification attempt
    (`Ticket.send`: here no address is set, so no mail is rendered or sent unless --mail), a FollowUp
    (whose save saves the ticket again) and a TicketChange row. A ticket already at priority 1 is skipped.
  * ours (`nagar_nigam_cc.sla.sweep`): one ladder step per due complaint (reminder / breach / level-up,
    with reassignment), its events and its outbox rows, claimed in batches.
The ratio is ours steps/s over helpdesk tickets/s, one process each.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV = HERE / ".helpdesk-venv"
VENV_PYTHON = VENV / "bin" / "python"
# 2.6.1 is the newest on PyPI (checked with `pip index versions django-helpdesk`); it requires
# Django >= 5.2, and Django is held on 5.2 here to match ours.
REQUIREMENTS = ["django-helpdesk==2.6.1", "Django>=5.2,<5.3", "mysqlclient", "tqdm"]
INSIDE_FLAG = "--inside-helpdesk-venv"
DEFAULT_URL = "mysql://root@127.0.0.1:3306/nnc_helpdesk_bench"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"MariaDB database ({DEFAULT_URL})")
    parser.add_argument("--due", type=int, default=10_000, help="open tickets, all due for escalation (10,000)")
    parser.add_argument("--queues", type=int, default=10, help="queues the tickets are spread over (10)")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--mail", action="store_true",
                        help="give each ticket a submitter address, so helpdesk renders and 'sends' an e-mail "
                             "(locmem backend: nothing leaves the machine)")
    parser.add_argument("--ours-steps-per-second", type=float, default=578.0,
                        help="our sweep's one-worker steps/s for the same number due (578: MariaDB, 10,000 due, "
                             "measured with bench/sla_sweep.py)")
    parser.add_argument("--run-ours", action="store_true",
                        help="measure ours here instead: run bench/sla_sweep.py (with .venv) --open DUE --due DUE "
                             "on mysql .../nnc_sweep_bench and take its one-worker steps/s")
    parser.add_argument("--ours-database-url", default="mysql://root@127.0.0.1:3306/nnc_sweep_bench")
    parser.add_argument("--show-queries", type=int, default=0, metavar="K",
                        help="print the first K queries of the escalation run")
    parser.add_argument(INSIDE_FLAG, action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --------------------------------------------------------------------------- outside: venv, then re-exec

def ensure_venv() -> None:
    if not VENV_PYTHON.exists():
        print(f"creating {VENV.relative_to(ROOT)} …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    probe = subprocess.run(
        [str(VENV_PYTHON), "-c", ("import importlib.metadata as m, MySQLdb, tqdm, django;"
                                  "assert m.version('django-helpdesk') == '2.6.1' and django.VERSION[:2] == (5, 2)")],
        capture_output=True, check=False,
    )
    if probe.returncode != 0:
        print(f"installing {' '.join(REQUIREMENTS)} into {VENV.relative_to(ROOT)} …", flush=True)
        subprocess.run([str(VENV_PYTHON), "-m", "pip", "install", "--quiet", *REQUIREMENTS], check=True)


def run_ours(args: argparse.Namespace) -> float:
    python = ROOT / ".venv" / "bin" / "python"
    command = [str(python if python.exists() else sys.executable), str(HERE / "sla_sweep.py"),
               "--database-url", args.ours_database_url, "--open", str(args.due), "--due", str(args.due),
               "--repeat", "3"]
    print("running ours:", " ".join(command), flush=True)
    output = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    print(output)
    match = re.search(r"\(b\) 1 worker\(s\): steps/s\s+([\d.]+)", output)
    if not match:
        raise SystemExit("could not find the one-worker steps/s in bench/sla_sweep.py's output")
    return float(match.group(1))


# --------------------------------------------------------------------------- inside the venv

def create_database(database_url: str, fresh: bool) -> dict:
    url = urlparse(database_url)
    if url.scheme not in ("mysql", "mariadb"):
        raise SystemExit("--database-url must be mysql://user[:password]@host:port/name")
    name = url.path.lstrip("/")
    import MySQLdb

    connection = MySQLdb.connect(host=url.hostname or "127.0.0.1", port=url.port or 3306,
                                 user=url.username or "root", passwd=url.password or "")
    cursor = connection.cursor()
    if fresh:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
    cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    connection.close()
    return {
        "ENGINE": "django.db.backends.mysql", "NAME": name, "USER": url.username or "root",
        "PASSWORD": url.password or "", "HOST": url.hostname or "127.0.0.1", "PORT": str(url.port or 3306),
        "OPTIONS": {"charset": "utf8mb4"},
    }


def configure(database: dict) -> None:
    import types

    from django.conf import settings

    urls = types.ModuleType("helpdesk_bench_urls")  # ticket_url / staff_url in the e-mail context reverse these
    sys.modules["helpdesk_bench_urls"] = urls
    settings.configure(
        DEBUG=False,
        SECRET_KEY="helpdesk-bench-throwaway",
        USE_TZ=True,
        TIME_ZONE="Asia/Kolkata",
        SITE_ID=1,
        ROOT_URLCONF="helpdesk_bench_urls",
        DATABASES={"default": database},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        INSTALLED_APPS=[  # as django-helpdesk's install docs list them, less what the escalation never touches
            "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
            "django.contrib.sessions", "django.contrib.messages", "django.contrib.sites",
            "django.contrib.humanize", "rest_framework", "helpdesk",
        ],
        MIDDLEWARE=[],
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
                    "OPTIONS": {"context_processors": ["django.contrib.auth.context_processors.auth",
                                                       "django.contrib.messages.context_processors.messages"]}}],
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DEFAULT_FROM_EMAIL="helpdesk@example.invalid",
        HELPDESK_TEAMS_MODE_ENABLED=False,   # else it needs pinax-teams
        HELPDESK_ENABLE_ATTACHMENTS=False,
        LOGGING_CONFIG=None,
    )
    import django

    django.setup()
    from django.urls import include, path

    urls.urlpatterns = [path("helpdesk/", include("helpdesk.urls"))]


def fill(due: int, queue_count: int, mail: bool) -> None:
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone
    from helpdesk.models import FollowUp, Queue, Ticket, TicketChange
    from tqdm import tqdm

    TicketChange.objects.all().delete()
    FollowUp.objects.all().delete()
    Ticket.objects.all().delete()
    Queue.objects.all().delete()
    queues = Queue.objects.bulk_create(
        Queue(title=f"Bench queue {n}", slug=f"bench-{n}", escalate_days=1, email_address="",
              new_ticket_cc="", updated_ticket_cc="", allow_email_submission=False)
        for n in range(queue_count)
    )
    chunk = 2_000
    with transaction.atomic():
        for start in tqdm(range(0, due, chunk), desc=f"tickets, {chunk:,} a chunk", leave=False):
            Ticket.objects.bulk_create(
                Ticket(title=f"Bench ticket {n}", queue=queues[n % queue_count], status=Ticket.OPEN_STATUS,
                       priority=3, description="Streetlight not working near the ward office.",
                       submitter_email=f"citizen{n}@example.invalid" if mail else None)
                for n in range(start, min(due, start + chunk))
            )
        three_days_ago = timezone.now() - timedelta(days=3)
        Ticket.objects.update(created=three_days_ago, modified=three_days_ago, last_escalation=None)


def inside(args: argparse.Namespace) -> dict:
    import importlib.metadata

    configure(create_database(args.database_url, args.fresh))
    import django
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from helpdesk.models import FollowUp, Ticket, TicketChange

    print(f"django-helpdesk {importlib.metadata.version('django-helpdesk')}, Django {django.get_version()}, "
          f"database {connection.settings_dict['NAME']} on {connection.settings_dict['HOST']}", flush=True)
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    fill(args.due, args.queues, args.mail)
    print(f"filled {args.due:,} due tickets in {args.queues} queues in {time.monotonic() - started:.1f} s", flush=True)

    mail.outbox = []
    before_followups = FollowUp.objects.count()
    load_before = os.getloadavg()
    kinds: dict[str, int] = {}
    shown: list[str] = []

    def count(execute, sql, params, many, context):  # counts every query (Django's debug log keeps only 9,000)
        verb = sql.lstrip().split(None, 1)[0].upper()
        kinds[verb] = kinds.get(verb, 0) + 1
        if len(shown) < args.show_queries:
            shown.append(sql[:300])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        call_command("escalate_tickets")
        seconds = time.perf_counter() - started
    load_after = os.getloadavg()
    escalated = Ticket.objects.filter(priority=2, last_escalation__isnull=False).count()
    followups = FollowUp.objects.count() - before_followups
    changes = TicketChange.objects.count()
    for sql in shown:
        print(f"  {sql}")
    return {"seconds": seconds, "escalated": escalated, "followups": followups, "changes": changes,
            "queries": sum(kinds.values()), "kinds": kinds, "mails": len(mail.outbox),
            "load_before": load_before, "load_after": load_after,
            "version": importlib.metadata.version("django-helpdesk")}


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def main() -> None:
    args = parse_args(sys.argv[1:])
    if not getattr(args, INSIDE_FLAG.lstrip("-").replace("-", "_")):
        ours = run_ours(args) if args.run_ours else None
        ensure_venv()
        argv = [str(VENV_PYTHON), str(Path(__file__).resolve()), *sys.argv[1:], INSIDE_FLAG]
        if ours is not None:
            argv += ["--ours-steps-per-second", str(ours)]
        sys.stdout.flush()
        os.execv(str(VENV_PYTHON), argv)

    result = inside(args)
    seconds, escalated = result["seconds"], result["escalated"]
    rate = escalated / seconds if seconds else float("nan")
    ours = args.ours_steps_per_second
    print(f"\nmachine: {os.cpu_count()} cores (nproc), {cpu_name()}, Python {sys.version.split()[0]}")
    print("load average (1, 5, 15 min) before {:.2f} {:.2f} {:.2f}, after {:.2f} {:.2f} {:.2f}".format(
        *result["load_before"], *result["load_after"]))
    print(f"\ndjango-helpdesk {result['version']} `escalate_tickets`, one run, one process, MariaDB:")
    print(f"  due tickets                 {args.due:>12,}")
    print(f"  escalated (priority 3 → 2)  {escalated:>12,}   follow-ups {result['followups']:,}, "
          f"ticket changes {result['changes']:,}, e-mails {result['mails']:,}")
    print(f"  seconds                     {seconds:>12.2f}")
    print(f"  tickets/s                   {rate:>12.0f}")
    print(f"  ms per ticket               {1000 * seconds / max(escalated, 1):>12.2f}")
    print(f"  queries                     {result['queries']:>12,}   ({result['queries'] / max(escalated, 1):.1f} "
          f"per ticket: {', '.join(f'{k} {v:,}' for k, v in sorted(result['kinds'].items()))})")
    source = "measured now by bench/sla_sweep.py" if args.run_ours else "given (--ours-steps-per-second)"
    print(f"\nours, nagar_nigam_cc.sla.sweep, one worker: {ours:.0f} steps/s ({source})")
    print(f"ratio ours / helpdesk: {ours / rate:.2f}×")
    print("\nNot like for like: helpdesk's escalation lowers a priority number, saves the ticket twice and writes a "
          "follow-up and a change row, and tries to mail the submitter, CCs and owner "
          f"({'mail on, locmem backend' if args.mail else 'no addresses set here, so no mail'}); ours performs a "
          "ladder step (reminder, breach or level-up with reassignment) and writes its events and outbox rows.")
    if escalated != args.due:
        print(f"WARNING: {args.due - escalated:,} due tickets were not escalated")


if __name__ == "__main__":
    main()
