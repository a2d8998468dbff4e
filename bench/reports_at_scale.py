"""Reports at scale (issue 6): the dashboard, a month's SLA compliance report and a 100,000-row export,
through the whole Django stack (middleware, login, views, templates) as a browser would get them,
minus the network.

    .venv/bin/python bench/reports_at_scale.py --database-url mysql://root@127.0.0.1:3306/nnc_r1m --complaints 1000000

Tops the database up to --complaints with `synth_complaints` (kept between runs: filling takes a long
while), then, logged in as the commissioner and as a department head, requests each page once to warm
up and --repeat times more, and prints the median and the slowest. Each export runs in a fresh process
(spawned, so nothing of this one's memory is counted), streams its whole body chunk by chunk without
keeping it, and reports its peak memory (ru_maxrss) next to the process's size just before the request.
Goals: dashboard ≤ 1 s, SLA report of a month ≤ 1 s, a 100,000-row export streamed in ≤ 200 MB.

Exits with status 1, saying which, if any page answers other than 200.
"""
from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
from datetime import date, datetime, time as clock_time, timedelta

from _setup import ensure_complaints, machine, prepare

SLA_URL = "/desk/reports/sla/"
EXPORT_URL = "/desk/reports/complaints/"
DASHBOARD_URL = "/desk/"


def _rss_mb() -> float:
    """This process's resident size now (not its peak)."""
    import os

    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _export_in_fresh_process(username: str, url: str, results) -> None:
    """Run in a spawned process: log in, request `url`, stream the body away, report sizes and memory."""
    import os
    import resource

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nagar_nigam_cc.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username=username))
    rss_before = _rss_mb()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    response = client.get(url)
    first_byte = time.perf_counter() - started
    size = lines = chunks = 0
    if response.status_code == 200:
        body = response.streaming_content if response.streaming else [response.content]
        for chunk in body:  # counted and dropped: the benchmark keeps nothing of the body
            size += len(chunk)
            lines += chunk.count(b"\n")
            chunks += 1
    response.close()
    seconds = time.perf_counter() - started
    results.put({
        "status": response.status_code, "streaming": response.streaming, "type": response.get("Content-Type", ""),
        "bytes": size, "lines": lines, "chunks": chunks, "first_byte_ms": first_byte * 1000, "ms": seconds * 1000,
        "rss_before_mb": rss_before, "peak_before_mb": peak_before,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    })


def run_export(username: str, url: str) -> dict:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=_export_in_fresh_process, args=(username, url, results))
    process.start()
    try:
        outcome = results.get(timeout=1800)
    finally:
        process.join(timeout=60)
    return outcome


def last_full_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def export_range(wanted: int, first_month: date) -> tuple[date, date, int]:
    """The shortest run of whole months ending with `first_month`'s month that holds ≥ `wanted`
    complaints (registered then, in the city's time zone), and how many it holds."""
    from django.utils import timezone

    from nagar_nigam_cc.complaints.models import Complaint

    end = (first_month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    start = first_month
    oldest = Complaint.objects.order_by("registered_at").values_list("registered_at", flat=True).first()
    while True:
        count = Complaint.objects.filter(
            registered_at__gte=timezone.make_aware(datetime.combine(start, clock_time.min)),
            registered_at__lt=timezone.make_aware(datetime.combine(end + timedelta(days=1), clock_time.min)),
        ).count()
        if count >= wanted or oldest is None or timezone.localdate(oldest) >= start:
            return start, end, count
        start = (start - timedelta(days=1)).replace(day=1)


def department_head() -> str:
    """A head of department with a login: the demo city's 'head', else the head of the first department."""
    from nagar_nigam_cc.directory.models import Department

    heads = Department.objects.filter(head__user__isnull=False).select_related("head__user").order_by("pk")
    usernames = [department.head.user.username for department in heads]
    if not usernames:
        sys.exit("No department has a head with a login: load the demo city first.")
    return "head" if "head" in usernames else usernames[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="mysql://… (default: a new SQLite file)")
    parser.add_argument("--complaints", type=int, default=1_000_000, help="Top the database up to this many.")
    parser.add_argument("--repeat", type=int, default=5, help="Timed requests per page, after one warm-up (5).")
    parser.add_argument("--export-rows", type=int, default=100_000, help="Complaints behind the export (100000).")
    parser.add_argument("--head", default=None, help="Username of the department head (found if not given).")
    parser.add_argument("--sla-url", default=SLA_URL, help=argparse.SUPPRESS)
    parser.add_argument("--export-url", default=EXPORT_URL, help=argparse.SUPPRESS)
    parser.add_argument("--skip-exports", action="store_true", help="Time the pages only.")
    args = parser.parse_args()

    print("preparing the database …", flush=True)
    label = prepare(args.database_url, fresh=False)

    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    total = ensure_complaints(label, args.complaints)
    head = args.head or department_head()
    month_start, month_end = last_full_month(timezone.localdate())
    month = f"r-date_from={month_start:%Y-%m-%d}&r-date_to={month_end:%Y-%m-%d}"
    print(f"counting complaints for a {args.export_rows:,}-row export …", flush=True)
    export_from, export_to, export_count = export_range(args.export_rows, month_start)
    span = f"r-date_from={export_from:%Y-%m-%d}&r-date_to={export_to:%Y-%m-%d}"

    pages = [
        ("commissioner", "dashboard", DASHBOARD_URL),
        (head, "dashboard", DASHBOARD_URL),
        ("commissioner", f"SLA report {month_start:%Y-%m}", f"{args.sla_url}?{month}"),
        (head, f"SLA report {month_start:%Y-%m}", f"{args.sla_url}?{month}"),
    ]
    failures: list[str] = []
    rows: list[str] = []
    clients: dict[str, Client] = {}
    for number, (who, name, url) in enumerate(pages, 1):
        print(f"[{number}/{len(pages)}] {who}: {name} ({url}) …", flush=True)
        client = clients.get(who)
        if client is None:
            client = clients[who] = Client()
            client.force_login(User.objects.get(username=who))
        queries: list[str] = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        response = client.get(url)  # warm-up
        if response.status_code != 200:
            failures.append(f"{who} GET {url} → {response.status_code}")
            rows.append(f"{who:<13} {name:<26} {'HTTP ' + str(response.status_code):>10}")
            continue
        times = []
        for _ in range(args.repeat):
            queries.clear()
            with connection.execute_wrapper(count):
                started = time.perf_counter()
                response = client.get(url)
                if response.streaming:
                    for _chunk in response.streaming_content:
                        pass
                times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                failures.append(f"{who} GET {url} → {response.status_code}")
        rows.append(f"{who:<13} {name:<26} {statistics.median(times):10.0f} {max(times):10.0f} {len(queries):8d}")

    exports = []
    if not args.skip_exports:
        for number, fmt in enumerate(("csv", "xlsx"), 1):
            url = f"{args.export_url}?{span}&format={fmt}"
            print(f"[export {number}/2] commissioner: {url} in a fresh process …", flush=True)
            outcome = run_export("commissioner", url)
            if outcome["status"] != 200:
                failures.append(f"commissioner GET {url} → {outcome['status']}")
            exports.append((fmt, outcome))

    print(f"\n{label}, {total:,} complaints, {machine()}")
    print(f"department head: {head}; SLA month {month_start} – {month_end}; "
          f"export {export_from} – {export_to} ({export_count:,} complaints registered then)")
    print(f"\n{'who':<13} {'page':<26} {'median ms':>10} {'max ms':>10} {'queries':>8}")
    print("\n".join(rows))
    if exports:
        print("\nexports, each in a fresh process; memory in MB: RSS just before the request, the peak (ru_maxrss)"
              " before it (start-up), and the peak after streaming the whole body")
        print(f"{'export':<8} {'status':>6} {'rows':>9} {'MB sent':>8} {'chunks':>7} {'1st byte ms':>11} "
              f"{'total ms':>9} {'RSS before':>10} {'peak before':>11} {'peak after':>10}")
        for fmt, o in exports:
            streamed_rows = max(0, o["lines"] - 1) if fmt == "csv" else "-"  # CSV: lines after the header
            print(f"{fmt:<8} {o['status']:>6} {streamed_rows!s:>9} {o['bytes'] / 2**20:8.1f} {o['chunks']:>7} "
                  f"{o['first_byte_ms']:11.0f} {o['ms']:9.0f} {o['rss_before_mb']:10.0f} {o['peak_before_mb']:11.0f} "
                  f"{o['peak_mb']:10.0f}"
                  + ("   (not streamed: the whole body was built in memory)"
                     if o["status"] == 200 and not o["streaming"] else ""))
    print("\nGoals: dashboard ≤ 1000 ms, SLA report ≤ 1000 ms, export peak RSS ≤ 200 MB.")
    if failures:
        print("\nFAILED — pages that did not answer 200:\n  " + "\n  ".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
