"""Every change to a complaint: one `do_*` function each, atomic, writing its ComplaintEvent.

Views, the desk, tasks and (later) the API validate their input, call one of these, and return. The
functions check the actor's right to act (`access.may`) and the complaint's status (`TRANSITIONS`), so
no caller can skip either. `actor=None` is the system itself (the scheduler).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from nagar_nigam_cc.directory.places import inside_city
from nagar_nigam_cc.complaints import access, dockets
from nagar_nigam_cc.complaints.models import (
    OPEN_STATUSES,
    Attachment,
    AttachmentKind,
    Channel,
    Citizen,
    Complaint,
    ComplaintEvent,
    DocketCounter,
    EventKind,
    Follower,
    Status,
)
from nagar_nigam_cc.complaints.phones import masked, normalise_mobile
from nagar_nigam_cc.messaging import outbox
from nagar_nigam_cc.messaging.models import Event
from nagar_nigam_cc.complaints.photos import check_photo
from nagar_nigam_cc.directory.availability import head_of, usable
from nagar_nigam_cc.directory.models import Category, Officer, Ward
from nagar_nigam_cc.directory.routing import route
from nagar_nigam_cc.directory.routing_data import officers_for
from nagar_nigam_cc.sla import schedule
from nagar_nigam_cc.sla.policies import choose_policy, current_plan, plan_for

# action → (statuses it may start from, status it leads to; None keeps the status)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "assign": (frozenset(OPEN_STATUSES), None),
    "start": (frozenset({Status.ASSIGNED, Status.REOPENED}), Status.IN_PROGRESS),
    "hold": (frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED}), Status.ON_HOLD),
    "resume": (frozenset({Status.ON_HOLD}), Status.IN_PROGRESS),
    "resolve": (frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED}), Status.RESOLVED),
    "close": (frozenset({Status.RESOLVED}), Status.CLOSED),
    "reopen": (frozenset({Status.RESOLVED, Status.CLOSED}), Status.REOPENED),
    "confirm": (frozenset({Status.RESOLVED}), Status.CLOSED),
    "dispute": (frozenset({Status.RESOLVED, Status.CLOSED}), Status.REOPENED),
    "reject": (frozenset(OPEN_STATUSES), Status.REJECTED),
    "mark_duplicate": (frozenset(OPEN_STATUSES), Status.DUPLICATE),
    "reapply_policy": (frozenset(OPEN_STATUSES), None),
}


class IllegalTransition(ValidationError):
    pass


class PossibleDuplicate(ValidationError):
    """The same caller reported the same problem in the same ward a short while ago."""

    def __init__(self, existing: Complaint):
        self.existing = existing
        super().__init__(
            _(
                "This caller already reported this problem in this ward (docket %(docket)s, %(status)s). "
                "Tell them that number, or register again only if it is a different problem."
            ),
            code="possible_duplicate",
            params={"docket": dockets.spoken(existing.docket), "status": existing.get_status_display()},
        )


def allowed_transition(action: str, status: str) -> bool:
    return status in TRANSITIONS[action][0]


# --- text checks -----------------------------------------------------------------------------------------

def clean_text(value: str | None, *, field: str, max_length: int, required: bool = False) -> str:
    """Trim, drop control characters (NUL and friends break exports and SMS), enforce a length.

    HTML is kept as typed (a citizen may well write "<" or "&") and escaped wherever it is shown.
    """
    raw = value or ""
    if len(raw) > 2 * max_length:
        # Far beyond the limit: refuse before looking at every character (10 MB would hold a worker).
        raise _too_long(field, max_length, len(raw))
    text = "".join(
        ch for ch in raw if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs", "Co")
    ).strip()
    if required and not text:
        raise ValidationError({field: ValidationError(_("This is required."), code="required")})
    if len(text) > max_length:
        raise _too_long(field, max_length, len(text))
    return text


def _too_long(field: str, limit: int, length: int) -> ValidationError:
    return ValidationError({field: ValidationError(
        _("Keep this within %(limit)d characters (it has %(length)d)."),
        code="too_long", params={"limit": limit, "length": length},
    )})


# --- registration -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NewComplaint:
    """What intake channels hand to `do_register`, already parsed into objects."""

    mobile: str
    category: Category
    ward: Ward
    description: str
    name: str = ""
    language: str = ""
    address: str = ""
    landmark: str = ""
    channel: str = Channel.PHONE
    priority: int | None = None
    #: A map pin (WhatsApp location, the web form, Open311): both or neither, inside the city.
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    #: The complaint's number in the system it came from (IGRS reference …): unique per channel.
    external_ref: str | None = None


def next_docket(at: datetime) -> str:
    """Hand out the next docket number for the month of `at`. Call inside the registration's transaction.

    One upsert statement opens the month's counter or adds one to it, and hands the value back in the
    same round trip; the row stays locked until the registration commits. (An UPDATE, then an INSERT
    when the month had no row yet, deadlocked on MariaDB when many agents opened a month at once.)
    """
    period = dockets.period_of(timezone.localtime(at))
    table = connection.ops.quote_name(DocketCounter._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            # LAST_INSERT_ID(expr) hands the value back to this connection without a SELECT.
            cursor.execute(
                f"INSERT INTO {table} (period, last) VALUES (%s, LAST_INSERT_ID(1)) "
                f"ON DUPLICATE KEY UPDATE last = LAST_INSERT_ID(last + 1)",
                [period],
            )
            sequence = cursor.lastrowid  # mysql_insert_id() reports LAST_INSERT_ID(expr) on both paths
        else:
            cursor.execute(
                f"INSERT INTO {table} (period, last) VALUES (%s, 1) "
                f"ON CONFLICT (period) DO UPDATE SET last = last + 1 RETURNING last",
                [period],
            )
            sequence = cursor.fetchone()[0]
    return dockets.format_docket(period, sequence)


def citizen_for(mobile: str, *, name: str = "", language: str = "") -> tuple[Citizen, bool]:
    """The caller with this (normalised) mobile, created when first seen; a name or language given
    replaces the one on record. Returns (citizen, created). Call inside the registration's transaction.

    Not get_or_create: its savepoint pair around the INSERT cost two round trips for every new caller.
    When two desks register the same new caller at once, the INSERT that loses fails alone — MariaDB
    (InnoDB) and SQLite roll back just the failed statement, and an IntegrityError from a cursor does
    not spoil Django's transaction — and the row the winner committed is read instead.
    """
    citizen = Citizen.objects.filter(mobile=mobile).first()
    if citizen is None:
        citizen = Citizen(mobile=mobile, name=name, **({"language": language} if language else {}))
        citizen.created_at = timezone.now()  # what auto_now_add would set
        try:
            _insert_citizen(citizen)
            return citizen, True
        except IntegrityError:
            citizen = Citizen.objects.filter(mobile=mobile).first()
            if citizen is None:  # not the mobile's uniqueness: a real error
                raise
    if (name and name != citizen.name) or (language and language != citizen.language):
        citizen.name = name or citizen.name
        citizen.language = language or citizen.language
        citizen.save(update_fields=["name", "language"])
    return citizen, False


def _insert_citizen(citizen: Citizen) -> None:
    # By hand, not citizen.save(): save() marks the whole transaction for rollback when the INSERT fails,
    # which is exactly the race citizen_for recovers from. (Citizen has no save signals to miss.)
    qn = connection.ops.quote_name
    fields = [Citizen._meta.get_field(name) for name in ("mobile", "name", "language", "created_at")]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(Citizen._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})",
            [f.get_db_prep_save(getattr(citizen, f.attname), connection) for f in fields],
        )
        citizen.pk = cursor.lastrowid
    citizen._state.adding, citizen._state.db = False, connection.alias


def find_possible_duplicate(citizen: Citizen, category: Category, ward: Ward, now: datetime) -> Complaint | None:
    window = timedelta(minutes=settings.NNC_DUPLICATE_WINDOW_MINUTES)
    return (
        Complaint.objects.filter(
            citizen=citizen, category=category, ward=ward, status__in=OPEN_STATUSES, registered_at__gte=now - window
        )
        .order_by("-registered_at")
        .first()
    )


def do_register(new: NewComplaint, *, actor, allow_duplicate: bool = False, now: datetime | None = None) -> Complaint:
    """Register a complaint: route it, number it, record it. Raises ValidationError on bad input and
    PossibleDuplicate when the same caller reported the same thing minutes ago (unless allowed)."""
    if actor is not None and not access.may(actor, "register"):
        raise PermissionDenied(_("You may not register complaints."))
    mobile = normalise_mobile(new.mobile)
    if not new.category.is_active:
        raise ValidationError({"category": ValidationError(_("This category is no longer in use."), code="inactive")})
    if new.channel not in Channel.values:
        raise ValidationError({"channel": ValidationError(_("Unknown channel."), code="invalid")})
    description = clean_text(
        new.description, field="description", max_length=settings.NNC_DESCRIPTION_MAX_CHARS, required=True
    )
    address = clean_text(new.address, field="address", max_length=255)
    landmark = clean_text(new.landmark, field="landmark", max_length=255)
    name = clean_text(new.name, field="name", max_length=120)
    language = new.language if new.language in ("hi", "en") else ""
    if (new.latitude is None) != (new.longitude is None):
        raise ValidationError({"latitude": ValidationError(_("Give both latitude and longitude, or neither."), code="invalid")})
    if new.latitude is not None and not inside_city(float(new.latitude), float(new.longitude)):
        raise ValidationError({"latitude": ValidationError(_("That place is outside the city."), code="outside_city")})
    now = now or timezone.now()

    with transaction.atomic():
        citizen, created = citizen_for(mobile, name=name, language=language)
        if not allow_duplicate and not created:
            existing = find_possible_duplicate(citizen, new.category, new.ward, now)
            if existing is not None:
                raise PossibleDuplicate(existing)

        department = new.category.department
        cards, officers = officers_for(department, new.ward)
        decision = route(
            department_id=department.pk,
            ward_id=new.ward.pk,
            zone_id=new.ward.zone_id,
            head_id=department.head_id,
            officers=cards,
        )
        priority = new.priority or new.category.default_priority
        policy_id, plan = current_plan(new.category.pk, new.ward.pk, priority)
        complaint = Complaint(
            docket=next_docket(now),
            citizen=citizen,
            category=new.category,
            department=department,
            ward=new.ward,
            zone_id=new.ward.zone_id,
            # The officer's row as routing read it (routing chooses only among those rows): the outbox
            # message and the caller's answer name the officer without reading the row again.
            assigned_to=officers[decision.officer_id] if decision.officer_id is not None else None,
            status=Status.ASSIGNED,
            priority=priority,
            channel=new.channel,
            unrouted=decision.unrouted,
            address=address,
            landmark=landmark,
            description=description,
            latitude=new.latitude,
            longitude=new.longitude,
            external_ref=(new.external_ref or "").strip()[:64] or None,
            registered_by=actor,
            registered_at=now,
            updated_at=now,
        )
        schedule.start(complaint, plan, policy_id)
        complaint.save(force_insert=True)
        ComplaintEvent.objects.bulk_create(
            [
                ComplaintEvent(
                    complaint=complaint, kind=EventKind.REGISTERED, at=now, actor=actor,
                    to_status=Status.ASSIGNED,
                    data={"channel": new.channel, "policy": policy_id,
                          "due_at": complaint.due_at.isoformat() if complaint.due_at else None},
                ),
                ComplaintEvent(
                    complaint=complaint, kind=EventKind.ASSIGNED, at=now, actor=None,
                    to_status=Status.ASSIGNED, officer_id=decision.officer_id, note=decision.reason,
                    data={
                        "matched_by": decision.matched_by,
                        "unrouted": decision.unrouted,
                        "skipped_on_leave": list(decision.skipped_on_leave),
                    },
                ),
            ]
        )
        outbox.put(*outbox.registered(complaint, now))
    return complaint


# --- changes to a registered complaint ---------------------------------------------------------------------

def _begin(complaint: Complaint, action: str, actor) -> Complaint:
    """Lock the complaint's row, re-read it, and check the actor's right and the status. Inside atomic()."""
    locked = Complaint.objects.select_for_update().select_related("assigned_to").get(pk=complaint.pk)
    if actor is not None and not access.may(actor, action, locked):
        raise PermissionDenied(_("You may not do that to this complaint."))
    if not allowed_transition(action, locked.status):
        raise IllegalTransition(
            _("Complaint %(docket)s is %(status)s; that cannot be done now."),
            code="illegal_transition",
            params={"docket": dockets.spoken(locked.docket), "status": locked.get_status_display()},
        )
    return locked


def _record(
    complaint: Complaint, kind: str, actor, *, from_status: str, now: datetime, note: str = "",
    officer: Officer | None = None, data: dict | None = None, fields: tuple[str, ...] = (),
) -> ComplaintEvent:
    complaint.updated_at = now
    if from_status != complaint.status:
        schedule.status_changed(complaint, from_status, now)
    complaint.save(update_fields=["status", "updated_at", *schedule.FIELDS, *fields])
    return ComplaintEvent.objects.create(
        complaint=complaint, kind=kind, at=now, actor=actor, from_status=from_status,
        to_status=complaint.status, officer=officer, note=note, data=data or {},
    )


def do_assign(complaint: Complaint, officer: Officer, *, actor, reason: str, now: datetime | None = None) -> Complaint:
    """A supervisor hands the complaint to another officer of its department, saying why."""
    reason = clean_text(reason, field="reason", max_length=500, required=True)
    now = now or timezone.now()
    with transaction.atomic():
        c = _begin(complaint, "assign", actor)
        if officer.department_id != c.department_id or not officer.is_active:
            raise ValidationError({"officer": _("Choose an active officer of the complaint's department.")})
        if officer.pk == c.assigned_to_id:
            raise ValidationError({"officer": _("The complaint is already with this officer.")})
        before, previous = c.status, c.assigned_to_id
        c.assigned_to, c.unrouted = officer, False
        if c.status == Status.IN_PROGRESS:
            c.status = Status.ASSIGNED  # the new officer has not started yet
        event = _record(c, EventKind.REASSIGNED, actor, from_status=before, now=now, note=reason, officer=officer,
                        data={"from_officer": previous}, fields=("assigned_to", "unrouted"))
        outbox.put(outbox.assigned(c, officer, f"event{event.pk}", now))
    return c


def do_start_work(complaint: Complaint, *, actor, now: datetime | None = None) -> Complaint:
    now = now or timezone.now()
    with transaction.atomic():
        c = _begin(complaint, "start", actor)
        before, c.status = c.status, Status.IN_PROGRESS
        _record(c, EventKind.STARTED, actor, from_status=before, now=now, officer=c.assigned_to)
    return c


def do_put_on_hold(complaint: Complaint, *, actor, reason: str, now: datetime | None = None) -> Complaint:
    reason = clean_text(reason, field="reason", max_length=255, required=True)
    now = now or timezone.now()
    with transaction.atomic():
        c = _begin(complaint, "hold", actor)
        before, c.status, c.hold_reason = c.status, Status.ON_HOLD, reason
        _record(c, EventKind.ON_HOLD, actor, from_status=before, now=now, note=reason, fields=("hold_reason",))
    return c


def do_resume(complaint: Complaint, *, actor, now: datetime | None = None) -> Complaint:
    now = now or timezone.now()
    with transaction.atomic():
        c = _begin(complaint, "resume", actor)
        before, c.status, c.hold_reason = c.status, Status.IN_PROGRESS, ""
        _record(c, EventKind.RESUMED, actor, from_status=before, now=now, fields=("hold_reason",))
    return c


def do_resolve(
    complaint: Complaint, *, actor, remarks: str, photo: UploadedFile | None = None, now: datetime | None = None
) -> Complaint:
    """Mark the work done, with remarks and — where the category demands it — a photo of the result."""
    remarks = clean_text(remarks, field="remarks", max_length=2000, required=True)
    content_type = check_photo(photo) if photo is not None else None
    now = now or timezone.now()
    with transaction.atomic():
        c = _begin(complaint, "resolve", actor)
        if photo is None and c.category.proof_photo_required:
            raise ValidationError({"photo": ValidationError(_("This kind of complaint needs a photo of the work done."), code="required")})
        before, c.status, c.resolved_at, c.resolution_remarks = c.status, Status.RESOLVED, now, remarks
        event = _record(c, EventKind.RESOLVED, actor, from_status=before, now=now, note=remarks,
                        officer=c.assigned_to, fields=("resolved_at", "resolution_remarks"))
        if photo is not None:
            Attachment.objects.create(
                complaint=c, event=event, kind=AttachmentKind.PROOF, file=photo, content_type=content_type,
                size=photo.size, uploaded_by=actor, uploaded_at=now,
            )
        outbox.put(*outbox.resolved(c, now))
    return c


def do_close(complaint: Complaint, *, actor, remarks: str = "", now: datetime | None = None) -> Complaint:
    remarks = clean_text(remarks, field="remarks", max_length=500)
    now = now or timezone.now()
    with transaction.atomic():
        c = _begin(complaint, "close", actor)
        before, c.status, c.closed_at = c.status, Status.CLOSED, now
        _record(c, EventKind.CLOSED, actor, from_status=before, now=now, note=remarks, fields=("closed_at",))
        outbox.put(*outbox.closed(c, now))
    return c


def do_reopen(complaint: Complaint, *, actor, reason: str, now: datetime | None = None) -> Complaint:
    """The citizen says it is not solved: back to work, with the reason on the timeline."""
    reason = clean_text(reason, field="reason", max_length=500, required=True)
    now = now or timezone.now()
    with transaction.atomic():
        c = _begin(complaint, "reopen", actor)
        before, c.status, c.closed_at = c.status, Status.REOPENED, None
        _record(c, EventKind.REOPENED, actor, from_status=before, now=now, note=reason, fields=("closed_at",))
    return c


def do_confirm(complaint: Complaint, *, actor, note: str = "", details: dict | None = None,
               now: datetime | None = None) -> Complaint:
    """The citizen says the work is done: the resolution is confirmed and the complaint closed.

    `actor=None` is the citizen's own SMS/WhatsApp reply (messaging.replies), else the agent or
    supervisor who heard it. Nothing is sent to the citizen here: they hear back from whoever recorded
    their word (the reply to their message, or the agent on the line). `details` (e.g. which reply)
    go on the event.
    """
    note = clean_text(note, field="note", max_length=500)
    now = now or timezone.now()
    with transaction.atomic():
        c = _begin(complaint, "confirm", actor)
        before, c.status, c.closed_at = c.status, Status.CLOSED, now
        # The officer whose resolution the citizen confirmed: reports count confirmations per officer.
        _record(c, EventKind.CONFIRMED, actor, from_status=before, now=now, note=note, officer=c.assigned_to,
                data=details, fields=("closed_at",))
        # The other callers attached to it did not say so themselves: they are told it is closed.
        outbox.put(*outbox.closed(c, now)[1:])
    return c


def do_dispute(complaint: Complaint, *, actor, note: str = "", details: dict | None = None,
               now: datetime | None = None) -> Complaint:
    """The citizen says it is not solved: the complaint is reopened and escalated one level up, to the
    senior of the officer who holds it (their `reports_to`, else the department's head, each replaced
    by their substitute while on leave, as the SLA sweep chooses), who takes it over and is told.

    `actor=None` is the citizen's own reply; see do_confirm. The time limit's schedule is recomputed
    from the complaint's plan, as for any reopening.
    """
    note = clean_text(note, field="note", max_length=500)
    now = now or timezone.now()
    with transaction.atomic():
        c = _begin(complaint, "dispute", actor)
        holder = c.assigned_to
        senior = usable(holder.reports_to) if holder is not None and holder.reports_to_id else None
        why = ""
        if senior is None:
            senior, why = head_of(c, gettext_noop("no senior officer (reports to) who can act")
                                if holder is not None else gettext_noop("nobody holds the complaint"))
        reassigned = senior is not None and senior.pk != c.assigned_to_id
        level = c.escalation_level + 1
        before, c.status, c.closed_at, c.escalation_level = c.status, Status.REOPENED, None, level
        if reassigned:
            c.assigned_to = senior
        _record(c, EventKind.DISPUTED, actor, from_status=before, now=now, note=note, officer=holder, data=details,
                fields=("closed_at", "escalation_level", "assigned_to"))
        escalated = ComplaintEvent.objects.create(
            complaint=c, kind=EventKind.ESCALATED, at=now, actor=actor, from_status=c.status, to_status=c.status,
            officer=senior, note=why,
            data={"level": level, "from_officer": holder.pk if holder else None,
                  "to_officer": senior.pk if senior else None, "reassigned": reassigned, "reason": "citizen disputed"},
        )
        if senior is not None:
            key = f"{c.pk}:disputed:{escalated.pk}:officer:{senior.pk}"
            outbox.put(outbox.to_officer(c, senior, Event.ESCALATION, key, now, context={"level": level}))
    return c


def do_reject(complaint: Complaint, *, actor, reason: str, now: datetime | None = None) -> Complaint:
    """Not a municipal matter, or not actionable: a senior says so, with a reason the citizen will read."""
    reason = clean_text(reason, field="reason", max_length=500, required=True)
    now = now or timezone.now()
    with transaction.atomic():
        c = _begin(complaint, "reject", actor)
        before, c.status, c.closed_at = c.status, Status.REJECTED, now
        _record(c, EventKind.REJECTED, actor, from_status=before, now=now, note=reason, fields=("closed_at",))
    return c


def do_mark_duplicate(
    complaint: Complaint, *, original: Complaint, actor, reason: str = "", now: datetime | None = None
) -> Complaint:
    reason = clean_text(reason, field="reason", max_length=500)
    now = now or timezone.now()
    with transaction.atomic():
        c = _begin(complaint, "mark_duplicate", actor)
        if original.pk == c.pk:
            raise ValidationError({"original": _("A complaint cannot duplicate itself.")})
        original = Complaint.objects.get(pk=original.pk)  # its status now, not when the caller read it
        if original.status in (Status.DUPLICATE, Status.REJECTED):
            # Otherwise two open complaints could be marked duplicates of each other and nobody
            # would work on either.
            raise ValidationError({"original": _(
                "Complaint %(docket)s is itself %(status)s; name the complaint that is being worked on."
            ) % {"docket": dockets.spoken(original.docket), "status": original.get_status_display()}})
        if actor is not None and not access.can_see(actor, original):
            raise ValidationError({"original": _("No such complaint.")})
        before, c.status, c.duplicate_of, c.closed_at = c.status, Status.DUPLICATE, original, now
        _record(c, EventKind.DUPLICATE, actor, from_status=before, now=now,
                note=reason or _("Same problem as %(docket)s") % {"docket": original.docket},
                data={"original": original.docket}, fields=("duplicate_of", "closed_at"))
    return c


def do_add_note(complaint: Complaint, *, actor, note: str, now: datetime | None = None) -> ComplaintEvent:
    """A remark on the timeline (the caller rang again, the officer visited), without changing status."""
    note = clean_text(note, field="note", max_length=2000, required=True)
    if actor is not None and not access.may(actor, "note", complaint):
        raise PermissionDenied(_("You may not do that to this complaint."))
    now = now or timezone.now()
    with transaction.atomic():
        c = Complaint.objects.select_for_update().get(pk=complaint.pk)
        return ComplaintEvent.objects.create(complaint=c, kind=EventKind.NOTE, at=now, actor=actor, note=note,
                                             from_status=c.status, to_status=c.status)


def do_reapply_policy(complaint: Complaint, *, actor, reason: str, now: datetime | None = None) -> Complaint:
    """Re-plan an open complaint from the policy that applies today (after a policy was edited).

    Editing a policy never moves open deadlines by itself; an administrator does it with this action,
    which keeps the steps already performed and records the old and new due times.
    """
    reason = clean_text(reason, field="reason", max_length=500, required=True)
    now = now or timezone.now()
    with transaction.atomic():
        c = _begin(complaint, "reapply_policy", actor)
        policy = choose_policy(c.category_id, c.ward_id, c.priority)
        plan = plan_for(policy) if policy is not None else None
        old_due = c.due_at
        c.sla_policy_id, c.sla_plan = (policy.pk if policy else None), plan.to_json() if plan is not None else {}
        c.due_at = plan.due_at(c.registered_at, c.paused_for) if plan is not None else None
        c.next_action_at = schedule.next_action(c, plan)
        _record(c, EventKind.SLA_SET, actor, from_status=c.status, now=now, note=reason, data={
            "policy": policy.pk if policy else None,
            "old_due_at": old_due.isoformat() if old_due else None,
            "due_at": c.due_at.isoformat() if c.due_at else None,
        })
    return c


# --- another caller for the same problem ---------------------------------------------------------------------

def do_attach_caller(complaint: Complaint, *, mobile: str, name: str = "", actor, channel: str = Channel.PHONE,
                     language: str = "", now: datetime | None = None) -> tuple[Follower, bool]:
    """A second caller reports a problem that is already registered and open: instead of a new
    complaint, they are attached to this one (a Follower), told its docket number by SMS now, and kept
    informed of its outcome (outbox.to_citizens). Returns (follower, created).

    Attaching the same caller twice changes nothing and sends nothing. The complaint's own citizen, and
    complaints no longer open, are refused with a message the agent can act on.
    """
    if actor is not None and not access.may(actor, "register"):
        raise PermissionDenied(_("You may not register complaints."))
    try:
        mobile = normalise_mobile(mobile)
    except ValidationError as exc:
        raise ValidationError({"mobile": exc}) from exc
    name = clean_text(name, field="name", max_length=120)
    language = language if language in ("hi", "en") else ""
    if channel not in Channel.values:
        raise ValidationError({"channel": ValidationError(_("Unknown channel."), code="invalid")})
    now = now or timezone.now()
    with transaction.atomic():
        c = Complaint.objects.select_for_update().select_related("citizen", "category", "ward").get(pk=complaint.pk)
        if actor is not None and not access.may(actor, "register", c):
            raise PermissionDenied(_("You may not do that to this complaint."))
        if c.status not in OPEN_STATUSES:
            raise IllegalTransition(
                _("Complaint %(docket)s is %(status)s; register a new complaint instead."),
                code="illegal_transition",
                params={"docket": dockets.spoken(c.docket), "status": c.get_status_display()},
            )
        if c.citizen.mobile == mobile:
            raise ValidationError(
                _("This caller registered complaint %(docket)s themself: read them its number."),
                code="own_complaint", params={"docket": dockets.spoken(c.docket)},
            )
        citizen, _created = citizen_for(mobile, name=name, language=language)
        follower, attached = Follower.objects.get_or_create(
            complaint=c, citizen=citizen, defaults={"channel": channel, "added_at": now, "added_by": actor}
        )
        if not attached:
            return follower, False
        # The timeline is read by officers and auditors too: the number is masked there.
        ComplaintEvent.objects.create(
            complaint=c, kind=EventKind.NOTE, at=now, actor=actor, from_status=c.status, to_status=c.status,
            note=f"Another caller reported the same problem ({masked(mobile)}, {channel}); they will be kept informed.",
            data={"follower": citizen.pk, "channel": channel},
        )
        message = outbox.to_citizen(c, Event.FOLLOWER_ADDED, f"{c.pk}:follower_added:{citizen.pk}", now)
        message.to_mobile = citizen.mobile
        message.language = citizen.language or settings.LANGUAGE_CODE
        outbox.put(message)
    return follower, True
