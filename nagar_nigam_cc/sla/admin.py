"""The desk's pages for time limits: working calendars with their holidays, and SLA policies with their
escalation ladders.

What cannot work is refused with a message that says why (a calendar with no working time, a zero
time limit, a ladder with a gap or a loop, an inactive officer at the end of a ladder); what will work
differently from how it reads (a 'reports to' step above the top of the chain of seniors) is saved with
a warning. The checks live on the models (`sla.models`); these classes only put them in front of the
administrator, including for the rows of an inline that are not saved yet.
"""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import display
from unfold.forms import PaginationInlineFormSet

from nagar_nigam_cc.sla import clock
from nagar_nigam_cc.sla.models import (
    DAYS,
    ClockKind,
    EscalationStep,
    EscalationTarget,
    Holiday,
    SLAPolicy,
    WorkingCalendar,
    ladder_errors,
)


def _live_forms(formset):
    """The inline's forms that will be saved: valid, not marked for deletion, not left empty."""
    for form in formset.forms:
        if not hasattr(form, "cleaned_data") or not form.cleaned_data:
            continue
        if formset.can_delete and formset._should_delete_form(form):
            continue
        yield form


# --- working calendars ----------------------------------------------------------------------------------

class HolidayFormSet(PaginationInlineFormSet):
    """Checks the calendar with the holidays as entered, before anything is saved."""

    def clean(self):
        super().clean()
        calendar = self.instance
        try:
            calendar.to_clock(holidays=[])
        except (ValueError, KeyError):
            return  # the weekly hours or the time zone are wrong: the calendar's own form says so
        holidays = [SimpleNamespace(date=f.cleaned_data["date"], every_year=f.cleaned_data.get("every_year", False))
                    for f in _live_forms(self) if f.cleaned_data.get("date")]
        calendar.check_can_work(holidays)


class HolidayInline(TabularInline):
    model = Holiday
    formset = HolidayFormSet
    fields = ("date", "name", "every_year")
    extra = 1
    hide_title = True


@admin.register(WorkingCalendar)
class WorkingCalendarAdmin(ModelAdmin):
    list_display = ("name_hi", "name_en", "timezone", "hours_a_week", "holiday_count")
    search_fields = ("name_hi", "name_en")
    inlines = (HolidayInline,)
    readonly_fields = ("can_it_work",)
    fieldsets = (
        (None, {"fields": (("name_hi", "name_en"), "timezone")}),
        (_("Working hours"), {"fields": (("mon", "tue"), ("wed", "thu"), ("fri", "sat"), "sun"),
                              "description": WorkingCalendar._meta.get_field("mon").help_text}),
        (_("Check"), {"fields": ("can_it_work",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_holidays=Count("holidays")).prefetch_related("holidays")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class CalendarForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for day in DAYS:  # said once, above the days
                    if day in self.fields:
                        self.fields[day].help_text = ""

            def _post_clean(self):
                # The holidays are checked by the inline's formset, with the rows as entered.
                self.instance.holidays_checked_elsewhere = True
                super()._post_clean()

        return CalendarForm

    @display(description=_("working hours a week"))
    def hours_a_week(self, calendar):
        try:
            cal = calendar.to_clock(holidays=[])
        except (ValueError, KeyError):
            return _("cannot work")
        minutes = sum(end - start for day in cal.weekly for start, end in day)
        return _hours(minutes)

    @display(description=_("holidays"), ordering="_holidays")
    def holiday_count(self, calendar):
        return calendar._holidays

    @display(description=_("Can this calendar work?"))
    def can_it_work(self, calendar):
        if calendar is None or calendar.pk is None:
            return _("Save the calendar to see when its deadlines fall.")
        try:
            cal = calendar.to_clock()
        except (ValueError, KeyError) as exc:
            return format_html('<strong style="color:#b91c1c">{}</strong>',
                               _("This calendar cannot work: %(problem)s") % {"problem": exc})
        now = timezone.now()
        weekly = sum(end - start for day in cal.weekly for start, end in day)
        lines = [_("Yes: %(hours)s of working time a week.") % {"hours": _hours(weekly)}]
        if not clock.is_working(now, cal):
            lines.append(_("Closed now; it opens %(when)s.") % {"when": _when(clock.next_working_instant(now, cal))})
        for hours in (24, 72):
            due = clock.add_business_time(now, timedelta(hours=hours), cal)
            lines.append(_("%(hours)d working hours from now end %(when)s.") % {"hours": hours, "when": _when(due)})
        return format_html("<br>".join(["{}"] * len(lines)), *lines)


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return _("%(h)d h %(m)d min") % {"h": hours, "m": rest} if rest else _("%(h)d h") % {"h": hours}


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "D j M Y, H:i")


# --- SLA policies ---------------------------------------------------------------------------------------

class LadderFormSet(PaginationInlineFormSet):
    """The ladder as a whole: levels 1..n, no officer twice."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return  # a step's own error is shown on its row first
        steps = [
            SimpleNamespace(level=f.cleaned_data.get("level"), target=f.cleaned_data.get("target"),
                            officer_id=getattr(f.cleaned_data.get("officer"), "pk", None))
            for f in _live_forms(self)
        ]
        problems = ladder_errors(steps)
        if problems:
            raise ValidationError(problems)


class EscalationStepInline(TabularInline):
    model = EscalationStep
    formset = LadderFormSet
    fields = ("level", "delay_hours", "target", "officer", "reassign")
    autocomplete_fields = ("officer",)
    extra = 0
    hide_title = True
    ordering = ("level",)


#: Whom a ladder step goes to, as the policy list says it in a few words.
SHORT_TARGETS = {
    EscalationTarget.REPORTS_TO: _("senior officer"),
    EscalationTarget.DEPARTMENT_HEAD: _("head of department"),
    EscalationTarget.ZONAL_OFFICER: _("zonal officer"),
}


@admin.register(SLAPolicy)
class SLAPolicyAdmin(ModelAdmin):
    list_display = ("name_display", "category", "limit_display", "reminder_percents", "ladder_summary", "is_active")
    list_filter = ("is_active", "clock", "category__department")
    list_select_related = ("category", "calendar")
    search_fields = ("name_hi", "name_en", "category__name_hi", "category__name_en", "category__code")
    autocomplete_fields = ("category", "ward")
    inlines = (EscalationStepInline,)
    ordering = ("category__name_en", "pk")
    fieldsets = (
        (None, {"fields": (("name_hi", "name_en"), "is_active")}),
        (_("Applies to"), {"fields": ("category", ("priority", "ward"))}),
        (_("Time limit"), {"fields": ("resolution_hours", ("clock", "calendar"), "pause_on_hold")}),
        (_("Reminders and closing"), {"fields": ("reminder_percents", "remind_at_breach", "auto_close_days")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("ladder__officer")

    @display(description=_("name"), ordering="name_en")
    def name_display(self, policy):
        return policy.name

    @display(description=_("time limit"), ordering="resolution_hours")
    def limit_display(self, policy):
        hours = _number(policy.resolution_hours)
        if policy.clock == ClockKind.BUSINESS:
            return _("%(hours)s working hours (%(calendar)s)") % {"hours": hours, "calendar": policy.calendar}
        return _("%(hours)s h round the clock") % {"hours": hours}

    @display(description=_("escalation ladder"))
    def ladder_summary(self, policy):
        steps = sorted(policy.ladder.all(), key=lambda s: s.level)
        if not steps:
            return "—"
        return format_html("<br>".join(["{}"] * len(steps)), *[
            _("%(level)d. %(target)s, +%(hours)s h%(reassign)s") % {
                "level": s.level, "target": s.officer if s.officer_id else SHORT_TARGETS.get(s.target, s.target),
                "hours": _number(s.delay_hours), "reassign": _(", reassigned") if s.reassign else "",
            }
            for s in steps
        ])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for warning in form.instance.ladder_warnings():
            messages.warning(request, warning)
        twins = (
            SLAPolicy.objects.filter(is_active=True, category=form.instance.category_id,
                                     priority=form.instance.priority, ward=form.instance.ward_id)
            .exclude(pk=form.instance.pk)
        )
        if form.instance.is_active and twins.exists():
            messages.warning(request, _(
                "Another active policy applies to the same complaints (%(other)s); the older one is used."
            ) % {"other": twins.order_by("pk").first()})


def _number(value) -> str:
    return format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
