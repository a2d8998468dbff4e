"""An HTTP load generator for the API benchmarks: N clients, each a thread with one keep-alive connection,
POSTing as fast as answers come back (a closed loop, like agents' apps), for a warm-up and then a timed
window. Standard library only: the django-helpdesk comparison runs it from that project's virtualenv.
"""
from __future__ import annotations

import http.client
import json
import os
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Result:
    seconds: float
    latencies: list[float] = field(default_factory=list)  # ms, requests started inside the timed window
    statuses: Counter = field(default_factory=Counter)  # every request, warm-up included
    failures: list[str] = field(default_factory=list)  # first few non-2xx bodies and exceptions
    created_ids: list[str] = field(default_factory=list)  # every created id, warm-up included
    per_second: Counter = field(default_factory=Counter)  # timed window: completions per whole second
    #: A client that keeps percentiles rather than every latency (wrk): requests in the timed window, and
    #: {50: ms, 95: ms, 99: ms, 100: ms}. Used instead of `latencies` when set.
    timed_requests: int | None = None
    timed_percentiles: dict | None = None

    def latency(self, p: float) -> float:
        if self.timed_percentiles is not None:
            return self.timed_percentiles[p]
        return percentile(self.latencies, p) if p < 100 else max(self.latencies, default=float("nan"))

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if isinstance(status, int) and 200 <= status < 300)

    @property
    def errors(self) -> int:
        return sum(self.statuses.values()) - self.ok

    @property
    def count(self) -> int:
        return self.timed_requests if self.timed_requests is not None else len(self.latencies)

    @property
    def rate(self) -> float:
        return self.count / self.seconds


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def run(host: str, port: int, path: str, headers: dict, make_body, pick_id, *, clients: int, warmup: float,
        seconds: float, make_headers=None, on_start=None) -> Result:
    """`make_body(client, n) -> dict` builds the n-th request of a client (`make_headers(client, n)`, if
    given, its own extra headers); `pick_id(dict) -> str` reads the created object's id from a 2xx answer;
    `on_start()` is called when the timed window opens."""
    result = Result(seconds=seconds)
    lock = threading.Lock()
    start = time.perf_counter() + 0.2
    measure_from, measure_to = start + warmup, start + warmup + seconds
    headers = {"Content-Type": "application/json", "Accept": "application/json", **headers}

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        n = 0
        while time.perf_counter() < start:
            time.sleep(0.001)
        while True:
            began = time.perf_counter()
            if began >= measure_to:
                break
            body = json.dumps(make_body(number, n)).encode()
            n += 1
            try:
                connection.request("POST", path, body,
                                   {**headers, **make_headers(number, n - 1)} if make_headers else headers)
                response = connection.getresponse()
                content = response.read()
                status = response.status
            except Exception as exc:  # noqa: BLE001 - counted as an error, then a fresh connection
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=60)
                with lock:
                    result.statuses[type(exc).__name__] += 1
                    if len(result.failures) < 5:
                        result.failures.append(repr(exc))
                continue
            ended = time.perf_counter()
            with lock:
                result.statuses[status] += 1
                if 200 <= status < 300:
                    result.created_ids.append(str(pick_id(json.loads(content))))
                elif len(result.failures) < 5:
                    result.failures.append(f"{status} {content[:300]!r}")
                if measure_from <= began < measure_to:
                    result.latencies.append((ended - began) * 1000)
                    result.per_second[int(ended - measure_from)] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    if on_start is not None:  # called when the warm-up ends (CPU meters start there)
        time.sleep(max(0.0, measure_from - time.perf_counter()))
        on_start()
    for thread in threads:
        thread.join()
    return result


def report(label: str, result: Result) -> str:
    seconds = sorted(result.per_second.items())
    # The last second is cut short by the window; "—" when the client kept no per-second count (wrk).
    slowest = min((n for _s, n in seconds[:-1]), default="—")
    return (
        f"{label}\n"
        f"  requests in the timed window  {result.count:>10,}  ({result.seconds:.0f} s)\n"
        f"  requests/s                    {result.rate:>10.1f}  (slowest whole second: {slowest})\n"
        f"  latency ms p50 / p95 / p99    {result.latency(50):>6.1f} / {result.latency(95):.1f} / "
        f"{result.latency(99):.1f}   max {result.latency(100):.1f}\n"
        f"  answers (warm-up included)    {dict(result.statuses)}\n"
        f"  errors                        {result.errors}"
        + ("".join(f"\n    {f}" for f in result.failures) if result.failures else "")
    )


class CpuMeter:
    """CPU seconds used by the server's workers, MariaDB and this process, and how busy the machine was,
    between start() and stop() (Linux /proc; nan where unreadable)."""

    def __init__(self, server_pid: int):
        self.tick = os.sysconf("SC_CLK_TCK")
        self.workers = self._children(server_pid)
        found = subprocess.run(["pgrep", "-o", "mariadbd"], capture_output=True, text=True).stdout.split()
        self.mysqld = int(found[0]) if found else None

    @staticmethod
    def _children(pid: int) -> list[int]:
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def _cpu(self, pid) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / self.tick
        except (OSError, TypeError):
            return float("nan")

    def _sample(self):
        total = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        import resource

        children = resource.getrusage(resource.RUSAGE_CHILDREN)  # a load generator run as a child (wrk), once reaped
        return (sum(self._cpu(p) for p in self.workers), self._cpu(self.mysqld),
                time.process_time() + children.ru_utime + children.ru_stime,
                sum(total), total[3] + total[4])

    def start(self):
        self.before = self._sample()

    def stop(self, requests: int) -> str:
        after = self._sample()
        workers, mysqld, client = ((after[i] - self.before[i]) / max(requests, 1) * 1000 for i in range(3))
        ticks, idle = after[3] - self.before[3], after[4] - self.before[4]
        busy = (ticks - idle) / ticks if ticks else float("nan")
        return (f"  CPU per request (ms)          web workers {workers:.2f}, MariaDB server {mysqld:.2f}, load client "
                f"{client:.2f}; machine {busy:.0%} busy ({os.cpu_count()} cores)")
