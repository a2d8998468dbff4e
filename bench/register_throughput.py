"""How many complaints can one process register per second? (do_register: routing + docket + events)

    .venv/bin/python bench/register_throughput.py                     # SQLite, embedded default
    .venv/bin/python bench/register_throughput.py --database-url mysql://root@127.0.0.1:3306/nnc_bench

    .venv/bin/python bench/register_throughput.py --threads 8 --database-url mysql://…   # 8 agents at once

The database is created afresh, the demo city loaded (no complaints), then N complaints from distinct
callers over random categories and wards are registered, each in its own transaction, as agents
would: one after another (--threads 1), or by several agents at once in the same process (a web
process with threads serves many agents). Goal (issue 2): ≥ 300 registrations/s on MariaDB.
"""
from __future__ import annotations

import argparse
import random
import threading
import time

from _setup import machine, prepare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("-n", type=int, default=3000, help="registrations to time (3000)")
    parser.add_argument("--threads", type=int, default=1, help="agents registering at once in this process (1)")
    args = parser.parse_args()
    label = prepare(args.database_url, fresh=True)

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from tqdm import tqdm

    from nagar_nigam_cc.complaints.actions import NewComplaint, do_register
    from nagar_nigam_cc.complaints.models import Complaint
    from nagar_nigam_cc.directory.models import Category, Ward

    call_command("load_demo_city", complaints=0, verbosity=0)
    agent = User.objects.get(username="agent")
    categories = list(Category.objects.select_related("department"))
    wards = list(Ward.objects.all())
    rng = random.Random(7)
    work = [
        NewComplaint(
            mobile=f"+9198{i:08d}", category=rng.choice(categories), ward=rng.choice(wards),
            description="कूड़ा तीन दिन से नहीं उठा / garbage not lifted for three days", address=f"{i} Katra Road",
        )
        for i in range(args.n + 100)
    ]
    for new in work[:100]:  # warm up connections and caches
        do_register(new, actor=agent)
    bar = tqdm(total=args.n, desc="registering", unit="complaint")

    def agent_at_work(share):
        try:
            for new in share:
                do_register(new, actor=agent)
                bar.update()
        finally:
            connection.close()

    shares = [work[100 + i :: args.threads] for i in range(args.threads)]
    threads = [threading.Thread(target=agent_at_work, args=(share,)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    bar.close()
    dockets = Complaint.objects.values_list("docket", flat=True)
    assert len(set(dockets)) == len(dockets) == args.n + 100
    print(f"{label}, {args.threads} thread(s): {args.n} registrations in {elapsed:.2f} s = {args.n / elapsed:.0f} registrations/s "
          f"({elapsed / args.n * 1000:.2f} ms each) on {machine()}")


if __name__ == "__main__":
    main()
