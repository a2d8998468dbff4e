"""Citizens, their complaints, and each complaint's append-only timeline.

Writes go through `nagar_nigam_cc.complaints.actions` (one `do_*` per change), never through `save()`
from views or the admin: that is where transitions are checked and events written.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.directory.models import Category, Department, Officer, Priority, Ward, Zone


class Language(models.TextChoices):
    HINDI = "hi", "हिन्दी"
    ENGLISH = "en", "English"


class Citizen(models.Model):
    mobile = models.CharField(_("mobile"), max_length=16, unique=True, help_text=_("E.164, e.g. +919839012345"))
    name = models.CharField(_("name"), max_length=120, blank=True)
    language = models.CharField(_("preferred language"), max_length=2, choices=Language.choices, default=Language.HINDI)
    created_at = models.DateTimeField(_("first seen"), auto_now_add=True)

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")

    def __str__(self) -> str:
        return f"{self.name or '—'} ({self.mobile})"


class Status(models.TextChoices):
    ASSIGNED = "assigned", _("assigned")
    IN_PROGRESS = "in_progress", _("in progress")
    ON_HOLD = "on_hold", _("on hold")
    RESOLVED = "resolved", _("resolved")
    REOPENED = "reopened", _("reopened")
    CLOSED = "closed", _("closed")
    REJECTED = "rejected", _("rejected")
    DUPLICATE = "duplicate", _("duplicate")


#: Statuses in which the city still owes the citizen something.
OPEN_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS, Status.ON_HOLD, Status.REOPENED)
#: Statuses after which nothing more happens unless someone reopens.
FINAL_STATUSES = (Status.CLOSED, Status.REJECTED, Status.DUPLICATE)


class Channel(models.TextChoices):
    PHONE = "phone", _("phone call")
    WHATSAPP = "whatsapp", _("WhatsApp")
    IGRS = "igrs", _("IGRS portal")
    WEB = "web", _("web")
    API = "api", _("API")
    WALK_IN = "walk_in", _("walk-in")


class Complaint(models.Model):
    docket = models.CharField(_("docket number"), max_length=dockets.MAX_LENGTH, unique=True, editable=False)
    citizen = models.ForeignKey(Citizen, models.PROTECT, related_name="complaints", verbose_name=_("citizen"))
    category = models.ForeignKey(Category, models.PROTECT, related_name="+", verbose_name=_("category"))
    # Department and zone are copied from the category and ward at registration (deliberate
    # denormalisation): visibility and the desk's lists filter on them through one index each, and
    # a later change of the category's department does not move complaints already in hand.
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name=_("department"))
    ward = models.ForeignKey(Ward, models.PROTECT, related_name="+", verbose_name=_("ward"))
    zone = models.ForeignKey(Zone, models.PROTECT, related_name="+", verbose_name=_("zone"))
    assigned_to = models.ForeignKey(
        Officer, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("assigned to")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ASSIGNED)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    unrouted = models.BooleanField(
        _("unrouted"), default=False, help_text=_("No officer's jurisdiction covered it; a supervisor must assign it.")
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    landmark = models.CharField(_("landmark"), max_length=255, blank=True)
    description = models.TextField(_("description"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("registered by")
    )
    registered_at = models.DateTimeField(_("registered at"), db_index=True)
    updated_at = models.DateTimeField(_("last change"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    resolution_remarks = models.TextField(_("resolution remarks"), blank=True)
    hold_reason = models.CharField(_("reason for hold"), max_length=255, blank=True)
    duplicate_of = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="duplicates", verbose_name=_("duplicate of")
    )
    #: The complaint's number in the system it came from (IGRS reference, an Open311 client's id …);
    #: unique per channel, so the same complaint is never imported twice. NULL for our own.
    external_ref = models.CharField(_("reference in the source system"), max_length=64, null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    # --- the time limit (see nagar_nigam_cc.sla) ----------------------------------------------------
    # The plan is copied from the policy at registration, so editing a policy never moves open deadlines.
    sla_policy = models.ForeignKey(
        "sla.SLAPolicy", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("SLA policy")
    )
    sla_plan = models.JSONField(_("SLA plan"), default=dict, blank=True, editable=False)
    #: Keys of the plan's steps already performed (or skipped); kept with the row so a step is done once.
    sla_done = models.JSONField(_("SLA steps done"), default=list, blank=True, editable=False)
    due_at = models.DateTimeField(_("due by"), null=True, blank=True, db_index=True)
    paused_for = models.DurationField(_("time on hold (on the SLA clock)"), default=timedelta(0))
    paused_since = models.DateTimeField(_("on hold since"), null=True, blank=True)
    breached_at = models.DateTimeField(_("time ran out at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    #: Working time from registration to the (latest) resolution on the SLA clock, time on hold left out:
    #: what the officer scorecard averages. Set when the complaint is resolved, cleared when reopened.
    resolution_seconds = models.PositiveIntegerField(_("time to resolve (working seconds)"), null=True, blank=True,
                                                     editable=False)
    #: The next moment the sweep must act on this complaint (reminder, escalation, auto-close); null
    #: when nothing is scheduled. Indexed: a sweep reads only what is due.
    next_action_at = models.DateTimeField(_("next action at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-registered_at", "-id"]
        permissions = [("export_complaint", _("Can export complaints"))]
        indexes = [
            # One per way the desk narrows the list, each ending in the list's order.
            models.Index(fields=["department", "-registered_at"], name="complaint_dept_recent"),
            models.Index(fields=["zone", "-registered_at"], name="complaint_zone_recent"),
            models.Index(fields=["assigned_to", "status"], name="complaint_officer_status"),
            models.Index(fields=["status", "-registered_at"], name="complaint_status_recent"),
            models.Index(fields=["citizen", "category", "ward"], name="complaint_citizen_dupes"),
            # The agent console: a caller's latest complaints (read backwards, no sort however many they
            # have), and open complaints of the same kind in the same ward (likely duplicates).
            models.Index(fields=["citizen", "registered_at"], name="complaint_citizen_recent"),
            models.Index(fields=["category", "ward", "registered_at"], name="complaint_place_recent"),
            # "Escalated" in the desk: the few complaints above level 0, newest first, without walking
            # the whole table by date (0.9 s at a million open complaints without it).
            models.Index(fields=["escalation_level", "-registered_at"], name="complaint_level_recent"),
            # Reports (reports/): every figure is a count over one of these two indexes alone, never the
            # rows. A period's complaints (SLA compliance, rankings, trends) are a range of the first;
            # what is open now (dashboard: open, overdue, escalated, ageing) a range of the second. The
            # report's filters and SLA outcome are columns of each, so MariaDB answers from the index.
            models.Index(fields=["registered_at", "department", "zone", "ward", "category", "channel", "status",
                                 "assigned_to", "due_at", "resolved_at", "paused_since", "escalation_level"],
                         name="complaint_report_period"),
            models.Index(fields=["status", "registered_at", "due_at", "paused_since", "escalation_level",
                                 "department", "zone", "ward", "category", "channel", "assigned_to"],
                         name="complaint_report_open"),
        ]
        constraints = [
            # NULLs never collide, so only imported complaints are checked.
            models.UniqueConstraint(fields=["channel", "external_ref"], name="complaint_once_per_source_ref"),
        ]

    def __str__(self) -> str:
        return dockets.spoken(self.docket) if self.docket else _("new complaint")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Follower(models.Model):
    """Another citizen who reported the same problem: attached to the open complaint instead of opening
    a second one, and kept informed of it (told its number now, and of its outcome later)."""

    complaint = models.ForeignKey(Complaint, models.CASCADE, related_name="followers", verbose_name=_("complaint"))
    citizen = models.ForeignKey(Citizen, models.CASCADE, related_name="following", verbose_name=_("citizen"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    added_at = models.DateTimeField(_("added at"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("added by")
    )

    class Meta:
        verbose_name = _("other caller")
        verbose_name_plural = _("other callers")
        constraints = [models.UniqueConstraint(fields=["complaint", "citizen"], name="follower_once")]

    def __str__(self) -> str:
        return f"{self.citizen} → {self.complaint}"


class EventKind(models.TextChoices):
    REGISTERED = "registered", _("registered")
    ASSIGNED = "assigned", _("assigned")
    REASSIGNED = "reassigned", _("reassigned")
    STARTED = "started", _("work started")
    ON_HOLD = "on_hold", _("put on hold")
    RESUMED = "resumed", _("resumed")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")
    REOPENED = "reopened", _("reopened")
    REJECTED = "rejected", _("rejected")
    DUPLICATE = "duplicate", _("marked duplicate")
    NOTE = "note", _("note")
    SLA_SET = "sla_set", _("time limit set")
    REMINDED = "reminded", _("officer reminded")
    BREACHED = "breached", _("time ran out")
    ESCALATED = "escalated", _("escalated")
    # The citizen's answer to the resolution (by SMS/WhatsApp reply, or told to an agent). Reports
    # count these two kinds: confirmed versus disputed resolutions.
    CONFIRMED = "confirmed", _("citizen confirmed the resolution")
    DISPUTED = "disputed", _("citizen says it is not solved")


#: How routing chose the officer (ComplaintEvent.data["matched_by"]), in the reader's language.
ROUTING_REASONS = {
    "ward": _("ward officer"),
    "zone": _("zone officer"),
    "department": _("department default officer"),
    "head": _("no officer covers this ward: sent to the head of department"),
    "nobody": _("no officer covers this ward and the department has no head"),
}


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk rewrites of the timeline are refused too (a data fix must add events, not edit them).
    Deleting a whole complaint (the demo's reset) still removes its events through the cascade."""

    def update(self, **kwargs):
        raise AppendOnlyError("complaint events are append-only")

    def delete(self):
        raise AppendOnlyError("complaint events are append-only")


class ComplaintEvent(models.Model):
    """One line of a complaint's timeline. Written once by an action; never edited or deleted."""

    objects = AppendOnlyQuerySet.as_manager()

    complaint = models.ForeignKey(Complaint, models.CASCADE, related_name="events", verbose_name=_("complaint"))
    kind = models.CharField(_("what happened"), max_length=16, choices=EventKind.choices)
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices, blank=True)
    officer = models.ForeignKey(
        Officer, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("officer")
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["complaint", "at"], name="event_complaint_time"),
            # Changes since a moment, across complaints (Open311's servicerequestupdates, reports).
            models.Index(fields=["at"], name="event_time"),
            # Reports: the escalation register and "escalations received" (one kind, by time).
            models.Index(fields=["kind", "at"], name="event_kind_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {self.at:%Y-%m-%d %H:%M}"

    @property
    def shown_note(self) -> str:
        """The note as a reader should see it: routing's reason in their language (the stored note
        keeps the English record)."""
        if self.kind == EventKind.ASSIGNED and self.data.get("matched_by") in ROUTING_REASONS:
            return str(ROUTING_REASONS[self.data["matched_by"]])
        return self.note

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("complaint events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("complaint events are append-only")


class AttachmentKind(models.TextChoices):
    CITIZEN_PHOTO = "citizen", _("citizen's photo")
    PROOF = "proof", _("proof of work")


class Attachment(models.Model):
    complaint = models.ForeignKey(Complaint, models.CASCADE, related_name="attachments", verbose_name=_("complaint"))
    event = models.ForeignKey(
        ComplaintEvent, models.SET_NULL, null=True, blank=True, related_name="attachments", verbose_name=_("event")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to="complaints/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class DocketCounter(models.Model):
    """The last docket sequence handed out in one month (YYMM). See `dockets`."""

    period = models.CharField(max_length=4, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("docket counter")
        verbose_name_plural = _("docket counters")
