"""What anyone holding a docket number may learn about the complaint: the public status.

The page behind the SMS link needs no login, and docket numbers are sequential (a check digit stops
typos, not guessing), so it must be safe for a stranger to read. It says what kind of problem, where
(the ward), where the complaint stands and when things happened — never who complained or what they
said: no citizen name, mobile, address, landmark or description (any of them can identify a person),
no photos, no officer names (a designation says enough and does not invite calls to a private phone).

`find()` reads only the columns it needs (`.only()`) and returns a plain `PublicStatus`, so the
template cannot reach personal data even by mistake. Two queries, whatever the complaint's history.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.bilingual import reader_wants_hindi
from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.models import Complaint, ComplaintEvent, EventKind, Status
from nagar_nigam_cc.sla.display import TimeLeft, time_left, time_left_text

#: The timeline a citizen sees: changes of status and of who holds the complaint. Internal notes,
#: reminders, SLA bookkeeping and the "time ran out" record stay in the desk (the due line says it).
#: The citizen's own answer to a resolution (confirmed → closed, disputed → reopened) belongs there too.
PUBLIC_EVENTS = tuple(
    kind for kind in (
        "registered", "assigned", "reassigned", "started", "on_hold", "resumed", "resolved", "confirmed",
        "disputed", "closed", "reopened", "rejected", "duplicate", "escalated",
    )
    if kind in EventKind.values  # confirmed/disputed arrive with the SMS replies (messaging.replies)
)

#: One sentence per status, for a citizen rather than an officer.
STATUS_MEANINGS = {
    Status.ASSIGNED: _("Your complaint has reached the officer responsible. Work has not started yet."),
    Status.IN_PROGRESS: _("Work on your complaint is under way."),
    Status.ON_HOLD: _("Work is paused for now; it will resume."),
    Status.RESOLVED: _("The officer reports the work done. If the problem is still there, tell the call centre "
                       "and the complaint will be reopened."),
    Status.REOPENED: _("The complaint was reopened and is being worked on again."),
    Status.CLOSED: _("The complaint is closed."),
    Status.REJECTED: _("The complaint was not accepted."),
    Status.DUPLICATE: _("The same problem was already reported; it is being handled under the complaint below."),
}

_COMPLAINT_COLUMNS = (
    "docket", "status", "registered_at", "due_at", "resolved_at", "closed_at", "resolution_remarks",
    # what sla.display.time_left reads
    "sla_plan", "paused_since", "paused_for",
    "category__name_hi", "category__name_en", "department__name_hi", "department__name_en",
    "ward__number", "ward__name_hi", "ward__name_en", "duplicate_of__docket",
)
_EVENT_COLUMNS = ("kind", "at", "note", "officer__designation_hi", "officer__designation_en")

# Separators phones put in when people type or paste a number: dashes of every width, underscores.
_MORE_SEPARATORS = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
                                  "\u2212": "-", "_": "-", ",": " "})


def clean_input(text: str) -> str:
    """What a citizen typed → something `dockets.normalise` understands: Devanagari (or any other
    script's) digits as ASCII digits — a Hindi keyboard types २६११… — and the dashes phones substitute."""
    text = (text or "").strip().translate(_MORE_SEPARATORS)
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


@dataclass(frozen=True)
class PublicEvent:
    kind: str
    label: str
    at: datetime
    designation: str  # of the officer the step concerns; '' when none


@dataclass(frozen=True)
class PublicStatus:
    docket: str
    spoken_docket: str
    status: str
    status_label: str
    status_meaning: str
    category: str
    department: str
    ward: str
    registered_at: datetime
    due_at: datetime | None
    time_left: TimeLeft | None  # None once the complaint is no longer open
    time_left_text: str
    resolved_at: datetime | None
    closed_at: datetime | None
    resolution_remarks: str  # the officer's words when resolving; shown once resolved or closed
    rejection_reason: str  # written for the citizen to read (actions.do_reject)
    duplicate_of: str  # the original complaint's docket (it has its own public page), or ''
    events: tuple[PublicEvent, ...]
    #: What the citizen may answer now on the page: "confirm" and/or "dispute" (see feedback_answers).
    feedback: tuple[str, ...] = ()

    @property
    def spoken_duplicate_of(self) -> str:
        return dockets.spoken(self.duplicate_of) if self.duplicate_of else ""


def feedback_answers(status: str, closed_at: datetime | None, now: datetime) -> tuple[str, ...]:
    """What the citizen may say about the outcome now. A resolved complaint: solved (it is closed) or not
    solved (reopened and escalated). A closed one, within NNC_DISPUTE_DAYS of closing: not solved — as
    the SMS reply "2" allows (messaging.replies). Pure."""
    if status == Status.RESOLVED:
        return ("confirm", "dispute")
    if status == Status.CLOSED and closed_at is not None and now - closed_at <= timedelta(days=settings.NNC_DISPUTE_DAYS):
        return ("dispute",)
    return ()


def find(docket: str, now: datetime) -> PublicStatus | None:
    """The public status of the complaint with this docket number (as typed or read out), or None —
    the same None for a number that is malformed, fails its check digit, or belongs to no complaint."""
    number = dockets.normalise(clean_input(docket))
    if not dockets.is_valid(number):
        return None
    complaint = (
        Complaint.objects.select_related("category", "department", "ward", "duplicate_of")
        .only(*_COMPLAINT_COLUMNS)
        .filter(docket=number)
        .first()
    )
    if complaint is None:
        return None
    events = list(
        ComplaintEvent.objects.filter(complaint_id=complaint.pk, kind__in=PUBLIC_EVENTS)
        .select_related("officer")
        .only(*_EVENT_COLUMNS)
        .order_by("at", "id")
    )
    return build(complaint, events, now)


def build(complaint: Complaint, events: list[ComplaintEvent], now: datetime) -> PublicStatus:
    state = time_left(complaint, now)
    finished = complaint.status in (Status.RESOLVED, Status.CLOSED)
    rejections = [e.note for e in events if e.kind == EventKind.REJECTED]
    return PublicStatus(
        docket=complaint.docket,
        spoken_docket=dockets.spoken(complaint.docket),
        status=complaint.status,
        status_label=complaint.get_status_display(),
        status_meaning=str(STATUS_MEANINGS.get(complaint.status, "")),
        category=complaint.category.name,
        department=complaint.department.name,
        ward=str(complaint.ward),
        registered_at=complaint.registered_at,
        due_at=complaint.due_at,
        time_left=state,
        time_left_text=time_left_text(state) if state is not None else "",
        resolved_at=complaint.resolved_at if finished else None,
        closed_at=complaint.closed_at,  # reopening clears it
        resolution_remarks=complaint.resolution_remarks if finished else "",
        rejection_reason=rejections[-1] if complaint.status == Status.REJECTED and rejections else "",
        duplicate_of=complaint.duplicate_of.docket if complaint.duplicate_of_id else "",
        events=tuple(
            PublicEvent(kind=e.kind, label=e.get_kind_display(), at=e.at, designation=_designation(e.officer))
            for e in events
        ),
        feedback=feedback_answers(complaint.status, complaint.closed_at, now),
    )


def _designation(officer) -> str:
    if officer is None:
        return ""
    if reader_wants_hindi():
        return officer.designation_hi or officer.designation_en
    return officer.designation_en or officer.designation_hi
