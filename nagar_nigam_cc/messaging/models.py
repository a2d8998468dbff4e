"""The outbox: every message the system owes someone, written in the same transaction as its cause.

Delivery (SMS/WhatsApp gateways, retries, receipts) comes with the messages issue; until then the
rows are the record that no reminder or escalation notice was lost, and the desk lists them.
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundMessage(models.Model):
    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        WHATSAPP = "whatsapp", _("WhatsApp")
        EMAIL = "email", _("e-mail")

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    #: complaint + step + recipient: the database refuses a second copy of the same message.
    key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.SMS)
    event = models.CharField(_("what for"), max_length=40)
    complaint = models.ForeignKey(
        "complaints.Complaint", models.CASCADE, null=True, blank=True, related_name="messages", verbose_name=_("complaint")
    )
    to_officer = models.ForeignKey(
        "directory.Officer", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("to officer")
    )
    to_mobile = models.CharField(_("to mobile"), max_length=16, blank=True)
    context = models.JSONField(_("details"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        indexes = [models.Index(fields=["state", "created_at"], name="message_state_created")]

    def __str__(self) -> str:
        return f"{self.event} → {self.to_mobile or self.to_officer_id}"
