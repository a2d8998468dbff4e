"""What the REST API keeps besides complaints: the clients' idempotency keys."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """A client's `Idempotency-Key` for one registration: a retried POST gets the first complaint back.

    Kept in the database, in the registration's own transaction, so the key and the complaint exist
    together or not at all, whatever happens to Redis or to the client's connection. Keys are per user:
    two clients may well both send "1".
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("user"))
    key = models.CharField(_("key"), max_length=255)
    #: SHA-256 of the request as parsed: the same key with a different request is the client's bug.
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    complaint = models.ForeignKey("complaints.Complaint", models.CASCADE, related_name="+", verbose_name=_("complaint"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]

    def __str__(self) -> str:
        return self.key
