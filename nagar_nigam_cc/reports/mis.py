"""The daily MIS: one A4 page for the commissioner with a day's figures and the ten worst overdue complaints,
in the city's language and English side by side.

- `mis_context(day, user=None)` counts everything as plain data. Every number is a figure of
  `reports.figures` counted through `reports.counting` over `ReportFilter.complaints()`, so it is the same
  number the desk's reports show; `user=None` is the whole city (the e-mailed MIS), a user gets what they
  may see (a department head downloading it gets their department's MIS).
- `render_pdf(day, user=None)` renders templates/reports/mis.html with WeasyPrint, always on one page
  (the department table is shortened, and the rest summed in one row, until it fits).
- `download(request)` is the desk's /desk/reports/mis/?date=YYYY-MM-DD (yesterday by default).
- `send_daily_mis(now=None)` is the periodic job: once the city's clock has passed the configured hour,
  it e-mails yesterday's MIS to the configured recipients, exactly once per day (see `send_mis`).

Figures of "the day" are counted over the city's calendar day (its midnight to the next); "now" figures
(open, overdue, escalated, the worst ten) at the moment the MIS is made, which the page prints.
"""
from __future__ import annotations

import logging
import time as clock
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.complaints import access
from nagar_nigam_cc.complaints.models import Channel, Status
from nagar_nigam_cc.directory import roles
from nagar_nigam_cc.reports.counting import DIMENSIONS, count, count_by
from nagar_nigam_cc.reports.figures import FIGURES, compliance
from nagar_nigam_cc.reports.filters import OPEN, ReportFilter, city_zone, day_start, today

logger = logging.getLogger(__name__)

#: The department table's rows before the rest are summed in one row; fewer if the page would overflow.
DEPARTMENT_ROWS = (18, 12, 8, 4)
WORST = 10
#: Longer names are cut (with "…") so that a row stays one line.
NAME_CHARS = 34

# --- words: each label in the city's language, then English ---------------------------------------------

LABELS = {
    "title": _("Daily MIS"),
    "default_city": _("Nagar Nigam Call Centre"),
    "day": _("Day"),
    "generated_at": _("Generated at"),
    "scope": _("Covers"),
    "whole_city": _("the whole city"),
    "day_not_over": _("the day is not over yet"),
    "registered": _("Complaints registered"),
    "resolved": _("Complaints resolved"),
    "closed": _("Complaints closed"),
    "open_now": _("Open now"),
    "overdue_now": _("Overdue now"),
    "escalated_now": _("Escalated now"),
    "the_day": _("on the day"),
    "by_channel": _("Registered on the day, by channel"),
    "compliance": _("SLA compliance"),
    "compliance_note": _("resolved within time ÷ (within time + late + open overdue), of complaints registered "
                         "in the period"),
    "last_7_days": _("Last 7 days"),
    "month_to_date": _("Month to date"),
    "on_time": _("within time"),
    "late": _("late"),
    "overdue": _("open overdue"),
    "departments": _("Departments"),
    "department": _("Department"),
    "registered_day": _("Registered on the day"),
    "open": _("Open"),
    "compliance_mtd": _("Compliance (month)"),
    "other_departments": _("Other departments"),
    "no_departments": _("No complaints."),
    "worst": _("The ten most overdue complaints"),
    "docket": _("Docket"),
    "category": _("Category"),
    "ward": _("Ward"),
    "officer": _("Officer"),
    "due": _("Due by"),
    "overdue_by": _("Overdue by"),
    "none_overdue": _("Nothing is overdue."),
    "nobody": _("not assigned"),
    "on_hold": _("on hold"),
    "footer": _("Counted from the complaints' records; open and overdue at the time it was generated."),
}


def both(message) -> str:
    """A label in the city's language, then in English ("हिंदी / English"); once if they are the same."""
    with translation.override(settings.LANGUAGE_CODE):
        first = str(message)
    with translation.override("en"):
        second = str(message)
    return first if first == second else f"{first} / {second}"


def both_names(obj) -> str:
    """A bilingual object's names (BilingualName): Hindi / English, once if they are the same."""
    if obj is None:
        return "—"
    hi, en = getattr(obj, "name_hi", ""), getattr(obj, "name_en", "")
    if not (hi or en):
        return str(obj)
    if settings.LANGUAGE_CODE.startswith("en"):
        hi, en = en, hi
    return hi if not en or hi == en else en if not hi else f"{hi} / {en}"


def _cut(text: str, limit: int = NAME_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _duration(delta: timedelta) -> str:
    """3 d 4 h, 5 h 20 m, 12 m: the same in both languages."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} m"
    return f"{minutes} m"


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment, city_zone()).strftime("%d.%m.%Y %H:%M") if moment else "—"


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{100 * share:.1f}%"


# --- who the MIS is for ----------------------------------------------------------------------------------

def system_user() -> User:
    """The scheduler's reader: sees the whole city (never saved; holds the commissioner's role)."""
    user = User(username="nnc-system", is_active=True, is_staff=True, is_superuser=True)
    access.remember_roles(user, (roles.COMMISSIONER,))
    return user


def _scope(user: User | None) -> str:
    if user is None or access.visibility(user) == Q():
        return both(LABELS["whole_city"])
    officer = access.officer_of(user)
    held = access.roles_of(user)
    if officer is not None:
        if roles.DEPARTMENT_HEAD in held and officer.department_id:
            return both_names(officer.department)
        if roles.ZONAL_OFFICER in held:
            zones = ", ".join(both_names(z) for z in officer.zones.order_by("pk"))
            return f"{zones} · {both_names(officer.department)}" if officer.department_id else zones
        return officer.name
    return user.get_username()


# --- the figures -----------------------------------------------------------------------------------------

def _form(user: User, now: datetime, **data) -> ReportFilter:
    # Every form counts at the same instant (`r-at`), so "overdue" means one thing across the page.
    params = {"r-at": now.isoformat(), **{f"r-{k}": v for k, v in data.items()}}
    form = ReportFilter(params, user=user)
    if not form.is_valid():  # nothing above names an object, so only a programming error gets here
        raise ValueError(form.errors.as_json())
    return form


def _period(user, now, start: date, end: date) -> ReportFilter:
    return _form(user, now, date_from=start.isoformat(), date_to=end.isoformat())


SLA_KEYS = ["all", "on_time", "late", "within_time", "overdue", "not_counted"]


def _compliance_block(form: ReportFilter, start: date, end: date) -> dict:
    counts = count(form, SLA_KEYS)
    return {"start": start, "end": end, **counts,
            "compliance": compliance(counts["on_time"], counts["late"], counts["overdue"])}


def _worst(open_form: ReportFilter, now: datetime, limit: int = WORST) -> list[dict]:
    """The most overdue open complaints: running late the longest, or stopped (on hold) late the longest."""
    overdue = open_form.complaints().filter(FIGURES["overdue"].q(now)).select_related(
        "category", "ward", "department", "assigned_to").only(
        "docket", "due_at", "paused_since", "category__name_hi", "category__name_en", "ward__number",
        "ward__name_hi", "ward__name_en", "department__name_hi", "department__name_en", "assigned_to__name")
    running = list(overdue.filter(paused_since__isnull=True).order_by("due_at", "pk")[:limit])
    # On hold: the clock stopped late, by paused_since - due_at (a duration on both databases).
    stopped = list(overdue.filter(paused_since__isnull=False)
                   .order_by((F("paused_since") - F("due_at")).desc(), "pk")[:limit])
    rows = []
    for c in running + stopped:
        late_by = (c.paused_since or now) - c.due_at
        rows.append({
            "docket": c.docket,
            "category": _cut(both_names(c.category), 40),
            "ward": _cut(f"{c.ward.number} · {both_names(c.ward)}", 26),
            "department": _cut(both_names(c.department), 26),
            "officer": _cut(c.assigned_to.name, 22) if c.assigned_to_id else None,
            "due_at": _local(c.due_at),
            "on_hold": c.paused_since is not None,
            "overdue_by": late_by,
            "overdue_by_text": _duration(late_by),
        })
    rows.sort(key=lambda row: (-row["overdue_by"].total_seconds(), row["docket"]))
    return rows[:limit]


def _departments(day_form, open_form, month_form) -> list[dict]:
    dept = DIMENSIONS["department"]
    rows: dict[int | None, dict] = {}

    def row(value):
        key = value.pk if value is not None else None
        if key not in rows:
            rows[key] = {"name": _cut(both_names(value)) if value is not None else "—", "registered": 0,
                         "open": 0, "overdue": 0, "on_time": 0, "late": 0, "month_overdue": 0}
        return rows[key]

    for value, counts in count_by(day_form, ["all"], dept):
        row(value)["registered"] = counts["all"]
    for value, counts in count_by(open_form, ["open", "overdue"], dept):
        row(value).update(open=counts["open"], overdue=counts["overdue"])
    for value, counts in count_by(month_form, ["on_time", "late", "overdue"], dept):
        row(value).update(on_time=counts["on_time"], late=counts["late"], month_overdue=counts["overdue"])
    out = []
    for r in rows.values():
        r["compliance"] = compliance(r["on_time"], r["late"], r["month_overdue"])
        out.append(r)
    # Where the trouble is first: most overdue, then most open, then by name.
    out.sort(key=lambda r: (-r["overdue"], -r["open"], -r["registered"], r["name"]))
    return out


def mis_context(day: date, *, user: User | None = None, now: datetime | None = None) -> dict:
    """The MIS of `day` as plain data (numbers, names, dates): for the whole city (`user=None`) or for what
    `user` may see. `now` is the instant "open"/"overdue" are counted at (default: now)."""
    now = now or timezone.now()
    reader = user if user is not None else system_user()
    day_form = _period(reader, now, day, day)
    week_start, month_start = day - timedelta(days=6), day.replace(day=1)
    week_form = _period(reader, now, week_start, day)
    month_form = _period(reader, now, month_start, day)
    open_form = _form(reader, now, status=OPEN)  # what is open now: a range of the report_open index
    all_form = _form(reader, now)

    start, end = day_start(day), day_start(day + timedelta(days=1))
    registered = count(day_form, ["all"])["all"]
    channels = dict(count_by(day_form, ["all"], DIMENSIONS["channel"]))
    by_channel = [{"key": key, "label": both(label), "count": channels.get(key, {"all": 0})["all"]}
                  for key, label in Channel.choices]
    most = max([c["count"] for c in by_channel] + [1])
    for c in by_channel:
        c["share"] = round(100 * c["count"] / most, 1)

    now_counts = open_form.complaints().aggregate(**{k: Count("pk", filter=FIGURES[k].q(now))
                                                      for k in ("open", "overdue", "escalated")})
    done = all_form.complaints().aggregate(
        resolved=Count("pk", filter=Q(resolved_at__gte=start, resolved_at__lt=end)),
        closed=Count("pk", filter=Q(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end)),
    )
    return {
        "day": day,
        "day_over": now >= end,
        "now": now,
        "scope": _scope(user),
        "whole_city": user is None or access.visibility(user) == Q(),
        "registered": registered,
        "by_channel": by_channel,
        "resolved": done["resolved"],
        "closed": done["closed"],
        "open": now_counts["open"],
        "overdue": now_counts["overdue"],
        "escalated": now_counts["escalated"],
        "week": _compliance_block(week_form, week_start, day),
        "month": _compliance_block(month_form, month_start, day),
        "departments": _departments(day_form, open_form, month_form),
        "worst": _worst(open_form, now),
    }


# --- the page --------------------------------------------------------------------------------------------

def _title() -> str:
    from nagar_nigam_cc.reports.models import ReportSettings

    return ReportSettings.current().mis_title or both(LABELS["default_city"])


def _shown_departments(rows: list[dict], limit: int) -> tuple[list[dict], dict | None]:
    if len(rows) <= limit:
        return rows, None
    shown, rest = rows[: limit - 1], rows[limit - 1:]
    other = {"name": f"{both(LABELS['other_departments'])} ({len(rest)})"}
    for key in ("registered", "open", "overdue", "on_time", "late", "month_overdue"):
        other[key] = sum(r[key] for r in rest)
    other["compliance"] = compliance(other["on_time"], other["late"], other["month_overdue"])
    return shown, other


def render_html(context: dict, *, department_rows: int = DEPARTMENT_ROWS[0]) -> str:
    departments, other = _shown_departments(context["departments"], department_rows)
    for r in [*departments, *([other] if other else [])]:
        r["compliance_text"] = _percent(r["compliance"])
        r["compliance_width"] = round(100 * r["compliance"], 1) if r["compliance"] is not None else 0
    page = {
        **context,
        "L": {key: both(label) for key, label in LABELS.items()},
        "city_title": _title(),
        "day_text": f"{context['day']:%d.%m.%Y}",
        "weekday": both_weekday(context["day"]),
        "generated_text": _local(context["now"]),
        "shown_departments": departments,
        "other_departments": other,
        "week_text": _percent(context["week"]["compliance"]),
        "month_text": _percent(context["month"]["compliance"]),
        "compact": department_rows < DEPARTMENT_ROWS[0],
        "lang": settings.LANGUAGE_CODE,
    }
    for block in ("week", "month"):
        share = context[block]["compliance"]
        page[f"{block}_width"] = round(100 * share, 1) if share is not None else 0
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string("reports/mis.html", page)


def both_weekday(day: date) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        first = formats.date_format(day, "l")
    with translation.override("en"):
        second = formats.date_format(day, "l")
    return first if first == second else f"{first} / {second}"


def render_document(context: dict):
    """The WeasyPrint document of the MIS, on one page: the department table shrinks until it fits."""
    from weasyprint import HTML

    document = None
    for rows in DEPARTMENT_ROWS:
        document = HTML(string=render_html(context, department_rows=rows)).render()
        if len(document.pages) == 1:
            return document
    logger.warning("daily MIS of %s does not fit on one page even with %s departments", context["day"], rows)
    return document


def render_pdf(day: date, user: User | None = None, *, now: datetime | None = None) -> bytes:
    return render_document(mis_context(day, user=user, now=now)).write_pdf()


def filename(day: date) -> str:
    return f"mis-{day:%Y-%m-%d}.pdf"


# --- the desk's download ---------------------------------------------------------------------------------

def parse_day(raw: str) -> date:
    """?date=YYYY-MM-DD; raises ValueError with the reason to show."""
    try:
        day = datetime.strptime(raw.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ValueError(_("The date must be a real day written YYYY-MM-DD, e.g. 2026-03-01.")) from None
    if day > today():
        raise ValueError(_("The MIS cannot be made for a day in the future."))
    return day


def download(request) -> HttpResponse:
    """The MIS of ?date=YYYY-MM-DD (yesterday by default) as a PDF, counted over what the viewer may see."""
    raw = request.GET.get("date", "")
    if raw:
        try:
            day = parse_day(raw)
        except ValueError as exc:
            return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    else:
        day = today() - timedelta(days=1)
    pdf = render_pdf(day, user=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(day)}"'
    return response


# --- the e-mail, exactly once per day --------------------------------------------------------------------

@dataclass(frozen=True)
class MisResult:
    #: sent | already_sent | busy | failed | disabled | no_recipients | not_yet
    outcome: str
    day: date | None = None
    detail: str = ""
    pdf_bytes: int = 0
    render_seconds: float = 0.0

    def __str__(self) -> str:
        day = f" {self.day:%Y-%m-%d}" if self.day else ""
        return f"daily MIS{day}: {self.outcome}" + (f" ({self.detail})" if self.detail else "")


def _message(day: date, context: dict, pdf: bytes, recipients: list[str], title: str) -> EmailMessage:
    day_text = f"{day:%d.%m.%Y}"
    subject = f"{both(LABELS['title'])} — {day_text} — {title}"
    lines = [
        f"{both(LABELS['title'])} — {day_text}",
        "",
        f"{both(LABELS['registered'])}: {context['registered']}",
        f"{both(LABELS['resolved'])}: {context['resolved']}",
        f"{both(LABELS['closed'])}: {context['closed']}",
        f"{both(LABELS['open_now'])}: {context['open']}",
        f"{both(LABELS['overdue_now'])}: {context['overdue']}",
        f"{both(LABELS['escalated_now'])}: {context['escalated']}",
        f"{both(LABELS['compliance'])} ({both(LABELS['month_to_date'])}): "
        f"{_percent(context['month']['compliance'])}",
        "",
        both(_("The full MIS is attached (PDF).")),
    ]
    # A mail server that hangs must not hold the day's claim (and, on SQLite, the database) for long.
    backend = get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or 60)
    mail = EmailMessage(subject=subject, body="\n".join(lines), from_email=settings.DEFAULT_FROM_EMAIL,
                        to=recipients, connection=backend)
    mail.attach(filename(day), pdf, "application/pdf")
    return mail


def send_mis(day: date, *, recipients: list[str], now: datetime | None = None, force: bool = False) -> MisResult:
    """E-mail the MIS of `day` to `recipients`, unless it was sent already (`force`: send again).

    Exactly once: each day has one MisDelivery row (unique `day`). The sender locks it (SELECT … FOR
    UPDATE, SKIP LOCKED where the database has it), checks it is not sent, sends, and marks it sent in the
    same transaction; another scheduler running at once finds it locked (busy) or, after the commit, sent.
    A failed e-mail records the error and leaves the row unsent, so the next run tries again. (Only a
    crash between the mail server's acceptance and the commit could send it twice.)
    """
    from nagar_nigam_cc.reports.models import MisDelivery

    now = now or timezone.now()
    if not force and MisDelivery.objects.filter(day=day, sent_at__isnull=False).exists():
        return MisResult("already_sent", day)
    # Rendered before the claim, so no lock is held meanwhile (on SQLite the claim locks the database).
    started = clock.perf_counter()
    context = mis_context(day, now=now)
    pdf = render_document(context).write_pdf()
    took = clock.perf_counter() - started
    title = _title()
    MisDelivery.objects.get_or_create(day=day)
    skip_locked = connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        row = MisDelivery.objects.select_for_update(skip_locked=skip_locked).filter(day=day).first()
        if row is None:
            return MisResult("busy", day, "another scheduler is sending it")
        if row.sent_at is not None and not force:
            return MisResult("already_sent", day)
        row.attempts += 1
        row.last_attempt_at = timezone.now()
        try:
            _message(day, context, pdf, recipients, title).send()
        except Exception as exc:  # noqa: BLE001 - any failure of the mail backend: recorded, retried next run
            logger.exception("daily MIS of %s: sending failed (attempt %s); the next run tries again",
                             day, row.attempts)
            row.error = f"{type(exc).__name__}: {exc}"[:1000]
            row.save(update_fields=["attempts", "last_attempt_at", "error"])
            return MisResult("failed", day, row.error, len(pdf), took)
        row.sent_at = timezone.now()
        row.recipients = "\n".join(recipients)
        row.error = ""
        row.save(update_fields=["attempts", "last_attempt_at", "error", "sent_at", "recipients"])
    logger.info("daily MIS of %s sent to %s (%s bytes, rendered in %.2fs)", day, len(recipients), len(pdf), took)
    return MisResult("sent", day, ", ".join(recipients), len(pdf), took)


def send_daily_mis(now: datetime | None = None) -> MisResult:
    """The periodic job: after the configured hour (city time), e-mail yesterday's MIS once."""
    from nagar_nigam_cc.reports.models import ReportSettings

    now = now or timezone.now()
    rules = ReportSettings.current()
    if not rules.mis_enabled:
        return MisResult("disabled")
    recipients = rules.recipients
    if not recipients:
        return MisResult("no_recipients")
    local = timezone.localtime(now, city_zone())
    day = local.date() - timedelta(days=1)
    if local.hour < rules.mis_hour:
        return MisResult("not_yet", day)
    return send_mis(day, recipients=recipients, now=now)
