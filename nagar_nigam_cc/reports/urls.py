"""/desk/reports/…: the report pages, the export of the complaints behind a figure, the daily MIS.

The desk mounts this app's own admin pages (report settings, MIS deliveries) under the same prefix,
/desk/reports/<model>/, so a report's slug is matched only against the registered reports: anything
else falls through to the desk.
"""
import re

from django.contrib import admin
from django.urls import path, register_converter

from nagar_nigam_cc.reports import views


class ReportSlug:
    regex = "|".join(re.escape(slug) for slug in views.REPORTS) or "(?!)"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ReportSlug, "report")

app_name = "reports"
urlpatterns = [
    path("", admin.site.admin_view(views.index), name="index"),
    path("complaints/", admin.site.admin_view(views.complaints_export), name="complaints"),
    path("mis/", admin.site.admin_view(views.mis_download), name="mis"),
    path("<report:slug>/", admin.site.admin_view(views.report_page), name="report"),
]
