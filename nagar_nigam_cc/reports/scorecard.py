"""The officer scorecard: for each officer, over the complaints assigned to them (Complaint.assigned_to, who
holds it now) among those registered in the period — how many they got and resolved, how many on time,
how long it took on the SLA clock, how many came back — and how many escalations they received in the
period (by the escalations' time).

- on time %: resolved within time / (resolved within time + resolved late);
- within time %: the SLA compliance (figures.compliance): open overdue complaints count as failures;
- average and 90th percentile time to resolve, in working hours: from Complaint.resolution_seconds of
  the resolved or closed complaints (working time on the SLA clock, time on hold left out). The
  percentile is the nearest-rank one: the n values sorted ascending, the ⌈0.9·n⌉-th of them — always
  one of the actual times, never interpolated (of 10 values the 9th, of 1 the one, of 11 the 10th).
  Read from one query for all officers (officer, seconds), grouped in Python;
- reopened %: complaints of theirs reopened after a resolution (figures.reopened: reopened by the desk or
  disputed by the citizen) over their complaints resolved at least once (figures.resolved_ever);
- resolutions, disputed, disputed %: judged by the officer whose work the citizen judged, not by who
  holds the complaint now (do_dispute hands a disputed complaint to the senior): complaints with a
  RESOLVED event by this officer, and those with a DISPUTED event while this officer held them (the
  event's officer), among the complaints the filters select; links use the filters' `resolved_by` and
  `disputed_against`, so each list holds exactly the counted complaints;
- escalations received: ESCALATED events in the period whose officer (the escalation's target,
  data["to_officer"]) is this officer, on complaints the viewer may see and the other filters select;
  it counts escalations, not complaints, so it links to the escalation register (escalations.link).

The other columns count a complaint for whoever holds it now.
"""
from __future__ import annotations

from collections import defaultdict

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.complaints import access
from nagar_nigam_cc.complaints.models import ComplaintEvent, EventKind
from nagar_nigam_cc.directory.models import Officer
from nagar_nigam_cc.reports import escalations
from nagar_nigam_cc.reports.counting import DIMENSIONS, count, count_by, label_of
from nagar_nigam_cc.reports.figures import DONE_STATUSES, compliance, share
from nagar_nigam_cc.reports.filters import ReportFilter
from nagar_nigam_cc.reports.tables import Cell, Column, Table

FIGURES = ["all", "done", "on_time", "late", "overdue", "resolved_ever", "reopened"]

COLUMNS = [
    Column("name", _("Officer"), "text"),
    Column("all", _("assigned")),
    Column("done", _("resolved or closed")),
    Column("on_time", _("resolved within time")),
    Column("late", _("resolved late")),
    Column("on_time_share", _("on time %"), "percent"),
    Column("overdue", _("open overdue")),
    Column("compliance", _("within time %"), "percent"),
    Column("avg_hours", _("average hours to resolve"), "hours"),
    Column("p90_hours", _("90th percentile hours to resolve"), "hours"),
    Column("resolved_ever", _("resolved at least once")),
    Column("reopened", _("reopened")),
    Column("reopened_share", _("reopened %"), "percent"),
    Column("resolutions", _("resolutions by them")),
    Column("disputed", _("disputed by citizens")),
    Column("disputed_share", _("disputed %"), "percent"),
    Column("escalations", _("escalations received")),
]


def percentile(values: list[int], fraction: float = 0.9) -> int | None:
    """Nearest-rank percentile: the ⌈fraction·n⌉-th smallest of the n values (None for none)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-round(fraction * 100) * len(ordered) // 100))  # ⌈fraction·n⌉ in integers
    return ordered[rank - 1]


def times_to_resolve(form: ReportFilter) -> dict[int | None, list[int]]:
    """Working seconds to resolve of the resolved or closed complaints, per officer: one query."""
    out: dict[int | None, list[int]] = defaultdict(list)
    rows = (form.complaints().filter(status__in=DONE_STATUSES, resolution_seconds__isnull=False).order_by()
            .values_list("assigned_to_id", "resolution_seconds"))
    for officer_id, seconds in rows.iterator(chunk_size=5000):
        out[officer_id].append(seconds)
    return out


def judged(form: ReportFilter) -> tuple[dict[int, int], dict[int, int]]:
    """Per officer: complaints they resolved, and complaints disputed while they held them (distinct
    complaints among those the filters select, events up to the counting instant): two queries."""
    def per_officer(kind):
        events = ComplaintEvent.objects.filter(kind=kind, at__lte=form.now, officer__isnull=False,
                                               complaint__in=form.complaints().values("pk"))
        if form.cleaned_data.get("officer") is not None:  # the officer filter picks the row
            events = events.filter(officer=form.cleaned_data["officer"])
        return dict(events.order_by().values_list("officer_id").annotate(n=Count("complaint_id", distinct=True))
                    .values_list("officer_id", "n"))

    return per_officer(EventKind.RESOLVED), per_officer(EventKind.DISPUTED)


def escalations_received(form: ReportFilter) -> dict[int | None, int]:
    """Escalations in the period per receiving officer (None: escalated to nobody)."""
    officer = form.cleaned_data.get("officer")
    events = escalations.events(form, to_officer=officer, officer_filter=False)
    return dict(events.order_by().values_list("officer_id").annotate(n=Count("id")).values_list("officer_id", "n"))


def _hours(seconds: list[int], how) -> float | None:
    value = how(seconds) if seconds else None
    return None if value is None else value / 3600


def _row(form: ReportFilter, name: str, counts: dict[str, int], seconds: list[int], received: int,
         received_link: str | None, link_filters: dict | None, resolutions: int | None = None,
         disputes: int | None = None, officer: Officer | None = None) -> list[Cell]:
    def counted(key):
        n = counts[key]
        return Cell(n, form.list_url(key, **link_filters) if n and link_filters is not None else None)

    def by_event(n, field):
        if n is None:  # the total row: every officer's, which the columns above add up to
            return Cell(None)
        linked = n and link_filters is not None and officer is not None
        return Cell(n, form.list_url("all", **{field: officer}) if linked else None)

    return [
        Cell(name), counted("all"), counted("done"), counted("on_time"), counted("late"),
        Cell(share(counts["on_time"], counts["on_time"] + counts["late"])),
        counted("overdue"), Cell(compliance(counts["on_time"], counts["late"], counts["overdue"])),
        Cell(_hours(seconds, lambda s: sum(s) / len(s))), Cell(_hours(seconds, percentile)),
        counted("resolved_ever"), counted("reopened"), Cell(share(counts["reopened"], counts["resolved_ever"])),
        by_event(resolutions, "resolved_by"), by_event(disputes, "disputed_against"),
        Cell(share(disputes or 0, resolutions or 0)) if resolutions is not None else Cell(None),
        Cell(received, received_link if received else None),
    ]


def report(form: ReportFilter, dimension=None) -> Table:
    zero = dict.fromkeys(FIGURES, 0)
    groups = {(value.pk if value is not None else None): counts
              for value, counts in count_by(form, FIGURES, DIMENSIONS["officer"])}
    times = times_to_resolve(form)
    received = escalations_received(form)
    resolutions, disputes = judged(form)
    everyone = {*groups, *received, *resolutions, *disputes}
    officers = Officer.objects.in_bulk([pk for pk in everyone if pk is not None])
    table = Table(COLUMNS)
    for pk in everyone:
        officer = officers.get(pk)
        if pk is not None and officer is None:
            continue
        # A number links only where the viewer may report on the officer (a zonal officer sees the
        # complaints of their zone, but may not narrow a report to one officer).
        linkable = officer is not None and access.may_report_on(form.user, officer)
        table.rows.append(_row(
            form, label_of(DIMENSIONS["officer"], officer), groups.get(pk, zero), times.get(pk, []),
            received.get(pk, 0), escalations.link(form, officer) if linkable else None,
            {"officer": officer} if linkable else None,
            resolutions.get(pk, 0) if pk is not None else None, disputes.get(pk, 0) if pk is not None else None,
            officer,
        ))
    table.rows.sort(key=lambda cells: (cells[0].value == label_of(DIMENSIONS["officer"], None), cells[0].value))
    every_time = [s for seconds in times.values() for s in seconds]
    total_received = sum(received.values())
    officer = form.cleaned_data.get("officer")
    total_link = escalations.link(form, officer) if officer is not None else _register_link(form)
    table.total = _row(form, str(_("All")), count(form, FIGURES), every_time, total_received, total_link, {})
    return table


def _register_link(form: ReportFilter) -> str:
    from django.urls import reverse

    return reverse("reports:report", args=[escalations.SLUG]) + "?" + form.query(officer=None, at=form.now)
