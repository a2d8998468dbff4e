"""A citizen's mobile number, checked by a one-time code before the public pages act on it.

A complaint typed on the public form is registered only once the citizen types the code sent by SMS to
the mobile they gave; a "solved" / "not solved" answer on the tracking page only once the complaint's
own mobile gets a code and it is typed back. Meanwhile what was typed waits here, server-side, in a
`PhoneVerification` row, so nothing is lost to a slow SMS, a wrong code or the back button.

The row is also the form's one-time token: the form carries the row's `token`, so a second submit of
the same form (double click, back button, a retry on a bad connection) finds the row instead of
making another, and the row is consumed once (`state` becomes DONE under a row lock).

Codes are stored as an HMAC keyed by the site's secret (never the code itself), expire after
NNC_PUBLIC_CODE_MINUTES and allow NNC_PUBLIC_CODE_TRIES wrong tries. Each code sent is a `CodeSent`
row: the per-mobile hourly limit counts them.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.complaints.models import Complaint

_HMAC_SALT = "nagar_nigam_cc.public.code"


class Purpose(models.TextChoices):
    REGISTER = "register", _("register a complaint")
    FEEDBACK = "feedback", _("confirm or dispute a resolution")


class Answer(models.TextChoices):
    """The citizen's word on a resolved complaint (Purpose.FEEDBACK)."""

    CONFIRM = "confirm", _("Solved")
    DISPUTE = "dispute", _("Not solved")


class Verdict(models.TextChoices):
    """What checking a typed code found."""

    RIGHT = "right"
    WRONG = "wrong"
    EXPIRED = "expired"
    NO_TRIES_LEFT = "no_tries_left"
    NOT_SENT = "not_sent"


class PhoneVerification(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("details kept, no code sent yet")
        SENT = "sent", _("code sent, waiting for it")
        DONE = "done", _("verified and acted on")

    #: The secret that names this row in the form and the URLs (43 URL-safe characters, 256 bits).
    token = models.CharField(max_length=43, unique=True)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    state = models.CharField(max_length=6, choices=State.choices, default=State.DRAFT)
    mobile = models.CharField(_("mobile"), max_length=16, blank=True, help_text=_("E.164, e.g. +919839012345"))
    #: FEEDBACK: the complaint answered about. REGISTER: once DONE, the complaint registered (or the one
    #: the same citizen had already registered for the same problem).
    complaint = models.ForeignKey(Complaint, models.CASCADE, null=True, blank=True, related_name="+")
    outcome = models.CharField(max_length=12, blank=True)
    #: What the citizen typed (ids for the category and ward), to register or answer with.
    data = models.JSONField(default=dict, blank=True)
    #: A checked photo waiting for its complaint (a name in the default storage); '' once it is the
    #: complaint's attachment, or when there is none.
    photo = models.CharField(max_length=255, blank=True)
    photo_type = models.CharField(max_length=50, blank=True)
    photo_size = models.PositiveIntegerField(default=0)
    code_hash = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    codes_sent = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    language = models.CharField(max_length=2, blank=True)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mobile check")
        verbose_name_plural = _("mobile checks")
        indexes = [models.Index(fields=["created_at"], name="verification_created")]  # forgetting old rows

    def __str__(self) -> str:
        return f"{self.purpose} {self.state} {self.created_at:%Y-%m-%d %H:%M}"

    # --- the code ---------------------------------------------------------------------------------------

    def _hash(self, code: str) -> str:
        return salted_hmac(_HMAC_SALT, f"{self.token}:{code}", algorithm="sha256").hexdigest()

    def set_code(self, code: str, now: datetime) -> None:
        """A new code replaces the last one; the tries start again."""
        self.code_hash = self._hash(code)
        self.code_sent_at = now
        self.codes_sent += 1
        self.attempts = 0
        self.state = self.State.SENT

    def expires_at(self) -> datetime | None:
        if self.code_sent_at is None:
            return None
        return self.code_sent_at + timedelta(minutes=settings.NNC_PUBLIC_CODE_MINUTES)

    def tries_left(self) -> int:
        return max(settings.NNC_PUBLIC_CODE_TRIES - self.attempts, 0)

    def code_usable(self, now: datetime) -> bool:
        """A code was sent, is still valid and has tries left (sending another is not needed)."""
        return self.state == self.State.SENT and now < self.expires_at() and self.tries_left() > 0

    def check_code(self, code: str, now: datetime) -> str:
        """Compare a typed code with the one sent, counting a wrong try. The caller holds the row's lock
        and saves it (`attempts`)."""
        if self.state != self.State.SENT or not self.code_hash:
            return Verdict.NOT_SENT
        if self.tries_left() == 0:
            return Verdict.NO_TRIES_LEFT
        if now >= self.expires_at():
            return Verdict.EXPIRED
        if constant_time_compare(self._hash(code), self.code_hash):
            return Verdict.RIGHT
        self.attempts += 1
        return Verdict.WRONG


class CodeSent(models.Model):
    """One code sent to one mobile: what the per-mobile hourly limit counts."""

    mobile = models.CharField(max_length=16)
    sent_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["mobile", "sent_at"], name="code_sent_mobile_time")]
