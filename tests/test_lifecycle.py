"""The complaint lifecycle: which do_* action may follow which status, and what each one records.

The table LEGAL below is the specification, written out by hand (not derived from actions.TRANSITIONS):
every (action, status) pair in it must succeed and write exactly one event; every other pair must
raise IllegalTransition and change nothing. Permissions are test_access_matrix.py's business, so the
actor here is the commissioner, who may do everything.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from conftest import make_officer, photo_upload
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.actions import (
    IllegalTransition,
    do_add_note,
    do_assign,
    do_close,
    do_mark_duplicate,
    do_put_on_hold,
    do_register,
    do_reject,
    do_reopen,
    do_resolve,
    do_resume,
    do_start_work,
)
from nagar_nigam_cc.complaints.models import (
    AppendOnlyError,
    Attachment,
    AttachmentKind,
    Complaint,
    ComplaintEvent,
    EventKind,
    Status,
)
from nagar_nigam_cc.directory import roles

IST = ZoneInfo("Asia/Kolkata")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=IST)  # registered (a Monday morning)
T1 = T0 + timedelta(hours=3)  # the action under test

OPEN = ("assigned", "in_progress", "on_hold", "reopened")
ALL_STATUSES = (*OPEN, "resolved", "closed", "rejected", "duplicate")

# (action, from status) → status after. Everything not listed is illegal.
LEGAL = {
    **{("assign", s): s for s in ("assigned", "on_hold", "reopened")},
    ("assign", "in_progress"): "assigned",  # the new officer has not started yet
    ("start", "assigned"): "in_progress",
    ("start", "reopened"): "in_progress",
    **{("hold", s): "on_hold" for s in ("assigned", "in_progress", "reopened")},
    ("resume", "on_hold"): "in_progress",
    **{("resolve", s): "resolved" for s in ("assigned", "in_progress", "reopened")},
    ("close", "resolved"): "closed",
    ("reopen", "resolved"): "reopened",
    ("reopen", "closed"): "reopened",
    **{("reject", s): "rejected" for s in OPEN},
    **{("mark_duplicate", s): "duplicate" for s in OPEN},
}
EVENT_KIND = {
    "assign": EventKind.REASSIGNED, "start": EventKind.STARTED, "hold": EventKind.ON_HOLD,
    "resume": EventKind.RESUMED, "resolve": EventKind.RESOLVED, "close": EventKind.CLOSED,
    "reopen": EventKind.REOPENED, "reject": EventKind.REJECTED, "mark_duplicate": EventKind.DUPLICATE,
}
ACTIONS = sorted(EVENT_KIND)


class Desk:
    """A garbage complaint in ward 1 (the `officer`'s), and everything needed to act on it."""

    def __init__(self, city, officer, commissioner, agent):
        self.city, self.officer, self.actor, self.agent = city, officer, commissioner, agent
        self.other_officer = make_officer("relief", roles.FIELD_OFFICER, city.sanitation)
        self._n = 0

    def register(self, category=None, ward=None, at=T0) -> Complaint:
        from nagar_nigam_cc.complaints.actions import NewComplaint

        self._n += 1
        new = NewComplaint(mobile=f"+9194150{self._n:05d}", category=category or self.city.garbage,
                           ward=ward or self.city.wards[1], description=f"Garbage heap near temple {self._n}")
        return do_register(new, actor=self.agent, now=at)

    def complaint_in(self, status: str) -> Complaint:
        """A complaint brought to `status` by the actions themselves, all at T0."""
        c, a = self.register(), self.actor
        steps = {
            "assigned": [],
            "in_progress": [lambda: do_start_work(c, actor=a, now=T0)],
            "on_hold": [lambda: do_put_on_hold(c, actor=a, reason="Waiting for the JCB", now=T0)],
            "resolved": [lambda: self.resolve(c, T0)],
            "closed": [lambda: self.resolve(c, T0), lambda: do_close(c, actor=a, now=T0)],
            "reopened": [lambda: self.resolve(c, T0), lambda: do_reopen(c, actor=a, reason="Heap is back", now=T0)],
            "rejected": [lambda: do_reject(c, actor=a, reason="Private plot", now=T0)],
            "duplicate": [lambda: do_mark_duplicate(c, original=self.register(), actor=a, now=T0)],
        }[status]
        for step in steps:
            step()
        c.refresh_from_db()
        assert c.status == status
        return c

    def resolve(self, c, now):
        return do_resolve(c, actor=self.actor, remarks="Heap lifted", photo=photo_upload(), now=now)

    def act(self, action: str, c: Complaint, now=None) -> Complaint:
        a = self.actor
        return {
            "assign": lambda: do_assign(c, self.other_officer, actor=a, reason="Inspector on other duty", now=now),
            "start": lambda: do_start_work(c, actor=a, now=now),
            "hold": lambda: do_put_on_hold(c, actor=a, reason="Waiting for the JCB", now=now),
            "resume": lambda: do_resume(c, actor=a, now=now),
            "resolve": lambda: self.resolve(c, now),
            "close": lambda: do_close(c, actor=a, remarks="Citizen confirmed", now=now),
            "reopen": lambda: do_reopen(c, actor=a, reason="Citizen says the heap is back", now=now),
            "reject": lambda: do_reject(c, actor=a, reason="Private plot, not municipal", now=now),
            "mark_duplicate": lambda: do_mark_duplicate(c, original=self.original, actor=a, now=now),
        }[action]()


@pytest.fixture
def desk(city, officer, commissioner, agent):
    d = Desk(city, officer, commissioner, agent)
    d.original = d.register()
    return d


def snapshot(c: Complaint):
    c = Complaint.objects.get(pk=c.pk)
    return (c.status, c.assigned_to_id, c.updated_at, c.resolved_at, c.closed_at, c.hold_reason, c.duplicate_of_id,
            c.events.count(), Attachment.objects.filter(complaint=c).count())


def last_event(c: Complaint) -> ComplaintEvent:
    return c.events.order_by("-id").first()


# --- the transition table ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("action", "from_status"), sorted(LEGAL))
def test_legal_transition_succeeds_and_writes_one_event(desk, action, from_status):
    c = desk.complaint_in(from_status)
    events_before = c.events.count()
    with time_machine.travel(T1, tick=False):
        result = desk.act(action, c)
    c.refresh_from_db()
    assert result.status == c.status == LEGAL[action, from_status]
    assert c.updated_at == T1
    assert c.events.count() == events_before + 1
    event = last_event(c)
    assert (event.kind, event.actor, event.at, event.from_status, event.to_status) == (
        EVENT_KIND[action], desk.actor, T1, from_status, LEGAL[action, from_status]
    )


ILLEGAL = [(a, s) for a in ACTIONS for s in ALL_STATUSES if (a, s) not in LEGAL]


@pytest.mark.parametrize(("action", "from_status"), ILLEGAL)
def test_illegal_transition_is_refused_and_changes_nothing(desk, action, from_status):
    c = desk.complaint_in(from_status)
    before = snapshot(c)
    with pytest.raises(IllegalTransition) as refused, translation.override("en"):
        desk.act(action, c, now=T1)
    assert snapshot(c) == before
    with translation.override("en"):
        message = refused.value.messages[0]
    assert dockets.spoken(c.docket) in message
    assert str(Status(from_status).label) in message
    assert "cannot be done now" in message


def test_illegal_transition_message_reads_well(desk):
    """What the agent sees, in full, when they try to start work on a closed complaint."""
    c = desk.complaint_in("closed")
    with translation.override("en"), pytest.raises(IllegalTransition) as refused:
        do_start_work(c, actor=desk.actor, now=T1)
    with translation.override("en"):
        assert refused.value.messages == [f"Complaint {dockets.spoken(c.docket)} is closed; that cannot be done now."]


def test_the_whole_life_of_a_complaint_reads_as_one_consistent_timeline(desk):
    c = desk.register()
    steps = ["start", "hold", "resume", "resolve", "close", "reopen", "start", "resolve", "close"]
    for minutes, action in enumerate(steps, start=1):
        desk.act(action, c, now=T0 + timedelta(minutes=minutes))
    events = list(c.events.all())
    assert [e.kind for e in events] == ["registered", "assigned", "started", "on_hold", "resumed", "resolved",
                                        "closed", "reopened", "started", "resolved", "closed"]
    for earlier, later in zip(events[1:], events[2:]):
        assert later.from_status == earlier.to_status
        assert later.at > earlier.at


# --- what each action records --------------------------------------------------------------------------------

def test_resolve_needs_a_proof_photo_when_the_category_demands_it(desk):
    c = desk.register()  # garbage: proof photo required
    before = snapshot(c)
    with pytest.raises(ValidationError) as refused:
        do_resolve(c, actor=desk.actor, remarks="Heap lifted", now=T1)
    assert "photo" in refused.value.message_dict
    assert snapshot(c) == before


def test_resolve_with_proof_photo_keeps_the_photo_on_the_resolution_event(desk, settings):
    c = desk.register()
    do_resolve(c, actor=desk.actor, remarks="Heap lifted", photo=photo_upload(), now=T1)
    c.refresh_from_db()
    assert (c.status, c.resolved_at, c.resolution_remarks) == (Status.RESOLVED, T1, "Heap lifted")
    proof = Attachment.objects.get(complaint=c)
    assert (proof.kind, proof.content_type, proof.uploaded_by, proof.event) == (
        AttachmentKind.PROOF, "image/jpeg", desk.actor, last_event(c)
    )
    assert proof.size == Path(proof.file.path).stat().st_size > 0
    assert Path(proof.file.path).is_relative_to(settings.MEDIA_ROOT)


def test_photo_is_optional_where_the_category_does_not_demand_it(desk):
    c = desk.register(category=desk.city.sweeping)
    do_resolve(c, actor=desk.actor, remarks="Lane swept", now=T1)
    c.refresh_from_db()
    assert c.status == Status.RESOLVED
    assert not Attachment.objects.filter(complaint=c).exists()


@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("proof.jpg", b"MZ\x90\x00 this is an .exe, not a photo", content_type="image/jpeg"),
    SimpleUploadedFile("proof.jpg", b"", content_type="image/jpeg"),
    SimpleUploadedFile("proof.pdf", b"%PDF-1.4\n%...\n", content_type="application/pdf"),
], ids=["executable", "empty", "pdf"])
def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_kept(desk, settings, upload):
    c = desk.register(category=desk.city.sweeping)  # even where the photo is optional
    before = snapshot(c)
    with pytest.raises(ValidationError):
        do_resolve(c, actor=desk.actor, remarks="Lane swept", photo=upload, now=T1)
    assert snapshot(c) == before
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*.*"))


def test_a_photo_over_the_size_limit_is_refused(desk, settings):
    photo = photo_upload()
    settings.NNC_PHOTO_MAX_BYTES = photo.size - 1
    c = desk.register()
    before = snapshot(c)
    with pytest.raises(ValidationError) as refused:
        do_resolve(c, actor=desk.actor, remarks="Heap lifted", photo=photo, now=T1)
    assert refused.value.code == "too_large"
    assert snapshot(c) == before


def test_reassigning_records_who_and_why_and_clears_the_unrouted_flag(city, officer, head, desk):
    c = desk.register(ward=city.wards[4])  # nobody covers Naini: the head has it, unrouted
    assert (c.assigned_to, c.unrouted) == (head, True)
    naini = make_officer("naini", roles.FIELD_OFFICER, city.sanitation, wards=[city.wards[4]])
    do_assign(c, naini, actor=head.user, reason="Naini's new inspector joined today", now=T1)
    c.refresh_from_db()
    assert (c.assigned_to, c.unrouted, c.status) == (naini, False, Status.ASSIGNED)
    event = last_event(c)
    assert (event.kind, event.actor, event.officer, event.note, event.data) == (
        EventKind.REASSIGNED, head.user, naini, "Naini's new inspector joined today", {"from_officer": head.pk}
    )


@pytest.mark.parametrize("reason", ["", "   ", "\x00\x07"])
def test_reassigning_without_a_reason_is_refused(desk, reason):
    c = desk.register()
    before = snapshot(c)
    with pytest.raises(ValidationError):
        do_assign(c, desk.other_officer, actor=desk.actor, reason=reason, now=T1)
    assert snapshot(c) == before


def test_reassigning_to_another_department_an_inactive_officer_or_the_same_officer_is_refused(desk, outsider):
    c = desk.register()
    retired = make_officer("retired", roles.FIELD_OFFICER, desk.city.sanitation, is_active=False)
    before = snapshot(c)
    for wrong in (outsider, retired, desk.officer):
        with pytest.raises(ValidationError) as refused:
            do_assign(c, wrong, actor=desk.actor, reason="Trying", now=T1)
        assert "officer" in refused.value.message_dict
    assert snapshot(c) == before


def test_hold_records_its_reason_and_resume_clears_it(desk):
    c = desk.register()
    do_put_on_hold(c, actor=desk.actor, reason="Waiting for the JCB", now=T1)
    c.refresh_from_db()
    assert c.hold_reason == last_event(c).note == "Waiting for the JCB"
    do_resume(c, actor=desk.actor, now=T1 + timedelta(hours=1))
    c.refresh_from_db()
    assert (c.status, c.hold_reason) == (Status.IN_PROGRESS, "")


def test_closing_stamps_the_time_and_reopening_after_close_clears_it(desk):
    c = desk.complaint_in("resolved")
    do_close(c, actor=desk.actor, now=T1)
    c.refresh_from_db()
    assert c.closed_at == T1
    do_reopen(c, actor=desk.actor, reason="The heap is back next morning", now=T1 + timedelta(days=1))
    c.refresh_from_db()
    assert (c.status, c.closed_at) == (Status.REOPENED, None)
    assert last_event(c).note == "The heap is back next morning"
    assert c.is_open


def test_reopen_needs_the_citizens_reason(desk):
    c = desk.complaint_in("closed")
    before = snapshot(c)
    with pytest.raises(ValidationError):
        do_reopen(c, actor=desk.actor, reason="", now=T1)
    assert snapshot(c) == before


def test_reject_needs_a_reason_and_ends_the_complaint(desk):
    c = desk.register()
    with pytest.raises(ValidationError):
        do_reject(c, actor=desk.actor, reason=" ", now=T1)
    do_reject(c, actor=desk.actor, reason="Private plot, not municipal", now=T1)
    c.refresh_from_db()
    assert (c.status, c.closed_at, c.is_open) == (Status.REJECTED, T1, False)


def test_marking_a_duplicate_points_at_the_original(desk):
    c = desk.register()
    do_mark_duplicate(c, original=desk.original, actor=desk.actor, now=T1)
    c.refresh_from_db()
    assert (c.status, c.duplicate_of, c.closed_at) == (Status.DUPLICATE, desk.original, T1)
    event = last_event(c)
    assert event.data == {"original": desk.original.docket}
    assert desk.original.docket in event.note


def test_a_complaint_cannot_duplicate_itself(desk):
    c = desk.register()
    before = snapshot(c)
    with pytest.raises(ValidationError):
        do_mark_duplicate(c, original=c, actor=desk.actor, now=T1)
    assert snapshot(c) == before


def test_two_complaints_cannot_be_marked_duplicates_of_each_other(desk):
    """A is marked a duplicate of B; B (still open) must not then be marked a duplicate of A, or both end
    as 'duplicate' and nobody works on the heap. The caller's `a` is the object it had before A was
    marked (as a view holding it, or a second agent at the same moment, would), so the action must
    read the original's status from the database, under lock, not trust the object it was handed."""
    a, b = desk.register(), desk.register()
    do_mark_duplicate(a, original=b, actor=desk.actor, now=T1)
    before = snapshot(b)
    with pytest.raises(ValidationError):
        do_mark_duplicate(b, original=a, actor=desk.actor, now=T1)
    assert snapshot(b) == before


def test_a_note_is_added_without_changing_the_status(desk):
    c = desk.complaint_in("in_progress")
    event = do_add_note(c, actor=desk.actor, note="Caller rang again at 4 pm", now=T1)
    c.refresh_from_db()
    assert c.status == Status.IN_PROGRESS
    assert (event.kind, event.from_status, event.to_status, event.actor, event.at) == (
        EventKind.NOTE, "in_progress", "in_progress", desk.actor, T1
    )


def test_the_system_itself_may_act_without_an_actor(desk):
    """actor=None is the scheduler (auto-close after N days)."""
    c = desk.complaint_in("resolved")
    do_close(c, actor=None, now=T1)
    assert last_event(c).actor is None
    assert Complaint.objects.get(pk=c.pk).status == Status.CLOSED


# --- the timeline is append-only -------------------------------------------------------------------------------

def test_an_event_cannot_be_edited(desk):
    event = last_event(desk.register())
    event.note = "Never happened"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert ComplaintEvent.objects.get(pk=event.pk).note != "Never happened"


def test_an_event_cannot_be_deleted(desk):
    event = last_event(desk.register())
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert ComplaintEvent.objects.filter(pk=event.pk).exists()


def test_events_cannot_be_edited_or_deleted_in_bulk_either(desk):
    """BUG (models.ComplaintEvent): only the instance save()/delete() refuse; QuerySet.update() and
    QuerySet.delete() (a data fix, a bulk admin action) rewrite or erase the timeline silently.
    Proposed fix: a default manager from a QuerySet whose update() and delete() raise AppendOnlyError."""
    c = desk.register()
    with pytest.raises(AppendOnlyError):
        ComplaintEvent.objects.filter(complaint=c).update(note="Never happened")
    with pytest.raises(AppendOnlyError):
        ComplaintEvent.objects.filter(complaint=c).delete()
    assert c.events.count() == 2
