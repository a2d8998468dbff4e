"""Forgetting what is no longer needed, a little at a time (the periodic job "purge-expired").

- API idempotency keys: a retried POST is answered from its key for NNC_IDEMPOTENCY_KEY_DAYS (7) days;
  after that a client retrying the same request is caught by the duplicate check instead.
- IGRS import row reports: each row's outcome is kept for NNC_IGRS_ROW_REPORT_DAYS (180) days after
  the import finished; the import itself (file, who, when, counts by outcome) is kept for good, and
  says when its rows were removed.

Deletes go in batches of `BATCH` rows, each its own short transaction, so a purge never holds locks
that registrations wait on; two purges at once delete disjoint or already-deleted rows, harmlessly.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

log = logging.getLogger(__name__)
BATCH = 2000


def _delete_in_batches(queryset: QuerySet, limit: int | None = None) -> int:
    deleted = 0
    while limit is None or deleted < limit:
        ids = list(queryset.order_by().values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        with transaction.atomic():
            deleted += queryset.model.objects.filter(pk__in=ids).delete()[1].get(queryset.model._meta.label, 0)
    return deleted


def purge_expired(now: datetime | None = None) -> dict[str, int]:
    from nagar_nigam_cc.api.models import IdempotencyKey
    from nagar_nigam_cc.intake.models import IgrsImport, IgrsImportRow

    now = now or timezone.now()
    keys = _delete_in_batches(IdempotencyKey.objects.filter(
        created_at__lt=now - timedelta(days=settings.NNC_IDEMPOTENCY_KEY_DAYS)))
    rows = 0
    old_imports = IgrsImport.objects.filter(
        finished_at__lt=now - timedelta(days=settings.NNC_IGRS_ROW_REPORT_DAYS)).exclude(report__has_key="rows_purged_at")
    for batch in old_imports.only("pk", "report").iterator(chunk_size=100):
        rows += _delete_in_batches(IgrsImportRow.objects.filter(batch=batch))
        batch.report = {**batch.report, "rows_purged_at": now.isoformat()}
        batch.save(update_fields=["report"])
    if keys or rows:
        log.info("retention: %d idempotency keys and %d IGRS row reports removed", keys, rows)
    return {"idempotency_keys": keys, "igrs_rows": rows}
