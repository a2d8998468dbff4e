"""The agent console with a million complaints: the caller lookup (and the console's other look-ups)
through the whole Django stack, as the console's script asks for them, minus the network.

    .venv/bin/python bench/console_lookup.py --database-url mysql://root@127.0.0.1:3306/nnc_console_bench --count 1000000

Fills the database with `synth_complaints` up to --count complaints (kept between runs), then asks each
endpoint --repeat times as the demo's agent and prints p50 / p95 / max and the queries per request,
the same three lookup queries timed on their own, and MariaDB's EXPLAIN of the two complaint queries.
Goal (issue 5): the caller lookup answers in ≤ 50 ms with 1,000,000 complaints loaded.
"""
from __future__ import annotations

import argparse
import os
import random
import time
from datetime import timedelta

from _setup import ensure_complaints, machine, percentile, prepare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    label = prepare(args.database_url, fresh=False)

    from django.contrib.auth.models import User
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from nagar_nigam_cc.complaints import console
    from nagar_nigam_cc.complaints.models import OPEN_STATUSES, Citizen, Complaint

    total = ensure_complaints(label, args.count)

    rng = random.Random(5)
    top = max(Complaint.objects.order_by("-id").values_list("id", flat=True)[:1])
    picked = [Complaint.objects.filter(pk__gte=rng.randint(1, top)).order_by("pk")
              .values("citizen__mobile", "category_id", "ward_id").first() for _ in range(300)]
    picked = [p for p in picked if p]
    mobiles = [p["citizen__mobile"] for p in picked]
    places = [(p["category_id"], p["ward_id"]) for p in picked]
    # The caller with the most complaints: the lookup must not slow down for them.
    heaviest = (Complaint.objects.values("citizen_id").annotate(n=Count("id")).order_by("-n").first())
    heavy_mobile = Citizen.objects.get(pk=heaviest["citizen_id"]).mobile
    words = ["kooda", "कूड़ा", "garbage", "nali", "sewer", "पानी", "street light", "khambha", "safai", "gaddha"]
    ward_words = ["12", "ghantaghar", "घंटाघर", "naini", "civil lines", "kareli", "chowk", "dar", "अल्लापुर", "7"]

    client = Client()
    client.force_login(User.objects.get(username="agent"))
    requests = [
        ("caller lookup, a random caller", lambda: ("/desk/console/caller/", {"mobile": rng.choice(mobiles)})),
        (f"caller lookup, heaviest caller ({heaviest['n']} complaints)",
         lambda: ("/desk/console/caller/", {"mobile": heavy_mobile})),
        ("caller lookup, a new caller", lambda: ("/desk/console/caller/", {"mobile": f"+9197{rng.randint(0, 10**8 - 1):08d}"})),
        ("category search", lambda: ("/desk/console/categories/", {"q": rng.choice(words)})),
        ("ward search", lambda: ("/desk/console/wards/", {"q": rng.choice(ward_words)})),
        ("likely duplicates", lambda: ("/desk/console/duplicates/", dict(zip(("category", "ward"), rng.choice(places))))),
    ]
    with connection.cursor() as cursor:  # the floor under every query on this machine
        trips = []
        for _ in range(200):
            started = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchall()
            trips.append((time.perf_counter() - started) * 1000)
    print(f"\n{label}, {total:,} complaints, {Citizen.objects.count():,} citizens, {machine()}")
    print(f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())}; SELECT 1 round trip p50 "
          f"{percentile(trips, 50):.2f} ms")
    print(f"{'request (whole Django stack, as the agent)':<48} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'queries':>8}")
    for name, make in requests:
        url, params = make()
        client.get(url, params)  # warm up (the directory of categories and wards is read once per process)
        times, queries = [], []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        for _ in range(args.repeat):
            url, params = make()
            queries.clear()
            with connection.execute_wrapper(count):
                started = time.perf_counter()
                response = client.get(url, params)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, params, response.status_code, response.content[:300])
        print(f"{name:<48} {percentile(times, 50):7.1f} {percentile(times, 95):7.1f} {max(times):7.1f} {len(queries):8d}")

    # The lookup's queries alone (console.look_up_caller), for random callers and the heaviest one.
    print(f"\n{'lookup queries alone (look_up_caller)':<52} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    for name, pick in (("random caller", lambda: rng.choice(mobiles)), ("heaviest caller", lambda: heavy_mobile)):
        times = []
        for _ in range(args.repeat):
            mobile = pick()
            started = time.perf_counter()
            citizen, rows, _following = console.look_up_caller(mobile)
            times.append((time.perf_counter() - started) * 1000)
            assert citizen is not None and rows
        print(f"{name:<52} {percentile(times, 50):7.2f} {percentile(times, 95):7.2f} {max(times):7.2f}")

    if connection.vendor == "mysql":
        citizen_id = heaviest["citizen_id"]
        lookup = Complaint.objects.filter(citizen_id=citizen_id).order_by("-registered_at", "-id").only(
            *console._LIST_FIELDS)[:console.CALLER_COMPLAINTS]
        category_id, ward_id = places[0]
        dupes = (Complaint.objects.filter(category_id=category_id, ward_id=ward_id, status__in=OPEN_STATUSES,
                                          registered_at__gte=timezone.now() - timedelta(days=console.DUPLICATE_DAYS))
                 .order_by("-registered_at", "-id").only(*console._LIST_FIELDS)[:console.DUPLICATES_SHOWN * 4])
        for name, queryset in (("caller's complaints", lookup), ("likely duplicates", dupes)):
            print(f"\nEXPLAIN {name}:")
            print(queryset.explain())
        # A caller who rang every day for years (a councillor, a shopkeepers' association) and last rang
        # three months ago: 5,000 complaints, added in a transaction that is rolled back. With and
        # without the (citizen, registered_at) index.
        from django.db import transaction

        template = Complaint.objects.filter(citizen_id=citizen_id).first()
        now = timezone.now()
        print(f"\n{'a caller with 5,000 complaints, the latest 90 days old':<52} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
        with transaction.atomic():
            copies = []
            for n in range(5000):
                copy = Complaint.objects.get(pk=template.pk)
                copy.pk, copy.docket = None, f"99{n:010d}"
                copy.registered_at = copy.updated_at = now - timedelta(days=90, hours=2 * n)
                copies.append(copy)
            Complaint.objects.bulk_create(copies, batch_size=1000)
            sql, params = lookup.query.sql_with_params()
            for name, text in (("with complaint_citizen_recent (query alone)", sql),
                               ("without it (IGNORE INDEX), query alone", sql.replace(
                                   "FROM `complaints_complaint`",
                                   "FROM `complaints_complaint` IGNORE INDEX (complaint_citizen_recent)", 1))):
                times = []
                with connection.cursor() as cursor:
                    for _ in range(50):
                        started = time.perf_counter()
                        cursor.execute(text, params)
                        cursor.fetchall()
                        times.append((time.perf_counter() - started) * 1000)
                    cursor.execute("EXPLAIN " + text, params)
                    plan = cursor.fetchall()[0]
                print(f"{name:<52} {percentile(times, 50):7.2f} {percentile(times, 95):7.2f} {max(times):7.2f}"
                      f"   key={plan[5]} rows={plan[8]} {plan[9]}")
            times = []
            for _ in range(args.repeat // 2):
                started = time.perf_counter()
                response = client.get("/desk/console/caller/", {"mobile": heavy_mobile})
                times.append((time.perf_counter() - started) * 1000)
            assert len(response.json()["complaints"]) == console.CALLER_COMPLAINTS
            print(f"{'caller lookup, whole Django stack':<52} {percentile(times, 50):7.2f} {percentile(times, 95):7.2f} "
                  f"{max(times):7.2f}")
            transaction.set_rollback(True)


if __name__ == "__main__":
    main()
