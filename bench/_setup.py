"""Shared start-up for the benchmarks: point Django at the benchmark's own database before it loads."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def prepare(database_url: str | None, *, fresh: bool) -> str:
    """Use `database_url` (a mysql:// URL: the database is created, or dropped and created if fresh),
    or a new SQLite file in a temporary folder. Returns a label for the report."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nagar_nigam_cc.settings")
    os.environ.setdefault("NNC_EMBEDDED_SCHEDULER", "false")
    if database_url and database_url.startswith("mysql"):
        url = urlparse(database_url)
        name = url.path.lstrip("/")
        statements = f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
        if fresh:
            statements = f"DROP DATABASE IF EXISTS `{name}`; " + statements
        subprocess.run(
            ["mysql", "-u", url.username or "root", "-h", url.hostname or "127.0.0.1", "-P", str(url.port or 3306),
             "-e", statements],
            check=True,
        )
        os.environ["DATABASE_URL"] = database_url
        os.environ.setdefault("NNC_DATA_DIR", tempfile.mkdtemp(prefix="nnc-bench-"))
        label = f"MariaDB ({name})"
    else:
        folder = tempfile.mkdtemp(prefix="nnc-bench-")
        os.environ["NNC_DATA_DIR"] = folder
        os.environ.pop("DATABASE_URL", None)
        label = "SQLite (WAL)"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return label


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def ensure_complaints(label: str, count: int) -> int:
    """The demo city and at least `count` complaints in the database (synth_complaints tops it up, with
    progress); returns how many there are. For benchmarks that measure the desk at scale."""
    import time

    from django.core.management import call_command

    from nagar_nigam_cc.complaints.models import Complaint
    from nagar_nigam_cc.demo.loader import city_exists

    if not city_exists():
        call_command("load_demo_city", complaints=0, verbosity=0)
    have = Complaint.objects.count()
    if have < count:
        print(f"{label}: {have} complaints; adding {count - have} with synth_complaints …", flush=True)
        started = time.perf_counter()
        call_command("synth_complaints", count=count - have)
        print(f"filled in {time.perf_counter() - started:.0f} s", flush=True)
    return Complaint.objects.count()
