"""The desk's intake pages: the call centre's hours, and IGRS — the category map, importing the portal's
files with a report of every row, and the disposal report the portal takes back.

Who may do what follows the roles (`complaints.access`), not model permissions: importing registers
complaints, so it is for those who may register (agents and the commissioner's office); the map and
the hours are configuration, the commissioner's; reading the reports is open to auditors too.
"""
from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from unfold.admin import ModelAdmin
from unfold.decorators import action, display
from unfold.widgets import UnfoldAdminFileFieldWidget, UnfoldAdminSelectWidget, UnfoldAdminSingleDateWidget

from nagar_nigam_cc.singleton_admin import SingletonAdminMixin
from nagar_nigam_cc.complaints import access
from nagar_nigam_cc.directory import roles
from nagar_nigam_cc.directory.models import Category
from nagar_nigam_cc.intake import igrs
from nagar_nigam_cc.intake.models import CallCentre, IgrsCategoryMap, IgrsImport, IgrsRowOutcome

#: How long one press of "Import" (one request of the progress bar) registers rows before answering.
STEP_SECONDS = 2.0
REPORT_PAGE_ROWS = 100


def imports_igrs(user) -> bool:
    """Importing registers complaints: those who may register."""
    return access.may(user, "register")


def reads_igrs(user) -> bool:
    return bool(access.roles_of(user) & {roles.AGENT, roles.COMMISSIONER, roles.AUDITOR})


def configures(user) -> bool:
    return roles.COMMISSIONER in access.roles_of(user)


# --- the call centre (one row) -------------------------------------------------------------------------------

@admin.register(CallCentre)
class CallCentreAdmin(SingletonAdminMixin, ModelAdmin):
    defaults_message = _("The call centre's hours are not set yet: every day 07:00–22:00 applies.")
    """One row: the list goes straight to it."""

    fields = ("calendar", "agent_numbers", "greeting_hi", "greeting_en", "after_hours_hi", "after_hours_en",
              "no_answer_hi", "no_answer_en")

    def has_module_permission(self, request):
        return bool(access.roles_of(request.user))

    def has_view_permission(self, request, obj=None):
        return bool(access.roles_of(request.user))

    def has_change_permission(self, request, obj=None):
        return configures(request.user)

    def has_add_permission(self, request):
        # Only while the row is missing, and for whoever may change it.
        return configures(request.user) and not CallCentre.objects.filter(pk=1).exists()

    def has_delete_permission(self, request, obj=None):
        return False



# --- the IGRS category map ---------------------------------------------------------------------------------------

class IgrsCategoryMapForm(forms.ModelForm):
    class Meta:
        model = IgrsCategoryMap
        fields = ("igrs_category", "category")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).select_related("department")


@admin.register(IgrsCategoryMap)
class IgrsCategoryMapAdmin(ModelAdmin):
    form = IgrsCategoryMapForm
    list_display = ("igrs_category", "category", "department")
    list_select_related = ("category__department",)
    search_fields = ("igrs_category", "category__name_hi", "category__name_en")
    list_filter = ("category__department",)
    actions_list = ["add_suggested"]

    def has_module_permission(self, request):
        return reads_igrs(request.user)

    def has_view_permission(self, request, obj=None):
        return reads_igrs(request.user)

    def has_add_permission(self, request):
        return configures(request.user)

    def has_change_permission(self, request, obj=None):
        return configures(request.user)

    def has_delete_permission(self, request, obj=None):
        return configures(request.user)

    def has_configure_permission(self, request):
        return configures(request.user)

    @display(description=_("department"))
    def department(self, entry):
        return entry.category.department

    @action(description=_("Add suggested mappings"), url_path="add-suggested", permissions=["configure"],
            icon="auto_fix_high")
    def add_suggested(self, request):
        if request.method != "POST":
            context = {**self.admin_site.each_context(request), "title": _("Add suggested mappings"),
                       "opts": self.opts, "suggested": sorted(igrs.SUGGESTED_MAP.items())}
            return TemplateResponse(request, "intake/admin/igrs_suggested.html", context)
        made = igrs.add_suggested_mappings()
        messages.success(request, ngettext("%(count)d IGRS category mapped.", "%(count)d IGRS categories mapped.",
                                           len(made)) % {"count": len(made)})
        return HttpResponseRedirect(reverse("admin:intake_igrscategorymap_changelist"))


# --- IGRS imports ---------------------------------------------------------------------------------------------

class IgrsUploadForm(forms.Form):
    file = forms.FileField(label=_("IGRS file (CSV or Excel .xlsx)"), widget=UnfoldAdminFileFieldWidget)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > igrs.MAX_BYTES:
            raise ValidationError(_("The file is %(size).1f MB; at most %(max)d MB is read at once. Export a shorter "
                                    "period from the portal.")
                                  % {"size": upload.size / 1e6, "max": igrs.MAX_BYTES // 1_000_000})
        try:
            self.parsed = igrs.read_file(upload.read(), upload.name)
        except igrs.IgrsFileError as error:
            raise ValidationError(str(error), code="unreadable") from error
        return upload


class DisposalReportForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=UnfoldAdminSingleDateWidget)
    end = forms.DateField(label=_("To"), widget=UnfoldAdminSingleDateWidget)
    basis = forms.ChoiceField(label=_("Which complaints"), choices=list(igrs.DISPOSAL_BASES.items()),
                              initial=igrs.RECEIVED, widget=UnfoldAdminSelectWidget)
    file_format = forms.ChoiceField(label=_("File"), choices=[("csv", _("CSV (UTF-8, opens in Excel)")),
                                                             ("xlsx", _("Excel workbook (.xlsx)"))],
                                    initial="xlsx", widget=UnfoldAdminSelectWidget)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise ValidationError({"end": _("The end comes before the start.")})
            if end - start > timedelta(days=366):
                raise ValidationError({"end": _("Choose at most a year at a time.")})
        return data


_OUTCOME_COLOURS = {
    IgrsRowOutcome.IMPORTED: "success", IgrsRowOutcome.ALREADY: "info", IgrsRowOutcome.PENDING: "warning",
}


@admin.register(IgrsImport)
class IgrsImportAdmin(ModelAdmin):
    list_display = ("uploaded_at", "file_name", "uploaded_by", "rows_total", "imported_count", "already_count",
                    "problem_count", "state")
    list_select_related = ("uploaded_by",)
    ordering = ("-uploaded_at", "-id")
    search_fields = ("file_name", "rows__reference")
    search_help_text = _("File name, or an IGRS reference number in it.")
    actions_list = ["upload", "disposal_report"]

    # --- who ---------------------------------------------------------------------------------------------
    def has_module_permission(self, request):
        return reads_igrs(request.user)

    def has_view_permission(self, request, obj=None):
        return reads_igrs(request.user)

    def has_add_permission(self, request):
        return False  # an import is made by uploading a file ("Import from IGRS")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what came in and what became of it

    def has_import_permission(self, request):
        return imports_igrs(request.user)

    def has_disposal_permission(self, request):
        return reads_igrs(request.user)

    def get_search_results(self, request, queryset, search_term):
        queryset, _dupes = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    # --- list columns ------------------------------------------------------------------------------------
    @display(description=_("imported"))
    def imported_count(self, batch):
        return batch.counts.get(IgrsRowOutcome.IMPORTED, 0)

    @display(description=_("already imported"))
    def already_count(self, batch):
        return batch.counts.get(IgrsRowOutcome.ALREADY, 0)

    @display(description=_("not imported"))
    def problem_count(self, batch):
        return sum(n for outcome, n in batch.counts.items()
                   if outcome not in (IgrsRowOutcome.IMPORTED, IgrsRowOutcome.ALREADY, IgrsRowOutcome.PENDING))

    @display(description=_("state"), label={"done": "success", "waiting": "warning"})
    def state(self, batch):
        if batch.pending:
            return "waiting", ngettext("%(count)d row waiting", "%(count)d rows waiting", batch.pending) % {
                "count": batch.pending}
        return "done", _("done")

    # --- pages -------------------------------------------------------------------------------------------
    def get_urls(self):
        return [
            path("<int:pk>/run/", self.admin_site.admin_view(require_POST(self.run_view)),
                 name="intake_igrsimport_run"),
            *super().get_urls(),
        ]

    @action(description=_("Import from IGRS"), url_path="upload", permissions=["import"], icon="upload_file")
    def upload(self, request):
        form = IgrsUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            batch = igrs.start_import(form.parsed, file_name=upload.name, actor=request.user)
            pending = batch.pending
            if pending:
                messages.success(request, ngettext(
                    "The file was read: %(count)d row is ready to import. Check the report, then press Import.",
                    "The file was read: %(count)d rows are ready to import. Check the report, then press Import.",
                    pending) % {"count": pending})
            else:
                messages.warning(request, _("The file was read: none of its rows can be imported. The report says "
                                            "why for each row."))
            return HttpResponseRedirect(reverse("admin:intake_igrsimport_change", args=[batch.pk]))
        context = {
            **self.admin_site.each_context(request), "title": _("Import from IGRS"), "opts": self.opts,
            "form": form, "columns": igrs.COLUMNS, "max_rows": igrs.MAX_ROWS,
            "max_mb": igrs.MAX_BYTES // 1_000_000,
        }
        return TemplateResponse(request, "intake/admin/igrs_upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The import's report: counts, and every row with its outcome (filter by outcome)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        batch = get_object_or_404(IgrsImport.objects.select_related("uploaded_by"), pk=_int_or_404(object_id))
        rows = batch.rows.select_related("complaint").order_by("row_number")
        outcome = request.GET.get("outcome", "")
        if outcome == "problems":
            rows = rows.exclude(outcome__in=(IgrsRowOutcome.IMPORTED, IgrsRowOutcome.ALREADY, IgrsRowOutcome.PENDING))
        elif outcome in IgrsRowOutcome.values:
            rows = rows.filter(outcome=outcome)
        page = Paginator(rows, REPORT_PAGE_ROWS).get_page(request.GET.get("page"))
        counts = [(value, label, batch.counts.get(value, 0)) for value, label in IgrsRowOutcome.choices]
        context = {
            **self.admin_site.each_context(request),
            "title": _("IGRS import: %(file)s") % {"file": batch.file_name},
            "opts": self.opts, "batch": batch, "page": page, "outcome": outcome, "counts": counts,
            "colours": _OUTCOME_COLOURS, "done": batch.rows_total - batch.pending,
            "may_import": imports_igrs(request.user) and batch.pending > 0,
            "columns_read": [(igrs.COLUMNS_BY_FIELD[f].label, header)
                             for f, header in batch.report.get("columns", {}).items() if f in igrs.COLUMNS_BY_FIELD],
        }
        return TemplateResponse(request, "intake/admin/igrs_report.html", context)

    def run_view(self, request, pk: int):
        """One step of the import: registers pending rows for about STEP_SECONDS, then answers with the
        progress (JSON for the page's progress bar; a redirect back to the report without JavaScript)."""
        if not imports_igrs(request.user):
            raise PermissionDenied
        batch = get_object_or_404(IgrsImport, pk=pk)
        counts = igrs.import_pending(batch, actor=request.user, seconds=STEP_SECONDS)
        pending = counts[IgrsRowOutcome.PENDING]
        if request.headers.get("accept", "").startswith("application/json"):
            return JsonResponse({"total": batch.rows_total, "done": batch.rows_total - pending, "pending": pending,
                                 "counts": counts})
        if pending:
            messages.info(request, ngettext("%(count)d row is still waiting: press Import again.",
                                            "%(count)d rows are still waiting: press Import again.",
                                            pending) % {"count": pending})
        return HttpResponseRedirect(reverse("admin:intake_igrsimport_change", args=[batch.pk]))

    @action(description=_("IGRS disposal report"), url_path="disposal-report", permissions=["disposal"],
            icon="download")
    def disposal_report(self, request):
        today = timezone.localdate()
        form = DisposalReportForm(request.GET if "start" in request.GET else None,
                                  initial={"start": today.replace(day=1), "end": today})
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            complaints = igrs.disposal_queryset(access.visible_complaints(request.user), data["start"], data["end"],
                                                data["basis"])
            name = f"igrs-disposal-{data['start']:%Y%m%d}-{data['end']:%Y%m%d}"
            if data["file_format"] == "xlsx":
                response = HttpResponse(
                    igrs.disposal_xlsx(igrs.disposal_rows(complaints)),
                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
                response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
                return response
            response = StreamingHttpResponse(igrs.disposal_csv(igrs.disposal_rows(complaints)),
                                             content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return response
        context = {**self.admin_site.each_context(request), "title": _("IGRS disposal report"), "opts": self.opts,
                   "form": form, "statuses": sorted(set(igrs.IGRS_STATUS.values())),
                   "columns": igrs.DISPOSAL_COLUMNS}
        return TemplateResponse(request, "intake/admin/igrs_disposal.html", context)


def _int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


# --- the central number: calls and the call-back queue (see `intake.voice`) -----------------------------------

from django.contrib.admin import SimpleListFilter  # noqa: E402 - this section was appended by the voice work
from unfold.widgets import UnfoldAdminTextareaWidget  # noqa: E402

from nagar_nigam_cc.intake import voice  # noqa: E402
from nagar_nigam_cc.intake.models import CallbackRequest, IncomingCall  # noqa: E402


def reads_calls(user) -> bool:
    return bool(access.roles_of(user) & {roles.AGENT, roles.COMMISSIONER, roles.AUDITOR})


def works_callbacks(user) -> bool:
    """Ringing citizens back is the agents' work: those who may register complaints."""
    return access.may(user, "register")


class CallbackForm(forms.ModelForm):
    """What the agent did: the request's new state and a note (required unless they spoke to the caller)."""

    outcome = forms.ChoiceField(label=_("outcome"), choices=CallbackRequest.State.choices,
                                widget=UnfoldAdminSelectWidget)
    add_note = forms.CharField(label=_("note"), required=False, widget=UnfoldAdminTextareaWidget,
                               help_text=_("E.g. “no answer, will try again at noon” or “registered 2611-00042-7”."))

    class Meta:
        model = CallbackRequest
        fields = ()

    def clean(self):
        data = super().clean()
        if data.get("outcome") != CallbackRequest.State.CALLED and not (data.get("add_note") or "").strip():
            raise ValidationError({"add_note": _("Say what happened.")})
        return data


class CallbackStateFilter(SimpleListFilter):
    """Pending by default: the queue is what an agent opens this page for."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [*CallbackRequest.State.choices, ("all", _("all"))]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {"selected": (self.value() or CallbackRequest.State.PENDING) == value,
                   "query_string": changelist.get_query_string({self.parameter_name: value}), "display": label}

    def queryset(self, request, queryset):
        value = self.value() or CallbackRequest.State.PENDING
        return queryset if value == "all" else queryset.filter(state=value)


@admin.register(CallbackRequest)
class CallbackRequestAdmin(ModelAdmin):
    form = CallbackForm
    list_display = ("asked_at", "mobile", "reason", "calls", "last_call_at", "state", "handled_by", "handled_at")
    list_filter = (CallbackStateFilter, "reason")
    list_select_related = ("handled_by",)
    search_fields = ("mobile",)
    ordering = ("asked_at", "id")
    readonly_fields = ("mobile", "asked_at", "reason", "calls", "last_call_at", "state", "note", "handled_by",
                       "handled_at")
    actions = ["mark_called"]

    def get_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None and obj.state == CallbackRequest.State.PENDING and works_callbacks(request.user):
            fields += ["outcome", "add_note"]
        return fields

    def has_module_permission(self, request):
        return reads_calls(request.user)

    def has_view_permission(self, request, obj=None):
        return reads_calls(request.user)

    def has_add_permission(self, request):
        return False  # requests come from calls

    def has_change_permission(self, request, obj=None):
        return works_callbacks(request.user) and (obj is None or obj.state == CallbackRequest.State.PENDING)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            voice.do_mark_callback(obj, actor=request.user, state=form.cleaned_data["outcome"],
                                   note=form.cleaned_data["add_note"])
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))

    @admin.action(description=_("Mark as called back"))
    def mark_called(self, request, queryset):
        done = 0
        for callback in queryset.filter(state=CallbackRequest.State.PENDING):
            try:
                voice.do_mark_callback(callback, actor=request.user, state=CallbackRequest.State.CALLED)
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, f"{callback}: {' '.join(getattr(error, 'messages', [str(error)]))}")
            else:
                done += 1
        messages.success(request, ngettext("%(count)d request marked as called back.",
                                           "%(count)d requests marked as called back.", done) % {"count": done})

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not works_callbacks(request.user):
            actions.pop("mark_called", None)
        return actions


@admin.register(IncomingCall)
class IncomingCallAdmin(ModelAdmin):
    """The log of calls to the central number (read only)."""

    list_display = ("at", "from_mobile", "from_number", "state", "answered_by", "dial_status", "ended_at")
    list_filter = ("state",)
    search_fields = ("from_mobile", "call_sid")

    def has_module_permission(self, request):
        return reads_calls(request.user)

    def has_view_permission(self, request, obj=None):
        return reads_calls(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
