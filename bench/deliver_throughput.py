"""Delivering the outbox: messages per second for one worker, through a gateway over HTTP.

    .venv/bin/python bench/deliver_throughput.py                       # SQLite, 5,000 messages
    .venv/bin/python bench/deliver_throughput.py --database-url mysql://root@127.0.0.1:3306/nnc_bench_msg

-n acknowledgements (5,000) are queued for complaints of the demo city (synthetic complaints,
`synth_complaints`; Hindi and English citizens as the demo has them), then one worker process runs
`deliver_due()` until the outbox is empty: claim 50 (SELECT … FOR UPDATE SKIP LOCKED and one UPDATE),
write each from its template, send it, record the answer (one conditional UPDATE per message). The
gateway is the fake gateway (nagar_nigam_cc.messaging.fakegateway) on 127.0.0.1 in this process,
never failing — the benchmark measures our side:

- dlt: the DLT gateway's generic style (requests, one keep-alive session, JSON);
- twilio: the Twilio SDK (TwilioGateway, TWILIO_API_BASE pointed at the fake's Twilio route).

Also timed, for scale: the same gateway's HTTP calls alone, without the database (--http-only-sample
calls). Goal (issue 4): ≥ 200 messages/s for one worker.
"""
from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import os
import time

from _setup import machine, prepare

GOAL = 200
TWILIO_SID = "AC" + "0" * 31 + "1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("-n", "--messages", type=int, default=5_000, help="messages per gateway (5,000)")
    parser.add_argument("--batch", type=int, default=50, help="messages claimed per transaction (50)")
    parser.add_argument("--gateways", default="dlt,twilio", help="dlt, twilio or both (dlt,twilio)")
    parser.add_argument("--http-only-sample", type=int, default=1_000, help="calls timed without the database")
    args = parser.parse_args()
    label = prepare(args.database_url, fresh=False)

    from nagar_nigam_cc.messaging.fakegateway import FakeGateway

    ensure_complaints(args.messages)
    load_before = load_average()
    results = []
    with FakeGateway(keep_requests=False) as gateway:
        for name in [g.strip() for g in args.gateways.split(",") if g.strip()]:
            configure(name, gateway)
            http_rate = http_only(name, args.http_only_sample)
            queued = queue(args.messages, run=name)
            gateway.reset()
            rate, seconds, result = run_worker(args.batch, queued, gateway)
            check(queued, name, gateway)
            results.append((name, rate, seconds, result, http_rate))

    print(f"\n{label}, {machine()}; load average before {load_before}, after {load_average()}")
    print(f"{'gateway':<22} {'messages/s':>11} {'seconds':>8} {'HTTP alone/s':>13}  goal ≥ {GOAL}/s")
    for name, rate, seconds, result, http_rate in results:
        print(f"{name:<22} {rate:11.0f} {seconds:8.1f} {http_rate:13.0f}  {'met' if rate >= GOAL else 'NOT MET'}"
              f"   ({result})")


# --- the messages --------------------------------------------------------------------------------------------

def ensure_complaints(count: int) -> None:
    """The demo city and at least `count` complaints (kept between runs)."""
    from django.core.management import call_command

    from nagar_nigam_cc.complaints.models import Complaint
    from nagar_nigam_cc.demo.loader import city_exists

    if not city_exists():
        call_command("load_demo_city", complaints=0, verbosity=0)
    have = Complaint.objects.count()
    if have < count:
        call_command("synth_complaints", count=count - have, no_events=True, seed=11)


def ensure_templates() -> None:
    """The acknowledgement's templates with a DLT id (the seeded defaults leave it to each city)."""
    from nagar_nigam_cc.messaging.models import Event, MessageTemplate

    for language, body in (("hi", "नगर निगम: शिकायत {docket} ({category}) दर्ज। निस्तारण {due} तक। {link}"),
                           ("en", "Nagar Nigam: your complaint {docket} ({category}) is registered. Due by {due}. "
                                  "Track: {link}")):
        template, _ = MessageTemplate.objects.get_or_create(event=Event.REGISTERED, channel="sms", language=language,
                                                            defaults={"body": body})
        if not template.dlt_template_id or not template.is_active:
            template.dlt_template_id, template.is_active = "1107160000000000001", True
            template.save()


def queue(count: int, *, run: str, prefix: str = "bench") -> list[int]:
    """`count` acknowledgements due now, one per complaint, to its citizen in the citizen's language;
    earlier runs' benchmark messages are deleted first. Returns their ids."""
    from django.db import transaction
    from django.utils import timezone
    from tqdm import tqdm

    from nagar_nigam_cc.complaints.models import Complaint
    from nagar_nigam_cc.messaging.models import Event, OutboundMessage

    ensure_templates()
    OutboundMessage.objects.filter(key__startswith=f"{prefix}:").delete()
    now = timezone.now()
    complaints = Complaint.objects.select_related("citizen").order_by("pk")[:count]
    rows = [OutboundMessage(key=f"{prefix}:{run}:{c.pk}:registered:citizen", event=Event.REGISTERED, complaint=c,
                            to_mobile=c.citizen.mobile, language=c.citizen.language or "hi",
                            context={"docket": c.docket}, created_at=now, next_attempt_at=now)
            for c in tqdm(complaints.iterator(chunk_size=2000), total=count, desc=f"queueing ({run})", unit="msg")]
    with transaction.atomic():
        OutboundMessage.objects.bulk_create(rows, batch_size=1000)
    return list(OutboundMessage.objects.filter(key__startswith=f"{prefix}:{run}:").values_list("pk", flat=True))


def configure(name: str, gateway) -> None:
    """Settings for the gateway, by environment (the worker process reads them at start) and here."""
    values = {
        "dlt": {"NNC_SMS_GATEWAY": "dlt", "NNC_DLT_STYLE": "generic", "NNC_DLT_URL": gateway.send_url,
                "NNC_DLT_API_KEY": "bench", "NNC_DLT_SENDER": "NNCPRJ", "NNC_DLT_ENTITY_ID": "1101456780000012345"},
        "twilio": {"NNC_SMS_GATEWAY": "twilio", "TWILIO_ACCOUNT_SID": TWILIO_SID, "TWILIO_AUTH_TOKEN": "bench",
                   "TWILIO_FROM": "+15005550006", "TWILIO_API_BASE": gateway.url},
    }[name]
    from django.conf import settings

    from nagar_nigam_cc.messaging import gateways

    for key, value in values.items():
        os.environ[key] = value
        setattr(settings, key, value)
    gateways.reset()


def http_only(name: str, calls: int) -> float:
    """Calls per second of the gateway class alone (same HTTP, no database), from this process."""
    from nagar_nigam_cc.messaging import gateways
    from nagar_nigam_cc.messaging.gateways import Outgoing

    gateway = gateways.for_channel("sms")
    message = Outgoing(channel="sms", to="+919839012345", body="Nagar Nigam: complaint 2603-00001-4 is registered.",
                       reference="", dlt_template_id="1107160000000000001")
    for n in range(20):  # warm: connection, imports
        gateway.send(dataclasses.replace(message, reference=f"warm:{name}:{n}:{time.time()}"))
    started = time.perf_counter()
    for n in range(calls):
        gateway.send(dataclasses.replace(message, reference=f"http:{name}:{n}:{time.time()}"))
    rate = calls / (time.perf_counter() - started)
    gateways.reset()
    return rate


def check(ids: list[int], name: str, gateway) -> None:
    from nagar_nigam_cc.messaging.models import OutboundMessage

    sent = OutboundMessage.objects.filter(pk__in=ids, state="sent", gateway=name).count()
    assert sent == len(ids), f"{len(ids) - sent} of {len(ids)} messages were not sent"
    assert len(gateway.delivered) == len(ids), (len(gateway.delivered), len(ids))


# --- the worker -------------------------------------------------------------------------------------------------

def _worker(batch: int, ready, results) -> None:
    import django

    django.setup()
    from django.db import connection

    from nagar_nigam_cc.messaging.delivery import deliver_due

    connection.ensure_connection()
    ready.wait(120)
    started = time.perf_counter()
    result = deliver_due(batch=batch)
    results.put((str(result), result.sent, time.perf_counter() - started))
    connection.close()


def run_worker(batch: int, ids: list[int], gateway) -> tuple[float, float, str]:
    from tqdm import tqdm

    context = multiprocessing.get_context("spawn")
    ready, results = context.Barrier(2), context.Queue()
    child = context.Process(target=_worker, args=(batch, ready, results))
    child.start()
    ready.wait(120)
    with tqdm(total=len(ids), desc="delivering", unit="msg") as progress:
        while child.is_alive() and results.empty():
            progress.update(len(gateway.delivered) - progress.n)
            time.sleep(0.25)
        progress.update(len(gateway.delivered) - progress.n)
    summary, sent, seconds = results.get(timeout=600)
    child.join(60)
    assert child.exitcode == 0, child.exitcode
    return sent / seconds, seconds, summary


def load_average() -> str:
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "?"


if __name__ == "__main__":
    main()
