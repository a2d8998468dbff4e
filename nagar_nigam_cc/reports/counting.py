"""Counting figures over the complaints a report's filters select, whole or by one dimension.

Every count is `Count(id, filter=<the figure's Q>)` over `ReportFilter.complaints()`: one query per
report, answered by MariaDB from the report indexes (complaints.models, complaint_report_*), and the
same Q the click-through list applies — so a number and its list cannot disagree.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable

from django.db import connection
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.complaints.models import Channel, Complaint
from nagar_nigam_cc.directory.models import Category, Department, Officer, Ward, Zone
from nagar_nigam_cc.reports.figures import FIGURES
from nagar_nigam_cc.reports.filters import OPEN, ReportFilter


@dataclass(frozen=True)
class Dimension:
    key: str  # the filter's field name, used in links
    column: str  # Complaint's column
    label: Any
    model: type | None = None
    #: The label of one value (a model instance for models, a raw value otherwise)
    name: Callable[[Any], str] = str


DIMENSIONS: dict[str, Dimension] = {d.key: d for d in (
    Dimension("department", "department_id", _("Department"), Department),
    Dimension("zone", "zone_id", _("Zone"), Zone),
    Dimension("ward", "ward_id", _("Ward"), Ward),
    Dimension("category", "category_id", _("Category"), Category),
    Dimension("officer", "assigned_to_id", _("Officer"), Officer),
    Dimension("channel", "channel", _("Channel"), None, lambda value: str(dict(Channel.choices).get(value, value))),
)}


PERIOD_INDEX, OPEN_INDEX = "complaint_report_period", "complaint_report_open"
#: Always allowed besides the report index: a field officer's few complaints are found faster by
#: (assigned_to, status), even reading their rows.
OFFICER_INDEX = "complaint_officer_status"


@contextmanager
def report_index(form: ReportFilter):
    """On MariaDB, count with the report index that fits the filters (a period: complaint_report_period;
    what is open: complaint_report_open) or the officer's index: `USE INDEX` added to the counting SQL,
    which Django builds as usual from the figures' Q. Left alone, MariaDB answers a zonal officer's or a
    department head's counts from the narrower (zone, registered_at) or (department, registered_at)
    index and reads every row it finds (1.5 s for one zone of a 1 M city); with the hint they walk the
    same range of the covering report index as the commissioner's, index-only, so no viewer's report
    costs more than the whole city's. Other databases (SQLite) choose well by themselves."""
    period = form.cleaned_data.get("date_from") is not None
    index = PERIOD_INDEX if period else OPEN_INDEX if form.cleaned_data.get("status") == OPEN else None
    if connection.vendor != "mysql" or index is None:
        yield
        return
    table = connection.ops.quote_name(Complaint._meta.db_table)
    plain, hinted = f"FROM {table} ", f"FROM {table} USE INDEX ({index}, {OFFICER_INDEX}) "

    def hint(execute, sql, params, many, context):
        return execute(sql.replace(plain, hinted, 1), params, many, context)

    with connection.execute_wrapper(hint):
        yield


def count(form: ReportFilter, figures: list[str]) -> dict[str, int]:
    """The figures over everything the filters select."""
    now = form.now
    with report_index(form):
        return form.complaints().aggregate(**{key: Count("pk", filter=FIGURES[key].q(now)) for key in figures})


def count_by(form: ReportFilter, figures: list[str], dimension: Dimension) -> list[tuple[Any, dict[str, int]]]:
    """The figures for each value of `dimension` that has complaints: [(value, {figure: n})], where a
    value is the model instance (or the raw value for plain columns; None when the column is empty)."""
    now = form.now
    rows = (form.complaints().order_by().values(dimension.column)
            .annotate(**{key: Count("pk", filter=FIGURES[key].q(now)) for key in figures}))
    with report_index(form):
        by_value = {row.pop(dimension.column): row for row in rows}
    if dimension.model is None:
        return list(by_value.items())
    objects = dimension.model.objects.in_bulk([pk for pk in by_value if pk is not None])
    return [(objects.get(pk) if pk is not None else None, counts) for pk, counts in by_value.items()]


def label_of(dimension: Dimension, value) -> str:
    if value is None:
        return str(_("nobody (not routed)")) if dimension.key == "officer" else "—"
    return dimension.name(value)

