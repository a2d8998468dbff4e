"""The reports' own rows: who gets the daily MIS and when (`ReportSettings`, one row edited in the desk),
and which days' MIS went out (`MisDelivery`, one row per day: the record that makes sending exactly once).
"""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s,;]+")


def split_addresses(text: str) -> list[str]:
    """The addresses in `text` (one per line, or separated by commas or semicolons), each once, in order."""
    addresses, seen = [], set()
    for part in _SEPARATORS.split(text or ""):
        if part and part.lower() not in seen:
            seen.add(part.lower())
            addresses.append(part)
    return addresses


def validate_addresses(text: str) -> None:
    bad = []
    for address in split_addresses(text):
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationError(_("Not an e-mail address: %(addresses)s") % {"addresses": ", ".join(bad)},
                              code="invalid_address")


class ReportSettings(models.Model):
    """The desk's one row of report settings: the daily MIS's title, recipients and hour."""

    mis_enabled = models.BooleanField(_("send the daily MIS"), default=True)
    mis_recipients = models.TextField(
        _("daily MIS recipients"), blank=True, validators=[validate_addresses],
        help_text=_("E-mail addresses, one per line or separated by commas. Nobody listed: nothing is sent."),
    )
    mis_hour = models.PositiveSmallIntegerField(
        _("send after (hour)"), default=7, validators=[MaxValueValidator(23)],
        help_text=_("The MIS of the day before is sent at the first run of the scheduler after this hour "
                    "(0–23, the city's time)."),
    )
    mis_title = models.CharField(
        _("title of the MIS"), max_length=120, blank=True,
        help_text=_("The city's name as printed at the top, e.g. “नगर निगम प्रयागराज / Prayagraj Nagar Nigam”. "
                    "Empty: the desk's name."),
    )

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")

    def __str__(self) -> str:
        return str(_("Report settings"))

    def save(self, *args, **kwargs):
        self.pk = 1  # one row
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> ReportSettings:
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @property
    def recipients(self) -> list[str]:
        return split_addresses(self.mis_recipients)


class MisDelivery(models.Model):
    """One day's MIS e-mail. The unique day is the claim: the scheduler that locks the row sends, every
    other one finds it sent (or locked) and does nothing; a failed attempt leaves `sent_at` empty, so the
    next run tries again."""

    day = models.DateField(_("day"), unique=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipients = models.TextField(_("recipients"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("daily MIS sent")
        verbose_name_plural = _("daily MIS sent")
        ordering = ("-day",)

    def __str__(self) -> str:
        return f"MIS {self.day:%d.%m.%Y}"
