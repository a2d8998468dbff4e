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
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from nagar_nigam_cc.bilingual import BilingualName
from nagar_nigam_cc.directory.models import Category, Department, Officer, Priority, Ward
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

    #: Set by a form that checks the holidays itself (the desk's holiday inline, whose rows are not
    #: saved yet when the calendar is cleaned): clean() then checks the weekly hours only.
    holidays_checked_elsewhere = False

    def clean(self):
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError({"timezone": _("Unknown time zone (e.g. Asia/Kolkata).")})
        saved = list(self.holidays.all()) if self.pk and not self.holidays_checked_elsewhere else []
        self.check_can_work(saved)

    def check_can_work(self, holidays) -> clock.Calendar:
        """The pure calendar, or a ValidationError saying why no deadline could be computed with it."""
        try:
            return self.to_clock(holidays=holidays)
        except (ValueError, ZoneInfoNotFoundError) as exc:
            raise ValidationError(_("This calendar cannot work: %(problem)s") % {"problem": exc},
                                  code="calendar_cannot_work")


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
        # xgettext:no-python-format
        _("reminders at (% of the time)"), max_length=40, blank=True, default="50,90",
        # xgettext:no-python-format
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
        elif self.clock != ClockKind.BUSINESS and self.calendar_id:
            # Otherwise the calendar would be silently ignored: round-the-clock time has no calendar.
            errors["calendar"] = _("A calendar is used only by the working-time clock: choose that clock, "
                                   "or leave the calendar empty.")
        elif self.clock == ClockKind.BUSINESS:
            try:
                self.calendar.check_can_work(list(self.calendar.holidays.all()))
            except ValidationError as exc:
                errors["calendar"] = exc.messages
        if errors:
            raise ValidationError(errors)

    def ladder_warnings(self, steps=None) -> list[str]:
        """What will not work as written, though it is allowed: a 'reports to' step above the top of
        an officer's chain of seniors. At run time such a step goes to the head of the department."""
        steps = sorted(self.ladder.all() if steps is None else steps, key=lambda s: s.level)
        if not any(s.target == EscalationTarget.REPORTS_TO for s in steps):
            return []
        officers = {o.pk: o for o in Officer.objects.filter(is_active=True)}
        department_ids = [self.category.department_id] if self.category_id else None
        heads = dict(Department.objects.values_list("pk", "head_id"))
        # Who holds complaints at the start: officers with a jurisdiction, and the heads (unrouted ones).
        holders = Officer.objects.filter(is_active=True).filter(
            Q(wards__isnull=False) | Q(zones__isnull=False) | Q(covers_department=True)
            | Q(pk__in=[h for h in heads.values() if h])
        )
        if department_ids is not None:
            holders = holders.filter(department_id__in=department_ids)
        short: dict[int, list[Officer]] = {}
        for start in holders.distinct().order_by("level", "name"):
            current = start
            for step in steps:
                if step.target == EscalationTarget.REPORTS_TO:
                    current = officers.get(current.reports_to_id) if current.reports_to_id else None
                    if current is None:
                        short.setdefault(step.level, []).append(start)
                        break
                elif step.target == EscalationTarget.DEPARTMENT_HEAD:
                    current = officers.get(heads.get(start.department_id))
                elif step.target == EscalationTarget.OFFICER:
                    current = officers.get(step.officer_id)
                else:
                    current = None  # a zonal officer: which one depends on the complaint's zone
                if current is None:
                    break
        return [
            ngettext(
                "Level %(level)d goes to the officer's senior (reports to), but %(count)d officer has no "
                "senior that far up (%(names)s): there the step will go to the head of the department.",
                "Level %(level)d goes to the officer's senior (reports to), but %(count)d officers have no "
                "senior that far up (%(names)s): there the step will go to the head of the department.",
                len(names),
            ) % {"level": level, "count": len(names),
                 "names": ", ".join(o.name for o in names[:3]) + (", …" if len(names) > 3 else "")}
            for level, names in sorted(short.items())
        ]


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


def ladder_errors(steps) -> list[str]:
    """What makes an escalation ladder unworkable, checked over all its steps together (each step's
    own fields are checked by EscalationStep.clean): levels must run 1, 2, 3… with no gap or repeat,
    and no officer may be named at two levels (the complaint would climb back down to them)."""
    levels = sorted(s.level for s in steps if s.level is not None)
    errors = []
    if levels != list(range(1, len(levels) + 1)):
        errors.append(_("The levels of the ladder must run 1, 2, 3… without gaps or repeats (they are: %(levels)s).")
                      % {"levels": ", ".join(str(n) for n in levels)})
    named: dict[int, list[int]] = {}
    for s in steps:
        if s.target == EscalationTarget.OFFICER and s.officer_id:
            named.setdefault(s.officer_id, []).append(s.level)
    for officer_id, at in named.items():
        if len(at) > 1:
            officer = Officer.objects.filter(pk=officer_id).first()
            errors.append(_("%(officer)s is named at levels %(levels)s: the ladder would loop back to the same "
                            "officer. Name a more senior officer at the higher level.")
                          % {"officer": officer.name if officer else officer_id,
                             "levels": ", ".join(str(n) for n in sorted(at))})
    return errors


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
