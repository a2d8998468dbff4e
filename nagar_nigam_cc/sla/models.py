"""Time limits, configured in the desk: working calendars, SLA policies and their escalation ladders.

A policy is chosen for each complaint when it is registered and copied onto it (`Complaint.sla_plan`),
so editing a policy never moves the deadlines of complaints already open; the desk's "re-apply
policy" action does that explicitly and records it.
"""
from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.bilingual import BilingualName
from nagar_nigam_cc.directory.models import Category, Officer, Priority, Ward
from nagar_nigam_cc.sla import clock

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOWS_HELP = _('Working hours, e.g. "07:00-13:00,14:00-22:00"; empty for a closed day; "00:00-24:00" for all day.')


def _windows_field(label):
    return models.CharField(label, max_length=100, blank=True, help_text=_WINDOWS_HELP)


class WorkingCalendar(BilingualName):
    timezone = models.CharField(_("time zone"), max_length=50, default="Asia/Kolkata")
    mon = _windows_field(_("Monday"))
    tue = _windows_field(_("Tuesday"))
    wed = _windows_field(_("Wednesday"))
    thu = _windows_field(_("Thursday"))
    fri = _windows_field(_("Friday"))
    sat = _windows_field(_("Saturday"))
    sun = _windows_field(_("Sunday"))

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")

    def to_clock(self, holidays=None) -> clock.Calendar:
        """The pure calendar the clock computes with (raises ValueError when it cannot work)."""
        holidays = list(self.holidays.all()) if holidays is None else holidays
        return clock.Calendar.from_text(
            {day: getattr(self, day) for day in DAYS},
            tz=self.timezone,
            holidays=[h.date for h in holidays if not h.every_year],
            yearly_holidays=[(h.date.month, h.date.day) for h in holidays if h.every_year],
        )

    def clean(self):
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError({"timezone": _("Unknown time zone (e.g. Asia/Kolkata).")})
        try:
            self.to_clock(holidays=list(self.holidays.all()) if self.pk else [])
        except ValueError as exc:
            raise ValidationError(_("This calendar cannot work: %(problem)s") % {"problem": exc})


class Holiday(models.Model):
    calendar = models.ForeignKey(WorkingCalendar, models.CASCADE, related_name="holidays", verbose_name=_("calendar"))
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=120, blank=True)
    every_year = models.BooleanField(_("every year on this day"), default=False)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]


class ClockKind(models.TextChoices):
    CALENDAR = "calendar", _("calendar time (round the clock)")
    BUSINESS = "business", _("working time of a calendar")


class SLAPolicy(BilingualName):
    category = models.ForeignKey(
        Category, models.CASCADE, null=True, blank=True, related_name="sla_policies", verbose_name=_("category"),
        help_text=_("Empty: the default for categories without a policy of their own."),
    )
    priority = models.PositiveSmallIntegerField(
        _("only for priority"), choices=Priority.choices, null=True, blank=True
    )
    ward = models.ForeignKey(Ward, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("only in ward"))
    resolution_hours = models.DecimalField(
        _("time to resolve (hours)"), max_digits=7, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"), message=_("The time to resolve must be more than zero."))],
    )
    clock = models.CharField(_("clock"), max_length=10, choices=ClockKind.choices, default=ClockKind.CALENDAR)
    calendar = models.ForeignKey(
        WorkingCalendar, models.PROTECT, null=True, blank=True, related_name="policies", verbose_name=_("calendar")
    )
    reminder_percents = models.CharField(
        _("reminders at (% of the time)"), max_length=40, blank=True, default="50,90",
        help_text=_('Comma-separated, e.g. "50,90": the officer is reminded when half and 90% of the time is used.'),
    )
    remind_at_breach = models.BooleanField(_("tell the officer when the time runs out"), default=True)
    pause_on_hold = models.BooleanField(_("the clock stops while on hold"), default=True)
    auto_close_days = models.PositiveSmallIntegerField(
        _("close resolved complaints after (days)"), default=7,
        help_text=_("Unless the citizen disputes the resolution; 0 never closes automatically."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def reminders(self) -> list[int]:
        return parse_percents(self.reminder_percents)

    def clean(self):
        errors = {}
        try:
            parse_percents(self.reminder_percents)
        except ValueError as exc:
            errors["reminder_percents"] = str(exc)
        if self.clock == ClockKind.BUSINESS and not self.calendar_id:
            errors["calendar"] = _("Choose the calendar whose working time the clock counts.")
        if errors:
            raise ValidationError(errors)


def parse_percents(text: str) -> list[int]:
    values = []
    for part in (text or "").replace(" ", "").split(","):
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= 99:
            raise ValueError(_("Reminders are whole percentages between 1 and 99, e.g. 50,90."))
        values.append(int(part))
    if values != sorted(set(values)):
        raise ValueError(_("List the reminders once each, smallest first."))
    return values


class EscalationTarget(models.TextChoices):
    REPORTS_TO = "reports_to", _("the officer's senior (reports to)")
    DEPARTMENT_HEAD = "department_head", _("the head of the department")
    ZONAL_OFFICER = "zonal_officer", _("the zonal officer of the zone")
    OFFICER = "officer", _("a named officer")


class EscalationStep(models.Model):
    policy = models.ForeignKey(SLAPolicy, models.CASCADE, related_name="ladder", verbose_name=_("policy"))
    level = models.PositiveSmallIntegerField(_("level"), validators=[MinValueValidator(1)])
    delay_hours = models.DecimalField(
        _("after (hours)"), max_digits=7, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("After the time runs out (level 1) or after the previous level."),
    )
    target = models.CharField(_("goes to"), max_length=20, choices=EscalationTarget.choices,
                              default=EscalationTarget.REPORTS_TO)
    officer = models.ForeignKey(Officer, models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("named officer"))
    reassign = models.BooleanField(_("reassign to them"), default=False,
                                   help_text=_("Otherwise the senior is informed and the officer keeps it."))

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation ladder")
        ordering = ["level"]
        constraints = [models.UniqueConstraint(fields=["policy", "level"], name="escalation_level_once")]

    def clean(self):
        if self.target == EscalationTarget.OFFICER:
            if not self.officer_id:
                raise ValidationError({"officer": _("Name the officer this step goes to.")})
            if not self.officer.is_active:
                raise ValidationError({"officer": _("This officer is not active; the ladder would end nowhere.")})
        elif self.officer_id:
            raise ValidationError({"officer": _("A named officer is only for steps that go to a named officer.")})
