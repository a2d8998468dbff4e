"""The desk's report pages (/desk/reports/…): thin views over the report functions.

Each report reads the shared filters (filters.ReportFilter), builds a tables.Table and renders it as a
page, a CSV or an Excel file (`?format=`). Filters naming what the viewer may not see: 403 with the
reason; malformed ones (reversed or year-long periods): 400 with the reason; exports without the export
permission: 403.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.exports import csv_lines, xlsx_file
from nagar_nigam_cc.reports import escalations, listing, rankings, satisfaction, scorecard, sla, trends
from nagar_nigam_cc.reports.counting import DIMENSIONS
from nagar_nigam_cc.reports.figures import SLA_OUTCOMES
from nagar_nigam_cc.reports.filters import ReportFilter
from nagar_nigam_cc.reports.tables import Chart, Table

EXPORT_PERMISSION = "complaints.export_complaint"
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Report:
    slug: str
    title: object
    description: object
    #: build(form, dimension or None) -> Table
    build: Callable
    dimensions: tuple[str, ...] = ()
    default_dimension: str | None = None
    #: chart(table) -> tables.Chart or None: drawn above the table (reports/_chart.html).
    chart: Callable | None = None
    #: True: build(form, dimension, request=request), for reports reading more of the request (a page).
    reads_request: bool = False
    template: str = "reports/report.html"


REPORTS: dict[str, Report] = {}


def register(report: Report) -> Report:
    REPORTS[report.slug] = report
    return report


#: The SLA outcomes' colours in charts: within time green, late amber, open blue, overdue red.
OUTCOME_COLOURS = {"on_time": "#16a34a", "late": "#f59e0b", "within_time": "#3b82f6", "overdue": "#dc2626"}


def sla_chart(table: Table) -> Chart | None:
    """The four outcomes per row, stacked."""
    if not table.rows:
        return None
    at = {column.key: index for index, column in enumerate(table.columns)}
    labels = {column.key: column.label for column in table.columns}
    return Chart("bar", [row[0].value for row in table.rows], [
        {"label": labels[key], "data": [row[at[key]].value for row in table.rows], "color": OUTCOME_COLOURS[key]}
        for key in SLA_OUTCOMES
    ], stacked=True)


register(Report(
    "sla", _("SLA compliance"),
    _("Complaints registered in the period: resolved within time, resolved late, open within time and open "
      "overdue. Open overdue complaints count as failures."),
    sla.report, dimensions=("department", "zone", "ward", "category", "officer", "channel"),
    default_dimension="department", chart=sla_chart,
))
register(Report(
    "officers", _("Officer scorecard"),
    _("Per officer, the complaints registered in the period and assigned to them: resolved, on time, working "
      "hours to resolve (average and 90th percentile), reopened and disputed; and the escalations they "
      "received in the period."),
    scorecard.report,
))
register(Report(
    "departments", _("Department ranking"),
    _("Departments ranked by the share of complaints registered in the period that met their time limit, "
      "worst first. Open overdue complaints count as failures."),
    rankings.departments, chart=rankings.chart,
))
register(Report(
    "wards", _("Ward ranking"),
    _("Wards ranked by the share of complaints registered in the period that met their time limit, worst "
      "first. Open overdue complaints count as failures."),
    rankings.wards, chart=rankings.chart,
))
register(Report(
    "trends", _("Weekly trends"),
    _("Complaints registered in each week of the period (weeks start on Monday), per category."),
    trends.report, dimensions=("category", "department", "zone", "ward", "channel"),
    default_dimension="category", chart=trends.chart,
))
register(Report(
    "escalations", _("Escalation register"),
    _("Every escalation in the period, newest first: the period is when the complaint was escalated. The "
      "exports hold every row."),
    escalations.report, reads_request=True, template="reports/register.html",
))
register(Report(
    "satisfaction", _("Citizen satisfaction"),
    _("Complaints registered in the period and resolved: whether the citizen confirmed or disputed the "
      "resolution (their last answer), or did not answer; and how many were reopened."),
    satisfaction.report, dimensions=("department", "zone", "ward", "category", "officer", "channel"),
    default_dimension="department",
))


def may_export(user) -> bool:
    return user.has_perm(EXPORT_PERMISSION)


def check_export(request) -> str | None:
    """The export format asked for (None for the page); refuses users without the export permission."""
    wanted = request.GET.get("format", "")
    if not wanted:
        return None
    if wanted not in FORMATS:
        raise Http404(_("Unknown export format."))
    if not may_export(request.user):
        raise PermissionDenied(_("You may not export reports: ask the administrator for the export permission."))
    return wanted


def _filter_form(request) -> tuple[ReportFilter, int]:
    """The filters, and the HTTP status to answer with (200, or 400/403 with the form's errors shown)."""
    form = ReportFilter(request.GET, user=request.user, default_period=True)
    if form.is_valid():
        return form, 200
    return form, 403 if form.refused else 400


def _filename(slug: str, form: ReportFilter) -> str:
    start, end = form.cleaned_data.get("date_from"), form.cleaned_data.get("date_to")
    period = f"-{start:%Y%m%d}-{end:%Y%m%d}" if start else ""
    return f"{slug}{period}"


def table_response(table: Table, *, fmt: str, filename: str, title: str, heading: str):
    header = [str(column.label) for column in table.columns]
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(header, table.plain_rows()), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    spool = xlsx_file(title, header, table.plain_rows(), heading=heading)
    return FileResponse(spool, as_attachment=True, filename=f"{filename}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def report_page(request, slug: str):
    report = REPORTS.get(slug)
    if report is None:
        raise Http404(_("No such report."))
    fmt = check_export(request)
    form, status = _filter_form(request)
    dimension = None
    if report.dimensions:
        key = request.GET.get("by") or report.default_dimension
        if key not in report.dimensions:
            raise Http404(_("This report cannot be grouped that way."))
        dimension = DIMENSIONS[key]
    table = None
    if status == 200:
        table = (report.build(form, dimension, request=request) if report.reads_request
                 else report.build(form, dimension))
    if table is not None and fmt:
        heading = f"{report.title} — {form.describe()}"
        return table_response(table, fmt=fmt, filename=_filename(slug, form), title=str(report.title),
                              heading=heading)
    context = {
        **admin.site.each_context(request),
        "title": report.title,
        "report": report,
        "reports": REPORTS.values(),
        "form": form,
        "table": table,
        "dimension": dimension,
        "dimensions": [DIMENSIONS[key] for key in report.dimensions],
        "may_export": may_export(request.user),
        "query": form.query() if status == 200 else "",
        "counted_at": timezone.localtime(form.now) if status == 200 else None,
        "chart": report.chart(table) if table is not None and report.chart is not None else None,
        **(table.extra if table is not None else {}),
    }
    form.offer_only_the_viewers()
    return TemplateResponse(request, report.template, context, status=status)


def complaints_export(request):
    """The complaints behind any figure (the click-through's filters), as CSV or Excel, streamed."""
    fmt = check_export(request)
    if fmt is None:
        raise Http404(_("Say which format: ?format=csv or ?format=xlsx."))
    form = ReportFilter(request.GET, user=request.user)
    if not form.is_valid():
        if form.refused:
            raise PermissionDenied(" ".join(str(e) for errors in form.errors.values() for e in errors))
        return TemplateResponse(request, "reports/report.html", {
            **admin.site.each_context(request), "title": _("Export complaints"), "form": form,
            "reports": REPORTS.values(),
        }, status=400)
    queryset = form.complaints()
    name = _filename("complaints", form)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(listing.header(), listing.rows(queryset)),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    spool = xlsx_file(str(_("complaints")), listing.header(), listing.rows(queryset), heading=form.describe())
    return FileResponse(spool, as_attachment=True, filename=f"{name}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def index(request):
    return TemplateResponse(request, "reports/index.html", {
        **admin.site.each_context(request), "title": _("Reports"), "reports": REPORTS.values(),
    })


def mis_download(request):
    """The daily MIS PDF (reports.mis), for a day (?date=YYYY-MM-DD, yesterday by default)."""
    from nagar_nigam_cc.reports import mis

    return mis.download(request)
