"""How many deadlines can one process compute per second? (the business-time clock, no database)

    .venv/bin/python bench/clock_speed.py            # 200,000 computations per row
    .venv/bin/python bench/clock_speed.py -n 50000   # quicker

Calendars: a municipal one in Asia/Kolkata (Mon–Sat 07:00–13:00 + 14:00–22:00, Sunday closed,
22 holidays in the year: 3 yearly national days and 19 one-off festival dates), the same hours in
Europe/London (DST), and 24×7. Starts are random instants over 2025 (seeded); durations are uniform
between 24 and 72 hours of business time, to the second. Each row times `add_business_time` or
`business_time_between` (from the start to start + 1–10 days) over n cases with warm caches, as a
long-running web or worker process has them; "cold" rows time the first pass over a fresh calendar.
Goal (issue: the clock): ≥ 50,000 deadline computations per second.

The clock needs no database; --database-url is accepted (and ignored) so `make bench-mariadb` runs it.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nagar_nigam_cc.sla.clock import Calendar, add_business_time, business_time_between

GOAL = 50_000
FESTIVALS_2025 = [  # one-off dates (an illustrative list: Holi, Eid, Diwali, …)
    "2025-01-14", "2025-02-26", "2025-03-14", "2025-03-31", "2025-04-06", "2025-04-10", "2025-04-14",
    "2025-04-18", "2025-05-12", "2025-06-07", "2025-07-06", "2025-08-09", "2025-08-16", "2025-09-05",
    "2025-10-20", "2025-10-22", "2025-11-05", "2025-12-25", "2026-01-14",
]
SHIFTS = {"mon-sat": "07:00-13:00,14:00-22:00"}
YEARLY = ["01-26", "08-15", "10-02"]


def calendars() -> dict[str, callable]:
    return {
        "Asia/Kolkata, split shifts, 22 holidays": lambda: Calendar.from_text(
            SHIFTS, tz="Asia/Kolkata", holidays=FESTIVALS_2025, yearly_holidays=YEARLY),
        "Europe/London, same hours (DST)": lambda: Calendar.from_text(
            SHIFTS, tz="Europe/London", holidays=FESTIVALS_2025, yearly_holidays=YEARLY),
        "Asia/Kolkata, 24x7": lambda: Calendar.always("Asia/Kolkata"),
    }


def cases(n: int, tz) -> tuple[list[datetime], list[timedelta], list[datetime]]:
    rng = random.Random(2025)
    year0 = datetime(2025, 1, 1, tzinfo=UTC).timestamp()
    starts = [datetime.fromtimestamp(year0 + rng.randrange(365 * 86400), tz) for _ in range(n)]
    durations = [timedelta(seconds=rng.randint(24 * 3600, 72 * 3600)) for _ in range(n)]
    ends = [s + timedelta(seconds=rng.randint(86400, 10 * 86400)) for s in starts]
    return starts, durations, ends


def rate(fn, n: int) -> float:
    t0 = time.perf_counter()
    fn()
    return n / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=200_000, help="computations per row (200000)")
    parser.add_argument("--database-url", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    n = args.n

    rows = []
    for label, make in calendars().items():
        cal = make()
        starts, durations, ends = cases(n, cal.tz)
        pairs = list(zip(starts, durations))
        spans = list(zip(starts, ends))

        def adds(cal=cal, pairs=pairs):
            for s, d in pairs:
                add_business_time(s, d, cal)

        def betweens(cal=cal, spans=spans):
            for a, b in spans:
                business_time_between(a, b, cal)

        cold = rate(adds, n)  # first pass fills the calendar's per-date memo
        rows.append((label, "add_business_time (cold)", cold))
        rows.append((label, "add_business_time", rate(adds, n)))
        rows.append((label, "business_time_between", rate(betweens, n)))

    width = max(len(r[0]) for r in rows)
    print(f"clock speed, n = {n:,} per row, Python {sys.version.split()[0]}, {date.today()}")
    print(f"{'calendar':<{width}}  {'function':<26}  {'per second':>12}  goal {GOAL:,}")
    for label, what, r in rows:
        print(f"{label:<{width}}  {what:<26}  {r:>12,.0f}  {'ok' if r >= GOAL else 'BELOW'}")
    if any(r < GOAL for *_, r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
