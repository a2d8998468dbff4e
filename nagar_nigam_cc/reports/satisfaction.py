"""Citizen satisfaction: of the complaints registered in the period and resolved at least once, what the
citizen said about the resolution — per department, or by another dimension.

- resolutions: resolved at least once (figures.resolved_ever);
- confirmed / disputed: the citizen's latest answer (by SMS or WhatsApp reply, or told to the desk) was
  "solved" / "not solved" (figures "confirmed", "disputed_last"): a complaint disputed, resolved again and
  then confirmed counts as confirmed;
- no answer: resolved, and the citizen never answered (figures.no_answer);
  so confirmed + disputed + no answer = resolutions;
- confirmed %: confirmed / resolutions;
- reopened, reopen rate: complaints reopened after a resolution (by the desk on the citizen's word, or by
  the citizen's dispute; figures.reopened) / resolutions.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.reports.counting import Dimension, count, count_by, label_of
from nagar_nigam_cc.reports.figures import share
from nagar_nigam_cc.reports.filters import ReportFilter
from nagar_nigam_cc.reports.tables import Cell, Column, Table

FIGURES = ["resolved_ever", "confirmed", "disputed_last", "no_answer", "reopened"]


def columns(dimension: Dimension) -> list[Column]:
    return [
        Column("name", dimension.label, "text"),
        Column("resolved_ever", _("resolutions")),
        Column("confirmed", _("confirmed")),
        Column("disputed_last", _("disputed")),
        Column("no_answer", _("no answer")),
        Column("confirmed_share", _("confirmed %"), "percent"),
        Column("reopened", _("reopened")),
        Column("reopen_rate", _("reopen rate"), "percent"),
    ]


def row(form: ReportFilter, name: str, counts: dict[str, int], link_filters: dict | None) -> list[Cell]:
    def counted(key):
        n = counts[key]
        return Cell(n, form.list_url(key, **link_filters) if n and link_filters is not None else None)

    return [Cell(name), counted("resolved_ever"), counted("confirmed"), counted("disputed_last"),
            counted("no_answer"), Cell(share(counts["confirmed"], counts["resolved_ever"])),
            counted("reopened"), Cell(share(counts["reopened"], counts["resolved_ever"]))]


def report(form: ReportFilter, dimension: Dimension) -> Table:
    """One row per value with at least one resolution, fewest confirmed first, and the total."""
    table = Table(columns(dimension))
    for value, counts in count_by(form, FIGURES, dimension):
        if not counts["resolved_ever"]:
            continue
        link = {dimension.key: value} if value is not None else None
        table.rows.append(row(form, label_of(dimension, value), counts, link))
    table.rows.sort(key=lambda cells: (cells[5].value is None, cells[5].value or 0, cells[0].value))
    table.total = row(form, str(_("All")), count(form, FIGURES), {})
    return table
