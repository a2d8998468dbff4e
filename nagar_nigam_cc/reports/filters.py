"""The filters every report shares, checked against what the viewer may see.

One form (`ReportFilter`, prefix "r") reads the report pages' filter bar and the click-through links
alike; `complaints()` is the queryset both count from. A filter naming something the viewer may not
see is refused with a clear error (`refused`), never answered with a silently empty report.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.complaints import access
from nagar_nigam_cc.complaints.models import OPEN_STATUSES, Channel, Complaint, ComplaintEvent, EventKind, Status
from nagar_nigam_cc.directory.models import Category, Department, Officer, Ward, Zone
from nagar_nigam_cc.reports.figures import FIGURES

PREFIX = "r"
#: A report covers at most this many days: longer ranges are refused (a year and a day allows a
#: leap year's full calendar year).
MAX_DAYS = 366
#: How far in the past a link's instant may be (a report left open on a screen for a week is still
#: clickable) and how far ahead of the server's clock (clock skew between servers).
AT_PAST, AT_FUTURE = timedelta(days=31), timedelta(minutes=5)
OPEN = "open"


def city_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_start(day: date) -> datetime:
    """The city's midnight at the start of `day`, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=city_zone())


def today(now: datetime | None = None) -> date:
    """The city's date at `now` (this moment if not given)."""
    return timezone.localtime(now or timezone.now(), city_zone()).date()


class _Choice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class ReportFilter(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              help_text=_("Complaints registered on these days (both included)."))
    zone = _Choice(Zone.objects.all(), label=_("Zone"), required=False)
    ward = _Choice(Ward.objects.all(), label=_("Ward"), required=False)
    department = _Choice(Department.objects.all(), label=_("Department"), required=False)
    category = _Choice(Category.objects.all(), label=_("Category"), required=False)
    officer = _Choice(Officer.objects.all(), label=_("Officer"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", "—"), *Channel.choices])
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", "—"), (OPEN, _("all open")), *Status.choices])
    # Set by the links only. The officer scorecard's dispute columns go by the officer whose resolution
    # was judged, not by who holds the complaint now (a dispute hands it to their senior): complaints
    # this officer resolved, and complaints the citizen disputed while this officer held them.
    resolved_by = _Choice(Officer.objects.all(), label=_("resolved by"), required=False, widget=forms.HiddenInput)
    disputed_against = _Choice(Officer.objects.all(), label=_("disputed against"), required=False,
                               widget=forms.HiddenInput)
    # Set by the links only: which figure of the report, and the instant it was counted at.
    figure = forms.ChoiceField(required=False, choices=[("", "")] + [(k, f.label) for k, f in FIGURES.items()],
                               widget=forms.HiddenInput)
    at = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    OBJECT_FIELDS = ("zone", "ward", "department", "category", "officer")
    #: Officer fields matched through the complaint's events: field → the event kind.
    EVENT_OFFICER_FIELDS = {"resolved_by": EventKind.RESOLVED, "disputed_against": EventKind.DISPUTED}

    def __init__(self, data=None, *, user, default_period: bool = False, **kwargs):
        super().__init__(data, prefix=PREFIX, **kwargs)
        self.user = user
        self.default_period = default_period
        #: True when the form was refused because it names something the viewer may not see.
        self.refused = False
        for name in ("ward", "officer", "category"):
            self.fields[name].queryset = self.fields[name].queryset.order_by("pk")


    def offer_only_the_viewers(self) -> None:
        """For a page's filter bar: offer only what the viewer may report on (a query per list). Anything
        else that arrives (a typed or forged link) is still read, and refused in clean() with the reason."""
        if access.sees_everything(self.user):
            return
        for name in self.OBJECT_FIELDS:
            field = self.fields[name]
            field.widget.choices = [("", "---------")] + [
                (obj.pk, field.label_from_instance(obj)) for obj in field.queryset
                if access.may_report_on(self.user, obj)]

    @classmethod
    def parameter_names(cls) -> list[str]:
        return [f"{PREFIX}-{name}" for name in cls.base_fields]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if self.default_period and not self.errors and start is None and end is None:
            end = today()
            cleaned["date_from"], cleaned["date_to"] = start, end = end.replace(day=1), end
        if (start is None) != (end is None):
            raise forms.ValidationError(_("Give both dates of the period, or neither."), code="half_period")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The period ends before it starts: swap the dates."), code="reversed")
            if (end - start).days + 1 > MAX_DAYS:
                raise forms.ValidationError(
                    _("A report covers at most %(days)d days; choose a shorter period.") % {"days": MAX_DAYS},
                    code="too_long")
        at = cleaned.get("at")
        now = timezone.now()
        if at is not None and not (now - AT_PAST <= at <= now + AT_FUTURE):
            raise forms.ValidationError(_("This link is too old to count again: open the report afresh."),
                                        code="stale")
        for name in (*self.OBJECT_FIELDS, *self.EVENT_OFFICER_FIELDS):
            obj = cleaned.get(name)
            if obj is not None and not access.may_report_on(self.user, obj):
                self.refused = True
                self.add_error(name, forms.ValidationError(
                    _("You may not see reports on %(object)s.") % {"object": obj}, code="not_yours"))
        return cleaned

    # --- what the filters select ------------------------------------------------------------------------
    @property
    def now(self) -> datetime:
        """The instant the figures are counted at: the link's, or now (fixed once per form)."""
        if not hasattr(self, "_now"):
            self._now = self.cleaned_data.get("at") or timezone.now()
        return self._now

    def period(self) -> tuple[datetime, datetime] | None:
        start, end = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        if start is None:
            return None
        return day_start(start), day_start(end + timedelta(days=1))

    def q(self, *, figure: bool = True) -> Q:
        data = self.cleaned_data
        # Nothing registered after the counting instant: a link opened later lists what was counted.
        q = Q(registered_at__lte=self.now)
        period = self.period()
        if period:
            q &= Q(registered_at__gte=period[0], registered_at__lt=period[1])
        for name in self.OBJECT_FIELDS:
            if data.get(name) is not None:
                q &= Q(**{"assigned_to" if name == "officer" else name: data[name]})
        for name, kind in self.EVENT_OFFICER_FIELDS.items():
            if data.get(name) is not None:
                q &= Q(Exists(ComplaintEvent.objects.filter(
                    complaint=OuterRef("pk"), kind=kind, officer=data[name], at__lte=self.now)))
        if data.get("channel"):
            q &= Q(channel=data["channel"])
        if data.get("status") == OPEN:
            q &= Q(status__in=OPEN_STATUSES)
        elif data.get("status"):
            q &= Q(status=data["status"])
        if figure and data.get("figure"):
            q &= FIGURES[data["figure"]].q(self.now)
        return q

    def complaints(self, *, figure: bool = True) -> QuerySet[Complaint]:
        """The complaints these filters select, within what the viewer may see."""
        return access.visible_complaints(self.user, Complaint.objects.filter(self.q(figure=figure)))

    # --- links ---------------------------------------------------------------------------------------------
    def params(self, **overrides) -> dict[str, str]:
        """The filters as query parameters (empty ones left out), with `overrides` (field → value)."""
        values: dict[str, object] = {}
        for name in self.base_fields:
            value = self.cleaned_data.get(name)
            if name in ("figure", "at"):
                value = None
            if value not in (None, ""):
                values[name] = value
        values.update(overrides)
        out = {}
        for name, value in values.items():
            if value in (None, ""):
                continue
            if hasattr(value, "pk"):
                value = value.pk
            elif isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, date):
                value = value.isoformat()
            out[f"{PREFIX}-{name}"] = str(value)
        return out

    def list_url(self, figure: str, **overrides) -> str:
        """The desk's complaint list showing exactly the complaints behind one figure."""
        params = self.params(figure=figure, at=self.now, **overrides)
        return reverse("admin:complaints_complaint_changelist") + "?" + urlencode(params)

    def query(self, **overrides) -> str:
        return urlencode(self.params(**overrides))

    def describe(self) -> str:
        """The filters in words, for a report's heading and its exported file."""
        parts = []
        start, end = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        if start:
            parts.append(f"{start:%d.%m.%Y}–{end:%d.%m.%Y}")
        for name in (*self.OBJECT_FIELDS, *self.EVENT_OFFICER_FIELDS, "channel", "status"):
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                shown = dict(self.fields[name].choices).get(value, value) if name in ("channel", "status") else value
                parts.append(f"{self.fields[name].label}: {shown}")
        return " · ".join(str(p) for p in parts)
