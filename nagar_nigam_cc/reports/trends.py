"""Category trends by week: complaints registered per category (or another dimension) in each week of the
period, a column per week, and a line chart of the busiest categories.

Weeks start on Monday at midnight in the city's time zone. The first and last weeks are cut to the
period (a period starting on a Wednesday counts that week from Wednesday), and each cell links to the
complaints of exactly its days. The weeks' edges are computed in Python (aware datetimes of the city's
midnights, right across a change of offset) and each week is one `Count(filter=registered_at range)` in
one grouped query: the same on SQLite and MariaDB, with no time-zone tables in the database, and the
same range the cell's link filters on.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.reports.counting import Dimension, label_of
from nagar_nigam_cc.reports.filters import ReportFilter, day_start
from nagar_nigam_cc.reports.tables import Cell, Chart, Column, Table

#: How many rows the chart draws (the busiest over the period).
CHART_LINES = 5


@dataclass(frozen=True)
class Week:
    monday: date
    first: date  # the week's first day within the period
    last: date  # its last day within the period

    @property
    def key(self) -> str:
        return f"w{self.monday:%Y%m%d}"

    @property
    def label(self) -> str:
        return f"{self.monday:%d.%m.%Y}"

    def q(self) -> Q:
        return Q(registered_at__gte=day_start(self.first), registered_at__lt=day_start(self.last + timedelta(days=1)))


def weeks(start: date, end: date) -> list[Week]:
    """The Monday-start weeks touching [start, end], each cut to it."""
    out = []
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        out.append(Week(monday, max(monday, start), min(monday + timedelta(days=6), end)))
        monday += timedelta(days=7)
    return out


def columns(dimension: Dimension, in_period: list[Week]) -> list[Column]:
    return [Column("name", dimension.label, "text"),
            *[Column(week.key, week.label) for week in in_period],
            Column("all", _("registered"))]


def report(form: ReportFilter, dimension: Dimension) -> Table:
    start, end = form.cleaned_data.get("date_from"), form.cleaned_data.get("date_to")
    in_period = weeks(start, end) if start else []
    table = Table(columns(dimension, in_period))
    if not in_period:
        return table
    counts = {week.key: Count("pk", filter=week.q()) for week in in_period}
    grouped = form.complaints(figure=False).order_by().values(dimension.column).annotate(all=Count("pk"), **counts)
    by_value = {row.pop(dimension.column): row for row in grouped}
    objects = (dimension.model.objects.in_bulk([pk for pk in by_value if pk is not None])
               if dimension.model is not None else {})

    def cells(numbers: dict, link_filters: dict | None) -> list[Cell]:
        out = []
        for week in in_period:
            n = numbers[week.key]
            link = (form.list_url("all", **link_filters, date_from=week.first, date_to=week.last)
                    if n and link_filters is not None else None)
            out.append(Cell(n, link))
        n = numbers["all"]
        out.append(Cell(n, form.list_url("all", **link_filters) if n and link_filters is not None else None))
        return out

    for raw, numbers in by_value.items():
        value = objects.get(raw) if dimension.model is not None and raw is not None else raw
        link_filters = {dimension.key: value} if value is not None else None
        table.rows.append([Cell(label_of(dimension, value)), *cells(numbers, link_filters)])
    table.rows.sort(key=lambda row: (-row[-1].value, row[0].value))
    totals = {"all": sum(numbers["all"] for numbers in by_value.values()),
              **{week.key: sum(numbers[week.key] for numbers in by_value.values()) for week in in_period}}
    table.total = [Cell(str(_("All"))), *cells(totals, {})]
    return table


def chart(table: Table) -> Chart | None:
    """The busiest rows (CHART_LINES of them), a line each over the weeks."""
    if not table.rows or len(table.columns) < 3:
        return None
    top = table.rows[:CHART_LINES]
    return Chart("line", [column.label for column in table.columns[1:-1]],
                 [{"label": row[0].value, "data": [cell.value for cell in row[1:-1]]} for row in top])
