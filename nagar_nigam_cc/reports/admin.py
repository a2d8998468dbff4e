"""The desk's pages of the reports app: the report settings (one row: the daily MIS's recipients, hour and
title) and the read-only record of the MIS e-mails sent. Model permissions decide who sees them
(directory.roles: the commissioner's office edits, the auditor reads)."""
from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from nagar_nigam_cc.reports.models import MisDelivery, ReportSettings
from nagar_nigam_cc.singleton_admin import SingletonAdminMixin


@admin.register(ReportSettings)
class ReportSettingsAdmin(SingletonAdminMixin, ModelAdmin):
    """One row: the list goes straight to it."""

    defaults_message = _("No report settings are saved yet: the daily MIS goes to nobody until recipients are set.")
    fieldsets = (
        (_("Daily MIS"), {
            "fields": ("mis_enabled", "mis_recipients", "mis_hour", "mis_title", "mis_download"),
            "description": _("Every morning after the hour below (the city's time), the scheduler e-mails the "
                             "MIS of the day before, as a one-page PDF, to these addresses: once per day."),
        }),
    )
    readonly_fields = ("mis_download",)

    @admin.display(description=_("Download"))
    def mis_download(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("reports:mis"), _("Yesterday's MIS (PDF)"))

    def has_add_permission(self, request):
        # Only while the row is missing, and for whoever may change it.
        return (request.user.has_perm("reports.change_reportsettings")
                and not ReportSettings.objects.filter(pk=1).exists())

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MisDelivery)
class MisDeliveryAdmin(ModelAdmin):
    """What went out, day by day: read only (the scheduler writes it)."""

    list_display = ("day", "sent_at", "attempts", "recipient_count", "short_error")
    list_filter = (("sent_at", admin.EmptyFieldListFilter),)
    date_hierarchy = "day"
    ordering = ("-day",)
    fields = ("day", "sent_at", "attempts", "last_attempt_at", "recipients", "error", "pdf")
    readonly_fields = fields

    @admin.display(description=_("recipients"))
    def recipient_count(self, obj):
        return len([line for line in obj.recipients.splitlines() if line.strip()])

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return (obj.error[:80] + "…") if len(obj.error) > 80 else obj.error or "—"

    @admin.display(description=_("PDF"))
    def pdf(self, obj):
        return format_html('<a href="{}?date={}">{}</a>', reverse("reports:mis"), obj.day.isoformat(),
                           _("Download this day's MIS"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
