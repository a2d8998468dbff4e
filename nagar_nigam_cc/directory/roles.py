"""The desk's roles. Each is a Django group created by a migration (complaints `0002_roles`); a migration
that adds permissions calls `complaints.migrations._roles.create_roles` again (complaints 0005, messaging
0004, reports 0002)."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

AGENT = "Call-centre agent"
FIELD_OFFICER = "Field officer"
DEPARTMENT_HEAD = "Department head"
ZONAL_OFFICER = "Zonal officer"
COMMISSIONER = "Commissioner / administrator"
AUDITOR = "Auditor"

ALL = (AGENT, FIELD_OFFICER, DEPARTMENT_HEAD, ZONAL_OFFICER, COMMISSIONER, AUDITOR)

LABELS = {
    AGENT: _("Call-centre agent"),
    FIELD_OFFICER: _("Field officer"),
    DEPARTMENT_HEAD: _("Department head"),
    ZONAL_OFFICER: _("Zonal officer"),
    COMMISSIONER: _("Commissioner / administrator"),
    AUDITOR: _("Auditor"),
}

# Model permissions each group holds (app_label.codename). Row-level limits come on top, from
# `nagar_nigam_cc.complaints.access`; the desk never edits a complaint's fields directly.
_READ_CITY = [
    "directory.view_zone", "directory.view_ward", "directory.view_department",
    "directory.view_officer", "directory.view_category",
]
_READ_COMPLAINTS = ["complaints.view_complaint", "complaints.view_complaintevent", "complaints.view_attachment"]
_CONFIGURE_CITY = [
    f"{app}.{verb}_{model}"
    for app, model in (
        ("directory", "zone"), ("directory", "ward"), ("directory", "department"), ("directory", "officer"),
        ("directory", "category"), ("sla", "workingcalendar"), ("sla", "holiday"), ("sla", "slapolicy"),
        ("sla", "escalationstep"),
    )
    for verb in ("add", "change", "delete", "view")
]
_READ_TIME_LIMITS = ["sla.view_workingcalendar", "sla.view_holiday", "sla.view_slapolicy", "sla.view_escalationstep"]
# Messages: what was sent (and whether it arrived), what citizens replied, and the words used. Agents
# read them to answer a caller's "I got no SMS"; scoping by complaint comes from messaging.admin.
_READ_MESSAGES = ["messaging.view_outboundmessage", "messaging.view_inboundmessage", "messaging.view_messagetemplate"]
# "change" on the outbox is only the right to send failed messages again (the desk edits no field).
_CONFIGURE_MESSAGES = _READ_MESSAGES + [
    "messaging.add_messagetemplate", "messaging.change_messagetemplate", "messaging.change_outboundmessage",
    "messaging.view_messagingsettings", "messaging.change_messagingsettings",
]

# The daily MIS: who gets it and when (reports.ReportSettings), and the record of what was sent.
_READ_REPORT_SETTINGS = ["reports.view_reportsettings", "reports.view_misdelivery"]
_CONFIGURE_REPORTS = _READ_REPORT_SETTINGS + ["reports.add_reportsettings", "reports.change_reportsettings"]

PERMISSIONS = {
    AGENT: _READ_CITY + _READ_COMPLAINTS + _READ_MESSAGES
    + ["complaints.add_complaint", "complaints.view_citizen", "complaints.change_citizen"],
    FIELD_OFFICER: _READ_COMPLAINTS + ["directory.view_category", "directory.view_ward"],
    DEPARTMENT_HEAD: _READ_CITY + _READ_COMPLAINTS + _READ_TIME_LIMITS + _READ_MESSAGES + ["complaints.export_complaint"],
    ZONAL_OFFICER: _READ_CITY + _READ_COMPLAINTS + _READ_TIME_LIMITS + ["complaints.export_complaint"],
    COMMISSIONER: _CONFIGURE_CITY + _READ_COMPLAINTS + _CONFIGURE_MESSAGES + _CONFIGURE_REPORTS
    + ["complaints.add_complaint", "complaints.export_complaint", "complaints.view_citizen", "auth.view_user",
       "auth.add_user", "auth.change_user",
       # Open311 clients' keys (granted by open311's migration 0002, kept here so a later grant keeps them)
       "open311.add_apikey", "open311.change_apikey", "open311.view_apikey", "open311.view_open311request"],
    AUDITOR: _READ_CITY + _READ_COMPLAINTS + _READ_TIME_LIMITS + _READ_MESSAGES + _READ_REPORT_SETTINGS
    + ["complaints.view_citizen", "complaints.export_complaint", "messaging.view_messagingsettings",
       "open311.view_apikey", "open311.view_open311request"],
}
