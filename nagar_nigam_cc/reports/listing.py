"""The complaints behind a figure as rows for CSV or Excel: read a chunk at a time (keyset), names looked
up from small in-memory tables instead of joins, so 100,000 rows cost flat memory and index range scans."""
from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.exports import newest_first
from nagar_nigam_cc.complaints.models import Channel, Complaint, Status
from nagar_nigam_cc.directory.models import Category, Department, Officer, Ward, Zone

HEADER = [
    _("docket number"), _("registered at"), _("status"), _("category"), _("department"), _("zone"), _("ward"),
    _("assigned to"), _("channel"), _("due by"), _("resolved at"), _("closed at"), _("escalation level"),
    _("address"), _("landmark"), _("description"),
]
_FIELDS = ("docket", "registered_at", "status", "category_id", "department_id", "zone_id", "ward_id",
           "assigned_to_id", "channel", "due_at", "resolved_at", "closed_at", "escalation_level", "address",
           "landmark", "description")


def header() -> list[str]:
    return [str(title) for title in HEADER]


def rows(queryset: QuerySet[Complaint], *, chunk_size: int = 2000) -> Iterator[list]:
    names = {
        "category_id": {pk: str(c) for pk, c in Category.objects.in_bulk().items()},
        "department_id": {pk: str(d) for pk, d in Department.objects.in_bulk().items()},
        "zone_id": {pk: str(z) for pk, z in Zone.objects.in_bulk().items()},
        "ward_id": {pk: str(w) for pk, w in Ward.objects.in_bulk().items()},
        "assigned_to_id": dict(Officer.objects.values_list("pk", "name")),
    }
    statuses, channels = dict(Status.choices), dict(Channel.choices)
    lookups = [names.get(field) for field in _FIELDS]
    status_at, channel_at = _FIELDS.index("status"), _FIELDS.index("channel")
    for values in newest_first(queryset, "registered_at", _FIELDS, chunk=chunk_size):
        row = [lookup.get(value, "") if lookup is not None and value is not None else value
               for lookup, value in zip(lookups, values)]
        row[status_at] = str(statuses.get(row[status_at], row[status_at]))
        row[channel_at] = str(channels.get(row[channel_at], row[channel_at]))
        yield row
