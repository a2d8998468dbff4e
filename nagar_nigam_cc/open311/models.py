"""Open311 clients' keys, and the service requests they sent.

An `ApiKey` is issued by the commissioner's office in the desk to one client (a citizen app,
FixMyStreet, a ward office's kiosk). Only a hash of the key is stored: the desk shows the key once,
when it is issued. Each key has its own login (`user`, no password, not staff) holding the call-centre
agent's role, so its complaints are registered by a named actor through the same `do_register` as an
agent's, and the desk's "registered by" names the client. Deactivating the key deactivates that login.
"""
from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.directory import roles

_PREFIX_LENGTH = 8


def hash_key(secret: str) -> str:
    # Keys are 256 random bits, so one SHA-256 is enough (a slow password hash buys nothing here and
    # would cost every request).
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKey(models.Model):
    name = models.CharField(_("client"), max_length=120, help_text=_("Who uses this key, e.g. “FixMyStreet Prayagraj”."))
    prefix = models.CharField(_("key begins"), max_length=_PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="open311_key", editable=False,
        verbose_name=_("login the client's complaints are registered by"),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("issued at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", editable=False,
        verbose_name=_("issued by"),
    )

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, name: str, *, created_by=None) -> tuple[ApiKey, str]:
        """A new key for a client: (the row, the secret). The secret is not stored; show it once."""
        key = cls(name=name, created_by=created_by)
        secret = key.new_secret()
        key.save()
        return key, secret

    def new_secret(self) -> str:
        """Give the key a new secret (not saved yet) and return it: the only time it is known."""
        secret = secrets.token_urlsafe(32)
        self.prefix, self.key_hash = secret[:_PREFIX_LENGTH], hash_key(secret)
        return secret

    @classmethod
    def find(cls, secret: str | None) -> ApiKey | None:
        """The active key with this secret, or None."""
        if not secret or len(secret) > 200:
            return None
        return cls.objects.select_related("user").filter(key_hash=hash_key(secret), active=True,
                                                         user__is_active=True).first()

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if self.user_id is None:
                self.user = self._new_login()
            super().save(*args, **kwargs)
            if self.user.is_active != self.active:
                self.user.is_active = self.active
                self.user.save(update_fields=["is_active"])

    def _new_login(self) -> User:
        user = User(username=f"open311-{slugify(self.name)[:40] or 'client'}-{secrets.token_hex(3)}",
                    first_name=self.name[:150], is_staff=False, is_active=self.active)
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=roles.AGENT))
        return user


class Open311Request(models.Model):
    """A service request received through Open311: which key sent it, the client's own id for it (when
    it gave one), the token handed back, and the photo link it sent (photos stay where the client keeps
    them: this server fetches nothing from elsewhere)."""

    api_key = models.ForeignKey(ApiKey, models.PROTECT, related_name="requests", verbose_name=_("API key"))
    complaint = models.OneToOneField(
        "complaints.Complaint", models.CASCADE, related_name="open311", verbose_name=_("complaint")
    )
    token = models.CharField(_("token"), max_length=32, unique=True)
    #: The client's own id for the request: sending it again returns the first complaint, not a second.
    client_ref = models.CharField(_("client's reference"), max_length=100, null=True, blank=True)
    media_url = models.TextField(_("photo links"), blank=True, help_text=_("One address a line."))
    #: The rest of what the client sent that the complaint has no place for (e-mail, device and account
    #: ids, attribute[…] values), so nothing it sent is lost.
    details = models.JSONField(_("other details sent"), default=dict, blank=True)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")
        constraints = [
            models.UniqueConstraint(fields=["api_key", "client_ref"], name="open311_once_per_client_ref"),
        ]

    def __str__(self) -> str:
        return self.token
