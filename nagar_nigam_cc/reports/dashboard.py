"""The desk's home page (/desk/): today's registrations, what is open now, this week's SLA compliance
against last week's, the age of open complaints, and the categories and wards with most complaints —
scoped to what the viewer may see, every number a link to exactly the complaints it counts.

Each panel is one query over the report indexes (complaints.models, complaint_report_*), counted with
the report figures' own `Q` (figures.py) through `counting`, on a `ReportFilter` built like the links'
ones and pinned to one instant, so a number and the list its link opens cannot disagree. The functions
here return plain data; `dashboard_callback` (unfold's DASHBOARD_CALLBACK) puts it in the index page's
context and `reports/dashboard.html` draws it.

Query plans on MariaDB (EXPLAIN, 1 M complaints), all "Using index" — the rows are never read:
- open now: a range of complaint_report_open on status (the four open statuses); overdue, escalated and
  the age buckets are columns of that index, counted conditionally;
- today's channels, the two weeks' SLA outcomes, top categories and top wards: a range of
  complaint_report_period on registered_at; department, zone, ward, category, channel, status, officer
  and the SLA columns are in the index (grouping adds "Using temporary").
Left alone, MariaDB answers a zonal officer's or a head's period counts from (zone, registered_at) or
(department, registered_at) and reads every row; `counting.report_index` names the report index instead. A
field officer's open-now count uses complaint_officer_status (assigned_to, status) and reads their own
few rows ("Using index condition"): cheaper than walking every open complaint in the report index.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Case, CharField, Count, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.complaints.models import Channel
from nagar_nigam_cc.reports.counting import DIMENSIONS, count_by, label_of, report_index
from nagar_nigam_cc.reports import figures
from nagar_nigam_cc.reports.figures import AGE_BUCKETS, AGE_RANGES, FIGURES, SLA_OUTCOMES, compliance
from nagar_nigam_cc.reports.filters import OPEN, ReportFilter
from nagar_nigam_cc.reports.filters import today as city_today

#: How many categories and wards the "top" panels show, and over how many days (today included).
TOP_N = 10
TOP_DAYS = 30

OPEN_NOW_FIGURES = ["open", "overdue", "escalated", *AGE_BUCKETS]
WEEK_FIGURES = ["all", *SLA_OUTCOMES, "not_counted"]
TOP_FIGURES = ["all", "overdue"]

AGE_LABELS = {"age_0_1": _("0–1 days"), "age_1_3": _("1–3 days"), "age_3_7": _("3–7 days"),
              "age_7": _("over 7 days")}


@dataclass(frozen=True)
class Number:
    """One figure on the dashboard and the desk's list of exactly the complaints it counts."""
    key: str
    label: Any
    value: int
    link: str


@dataclass
class Week:
    label: Any
    start: date
    end: date  # the last day counted (today for the current week)
    numbers: dict[str, Number] = field(default_factory=dict)

    @property
    def compliance(self) -> float | None:
        n = self.numbers
        return compliance(n["on_time"].value, n["late"].value, n["overdue"].value)

    @property
    def outcomes(self) -> list[Number]:
        return [self.numbers[key] for key in SLA_OUTCOMES]

    @property
    def bar(self) -> list[tuple[Number, float]]:
        """The four outcomes as shares (percent) of a stacked bar."""
        total = sum(n.value for n in self.outcomes)
        return [(n, round(100 * n.value / total, 1) if total else 0) for n in self.outcomes]


@dataclass
class Ranked:
    """A category or ward among the top ones: its complaints in the period and, of those, the open
    overdue ones; `share` is its bar's length (percent of the first one's)."""
    name: str
    registered: Number
    overdue: Number
    share: int = 0


def _form(user, now: datetime, **filters) -> ReportFilter:
    """The report filters (names as ReportFilter's fields) pinned to `now`: every figure on the page and
    every link it makes is counted at this one instant (the links carry it as `r-at`)."""
    data = {f"r-{name}": value.isoformat() if hasattr(value, "isoformat") else value
            for name, value in filters.items()}
    data["r-at"] = now.isoformat()
    form = ReportFilter(data, user=user)
    if not form.is_valid():  # the dashboard names no object, so nothing can be refused
        raise ValueError(form.errors.as_text())
    return form




def registrations_today(user, now: datetime) -> tuple[list[Number], Number]:
    """Complaints registered today (the city's day), by channel — every channel, zero or not — and
    their total. One grouped query."""
    today = city_today(now)
    form = _form(user, now, date_from=today, date_to=today)
    grouped = count_by(form, ["all"], DIMENSIONS["channel"])
    counts = {value: row["all"] for value, row in grouped}
    by_channel = [Number(value, label, counts.get(value, 0), form.list_url("all", channel=value))
                  for value, label in Channel.choices]
    total = Number("all", _("registered today"), sum(counts.values()), form.list_url("all"))
    return by_channel, total


def open_now(user, now: datetime) -> dict[str, Number]:
    """Open, open overdue, open escalated, and the open ones by age: one query over the open complaints
    (status range of complaint_report_open), grouped by age bucket, overdue and escalated counted in
    each group. Within "open" (the query's filter) a bucket's condition is figures.age_between, overdue's
    figures.clock_ran_out and escalated's figures.above_first_rung — each figure's own Q less the "open"
    the filter already holds, so each row is tested once for being open instead of seven times (0.8 s →
    0.4 s over 500,000 open complaints); open and overdue are the sums over the buckets, which cover
    every age once. The links carry the figures themselves, so each list is exactly its number."""
    form = _form(user, now, status=OPEN)
    # Youngest first, each When only its lower edge: under the filter (registered_at <= now) and in this
    # order, the same as each bucket's figures.age_between (the tests compare every bucket with its list).
    *younger, (oldest, _low, _high) = AGE_RANGES
    bucket = Case(*[When(registered_at__gt=now - timedelta(days=high), then=Value(key)) for key, _low, high in younger],
                  default=Value(oldest), output_field=CharField())
    counts = dict.fromkeys(OPEN_NOW_FIGURES, 0)
    with report_index(form):
        rows = (form.complaints().order_by().annotate(bucket=bucket).values("bucket")
                .annotate(n=Count("pk"), overdue=Count("pk", filter=figures.clock_ran_out(now)),
                          escalated=Count("pk", filter=figures.above_first_rung())))
        for row in rows:
            counts[row["bucket"]] += row["n"]
            counts["open"] += row["n"]
            counts["overdue"] += row["overdue"]
            counts["escalated"] += row["escalated"]
    labels = {"open": _("open"), "overdue": _("open overdue"), "escalated": _("escalated"), **AGE_LABELS}
    return {key: Number(key, labels[key], counts[key], form.list_url(key, status=None)) for key in OPEN_NOW_FIGURES}


def weeks(user, now: datetime) -> tuple[Week, Week]:
    """SLA outcomes of the complaints registered this week (Monday to today) and last week (Monday to
    Sunday), city time: one query over both weeks' registrations, grouped by week (registered since this
    Monday's midnight or not: under the two weeks' filter, exactly each week's own period), each figure
    counted with its own Q — what each link's list applies with that week's period."""
    today = city_today(now)
    this_monday = today - timedelta(days=today.weekday())
    last_monday = this_monday - timedelta(days=7)
    this = Week(_("this week"), this_monday, today)
    last = Week(_("last week"), last_monday, this_monday - timedelta(days=1))
    both = _form(user, now, date_from=last_monday, date_to=today)
    week_forms = [(name, week, _form(user, now, date_from=week.start, date_to=week.end))
                  for name, week in (("this", this), ("last", last))]
    which = Case(When(registered_at__gte=both.period()[0] + timedelta(days=7), then=Value("this")),
                 default=Value("last"), output_field=CharField())
    counts = {"this": dict.fromkeys(WEEK_FIGURES, 0), "last": dict.fromkeys(WEEK_FIGURES, 0)}
    with report_index(both):
        rows = (both.complaints().order_by().annotate(week=which).values("week")
                .annotate(**{key: Count("pk", filter=FIGURES[key].q(now)) for key in WEEK_FIGURES}))
        for row in rows:
            counts[row.pop("week")].update(row)
    for name, week, form in week_forms:
        for key in WEEK_FIGURES:
            week.numbers[key] = Number(key, FIGURES[key].label, counts[name][key], form.list_url(key))
    return this, last


def tops(user, now: datetime, dimension_keys=("category", "ward")) -> dict[str, list[Ranked]]:
    """For each dimension (category, ward), the `TOP_N` values with most complaints registered in the last
    `TOP_DAYS` days, with their open overdue ones: ONE query grouped by both dimensions at once (the
    period is read once, not once per dimension), folded here into each dimension's sums (and one query
    for each dimension's names). A value's counts are the sums of its groups, each counted with the
    figure's own Q, so the link's list (the figure, the period and the value) is exactly the sum."""
    today = city_today(now)
    form = _form(user, now, date_from=today - timedelta(days=TOP_DAYS - 1), date_to=today)
    dimensions = [DIMENSIONS[key] for key in dimension_keys]
    columns = [d.column for d in dimensions]
    sums: dict[str, dict] = {key: {} for key in dimension_keys}
    with report_index(form):
        rows = (form.complaints().order_by().values(*columns)
                .annotate(**{key: Count("pk", filter=FIGURES[key].q(form.now)) for key in TOP_FIGURES}))
        for row in rows:
            for key, column in zip(dimension_keys, columns):
                counts = sums[key].setdefault(row[column], dict.fromkeys(TOP_FIGURES, 0))
                for figure in TOP_FIGURES:
                    counts[figure] += row[figure]
    out = {}
    for key, dimension in zip(dimension_keys, dimensions):
        objects = dimension.model.objects.in_bulk([pk for pk in sums[key] if pk is not None])
        ranked = []
        for pk, counts in sums[key].items():
            value = objects.get(pk)
            if value is None:  # category and ward are never empty; no filter could select "none"
                continue
            link = {key: value}
            ranked.append(Ranked(label_of(dimension, value),
                                 Number("all", FIGURES["all"].label, counts["all"], form.list_url("all", **link)),
                                 Number("overdue", FIGURES["overdue"].label, counts["overdue"],
                                        form.list_url("overdue", **link))))
        ranked.sort(key=lambda r: (-r.registered.value, -r.overdue.value, r.name))
        ranked = ranked[:TOP_N]
        for r in ranked:
            r.share = _share(r.registered.value, ranked[0].registered.value)
        out[key] = ranked
    return out


def _bar_chart(label: str, numbers: list[Number]) -> str:
    """Data for unfold's bar chart component (Chart.js, bundled with unfold)."""
    return json.dumps({
        "labels": [str(n.label) for n in numbers],
        "datasets": [{"label": label, "data": [n.value for n in numbers],
                      "backgroundColor": "var(--color-primary-600)", "displayYAxis": True}],
    }, ensure_ascii=False)


def _share(value: int, most: int) -> int:
    """A bar's length in percent of the longest."""
    return round(100 * value / most) if most else 0


def dashboard(user, now: datetime | None = None) -> dict[str, Any]:
    """Everything the home page shows, as plain data: 6 queries (4 panels, 2 name look-ups)."""
    now = now or timezone.now()
    channels, today_total = registrations_today(user, now)
    open_numbers = open_now(user, now)
    this_week, last_week = weeks(user, now)
    top_rows = tops(user, now)
    top_categories, top_wards = top_rows["category"], top_rows["ward"]
    ages = [open_numbers[key] for key in AGE_BUCKETS]
    from nagar_nigam_cc.reports.views import REPORTS  # views imports much; only the page needs it

    return {
        "now": now,
        "today": city_today(now),
        "channels": channels,
        "channels_chart": _bar_chart(str(_("registered today")), channels),
        "today_total": today_total,
        "open_big": [open_numbers[key] for key in ("open", "overdue", "escalated")],
        "ages": ages,
        "ages_chart": _bar_chart(str(_("open complaints")), ages),
        "weeks": [this_week, last_week],
        "tops": [
            {"key": "category", "title": _("Top categories"), "label": DIMENSIONS["category"].label,
             "rows": top_categories},
            {"key": "ward", "title": _("Top wards"), "label": DIMENSIONS["ward"].label, "rows": top_wards},
        ],
        "top_days": TOP_DAYS,
        "reports": [{"title": r.title, "description": r.description, "url": reverse("reports:report", args=[r.slug])}
                    for r in REPORTS.values()],
        "reports_url": reverse("reports:index"),
        "mis_url": reverse("reports:mis"),
    }


def dashboard_callback(request, context: dict[str, Any]) -> dict[str, Any]:
    """unfold's DASHBOARD_CALLBACK: the desk's index page with the dashboard above the app list."""
    context["dashboard"] = dashboard(request.user)
    return context
