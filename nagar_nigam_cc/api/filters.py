"""The complaint list's filters and its paging: each filter a range on an indexed column, no COUNT(*).

Codes (category, department, zone) and ward numbers are turned into ids first, with one small query
each, so the complaint query joins nothing: with joins, MariaDB starts from the small tables and sorts
the whole complaint table (see the desk's notes in docs/benchmarks.md).
"""
from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.pagination import CursorPagination

from nagar_nigam_cc.complaints.models import OPEN_STATUSES, Complaint, Status
from nagar_nigam_cc.directory.models import Category, Department, Ward, Zone

OPEN = "open"


class ComplaintFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[(OPEN, _("all open")), *Status.choices], required=False,
                                     help_text=_("A status, or 'open' for every open status."))
    category = serializers.SlugField(max_length=40, required=False, help_text=_("Category code."))
    ward = serializers.IntegerField(min_value=1, max_value=2_147_483_647, required=False, help_text=_("Ward number."))
    department = serializers.SlugField(max_length=30, required=False, help_text=_("Department code."))
    zone = serializers.SlugField(max_length=30, required=False, help_text=_("Zone code."))
    registered_after = serializers.DateTimeField(required=False, help_text=_("ISO 8601, e.g. 2026-11-01T00:00:00+05:30"))
    registered_before = serializers.DateTimeField(required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None,
                                       help_text=_("true: open, running and past the time limit; false: all others."))


def _id_of(model, field: str, value, label: str) -> int:
    pk = model.objects.filter(**{field: value}).values_list("pk", flat=True).first()
    if pk is None:
        raise serializers.ValidationError({label: [_("There is no %(what)s “%(value)s”.") % {"what": label, "value": value}]},
                                          code="not_found")
    return pk


def overdue_q(now: datetime) -> Q:
    """Open, clock running, deadline past: the desk's "overdue" filter."""
    return Q(status__in=OPEN_STATUSES, paused_since__isnull=True, due_at__lt=now)


def apply(queryset: QuerySet[Complaint], params: dict, now: datetime | None = None) -> QuerySet[Complaint]:
    """Narrow a (visible) complaint queryset by validated ComplaintFilterSerializer data."""
    now = now or timezone.now()
    status = params.get("status")
    if status == OPEN:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    if "category" in params:
        queryset = queryset.filter(category_id=_id_of(Category, "code", params["category"], "category"))
    if "ward" in params:
        queryset = queryset.filter(ward_id=_id_of(Ward, "number", params["ward"], "ward"))
    if "department" in params:
        queryset = queryset.filter(department_id=_id_of(Department, "code", params["department"], "department"))
    if "zone" in params:
        queryset = queryset.filter(zone_id=_id_of(Zone, "code", params["zone"], "zone"))
    if params.get("registered_after"):
        queryset = queryset.filter(registered_at__gte=params["registered_after"])
    if params.get("registered_before"):
        queryset = queryset.filter(registered_at__lt=params["registered_before"])
    if params.get("overdue") is True:
        queryset = queryset.filter(overdue_q(now))
    elif params.get("overdue") is False:
        queryset = queryset.exclude(overdue_q(now))
    return queryset


class NewestFirst(CursorPagination):
    """Newest first, page by page with an opaque cursor: never counts, never skips rows with OFFSET."""

    ordering = ("-registered_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
