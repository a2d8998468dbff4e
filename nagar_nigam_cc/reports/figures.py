"""What each figure of a report counts, as one filter on Complaint.

A report's number and the list behind it are the same `Q`: the report counts it with
`Count(..., filter=q)`, the click-through filters the desk's complaint list with it (see
`filters.ReportFilter` and complaints.admin.ReportFigureFilter). Both are evaluated at the same instant
(`now`, carried in the link), so the count and the list agree exactly, even for "overdue", which
changes with the clock.

SLA outcome of a complaint (the issue's four, open overdue counted as a failure, unlike peers' reports):
- resolved within time: resolved or closed, resolved_at <= due_at (or no time limit);
- resolved late: resolved or closed, resolved_at > due_at;
- open within time: still open and its clock has not run out;
- open overdue: still open and its clock ran out: due_at < now, or — on hold, the clock stopped —
  due_at < the moment it stopped (paused_since).
Rejected and duplicate complaints are none of these: they are shown apart ("not counted").
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.complaints.models import FINAL_STATUSES, OPEN_STATUSES, ComplaintEvent, EventKind, Status

DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)
NOT_COUNTED_STATUSES = (Status.REJECTED, Status.DUPLICATE)


def is_open() -> Q:
    return Q(status__in=OPEN_STATUSES)


def clock_ran_out(now: datetime) -> Q:
    """Its clock has run out (before it was stopped, if it is on hold); `overdue` without "open"."""
    running = Q(paused_since__isnull=True, due_at__lt=now)
    stopped_late = Q(paused_since__isnull=False, due_at__lt=F("paused_since"))
    return running | stopped_late


def overdue(now: datetime) -> Q:
    """Open, and its clock has run out (before it was stopped, if it is on hold)."""
    return is_open() & clock_ran_out(now)


def within_time(now: datetime) -> Q:
    return is_open() & ~overdue(now)


def resolved_on_time() -> Q:
    return Q(status__in=DONE_STATUSES, resolved_at__isnull=False) & (
        Q(due_at__isnull=True) | Q(resolved_at__lte=F("due_at")))


def resolved_late() -> Q:
    return Q(status__in=DONE_STATUSES, resolved_at__isnull=False, due_at__isnull=False,
             resolved_at__gt=F("due_at"))


def above_first_rung() -> Q:
    return Q(escalation_level__gt=0)


def escalated() -> Q:
    """Open and above the first rung of its ladder."""
    return is_open() & above_first_rung()


def age_between(now: datetime, low_days: int, high_days: int | None) -> Q:
    """Registered between `low_days` and `high_days` days before `now` (high excluded); `aged` without "open"."""
    q = Q(registered_at__lte=now - timedelta(days=low_days))
    if high_days is not None:
        q &= Q(registered_at__gt=now - timedelta(days=high_days))
    return q


def aged(now: datetime, low_days: int, high_days: int | None) -> Q:
    """Open, registered between `low_days` and `high_days` days ago (high excluded)."""
    return is_open() & age_between(now, low_days, high_days)


#: The age buckets of open complaints: (figure, low days, high days). They cover every age once.
AGE_RANGES = (("age_0_1", 0, 1), ("age_1_3", 1, 3), ("age_3_7", 3, 7), ("age_7", 7, None))


# --- figures read from the timeline (ComplaintEvent) ---------------------------------------------------
# Each is an Exists (or a scalar subquery) over the complaint's own events, read through the
# (complaint, at) index. Only events at or before `now` count, so a link clicked later still lists exactly
# the complaints that were counted, whatever happened to them since.

#: Citizens' answers to a resolution.
ANSWER_KINDS = (EventKind.CONFIRMED, EventKind.DISPUTED)
#: The events that take a resolved or closed complaint back to work: an agent or supervisor reopening it
#: on the citizen's word (do_reopen), or the citizen disputing the resolution (do_dispute, which also
#: escalates it).
REOPENING_KINDS = (EventKind.REOPENED, EventKind.DISPUTED)


def has_event(now: datetime, *kinds: str) -> Q:
    """The complaint has an event of one of `kinds` at or before `now`."""
    return Q(Exists(ComplaintEvent.objects.filter(complaint=OuterRef("pk"), kind__in=kinds, at__lte=now)))


def resolved_ever(now: datetime) -> Q:
    """Resolved at least once (by `now`), whatever happened after: reopened, disputed, closed. The base of
    the reopen and dispute rates and of citizen satisfaction ("resolutions")."""
    return has_event(now, EventKind.RESOLVED)


def reopened(now: datetime) -> Q:
    """Reopened after a resolution at least once: a REOPENED event (the desk reopened it on the citizen's
    word) or a DISPUTED one (the citizen's own "not solved", which reopens it too). Every reopening
    follows a resolution (only resolved or closed complaints can be reopened), so these are a subset of
    `resolved_ever`."""
    return has_event(now, *REOPENING_KINDS)


def disputed(now: datetime) -> Q:
    """The citizen said at least once that the resolution did not solve it (a DISPUTED event)."""
    return has_event(now, EventKind.DISPUTED)


def latest_answer(now: datetime) -> Subquery:
    """The kind of the citizen's latest answer to a resolution by `now` (confirmed / disputed), NULL when
    they never answered."""
    return Subquery(ComplaintEvent.objects.filter(complaint=OuterRef("pk"), kind__in=ANSWER_KINDS, at__lte=now)
                    .order_by("-at", "-id").values("kind")[:1])


def answered(now: datetime, kind: str) -> Q:
    """The citizen's latest answer is `kind`: a complaint disputed, resolved again and then confirmed
    counts as confirmed (their last word), and the other way round."""
    return Q(Exact(latest_answer(now), kind))


def no_answer(now: datetime) -> Q:
    """Resolved at least once, and the citizen never confirmed or disputed it."""
    return resolved_ever(now) & ~has_event(now, *ANSWER_KINDS)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    q: Callable[[datetime], Q]


def _figure(key, label, q) -> Figure:
    return Figure(key, label, q)


#: Every figure a report can show and a link can name (`r-figure=`), in one table.
FIGURES: dict[str, Figure] = {f.key: f for f in (
    _figure("all", _("all complaints"), lambda now: Q()),
    _figure("open", _("open"), lambda now: is_open()),
    _figure("overdue", _("open overdue"), overdue),
    _figure("within_time", _("open within time"), within_time),
    _figure("on_time", _("resolved within time"), lambda now: resolved_on_time()),
    _figure("late", _("resolved late"), lambda now: resolved_late()),
    _figure("done", _("resolved or closed"), lambda now: Q(status__in=DONE_STATUSES)),
    _figure("not_counted", _("rejected or duplicate"), lambda now: Q(status__in=NOT_COUNTED_STATUSES)),
    _figure("final", _("closed, rejected or duplicate"), lambda now: Q(status__in=FINAL_STATUSES)),
    _figure("escalated", _("open and escalated"), lambda now: escalated()),
    _figure("age_0_1", _("open, 0–1 days old"), lambda now: aged(now, 0, 1)),
    _figure("age_1_3", _("open, 1–3 days old"), lambda now: aged(now, 1, 3)),
    _figure("age_3_7", _("open, 3–7 days old"), lambda now: aged(now, 3, 7)),
    _figure("age_7", _("open, over 7 days old"), lambda now: aged(now, 7, None)),
    _figure("resolved_ever", _("resolved at least once"), resolved_ever),
    _figure("reopened", _("reopened after resolution"), reopened),
    _figure("disputed", _("disputed by the citizen"), disputed),
    _figure("confirmed", _("confirmed by the citizen (last answer)"), lambda now: answered(now, EventKind.CONFIRMED)),
    _figure("disputed_last", _("disputed by the citizen (last answer)"),
            lambda now: answered(now, EventKind.DISPUTED)),
    _figure("no_answer", _("resolved, no answer from the citizen"), no_answer),
)}

AGE_BUCKETS = ("age_0_1", "age_1_3", "age_3_7", "age_7")
SLA_OUTCOMES = ("on_time", "late", "within_time", "overdue")


def compliance(on_time: int, late: int, overdue_: int) -> float | None:
    """Share of complaints that met their time limit, open overdue ones counted as failures; None
    when nothing has been decided yet (no resolution and nothing overdue)."""
    decided = on_time + late + overdue_
    return on_time / decided if decided else None


def share(part: int, whole: int) -> float | None:
    """part / whole, None when there is no whole."""
    return part / whole if whole else None
