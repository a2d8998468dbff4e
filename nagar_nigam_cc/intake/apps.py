from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "nagar_nigam_cc.intake"
    verbose_name = _("Intake: calls, WhatsApp, IGRS")
    default_auto_field = "django.db.models.BigAutoField"
