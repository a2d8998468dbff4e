"""The desk with a million complaints: list pages and docket / mobile search, through the whole Django
stack (middleware, admin, templates) as a browser would get them, minus the network.

    .venv/bin/python bench/desk_at_scale.py --database-url mysql://root@127.0.0.1:3306/nnc_scale --count 1000000

Fills the database with `synth_complaints` up to --count complaints (kept between runs: filling takes
minutes), then requests each page --repeat times as several roles and prints p50 / p95 / max.
Goals (issue 2): list p95 ≤ 300 ms; docket or mobile search ≤ 50 ms.
"""
from __future__ import annotations

import argparse
import random
import time

from _setup import ensure_complaints, machine, percentile, prepare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    label = prepare(args.database_url, fresh=False)

    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client

    from nagar_nigam_cc.complaints.models import Complaint

    total = ensure_complaints(label, args.count)

    rng = random.Random(3)
    sample = list(Complaint.objects.order_by("?").values_list("docket", "citizen__mobile")[:200]) if total < 50_000 else [
        Complaint.objects.filter(pk=rng.randint(1, total)).values_list("docket", "citizen__mobile").first()
        for _ in range(200)
    ]
    sample = [s for s in sample if s]

    pages = [
        ("commissioner", "list, all complaints", lambda: "/desk/complaints/complaint/"),
        ("commissioner", "list, open only", lambda: "/desk/complaints/complaint/?state=open"),
        ("commissioner", "list, page 20", lambda: "/desk/complaints/complaint/?p=20"),
        ("commissioner", "list, overdue", lambda: "/desk/complaints/complaint/?sla=overdue"),
        ("commissioner", "list, escalated", lambda: "/desk/complaints/complaint/?sla=escalated"),
        ("commissioner", "list, by due time", lambda: "/desk/complaints/complaint/?o=3"),
        ("head", "list, own department", lambda: "/desk/complaints/complaint/"),
        ("zonal", "list, own zone", lambda: "/desk/complaints/complaint/"),
        ("agent", "search by docket", lambda: f"/desk/complaints/complaint/?q={rng.choice(sample)[0]}"),
        ("agent", "search by mobile", lambda: f"/desk/complaints/complaint/?q={rng.choice(sample)[1][3:]}"),
    ]
    clients = {}
    print(f"\n{label}, {total:,} complaints, {machine()}")
    print(f"{'who':<13} {'page':<24} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    for who, name, url in pages:
        client = clients.get(who)
        if client is None:
            client = clients[who] = Client()
            client.force_login(User.objects.get(username=who))
        client.get(url())  # warm up
        times, queries = [], []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        for _ in range(args.repeat):
            target = url()
            queries.clear()
            with connection.execute_wrapper(count):
                started = time.perf_counter()
                response = client.get(target)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (target, response.status_code)
        print(f"{who:<13} {name:<24} {percentile(times, 50):8.1f} {percentile(times, 95):8.1f} {max(times):8.1f} "
              f"{len(queries):8d}")


if __name__ == "__main__":
    main()
