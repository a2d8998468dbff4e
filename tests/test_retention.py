"""Forgetting old idempotency keys and IGRS row reports: what is old goes, what is recent stays."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from nagar_nigam_cc import retention
from nagar_nigam_cc.api.models import IdempotencyKey
from nagar_nigam_cc.intake.models import IgrsImport, IgrsImportRow
from nagar_nigam_cc.scheduling import PERIODIC_JOBS

pytestmark = pytest.mark.django_db


def test_old_keys_go_and_recent_ones_stay(city, register, agent, settings, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 2)  # several batches
    now = timezone.now()
    complaint = register(city.garbage, city.wards[1])
    for n, age in enumerate((10, 9, 8, 6, 1)):
        IdempotencyKey.objects.create(user=agent, key=f"k{n}", fingerprint="f", complaint=complaint,
                                      created_at=now - timedelta(days=age))
    assert retention.purge_expired(now)["idempotency_keys"] == 3
    assert sorted(IdempotencyKey.objects.values_list("key", flat=True)) == ["k3", "k4"]
    assert retention.purge_expired(now)["idempotency_keys"] == 0  # a second run finds nothing


def test_old_igrs_row_reports_go_but_the_import_stays(db):
    now = timezone.now()
    old = IgrsImport.objects.create(file_name="old.csv", file_format="csv", uploaded_at=now - timedelta(days=200),
                                    finished_at=now - timedelta(days=199), rows_total=3, counts={"imported": 3})
    recent = IgrsImport.objects.create(file_name="new.csv", file_format="csv", uploaded_at=now - timedelta(days=2),
                                       finished_at=now - timedelta(days=2), rows_total=2, counts={"imported": 2})
    unfinished = IgrsImport.objects.create(file_name="half.csv", file_format="csv",
                                           uploaded_at=now - timedelta(days=300), rows_total=1)
    for batch in (old, recent, unfinished):
        for n in range(batch.rows_total):
            IgrsImportRow.objects.create(batch=batch, row_number=n + 2, reference=f"{batch.pk}-{n}")
    assert retention.purge_expired(now)["igrs_rows"] == 3
    assert IgrsImportRow.objects.filter(batch=old).count() == 0
    assert IgrsImportRow.objects.filter(batch=recent).count() == 2
    assert IgrsImportRow.objects.filter(batch=unfinished).count() == 1  # never finished: still to import
    old.refresh_from_db()
    assert old.counts == {"imported": 3} and "rows_purged_at" in old.report
    assert retention.purge_expired(now)["igrs_rows"] == 0


def test_it_runs_on_the_schedule():
    assert "nagar_nigam_cc.retention.purge_expired" in [job.func for job in PERIODIC_JOBS]
