"""The complaint desk: list, search, registration form, detail with timeline, and the actions.

Scoping: every queryset comes from `access.visible_complaints`, so a guessed URL or id of another
department's complaint is simply "not found". Fields are never edited here; each button is a small
form that calls one `do_*` action, which checks the actor's right and the status again.
"""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import ModelAdmin
from unfold.decorators import action, display
from unfold.paginator import InfinitePaginator
from unfold.views import ChangeList
from unfold.widgets import UnfoldAdminTextareaWidget

from nagar_nigam_cc.exports import csv_lines
from nagar_nigam_cc.complaints import access, actions, admin_forms, console, dockets
from nagar_nigam_cc.complaints.action_forms import add_action_error
from nagar_nigam_cc.complaints.models import OPEN_STATUSES, Citizen, Complaint, Status
from nagar_nigam_cc.complaints.phones import looks_like_phone, masked, normalise_mobile
from nagar_nigam_cc.reports import figures, listing
from nagar_nigam_cc.reports.filters import ReportFilter
from nagar_nigam_cc.sla.display import time_left, time_left_text


@dataclass(frozen=True)
class DeskAction:
    form: type[admin_forms.ActionForm]
    perform: Callable  # (complaint, actor, cleaned_data, files) -> None
    done: str


DESK_ACTIONS: dict[str, DeskAction] = {
    "assign": DeskAction(
        admin_forms.AssignForm,
        lambda c, u, d: actions.do_assign(c, d["officer"], actor=u, reason=d["reason"]),
        _("Reassigned."),
    ),
    "start": DeskAction(admin_forms.NoFieldsForm, lambda c, u, d: actions.do_start_work(c, actor=u), _("Work started.")),
    "hold": DeskAction(
        admin_forms.ReasonForm, lambda c, u, d: actions.do_put_on_hold(c, actor=u, reason=d["reason"]), _("Put on hold.")
    ),
    "resume": DeskAction(admin_forms.NoFieldsForm, lambda c, u, d: actions.do_resume(c, actor=u), _("Resumed.")),
    "resolve": DeskAction(
        admin_forms.ResolveForm,
        lambda c, u, d: actions.do_resolve(c, actor=u, remarks=d["remarks"], photo=d.get("photo")),
        _("Marked resolved."),
    ),
    "close": DeskAction(
        admin_forms.OptionalRemarksForm, lambda c, u, d: actions.do_close(c, actor=u, remarks=d["remarks"]), _("Closed.")
    ),
    "reopen": DeskAction(
        admin_forms.ReasonForm, lambda c, u, d: actions.do_reopen(c, actor=u, reason=d["reason"]), _("Reopened.")
    ),
    "reject": DeskAction(
        admin_forms.RejectForm, lambda c, u, d: actions.do_reject(c, actor=u, reason=d["reason"]), _("Rejected.")
    ),
    "mark_duplicate": DeskAction(
        admin_forms.DuplicateForm,
        lambda c, u, d: actions.do_mark_duplicate(
            c, actor=u, reason=d["reason"],
            original=access.visible_complaints(u).filter(docket=d["original"]).first() or _no_such_docket(),
        ),
        _("Marked as a duplicate."),
    ),
}


def _no_such_docket():
    raise ValidationError({"original": _("No complaint you can see has that docket number.")})


#: The instant the desk's list is drawn for, so its filters and its columns agree to the microsecond.
_list_now: ContextVar[datetime | None] = ContextVar("nnc_list_now", default=None)


def _now() -> datetime:
    return _list_now.get() or timezone.now()


class SLAStateFilter(admin.SimpleListFilter):
    """Where open complaints stand against their deadlines now. Each choice is a range on an indexed
    column (due_at, or status for the paused), never a stored 'breached' flag that could be stale."""

    title = _("time limit")
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [("overdue", _("overdue")), ("today", _("due today")), ("escalated", _("escalated")),
                ("paused", _("paused (on hold)"))]

    def queryset(self, request, queryset):
        now, value = _now(), self.value()
        running = queryset.filter(status__in=OPEN_STATUSES, paused_since__isnull=True)
        if value == "overdue":  # the reports' definition: run out, or ran out before it was put on hold
            return queryset.filter(figures.overdue(now))
        if value == "today":
            start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
            end = start + timedelta(days=1)  # wall-clock arithmetic: the next local midnight
            return running.filter(due_at__gte=start, due_at__lt=end)
        if value == "escalated":
            return queryset.filter(status__in=OPEN_STATUSES, escalation_level__gt=0)
        if value == "paused":
            return queryset.filter(status=Status.ON_HOLD, paused_since__isnull=False)
        return queryset


class ReportFigureFilter(admin.ListFilter):
    """The click-through from a report: the complaints behind one of its figures, selected by the report's
    own filters and figure (reports.filters.ReportFilter, `r-…` parameters) at the instant it was counted,
    so the list holds exactly the number the report showed. Not shown in the sidebar, and so not applied
    by the ChangeList (it applies only filters with output): this takes the parameters off the list's
    lookups, and ComplaintAdmin.get_queryset applies them."""

    title = _("report figure")

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        for name in ReportFilter.parameter_names():
            if name in params:
                self.used_parameters[name] = params.pop(name)[-1]

    def has_output(self):
        return False

    def choices(self, changelist):
        return []

    def expected_parameters(self):
        return ReportFilter.parameter_names()

    def queryset(self, request, queryset):
        return queryset


def report_filter_of(request) -> ReportFilter | None:
    """The report filter a click-through link carries, checked (once per request); None without one.
    A filter naming what the viewer may not see is refused (403), a malformed one is a 400-like error."""
    if not hasattr(request, "_nnc_report_filter"):
        form = None
        if any(name in request.GET for name in ReportFilter.parameter_names()):
            form = ReportFilter(request.GET, user=request.user)
            if not form.is_valid():
                reasons = " ".join(str(e) for errors in form.errors.values() for e in errors)
                if form.refused:
                    raise PermissionDenied(reasons)
                raise IncorrectLookupParameters(reasons)
        request._nnc_report_filter = form
    return request._nnc_report_filter


class EscalationLevelFilter(admin.SimpleListFilter):
    """Open complaints by how far up the ladder they have climbed."""

    title = _("escalation level")
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return [("1", _("level 1")), ("2", _("level 2")), ("3", _("level 3 and above"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value in ("1", "2"):
            return queryset.filter(status__in=OPEN_STATUSES, escalation_level=int(value))
        if value == "3":
            return queryset.filter(status__in=OPEN_STATUSES, escalation_level__gte=3)
        return queryset


# unfold's label look, written out here: rendering its label template for every cell of a 50-row page
# costs ~0.4 ms a cell.
_BADGE = "inline-block font-semibold leading-5 px-2 rounded-default text-xs whitespace-nowrap "
_BADGE_COLOURS = {
    "info": "bg-blue-100 text-blue-700 dark:bg-blue-500/20 dark:text-blue-400",
    "danger": "bg-red-100 text-red-700 dark:bg-red-500/20 dark:text-red-400",
    "warning": "bg-orange-100 text-orange-700 dark:bg-orange-500/20 dark:text-orange-400",
    "success": "bg-green-100 text-green-700 dark:bg-green-500/20 dark:text-green-400",
}


def _badge(colour: str, text: str, **data) -> str:
    attrs = format_html_join("", ' data-{}="{}"', data.items())
    return format_html('<span class="{}" style="padding-top:2px;padding-bottom:2px"{}>{}</span>',
                       _BADGE + _BADGE_COLOURS[colour], attrs, text)


class DeskChangeList(ChangeList):
    def get_ordering(self, request, queryset):
        ordering = super().get_ordering(request, queryset)
        # Sorted by deadline: break ties by id in the same direction, so MariaDB walks the due_at index
        # (InnoDB keeps (due_at, id) in it) instead of sorting the whole table for every page.
        if ordering and ordering[0] in ("due_at", "-due_at"):
            return [ordering[0], "-pk" if ordering[0].startswith("-") else "pk"]
        return ordering


class ReapplyPolicyForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (recorded on each complaint's timeline)"), max_length=500,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
    )


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("all open")), *Status.choices]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(status__in=actions.OPEN_STATUSES)
        if self.value() in Status.values:
            return queryset.filter(status=self.value())
        return queryset


@admin.register(Complaint)
class ComplaintAdmin(ModelAdmin):
    list_display = ("docket_display", "status_badge", "due_display", "level_display", "category", "ward", "department",
                    "assigned_to", "registered_at", "channel")
    list_filter = (ReportFigureFilter, StatusFilter, SLAStateFilter, EscalationLevelFilter, "unrouted", "channel", "department", "zone",
                   "category")
    # Related names are prefetched (one small IN query each), not joined: with joins, MariaDB's
    # optimizer starts from the small tables and sorts the whole complaint table for every page
    # (over a minute at a million rows); without them the page is an index range scan.
    list_select_related = ()
    # No COUNT(*) over the whole table on every page: the list moves forward page by page.
    paginator = InfinitePaginator
    show_full_result_count = False
    list_per_page = 50
    search_fields = ("docket",)  # replaced by get_search_results below; non-empty shows the search box
    search_help_text = _("Docket number or caller's mobile (exact), or words from the address or caller's name.")
    ordering = ("-registered_at", "-id")
    list_fullwidth = True
    change_form_before_template = "complaints/admin/complaint_summary.html"
    list_before_template = "complaints/admin/report_figure.html"
    actions = ["export_csv", "reapply_policy"]
    actions_detail = [
        {"title": _("Work"), "items": ["act_start", "act_hold", "act_resume", "act_resolve"]},
        {"title": _("Supervise"), "items": ["act_assign", "act_close", "act_reopen", "act_reject", "act_mark_duplicate"]},
        "act_note",
    ]
    readonly_fields = ("docket", "status", "category", "department", "ward", "zone",
                       "assigned_to", "priority", "channel", "unrouted", "address", "landmark", "description",
                       "registered_by", "registered_at", "updated_at", "resolved_at", "closed_at",
                       "resolution_remarks", "hold_reason", "duplicate_of")
    fieldsets = (
        (None, {"fields": (("category", "priority"), ("ward", "zone"), "address", "landmark", "description")}),
        (_("Handling"), {"fields": (("department", "assigned_to"), ("status", "hold_reason"),
                                    "resolution_remarks", "duplicate_of")}),
        (_("Record"), {"fields": (("channel", "registered_by"), ("registered_at", "updated_at"),
                                  ("resolved_at", "closed_at"))}),
    )

    # --- scoping ------------------------------------------------------------------------------------
    def get_queryset(self, request):
        queryset = access.visible_complaints(request.user, super().get_queryset(request))
        form = report_filter_of(request)
        if form is not None:
            queryset = queryset.filter(form.q())
        return queryset.prefetch_related("category", "ward", "department", "assigned_to")

    def has_add_permission(self, request):
        return access.may(request.user, "register")

    def has_change_permission(self, request, obj=None):
        return False  # fields are never edited; the actions change complaints

    def has_delete_permission(self, request, obj=None):
        return False  # a complaint is a public record

    def has_export_permission(self, request):
        return request.user.has_perm("complaints.export_complaint")

    def get_search_results(self, request, queryset, search_term):
        term = (search_term or "").strip()
        if not term:
            return queryset, False
        # Mobiles first: an Indian mobile starts with 6-9 and a docket with the year (2…), so a number
        # that parses as a mobile is never a docket.
        if looks_like_phone(term):
            try:
                return queryset.filter(citizen__mobile=normalise_mobile(term)), False
            except ValidationError:
                pass
        docket = dockets.normalise(term)
        if docket:
            if not dockets.is_valid(docket):
                messages.warning(request, _("%(term)s is not a valid docket number: a digit was probably misheard.")
                                 % {"term": term})
                return queryset.none(), False
            return queryset.filter(docket=docket), False
        words = term[:100]
        return queryset.filter(
            Q(address__icontains=words) | Q(landmark__icontains=words)
            | Q(citizen__name__icontains=words)
        ), False

    # --- list columns ---------------------------------------------------------------------------------
    @display(description=_("docket number"), ordering="docket")
    def docket_display(self, complaint):
        # Never broken across lines: agents read it out to callers.
        return format_html('<span class="whitespace-nowrap">{}</span>', dockets.spoken(complaint.docket))

    @display(description=_("status"), ordering="status", label={
        Status.ASSIGNED: "info", Status.IN_PROGRESS: "warning", Status.ON_HOLD: "warning", Status.REOPENED: "danger",
        Status.RESOLVED: "success", Status.CLOSED: "success",
    })
    def status_badge(self, complaint):
        return complaint.status, complaint.get_status_display()

    @display(description=_("due"), ordering="due_at")
    def due_display(self, complaint):
        state = time_left(complaint, _now())
        if state is None:
            return "—"
        colour = {"overdue": "danger", "soon": "warning", "left": "success", "paused": "info"}[state.key]
        if state.paused:  # two short lines keep the column narrow
            return _badge(colour, format_html("{}<br>{}", _("paused"), time_left_text(state, say_paused=False)),
                          sla=state.key)
        return _badge(colour, time_left_text(state), sla=state.key)

    @display(description=_("level"))
    def level_display(self, complaint):
        if not complaint.escalation_level:
            return "—"
        return _badge("warning" if complaint.escalation_level == 1 else "danger",
                      _("level %(n)d") % {"n": complaint.escalation_level}, level=complaint.escalation_level)

    def get_changelist(self, request, **kwargs):
        return DeskChangeList

    def changelist_view(self, request, extra_context=None):
        # One instant for the whole page: the filters and the "due" column must agree.
        token = _list_now.set(timezone.now())
        try:
            form = report_filter_of(request)
            if form is not None:  # what the report counted, and the count, above the list
                figure = figures.FIGURES.get(form.cleaned_data.get("figure") or "")
                extra_context = {**(extra_context or {}), "report_figure": form,
                                 "report_figure_label": figure.label if figure else "",
                                 "report_figure_count": self.get_queryset(request).count()}
            response = super().changelist_view(request, extra_context)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            return response
        finally:
            _list_now.reset(token)

    # --- registering: the agent console is the desk's one registration page --------------------------
    def add_view(self, request, form_url="", extra_context=None):
        """The list's "add" button opens the agent console (complaints.console). A plain POST here still
        registers, through the console's own form and code."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            return console.page(request)
        query = request.META.get("QUERY_STRING", "")
        return HttpResponseRedirect(reverse("console:page") + (f"?{query}" if query else ""))

    # --- detail: summary, timeline, actions ------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        complaint = self._complaint(request, object_id)
        if complaint is None:
            raise Http404(_("No complaint you can see has that number."))
        show_mobile = access.may_see_mobile(request.user, complaint)
        state = time_left(complaint, timezone.now())
        extra_context = {
            **(extra_context or {}),
            "sla": state,
            "sla_text": time_left_text(state) if state is not None else "",
            "complaint": complaint,
            "spoken_docket": dockets.spoken(complaint.docket),
            "citizen_text": self._citizen_text(complaint.citizen, show_mobile),
            "citizen_mobile": complaint.citizen.mobile if show_mobile else "",
            "events": complaint.events.select_related("actor", "officer").order_by("at", "id"),
            "attachments": complaint.attachments.all(),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _complaint(self, request, object_id) -> Complaint | None:
        cache = request.__dict__.setdefault("_nnc_complaints", {})
        if object_id not in cache:
            try:
                cache[object_id] = (
                    self.get_queryset(request)
                    .select_related("citizen", "category", "assigned_to", "department", "ward", "sla_policy")
                    .filter(pk=int(object_id))
                    .first()
                )
            except (TypeError, ValueError):
                cache[object_id] = None
        return cache[object_id]

    @staticmethod
    def _citizen_text(citizen: Citizen, show_mobile: bool) -> str:
        return f"{citizen.name or '—'} · {citizen.mobile if show_mobile else masked(citizen.mobile)}"

    def _may(self, request, object_id, name: str) -> bool:
        complaint = self._complaint(request, object_id)
        return (
            complaint is not None
            and access.may(request.user, name, complaint)
            and actions.allowed_transition(name, complaint.status)
        )

    def _act(self, request, object_id, name: str):
        complaint = self._complaint(request, object_id)
        if complaint is None or not self._may(request, object_id, name):
            raise PermissionDenied
        spec = DESK_ACTIONS[name]
        posted = request.method == "POST"
        form = spec.form(request.POST if posted else None, request.FILES if posted else None, complaint=complaint)
        if posted and form.is_valid():
            try:
                spec.perform(complaint, request.user, form.cleaned_data)
            except ValidationError as exc:
                add_action_error(form, exc)
            else:
                messages.success(request, spec.done)
                return HttpResponseRedirect(reverse("admin:complaints_complaint_change", args=[complaint.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"{DESK_ACTION_TITLES[name]} · {dockets.spoken(complaint.docket)}",
            "opts": self.opts,
            "form": form,
            "complaint": complaint,
            "multipart": name == "resolve",
        }
        return TemplateResponse(request, "complaints/admin/action_form.html", context)

    # One thin method per button, as unfold wants; each delegates to _act.
    def has_act_start_permission(self, request, object_id=None):
        return self._may(request, object_id, "start")

    def has_act_hold_permission(self, request, object_id=None):
        return self._may(request, object_id, "hold")

    def has_act_resume_permission(self, request, object_id=None):
        return self._may(request, object_id, "resume")

    def has_act_resolve_permission(self, request, object_id=None):
        return self._may(request, object_id, "resolve")

    def has_act_assign_permission(self, request, object_id=None):
        return self._may(request, object_id, "assign")

    def has_act_close_permission(self, request, object_id=None):
        return self._may(request, object_id, "close")

    def has_act_reopen_permission(self, request, object_id=None):
        return self._may(request, object_id, "reopen")

    def has_act_reject_permission(self, request, object_id=None):
        return self._may(request, object_id, "reject")

    def has_act_mark_duplicate_permission(self, request, object_id=None):
        return self._may(request, object_id, "mark_duplicate")

    def has_act_note_permission(self, request, object_id=None):
        complaint = self._complaint(request, object_id)
        return complaint is not None and access.may(request.user, "note", complaint)

    @action(description=_("Start work"), url_path="start", permissions=["act_start"], icon="play_arrow")
    def act_start(self, request, object_id):
        return self._act(request, object_id, "start")

    @action(description=_("Put on hold"), url_path="hold", permissions=["act_hold"], icon="pause")
    def act_hold(self, request, object_id):
        return self._act(request, object_id, "hold")

    @action(description=_("Resume"), url_path="resume", permissions=["act_resume"], icon="resume")
    def act_resume(self, request, object_id):
        return self._act(request, object_id, "resume")

    @action(description=_("Resolve"), url_path="resolve", permissions=["act_resolve"], icon="task_alt")
    def act_resolve(self, request, object_id):
        return self._act(request, object_id, "resolve")

    @action(description=_("Reassign"), url_path="assign", permissions=["act_assign"], icon="assignment_ind")
    def act_assign(self, request, object_id):
        return self._act(request, object_id, "assign")

    @action(description=_("Close"), url_path="close", permissions=["act_close"], icon="done_all")
    def act_close(self, request, object_id):
        return self._act(request, object_id, "close")

    @action(description=_("Reopen"), url_path="reopen", permissions=["act_reopen"], icon="replay")
    def act_reopen(self, request, object_id):
        return self._act(request, object_id, "reopen")

    @action(description=_("Reject"), url_path="reject", permissions=["act_reject"], icon="block")
    def act_reject(self, request, object_id):
        return self._act(request, object_id, "reject")

    @action(description=_("Mark duplicate"), url_path="duplicate", permissions=["act_mark_duplicate"],
            icon="content_copy")
    def act_mark_duplicate(self, request, object_id):
        return self._act(request, object_id, "mark_duplicate")

    @action(description=_("Add a note"), url_path="note", permissions=["act_note"], icon="edit_note")
    def act_note(self, request, object_id):
        complaint = self._complaint(request, object_id)
        if complaint is None:
            raise PermissionDenied
        form = admin_forms.NoteForm(request.POST or None, complaint=complaint)
        if request.method == "POST" and form.is_valid():
            try:
                actions.do_add_note(complaint, actor=request.user, note=form.cleaned_data["note"])
            except ValidationError as exc:
                add_action_error(form, exc)
            else:
                messages.success(request, _("Note added."))
                return HttpResponseRedirect(reverse("admin:complaints_complaint_change", args=[complaint.pk]))
        context = {**self.admin_site.each_context(request), "title": _("Add a note"), "opts": self.opts,
                   "form": form, "complaint": complaint, "multipart": False}
        return TemplateResponse(request, "complaints/admin/action_form.html", context)

    # --- re-planning after a policy changed -----------------------------------------------------------
    def has_reapply_permission(self, request):
        return access.may(request.user, "reapply_policy")

    @admin.action(description=_("Re-apply the current SLA policy"), permissions=["reapply"])
    def reapply_policy(self, request, queryset):
        """Asks for a reason first; then re-plans each selected open complaint from the policy that
        applies today (do_reapply_policy records old and new due times on its timeline)."""
        form = ReapplyPolicyForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": _("Re-apply the current SLA policy"),
                "opts": self.opts,
                "form": form,
                "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
                "select_across": request.POST.get("select_across", "0"),
                "count": queryset.count(),
                "open_count": queryset.filter(status__in=OPEN_STATUSES).count(),
            }
            return TemplateResponse(request, "complaints/admin/reapply_policy.html", context)
        done = skipped = refused = 0
        for complaint in queryset.order_by("pk").iterator(chunk_size=500):
            if complaint.status not in OPEN_STATUSES:
                skipped += 1
                continue
            if not access.may(request.user, "reapply_policy", complaint):
                refused += 1
                continue
            try:
                actions.do_reapply_policy(complaint, actor=request.user, reason=form.cleaned_data["reason"])
            except PermissionDenied:
                refused += 1
            except ValidationError:  # closed meanwhile by someone else
                skipped += 1
            else:
                done += 1
        messages.success(request, ngettext(
            "Re-applied the current SLA policy to %(count)d complaint.",
            "Re-applied the current SLA policy to %(count)d complaints.", done) % {"count": done})
        if skipped:
            messages.warning(request, ngettext(
                "%(count)d complaint is not open and was left as it is.",
                "%(count)d complaints are not open and were left as they are.", skipped) % {"count": skipped})
        if refused:
            messages.error(request, ngettext(
                "You may not re-plan %(count)d complaint.", "You may not re-plan %(count)d complaints.", refused)
                % {"count": refused})
        return None

    # --- export --------------------------------------------------------------------------------------
    @admin.action(description=_("Export selected complaints to CSV"), permissions=["export"])
    def export_csv(self, request, queryset):
        response = StreamingHttpResponse(csv_lines(listing.header(), listing.rows(queryset)),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="complaints.csv"'
        return response


DESK_ACTION_TITLES = {
    "start": _("Start work"), "hold": _("Put on hold"), "resume": _("Resume"), "resolve": _("Resolve"),
    "assign": _("Reassign"), "close": _("Close"), "reopen": _("Reopen"), "reject": _("Reject"),
    "mark_duplicate": _("Mark duplicate"),
}


@admin.register(Citizen)
class CitizenAdmin(ModelAdmin):
    list_display = ("mobile", "name", "language", "created_at")
    search_fields = ("=mobile", "name")
    readonly_fields = ("mobile", "created_at")
    fields = ("mobile", "name", "language", "created_at")
    show_full_result_count = False
    paginator = InfinitePaginator

    def has_add_permission(self, request):
        return False  # citizens come into being when they first complain

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        if looks_like_phone(search_term or ""):
            try:
                return queryset.filter(mobile=normalise_mobile(search_term)), False
            except ValidationError:
                return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)
