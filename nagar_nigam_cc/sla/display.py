"""How much time a complaint has left, in words a desk or a phone page shows (exact at the moment asked)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.complaints.models import OPEN_STATUSES, Complaint
from nagar_nigam_cc.sla import schedule


@dataclass(frozen=True)
class TimeLeft:
    """Where an open complaint stands against its deadline at one instant, on the plan's own clock."""

    left: timedelta  # time on the complaint's clock until the deadline; negative once it has passed
    overdue: bool  # the deadline is past (by the instant, also when no working time has elapsed since)
    paused: bool  # on hold with the clock stopped: `left` is what was left when it stopped
    business: bool  # counted in the working time of a calendar
    soon: bool = False  # less than a tenth of the time limit (or an hour) is left

    @property
    def key(self) -> str:
        return "paused" if self.paused else "overdue" if self.overdue else "soon" if self.soon else "left"


def time_left(complaint: Complaint, now: datetime) -> TimeLeft | None:
    """None for a complaint that is closed or has no time limit. Exact at `now`: computed from the
    deadline and the plan copied on the row, never from a stored flag."""
    if complaint.status not in OPEN_STATUSES or complaint.due_at is None:
        return None
    plan = schedule.plan_of(complaint)
    if plan is None:
        return None
    paused = complaint.paused_since is not None
    moment = complaint.paused_since if paused else now
    left = plan.between(moment, complaint.due_at)
    soon = timedelta(0) <= left < max(plan.duration / 10, timedelta(hours=1))
    return TimeLeft(left, moment > complaint.due_at, paused, plan.calendar is not None, soon)


def duration_text(amount: timedelta, *, business: bool = False) -> str:
    """'3 d 4 h', '7 h 20 min', '12 min'. Working time is never shown in days (a working day has no
    fixed length)."""
    minutes = int(abs(amount).total_seconds() // 60)
    hours, mins = divmod(minutes, 60)
    if not hours:
        return _("%(m)d min") % {"m": mins}
    if business or hours < 48:
        if mins and hours < 10:
            return _("%(h)d h %(m)d min") % {"h": hours, "m": mins}
        return _("%(h)d h") % {"h": hours}
    days, hours = divmod(hours, 24)
    return _("%(d)d d %(h)d h") % {"d": days, "h": hours} if hours else _("%(d)d d") % {"d": days}


def time_left_text(state: TimeLeft, *, say_paused: bool = True) -> str:
    amount = duration_text(state.left, business=state.business)
    if state.overdue:
        text = _("overdue by %(time)s") % {"time": amount} if abs(state.left) >= timedelta(minutes=1) else _("overdue")
    else:
        text = _("%(time)s left") % {"time": amount}
    return _("paused · %(state)s") % {"state": text} if state.paused and say_paused else text
