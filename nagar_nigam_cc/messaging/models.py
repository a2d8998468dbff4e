"""Messages: the outbox, the templates they are written from, replies that come in, and the desk's
message settings.

The outbox (OutboundMessage) holds every message the system owes someone, written in the same
transaction as its cause and unique by an idempotency key. Delivery (messaging.delivery) claims due
rows, renders them from a MessageTemplate in the recipient's language, hands them to the configured
gateway (messaging.gateways) and records what happened; delivery receipts update the row later.
"""
from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.complaints.models import Language
from nagar_nigam_cc.complaints.phones import masked


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("e-mail")


class Event(models.TextChoices):
    """What a message is for. Each has its own template per channel and language."""

    REGISTERED = "registered", _("complaint registered (to the citizen)")
    ASSIGNED = "assigned", _("complaint assigned (to the officer)")
    REMINDER = "reminder", _("reminder before the time limit (to the officer)")
    REMINDER_DIGEST = "reminder_digest", _("several reminders in one message (to the officer)")
    BREACH = "breach", _("time limit crossed (to the officer)")
    ESCALATION = "escalation", _("escalation (to the senior officer)")
    RESOLVED = "resolved", _("complaint resolved (to the citizen, asks to confirm)")
    CLOSED = "closed", _("complaint closed (to the citizen)")
    REPLY_STATUS = "reply_status", _("reply: status of a complaint")
    REPLY_CONFIRMED = "reply_confirmed", _("reply: thanks for confirming")
    REPLY_REOPENED = "reply_reopened", _("reply: complaint reopened and escalated")
    REPLY_NOT_FOUND = "reply_not_found", _("reply: no such complaint for this mobile")
    REPLY_HELP = "reply_help", _("reply: how to write to us")
    FOLLOWER_ADDED = "follower_added", _("caller added to an open complaint (to the citizen)")
    OTP = "otp", _("one-time code (to the citizen)")
    #: A turn of a WhatsApp conversation: its words are written by the conversation, not a template
    #: (free-form replies are allowed within WhatsApp's 24-hour session).
    CONVERSATION = "conversation", _("WhatsApp conversation")


#: Messages a citizen gets even in the quiet hours: the acknowledgement they are waiting for, and
#: answers to a message they have just sent.
QUIET_HOURS_EXEMPT = frozenset({
    Event.REGISTERED, Event.FOLLOWER_ADDED, Event.OTP, Event.CONVERSATION, Event.REPLY_STATUS, Event.REPLY_CONFIRMED, Event.REPLY_REOPENED, Event.REPLY_NOT_FOUND,
    Event.REPLY_HELP,
})


class OutboundMessage(models.Model):
    Channel = Channel

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        UNDELIVERED = "undelivered", _("not delivered")
        FAILED = "failed", _("failed")
        BATCHED = "batched", _("sent in a combined message")

    #: complaint + step + recipient: the database refuses a second copy of the same message.
    key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.SMS)
    event = models.CharField(_("what for"), max_length=40, choices=Event.choices)
    complaint = models.ForeignKey(
        "complaints.Complaint", models.CASCADE, null=True, blank=True, related_name="messages", verbose_name=_("complaint")
    )
    to_officer = models.ForeignKey(
        "directory.Officer", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("to officer")
    )
    to_mobile = models.CharField(_("to mobile"), max_length=16, blank=True)
    to_email = models.EmailField(_("to e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, blank=True)
    context = models.JSONField(_("details"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField(_("created at"))
    #: When a worker may (next) try it; while one is sending, the end of its lease. NULL once done.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    body = models.TextField(_("text sent"), blank=True)
    template = models.ForeignKey(
        "MessageTemplate", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("template")
    )
    gateway = models.CharField(_("gateway"), max_length=20, blank=True)
    provider_id = models.CharField(_("gateway's message id"), max_length=64, blank=True, db_index=True)
    error_code = models.CharField(_("error code"), max_length=20, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    receipt = models.CharField(_("delivery receipt"), max_length=30, blank=True)
    digest = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="parts", verbose_name=_("sent within")
    )

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        indexes = [
            # The delivery worker's claim: state IN (queued, sending) AND next_attempt_at <= now.
            models.Index(fields=["state", "next_attempt_at"], name="message_due"),
        ]

    def __str__(self) -> str:
        # Masked: the title of desk pages, history and logs are read by people who may not see the number.
        return f"{self.get_event_display()} → {masked(self.to_mobile) if self.to_mobile else self.to_email or self.to_officer_id}"


class MessageTemplate(models.Model):
    """The words of one kind of message, in one language, on one channel. Variables are written
    {docket}; messaging.templating lists which each event offers and checks them on save."""

    event = models.CharField(_("what for"), max_length=40, choices=Event.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.SMS)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    body = models.TextField(_("text"), help_text=_("Write variables in braces, e.g. {docket}."))
    dlt_template_id = models.CharField(
        _("DLT template id"), max_length=30, blank=True,
        help_text=_("The id TRAI's DLT platform gave this template (19 digits). Indian SMS gateways need it."),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ("event", "channel", "language")
        constraints = [
            models.UniqueConstraint(fields=["event", "channel", "language"], name="one_template_per_event_language"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} · {self.get_channel_display()} · {self.get_language_display()}"

    def clean(self) -> None:
        from nagar_nigam_cc.messaging import templating

        problems = templating.problems(self.event, self.body or "")
        if problems:
            raise ValidationError({"body": problems})
        if self.dlt_template_id and not self.dlt_template_id.isdigit():
            raise ValidationError({"dlt_template_id": _("A DLT template id is made of digits only.")})


class InboundMessage(models.Model):
    """A message a citizen sent us (an SMS or WhatsApp reply), kept as received, once per gateway id."""

    class Outcome(models.TextChoices):
        STATUS = "status", _("status sent")
        CONFIRMED = "confirmed", _("resolution confirmed")
        DISPUTED = "disputed", _("reopened and escalated")
        NOT_FOUND = "not_found", _("no such complaint for this mobile")
        NOT_UNDERSTOOD = "not_understood", _("not understood")
        REFUSED = "refused", _("could not be done")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    gateway = models.CharField(_("gateway"), max_length=20)
    provider_id = models.CharField(_("gateway's message id"), max_length=64)
    from_mobile = models.CharField(_("from mobile"), max_length=16)
    body = models.TextField(_("text"))
    received_at = models.DateTimeField(_("received at"))
    citizen = models.ForeignKey("complaints.Citizen", models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("citizen"))
    complaint = models.ForeignKey("complaints.Complaint", models.SET_NULL, null=True, blank=True,
                                  related_name="replies", verbose_name=_("complaint"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)

    class Meta:
        verbose_name = _("citizen reply")
        verbose_name_plural = _("citizen replies")
        constraints = [
            # A gateway that retries its webhook (or an attacker replaying one) cannot act twice.
            models.UniqueConstraint(fields=["gateway", "provider_id"], name="inbound_once_per_gateway_id"),
        ]

    def __str__(self) -> str:
        return f"{masked(self.from_mobile)}: {self.body[:40]}"


class MessagingSettings(models.Model):
    """The desk's one row of message rules (quiet hours, reminder batching)."""

    quiet_hours = models.BooleanField(_("keep quiet hours"), default=True)
    quiet_from = models.TimeField(_("quiet from"), default=time(21, 0))
    quiet_until = models.TimeField(_("quiet until"), default=time(8, 0))
    digest_from = models.PositiveSmallIntegerField(
        _("combine an officer's reminders from"), default=2,
        help_text=_("When a sweep has this many reminders or more for one officer, they get one message listing "
                    "them all."),
    )

    class Meta:
        verbose_name = _("message settings")
        verbose_name_plural = _("message settings")

    def __str__(self) -> str:
        return str(_("Message settings"))

    def clean(self) -> None:
        if self.quiet_hours and self.quiet_from == self.quiet_until:
            raise ValidationError({"quiet_until": _("Quiet hours must end at another time than they start.")})
        if self.digest_from < 2:
            raise ValidationError({"digest_from": _("Combining starts at two reminders or more.")})

    def save(self, *args, **kwargs):
        self.pk = 1  # one row
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> MessagingSettings:
        return cls.objects.filter(pk=1).first() or cls(pk=1)
