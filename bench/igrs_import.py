"""How fast does an IGRS file come in? Reading and checking it, then registering its rows; and the
re-import of the same file (every row already imported), and the disposal report.

    .venv/bin/python bench/igrs_import.py                      # SQLite, 10,000 rows
    .venv/bin/python bench/igrs_import.py --database-url mysql://root@127.0.0.1:3306/nnc_bench_igrs

The database is created afresh and the demo city loaded (no complaints) with the suggested IGRS
category map. A CSV of N distinct IGRS complaints is generated (Hindi and English, wards given by
number, by name or only by a locality in the address, a mix of IGRS category names) and imported as
the desk and the command do: `read_file`, `start_import` (every row checked and recorded), then
`import_pending` (each row registered through do_import_igrs → do_register, one transaction each).
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import time

from _setup import machine, prepare

HEADER = ["संदर्भ संख्या", "प्राप्ति दिनांक", "शिकायतकर्ता का नाम", "मोबाइल नंबर", "शिकायत की श्रेणी", "वार्ड",
          "मोहल्ला", "पता", "शिकायत का विवरण", "निस्तारण की अंतिम तिथि", "संलग्नक"]
NAMES = ["रमेश चंद्र यादव", "सुनीता देवी", "Mohd. Arif", "अनिल कुमार", "Priya Singh", "शबाना परवीन", "Vikas Tiwari",
         "गीता मिश्रा", "मनोज केसरवानी", "Anjali Verma"]
SAID = ["{place} के पास तीन दिन से शिकायत है, कोई सुनवाई नहीं हुई।", "Problem near {place} for a week, please act.",
        "{place} वाली गली में समस्या बनी हुई है, जल्दी ठीक कराएं।"]


def generate(n: int, seed: int = 5) -> bytes:
    from nagar_nigam_cc.demo import city
    from nagar_nigam_cc.intake.igrs import SUGGESTED_MAP

    rng = random.Random(seed)
    wards = city.wards()
    igrs_categories = list(SUGGESTED_MAP)
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for i in range(n):
        number, _zone, en, hi, landmarks = rng.choice(wards)
        landmark_en, landmark_hi = rng.choice(landmarks)
        place = rng.choice((landmark_hi, landmark_en))
        how = i % 3  # the ward by number, by its name, or only by a landmark in the address
        ward = (str(number), rng.choice((hi, en)), "")[how]
        writer.writerow([
            f"4001{i:010d}", f"{1 + i % 28:02d}/01/2026 {8 + i % 12:02d}:{i % 60:02d}", rng.choice(NAMES),
            f"9{rng.randrange(6, 10)}{i:08d}", rng.choice(igrs_categories), ward, "", f"{place}, प्रयागराज",
            rng.choice(SAID).format(place=place), f"{1 + (i + 7) % 28:02d}/02/2026", "",
        ])
    return out.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("-n", type=int, default=10_000, help="rows in the file (10000)")
    args = parser.parse_args()
    label = prepare(args.database_url, fresh=True)

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone
    from tqdm import tqdm

    from nagar_nigam_cc.complaints.models import Complaint
    from nagar_nigam_cc.intake import igrs

    call_command("load_demo_city", complaints=0, verbosity=0)
    igrs.add_suggested_mappings()
    agent = User.objects.get(username="agent")
    data = generate(args.n)

    started = time.perf_counter()
    parsed = igrs.read_file(data, "bench.csv")
    read_s = time.perf_counter() - started

    started = time.perf_counter()
    batch = igrs.start_import(parsed, file_name="bench.csv", actor=agent)
    check_s = time.perf_counter() - started
    ready = batch.pending

    bar = tqdm(total=ready, desc="importing", unit="row")
    started = time.perf_counter()
    counts = igrs.import_pending(batch, actor=agent, progress=lambda result: bar.update())
    import_s = time.perf_counter() - started
    bar.close()
    imported = counts["imported"]
    assert Complaint.objects.filter(channel="igrs").count() == imported

    started = time.perf_counter()
    again = igrs.start_import(igrs.read_file(data, "bench.csv"), file_name="bench.csv", actor=agent)
    igrs.import_pending(again, actor=agent)
    reimport_s = time.perf_counter() - started
    again.refresh_from_db()
    assert again.counts["already"] == imported and Complaint.objects.count() == imported

    today = timezone.localdate()
    started = time.perf_counter()
    rows = list(igrs.disposal_rows(igrs.disposal_queryset(Complaint.objects.all(), today, today)))
    size = len(igrs.disposal_xlsx(rows)), sum(len(line) for line in igrs.disposal_csv(rows))
    export_s = time.perf_counter() - started

    problems = {k: v for k, v in batch.counts.items() if k not in ("imported", "pending") and v}
    print(f"{label}: {args.n} rows, {file_kib(data)} KiB")
    print(f"  read and parse          {read_s:6.2f} s  {args.n / read_s:8.0f} rows/s")
    print(f"  check and record rows   {check_s:6.2f} s  {args.n / check_s:8.0f} rows/s   ({ready} ready; {problems or 'no problems'})")
    print(f"  register                {import_s:6.2f} s  {imported / import_s:8.0f} rows/s   ({import_s / imported * 1000:.2f} ms each)")
    print(f"  whole import            {read_s + check_s + import_s:6.2f} s  {imported / (read_s + check_s + import_s):8.0f} rows/s")
    print(f"  re-import (all already) {reimport_s:6.2f} s  {args.n / reimport_s:8.0f} rows/s")
    print(f"  disposal report CSV+XLSX {export_s:5.2f} s  {len(rows) / export_s:8.0f} rows/s   (xlsx {size[0] // 1024} KiB)")
    print(f"  on {machine()}")


def file_kib(data: bytes) -> int:
    return len(data) // 1024


if __name__ == "__main__":
    main()
