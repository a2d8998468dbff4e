"""The escalation register: every escalation in the period (ESCALATED events, by the time they happened),
newest first, on the complaints the viewer may see and the filters select.

Unlike the other reports, the period here is the events' time, not the complaints' registration: an
escalation this month of a complaint registered last month is in this month's register. The other filters
(zone, ward, department, category, officer — the complaint's assignee —, channel, status) select the
complaints, as everywhere. `to=<officer>` narrows it to the escalations an officer received (the officer
scorecard's "escalations received" links here, with exactly the events it counted).

The page shows PER_PAGE rows at a time; the CSV and Excel exports stream every row, read from the database
in keyset chunks (newest first, CHUNK at a time), so memory stays flat for 100,000 rows on any database
(mysqlclient reads a whole result set into memory, so `.iterator()` alone is not enough on MariaDB).
"""
from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.complaints import access
from nagar_nigam_cc.complaints.models import Complaint, ComplaintEvent, EventKind
from nagar_nigam_cc.directory.models import Officer
from nagar_nigam_cc.exports import newest_first
from nagar_nigam_cc.reports.filters import ReportFilter
from nagar_nigam_cc.reports.tables import Cell, Column, Table

PER_PAGE = 100
CHUNK = 2000
SLUG = "escalations"

COLUMNS = [
    Column("docket", _("docket number"), "text"),
    Column("level", _("level")),
    Column("from_officer", _("from officer"), "text"),
    Column("to_officer", _("to officer"), "text"),
    Column("at", _("escalated at"), "datetime"),
    Column("reason", _("reason"), "text"),
    Column("note", _("note"), "text"),
]
_FIELDS = ("id", "at", "complaint_id", "complaint__docket", "officer_id", "data", "note")


def complaint_q(form: ReportFilter, *, officer: bool = True) -> Q:
    """The form's filters on the complaint without its period (which, for events, is the events' time);
    without the officer (assignee) filter when `officer` is False."""
    saved = form.cleaned_data
    form.cleaned_data = {**saved, "date_from": None, "date_to": None, "figure": "",
                         **({} if officer else {"officer": None})}
    try:
        return form.q(figure=False)
    finally:
        form.cleaned_data = saved


def events(form: ReportFilter, *, to_officer: Officer | None = None, officer_filter: bool = True
           ) -> QuerySet[ComplaintEvent]:
    """The escalations in the form's period (by event time, up to the instant counted at) of the complaints
    the viewer may see and the filters select; only those to `to_officer` when given."""
    complaints = access.visible_complaints(form.user, Complaint.objects.filter(complaint_q(form, officer=officer_filter)))
    queryset = ComplaintEvent.objects.filter(kind=EventKind.ESCALATED, at__lte=form.now,
                                             complaint__in=complaints.values("pk"))
    period = form.period()
    if period:
        queryset = queryset.filter(at__gte=period[0], at__lt=period[1])
    if to_officer is not None:
        queryset = queryset.filter(officer=to_officer)
    return queryset


def link(form: ReportFilter, to_officer: Officer) -> str:
    """The register of the escalations `to_officer` received, as counted now (the scorecard's link)."""
    params = form.query(officer=None, at=form.now)
    return reverse("reports:report", args=[SLUG]) + f"?{params}&to={to_officer.pk}"


def reason(data: dict) -> str:
    """Why it was escalated, in the reader's language."""
    if data.get("reason") == "citizen disputed":
        return gettext("citizen disputed the resolution")
    if "step" in data:
        return gettext("time limit ran out (escalation ladder)")
    return str(data.get("reason", ""))


def _values(row, names: dict[int, str]) -> list:
    _id, at, _complaint, docket, to_id, data, note = row
    data = data or {}
    from_id = data.get("from_officer")
    return [docket, data.get("level"), names.get(from_id, "—") if from_id else "—",
            names.get(to_id, "—") if to_id else "—", at, reason(data), gettext(note) if note else ""]


def _officer_names() -> dict[int, str]:
    return dict(Officer.objects.values_list("pk", "name"))


def stream(queryset: QuerySet[ComplaintEvent], *, chunk: int = CHUNK) -> Iterator[list]:
    """Every row, newest first, read CHUNK rows at a time after the last one read (keyset)."""
    names = _officer_names()
    for row in newest_first(queryset, "at", _FIELDS, chunk=chunk):
        yield _values(row, names)


def recipient(request, form: ReportFilter) -> Officer | None:
    """The `to=` officer, if any: refused (403) when the viewer may not report on them."""
    raw = request.GET.get("to", "") if request is not None else ""
    if not raw:
        return None
    try:
        officer = Officer.objects.get(pk=int(raw))
    except (ValueError, Officer.DoesNotExist):
        raise Http404(_("No such officer.")) from None
    if not access.may_report_on(form.user, officer):
        raise PermissionDenied(_("You may not see reports on %(object)s.") % {"object": officer})
    return officer


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1"))) if request is not None else 1
    except ValueError:
        return 1


def report(form: ReportFilter, dimension=None, *, request=None) -> Table:
    to_officer = recipient(request, form)
    queryset = events(form, to_officer=to_officer)
    number = _page_number(request)
    names = _officer_names()
    shown = list(queryset.order_by("-at", "-id").values_list(*_FIELDS)[(number - 1) * PER_PAGE: number * PER_PAGE + 1])
    table = Table(COLUMNS, stream=lambda: stream(queryset))
    for row in shown[:PER_PAGE]:
        values = _values(row, names)
        cells = [Cell(value) for value in values]
        cells[0] = Cell(values[0], reverse("admin:complaints_complaint_change", args=[row[2]]))
        table.rows.append(cells)
    # The pages and exports of this register: the same filters, instant and recipient.
    query = form.query(at=form.now) + (f"&to={to_officer.pk}" if to_officer is not None else "")
    table.extra = {
        "register_count": queryset.count(), "register_query": query, "page_number": number, "per_page": PER_PAGE,
        "has_next": len(shown) > PER_PAGE, "has_previous": number > 1, "recipient": to_officer,
    }
    return table
