"""The desk page of a one-row settings model (message settings, the call centre's hours): its list
opens the one row, or the form to create it."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse


class SingletonAdminMixin:
    #: Said to a reader who may not create the row when nobody has saved it yet.
    defaults_message = ""

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        if self.model.objects.filter(pk=1).exists():
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[1]))
        if self.has_add_permission(request):
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        messages.info(request, self.defaults_message)
        return HttpResponseRedirect(reverse("admin:index"))
