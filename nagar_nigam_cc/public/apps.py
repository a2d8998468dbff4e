from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "nagar_nigam_cc.public"
    label = "public"
    verbose_name = _("Public tracking page")
