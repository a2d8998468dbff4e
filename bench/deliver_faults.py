"""Delivering the outbox through faults: exactly once, nothing lost, and how long it takes.

    .venv/bin/python bench/deliver_faults.py                                   # SQLite, 10,000 messages
    .venv/bin/python bench/deliver_faults.py --database-url mysql://root@127.0.0.1:3306/nnc_bench_msg
    .venv/bin/python bench/deliver_faults.py --style gupshup   # a gateway without a client reference

-n acknowledgements (10,000) are queued for complaints of the demo city; two worker processes run the
production command (`manage.py deliver_messages`, loop mode) against the fake gateway on 127.0.0.1,
which fails --fail-rate (30%) of its calls with 500/503 — half of those after delivering the message,
the answer lost. When a third of the messages have been delivered, worker 1 is killed with SIGKILL; its
claimed messages wait out their lease (--lease, 2 s) and worker 2 takes them over. Settings reach the
workers by environment: retries from 0.01 s (--retry-base), up to 30 attempts.

Reported, per message: delivered exactly once (sent in the outbox, one delivery at the gateway, the id
we recorded is that delivery's); lost (not sent, or never at the gateway); duplicates (deliveries at the
gateway beyond one per message); and the submissions the gateway recognised by our reference — each a
duplicate SMS a citizen would have received from a gateway that takes no client reference. With
--style gupshup or msg91 (no client reference) those become duplicates: the window the reference closes.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections import Counter

from _setup import ROOT, machine, prepare
from deliver_throughput import ensure_complaints, load_average, queue

PREFIX = "bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("-n", "--messages", type=int, default=10_000, help="messages (10,000)")
    parser.add_argument("--fail-rate", type=float, default=0.3, help="share of gateway calls that fail (0.3)")
    parser.add_argument("--ambiguous-share", type=float, default=0.5,
                        help="of the failures, the share that fail after delivering (0.5)")
    parser.add_argument("--kill-at", type=float, default=1 / 3, help="kill worker 1 at this share delivered")
    parser.add_argument("--lease", type=float, default=2.0, help="NNC_MESSAGE_LEASE_SECONDS (2)")
    parser.add_argument("--retry-base", type=float, default=0.01, help="NNC_MESSAGE_RETRY_BASE_SECONDS (0.01)")
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--style", choices=("generic", "gupshup", "msg91"), default="generic",
                        help="the DLT request style (generic passes our key as the client reference)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    label = prepare(args.database_url, fresh=False)

    from tqdm import tqdm

    from nagar_nigam_cc.messaging.fakegateway import FakeGateway
    from nagar_nigam_cc.messaging.models import OutboundMessage

    ensure_complaints(args.messages)
    ids = queue(args.messages, run="faults", prefix=PREFIX)
    total = len(ids)
    mine = OutboundMessage.objects.filter(key__startswith=f"{PREFIX}:faults:")
    load_before = load_average()

    with FakeGateway(fail_rate=args.fail_rate, ambiguous_share=args.ambiguous_share, seed=args.seed,
                     keep_requests=False) as gateway:
        url = {"generic": gateway.send_url, "gupshup": gateway.gupshup_url, "msg91": gateway.msg91_url}[args.style]
        env = {
            **os.environ, "LOG_LEVEL": "ERROR",
            "NNC_SMS_GATEWAY": "dlt", "NNC_DLT_STYLE": args.style, "NNC_DLT_URL": url, "NNC_DLT_API_KEY": "bench",
            "NNC_DLT_USER": "2000123456", "NNC_DLT_SENDER": "NNCPRJ", "NNC_DLT_ENTITY_ID": "1101456780000012345",
            "NNC_MESSAGE_RETRY_BASE_SECONDS": str(args.retry_base), "NNC_MESSAGE_RETRY_CAP_SECONDS": "1",
            "NNC_MESSAGE_LEASE_SECONDS": str(args.lease), "NNC_MESSAGE_MAX_ATTEMPTS": "30",
        }
        command = [sys.executable, "manage.py", "deliver_messages", "--every", "0.05", "--batch", str(args.batch)]
        started = time.monotonic()
        workers = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True) for _ in range(2)]
        killed_at = in_flight = None
        try:
            with tqdm(total=total, desc="sent (outbox)", unit="msg") as progress:
                while True:
                    states = Counter(dict(mine.values_list("state").annotate(n=_count()).order_by()))
                    done = states["sent"] + states["failed"]
                    progress.update(states["sent"] - progress.n)
                    if killed_at is None and len(gateway.delivered) >= args.kill_at * total:
                        workers[0].send_signal(signal.SIGKILL)
                        killed_at, in_flight = len(gateway.delivered), states["sending"]
                        progress.write(f"worker 1 killed (SIGKILL) at {killed_at:,} delivered, "
                                       f"{in_flight} of its and worker 2's messages being sent")
                    if done >= total:
                        break
                    if workers[1].poll() is not None:
                        raise SystemExit("worker 2 stopped:\n" + workers[1].stdout.read()[-3000:])
                    time.sleep(0.5)
            seconds = time.monotonic() - started
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)
            outputs = [worker.communicate(timeout=30)[0] for worker in workers]

        rows = {key: (state, provider_id) for key, state, provider_id in mine.values_list("key", "state", "provider_id")}
        report(args, label, rows, gateway, seconds, killed_at, in_flight, outputs, load_before)


def report(args, label, rows, gateway, seconds, killed_at, in_flight, outputs, load_before) -> None:
    total = len(rows)
    # The gateway's deliveries of each message: by our reference (generic), else by number and text (the
    # text carries the docket, so no two messages share it).
    if args.style == "generic":
        got = {key: [gateway.delivered[key].id] if key in gateway.delivered else [] for key in rows}
    else:
        by_text: dict[tuple[str, str], list[str]] = {}
        for d in gateway.delivered.values():
            by_text.setdefault((d.to, d.text), []).append(d.id)
        got = {key: by_text.get(sent, []) for key, sent in _texts(rows).items()}
    exactly_once = lost = duplicates = 0
    for key, (state, provider_id) in rows.items():
        deliveries = got.get(key, [])
        exactly_once += state == "sent" and deliveries == [provider_id]
        lost += state != "sent" or not deliveries
        duplicates += max(0, len(deliveries) - 1)
    resubmitted = sum(d.submissions - 1 for d in gateway.delivered.values())
    runs = [line for line in outputs[1].splitlines() if " sent, " in line]
    print(f"\n{label}, {machine()}; load average before {load_before}, after {load_average()}")
    print(f"style {args.style}, {total:,} messages, {args.fail_rate:.0%} of calls failing "
          f"({args.ambiguous_share:.0%} of those after delivery), worker 1 killed at {killed_at:,} delivered "
          f"({in_flight} messages being sent at that moment), lease {args.lease:g} s")
    print(f"\n{'delivered exactly once':<46} {exactly_once:>8,}")
    print(f"{'lost (not sent, or never at the gateway)':<46} {lost:>8,}")
    print(f"{'duplicates (extra deliveries at the gateway)':<46} {duplicates:>8,}")
    print(f"{'resends the gateway recognised by reference':<46} {resubmitted:>8,}")
    print(f"{'total time':<46} {seconds:>8.1f} s  ({total / seconds:,.0f} messages/s)")
    print(f"{'gateway calls':<46} {gateway.calls:>8,}  failures {gateway.failures}")
    print(f"{'delivery runs of worker 2 that sent something':<46} {len(runs):>8,}")


def _texts(rows) -> dict[str, tuple[str, str]]:
    from nagar_nigam_cc.messaging.models import OutboundMessage

    out = {}
    for key, to, body in OutboundMessage.objects.filter(key__in=list(rows)).values_list("key", "to_mobile", "body"):
        out[key] = (to.removeprefix("+"), body)
    return out


def _count():
    from django.db.models import Count

    return Count("id")


if __name__ == "__main__":
    main()
