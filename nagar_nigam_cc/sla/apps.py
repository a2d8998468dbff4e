from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "nagar_nigam_cc.sla"
    label = "sla"
    verbose_name = _("Time limits (SLA)")
