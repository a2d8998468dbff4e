"""SLA compliance: of the complaints registered in the period, how many were resolved within their time
limit, resolved late, are open within time, or open overdue — overdue ones counted as failures."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.reports.counting import Dimension, count, count_by, label_of
from nagar_nigam_cc.reports.figures import SLA_OUTCOMES, compliance
from nagar_nigam_cc.reports.filters import ReportFilter
from nagar_nigam_cc.reports.tables import Cell, Column, Table

FIGURES = ["all", *SLA_OUTCOMES, "not_counted"]


def columns(dimension: Dimension) -> list[Column]:
    return [
        Column("name", dimension.label, "text"),
        Column("all", _("registered")),
        Column("on_time", _("resolved within time")),
        Column("late", _("resolved late")),
        Column("within_time", _("open within time")),
        Column("overdue", _("open overdue")),
        Column("not_counted", _("rejected or duplicate")),
        Column("compliance", _("within time %"), "percent"),
    ]


def row(form: ReportFilter, name: str, counts: dict[str, int], **link_filters) -> list[Cell]:
    cells = [Cell(name)]
    for key in FIGURES:
        cells.append(Cell(counts[key], form.list_url(key, **link_filters) if counts[key] else None))
    cells.append(Cell(compliance(counts["on_time"], counts["late"], counts["overdue"])))
    return cells


def report(form: ReportFilter, dimension: Dimension) -> Table:
    """One row per value of `dimension`, worst compliance first, and the total."""
    table = Table(columns(dimension))
    groups = count_by(form, FIGURES, dimension)
    for value, counts in groups:
        link = {dimension.key: value} if value is not None else None
        cells = row(form, label_of(dimension, value), counts, **(link or {}))
        if link is None:  # no filter selects "nobody": the numbers are shown without links
            cells = [Cell(c.value) for c in cells]
        table.rows.append(cells)
    table.rows.sort(key=lambda cells: (cells[-1].value is None, cells[-1].value or 0, cells[0].value))
    table.total = row(form, str(_("All")), count(form, FIGURES))
    return table
