"""Complaint registration through the REST API under load: gunicorn + MariaDB, 16 clients at once.

    .venv/bin/python bench/api_throughput.py --database-url mysql://root@127.0.0.1:3306/nnc_bench_api
    .venv/bin/python bench/api_throughput.py --database-url mysql://… --workers 4 --threads 1 --seconds 60
    .venv/bin/python bench/api_throughput.py                          # SQLite (WAL), the embedded mode's database
    .venv/bin/python bench/api_throughput.py --database-url mysql://… --idempotency   # every POST with a key
    .venv/bin/python bench/api_throughput.py --profile                                   # where the time goes
    .venv/bin/python bench/api_throughput.py --database-url mysql://… --workers 4 --threads 1 --worker-class sync

The database is created afresh (drop + create), migrated and given the demo city (no complaints); the
agent gets an API token. Then gunicorn serves nagar_nigam_cc.wsgi (--workers processes × --threads
threads, DEBUG off, persistent database connections) and --clients threads, each with one keep-alive
connection, POST /api/v1/complaints/ back to back: distinct callers (no duplicate check fires), random
categories and wards, Hindi descriptions. After --warmup seconds, --seconds are timed. Then the server
is stopped and the database checked: every 201 is one complaint, every docket appears once, no
complaint exists that no client was told of.

Goal (issue 5): ≥ 200 requests/s sustained, p99 ≤ 150 ms, zero errors, zero duplicate dockets, on the
2-core machine with MariaDB on it.

--profile instead runs the same POSTs in this process through Django's test client (the whole stack but
the HTTP server), one thread: first the statements one POST sends and the CPU per POST (this process,
and the MariaDB server), then under cProfile, where the time goes.
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from _load import CpuMeter, report, run
from _setup import ROOT, machine, prepare

DESCRIPTION = "कूड़ा तीन दिन से नहीं उठा, बदबू आ रही है / garbage not lifted for three days"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(port: int, token: str, process, timeout: float = 60) -> None:
    import http.client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/v1/categories/", headers={"Authorization": f"Token {token}"})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer in time")


def body_maker(categories: list[str], wards: list[int], seed: int = 7):
    def make(client: int, n: int) -> dict:
        rng = random.Random(seed * 1_000_003 + client * 10_007 + n)
        return {
            "mobile": f"98{client:02d}{n:06d}",  # one caller per request: the duplicate check never fires
            "category": rng.choice(categories),
            "ward": rng.choice(wards),
            "description": DESCRIPTION,
            "address": f"{n} Katra Road",
            "name": "Ramesh",
        }

    return make


WRK_SCRIPT = r"""
-- POST /api/v1/complaints/ as body_maker does: a new caller each time, random category and ward.
-- Each thread writes the dockets it was told (and any other answer) to its own file.
local categories, wards, folder = @CATEGORIES@, @WARDS@, [==[@FOLDER@]==]
local description = [==[@DESCRIPTION@]==]
local counter, serial, out = 0, 0, nil
function setup(thread) serial = serial + 1; thread:set("id", serial) end
function init(args)
  math.randomseed(id * 7919)
  out = io.open(folder .. "/told-" .. id, "w"); out:setvbuf("line")
end
function request()
  counter = counter + 1
  local body = '{"mobile": "97' .. string.format("%d%d%06d", @PHASE@, id, counter) .. '", "category": "'
    .. categories[math.random(#categories)] .. '", "ward": ' .. wards[math.random(#wards)]
    .. ', "description": ' .. description .. ', "address": "' .. counter .. ' Katra Road", "name": "Ramesh"}'
  return wrk.format("POST", nil, nil, body)
end
function response(status, headers, body)
  if status == 201 then out:write((body:match('"docket"%s*:%s*"([^"]+)"') or "?"), "\n")
  else out:write("ERROR ", status, " ", (body:sub(1, 200):gsub("\n", " ")), "\n") end
end
function done(summary, latency, requests)
  local f = io.open(folder .. "/latency", "w")
  for _, p in ipairs({50, 95, 99}) do f:write(p, " ", latency:percentile(p) / 1000, "\n") end
  f:write("100 ", latency.max / 1000, "\n")
  f:write("requests ", summary.requests, "\n"); f:close()
end
"""


def run_wrk(port: int, token: str, categories, wards, *, clients: int, warmup: float, seconds: float, on_start):
    """The same load from wrk (C): a warm-up run, then the timed one; statuses, dockets and latencies read
    back from the files its script writes. Returns a _load.Result like `run`."""
    import json
    import shutil
    import tempfile

    from _load import Result

    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    result = Result(seconds=seconds)
    for phase, length in (("warmup", warmup), ("timed", seconds)):
        folder = tempfile.mkdtemp(prefix=f"nnc-wrk-{phase}-")
        script = Path(folder, "post.lua")
        lua = lambda values: "{" + ", ".join(json.dumps(v) for v in values) + "}"
        script.write_text(WRK_SCRIPT.replace("@CATEGORIES@", lua(categories)).replace("@WARDS@", lua(wards))
                          .replace("@FOLDER@", folder).replace("@PHASE@", "1" if phase == "warmup" else "2")
                          .replace("@DESCRIPTION@", json.dumps(DESCRIPTION, ensure_ascii=False)), encoding="utf-8")
        if phase == "timed":
            on_start()
        # Two threads: this machine's two cores (wrk's own CPU is counted as the load client's).
        subprocess.run(["wrk", "-t", "2", "-c", str(clients), "-d", f"{max(1, round(length))}s", "--timeout", "10s",
                        "-s", str(script), "-H", f"Authorization: Token {token}", "-H", "Accept-Language: en",
                        "-H", "Content-Type: application/json", "-H", "Accept: application/json",
                        f"http://127.0.0.1:{port}/api/v1/complaints/"], check=True, capture_output=True)
        for told in Path(folder).glob("told-*"):
            for line in told.read_text(encoding="utf-8").splitlines():
                if line.startswith("ERROR "):
                    status = line.split()[1]
                    result.statuses[int(status) if status.isdigit() else status] += 1
                    if len(result.failures) < 5:
                        result.failures.append(line)
                else:
                    result.statuses[201] += 1
                    result.created_ids.append(line)
        if phase == "timed":
            numbers = dict(line.split() for line in Path(folder, "latency").read_text().splitlines())
            result.timed_requests = int(numbers.pop("requests"))
            result.timed_percentiles = {int(p): float(ms) for p, ms in numbers.items()}
        shutil.rmtree(folder, ignore_errors=True)
    return result


def profile(agent_token: str, categories, wards, count: int) -> None:
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {agent_token}")
    make = body_maker(categories, wards)
    for n in range(50):  # warm up
        client.post("/api/v1/complaints/", make(90, n), content_type="application/json")

    # What one POST costs without the profiler: statements sent (each a round trip; a transaction adds
    # three more: autocommit off, COMMIT, autocommit on), and CPU in this process and in MariaDB.
    statements = []
    with connection.execute_wrapper(lambda execute, sql, *args: statements.append(sql) or execute(sql, *args)):
        client.post("/api/v1/complaints/", make(92, 0), content_type="application/json")
    mariadb = CpuMeter(os.getpid())
    before = time.process_time(), mariadb._cpu(mariadb.mysqld)
    for n in range(count):
        response = client.post("/api/v1/complaints/", make(93, n), content_type="application/json")
        assert response.status_code == 201, response.content
    after = time.process_time(), mariadb._cpu(mariadb.mysqld)
    print(f"{len(statements)} statements per POST, then its transaction's 3 round trips:")
    print("".join(f"    {sql[:110]}\n" for sql in statements), end="")
    print(f"CPU per POST without the profiler: this process (test client + Django) "
          f"{(after[0] - before[0]) / count * 1000:.2f} ms, MariaDB server {(after[1] - before[1]) / count * 1000:.2f} ms "
          f"(all its clients: read it on a quiet machine)")

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for n in range(count):
        response = client.post("/api/v1/complaints/", make(91, n), content_type="application/json")
        assert response.status_code == 201, response.content
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(f"{count} POSTs in one thread, in-process: {elapsed / count * 1000:.2f} ms each (profiler on)")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None,
                        help="mysql://… (the goal's figure: mysql://root@127.0.0.1:3306/nnc_bench_api); "
                             "default: a fresh SQLite file")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0, help="timed window (30)")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    parser.add_argument("--worker-class", default="gthread", choices=("gthread", "sync"),
                        help="gunicorn's worker class (gthread); sync serves one connection at a time per worker "
                             "and ignores --threads and keep-alive")
    parser.add_argument("--worker-connections", type=int, default=1000,
                        help="gthread: how many connections a worker holds at once (1000, gunicorn's default); "
                             "with 1 and as many workers as clients, each keep-alive client has a worker of its own")
    parser.add_argument("--load-client", choices=("python", "wrk"), default="python",
                        help="python: this script's threads (the same client as the django-helpdesk comparison); "
                             "wrk: the C load generator (apt-get install wrk), which leaves the server machine's "
                             "CPU to the server, as agents' apps on their own machines would")
    parser.add_argument("--idempotency", action="store_true", help="send an Idempotency-Key with every POST")
    parser.add_argument("--profile", type=int, nargs="?", const=1000, default=0, metavar="N",
                        help="profile N POSTs in-process instead (1000)")
    args = parser.parse_args()

    label = prepare(args.database_url, fresh=True)
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from nagar_nigam_cc.directory.models import Category, Ward

    call_command("load_demo_city", complaints=0, verbosity=0)
    agent = User.objects.get(username="agent")
    token = Token.objects.create(user=agent).key
    categories = list(Category.objects.filter(is_active=True).values_list("code", flat=True))
    wards = list(Ward.objects.values_list("number", flat=True))
    if args.profile:
        profile(token, categories, wards, args.profile)
        return
    connection.close()

    port = free_port()
    env = {**os.environ, "DEBUG": "false", "NNC_EMBEDDED_SCHEDULER": "false", "LOG_LEVEL": "WARNING",
           "CONN_MAX_AGE": "600", "NNC_API_ANONYMOUS_RATE": "", "NNC_API_TOKEN_RATE": ""}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "nagar_nigam_cc.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(args.workers), "--threads", str(args.threads), "--worker-class", args.worker_class,
               "--worker-connections", str(args.worker_connections),
               "--keep-alive", "30", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        wait_until_up(port, token, server)
        meter = CpuMeter(server.pid)
        load_before = os.getloadavg()
        headers = {"Authorization": f"Token {token}", "Accept-Language": "en"}
        keys = (lambda client, n: {"Idempotency-Key": f"bench-{client}-{n}"}) if args.idempotency else None
        if args.load_client == "wrk":
            if args.idempotency:
                raise SystemExit("--load-client wrk sends no Idempotency-Key: use the python client for that")
            result = run_wrk(port, token, categories, wards, clients=args.clients, warmup=args.warmup,
                             seconds=args.seconds, on_start=meter.start)
        else:
            result = run("127.0.0.1", port, "/api/v1/complaints/", headers, body_maker(categories, wards),
                         lambda data: data["docket"], clients=args.clients, warmup=args.warmup,
                         seconds=args.seconds, make_headers=keys, on_start=meter.start)
        cpu = meter.stop(result.count)
        load_after = os.getloadavg()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)

    from nagar_nigam_cc.complaints.models import Complaint

    stored = list(Complaint.objects.values_list("docket", flat=True))
    told = result.created_ids
    print(f"\n{label}, gunicorn {args.workers} {args.worker_class} worker(s) × {args.threads} thread(s), "
          f"{args.worker_connections} connections each, {args.clients} clients ({args.load_client}), "
          f"{'with' if args.idempotency else 'without'} Idempotency-Key, on {machine()}")
    print(f"load average (1, 5, 15 min) before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    print(report("POST /api/v1/complaints/", result))
    print(cpu)
    duplicates = len(told) - len(set(told))
    # wrk stops with requests in flight and never reads their answers: up to one per connection per run
    # (warm-up and timed) can be stored but not told. Any more, or any told but not stored, is a loss.
    in_flight = 2 * args.clients if args.load_client == "wrk" else 0
    never_told = len(set(stored) - set(told))
    print(f"  complaints stored {len(stored):,}; 201 answers {len(told):,}; dockets told twice {duplicates}; "
          f"dockets stored twice {len(stored) - len(set(stored))}; "
          f"stored but never told {len(set(stored) - set(told))}; told but not stored {len(set(told) - set(stored))}")
    if in_flight:
        print(f"  (wrk: {never_told} stored but never told were in flight when wrk stopped; at most {in_flight} allowed)")
    goal = result.rate >= 200 and result.latency(99) <= 150 \
        and result.errors == 0 and duplicates == 0 and not set(told) - set(stored) and never_told <= in_flight \
        and len(stored) == len(set(stored))
    print(f"  goal (≥ 200/s, p99 ≤ 150 ms, no errors, no duplicates, nothing lost): {'MET' if goal else 'NOT MET'}")


if __name__ == "__main__":
    main()
