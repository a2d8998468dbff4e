from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "nagar_nigam_cc.reports"
    verbose_name = _("Reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The desk's home page is the dashboard (reports.dashboard, unfold's DASHBOARD_CALLBACK). Named
        # here rather than as a project-wide admin/index.html: unfold comes first in INSTALLED_APPS, so
        # its admin/index.html would hide an app's own; the dashboard template extends it instead.
        from django.contrib import admin

        admin.site.index_template = "reports/dashboard.html"
