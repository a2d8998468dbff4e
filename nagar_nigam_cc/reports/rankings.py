"""Departments and wards ranked by SLA compliance, worst first: of the complaints registered in the period,
how many were resolved within time, resolved late, are open overdue; the compliance (open overdue counted
as failures, figures.compliance) and the average working time to resolve.

Ranks are "competition" ranks: equal compliance, equal rank (1, 2, 2, 4); ties are listed by name. Rows
with nothing decided yet (no resolution, nothing overdue: compliance undefined) come last, unranked.
"""
from __future__ import annotations

from django.db.models import Avg
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.reports.counting import DIMENSIONS, Dimension, count, count_by, label_of
from nagar_nigam_cc.reports.figures import DONE_STATUSES, compliance
from nagar_nigam_cc.reports.filters import ReportFilter
from nagar_nigam_cc.reports.tables import Cell, Chart, Column, Table

FIGURES = ["all", "on_time", "late", "overdue"]


def columns(dimension: Dimension) -> list[Column]:
    return [
        Column("rank", _("Rank")),
        Column("name", dimension.label, "text"),
        Column("all", _("registered")),
        Column("on_time", _("resolved within time")),
        Column("late", _("resolved late")),
        Column("overdue", _("open overdue")),
        Column("compliance", _("within time %"), "percent"),
        Column("avg_hours", _("average hours to resolve"), "hours"),
    ]


def average_hours(form: ReportFilter, dimension: Dimension | None) -> dict:
    """Average working hours to resolve of the resolved or closed complaints, per value (or overall)."""
    done = form.complaints().filter(status__in=DONE_STATUSES, resolution_seconds__isnull=False).order_by()
    if dimension is None:
        seconds = done.aggregate(avg=Avg("resolution_seconds"))["avg"]
        return {None: seconds / 3600 if seconds is not None else None}
    return {value: seconds / 3600 for value, seconds in
            done.values_list(dimension.column).annotate(avg=Avg("resolution_seconds")).values_list(dimension.column, "avg")
            if seconds is not None}


def _cells(form: ReportFilter, counts: dict, hours, link_filters: dict | None) -> list[Cell]:
    cells = []
    for key in FIGURES:
        n = counts[key]
        cells.append(Cell(n, form.list_url(key, **link_filters) if n and link_filters is not None else None))
    return [*cells, Cell(compliance(counts["on_time"], counts["late"], counts["overdue"])), Cell(hours)]


def report(form: ReportFilter, dimension: Dimension) -> Table:
    table = Table(columns(dimension))
    hours = average_hours(form, dimension)
    ranked = []
    for value, counts in count_by(form, FIGURES, dimension):
        key = value.pk if hasattr(value, "pk") else value
        link = {dimension.key: value} if value is not None else None
        ranked.append((label_of(dimension, value), _cells(form, counts, hours.get(key), link)))
    ranked.sort(key=lambda item: (item[1][4].value is None, item[1][4].value or 0, item[0]))
    rank, previous = 0, object()
    for position, (name, cells) in enumerate(ranked, start=1):
        share = cells[4].value
        if share is not None and share != previous:
            rank, previous = position, share
        table.rows.append([Cell(rank if share is not None else None), Cell(name), *cells])
    table.total = [Cell(None), Cell(str(_("All"))), *_cells(form, count(form, FIGURES), average_hours(form, None)[None], {})]
    return table


def departments(form: ReportFilter, dimension=None) -> Table:
    return report(form, DIMENSIONS["department"])


def wards(form: ReportFilter, dimension=None) -> Table:
    return report(form, DIMENSIONS["ward"])


def chart(table: Table) -> Chart | None:
    """Compliance per row, worst first, as horizontal bars."""
    rows = [row for row in table.rows if row[6].value is not None]
    if not rows:
        return None
    return Chart("bar", [row[1].value for row in rows],
                 [{"label": _("within time %"), "data": [round(100 * row[6].value, 1) for row in rows],
                   "color": "#ea580c"}], percent=True, horizontal=True)
