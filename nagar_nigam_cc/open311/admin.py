"""The desk's page for Open311 keys: the commissioner's office issues one per client app.

The key is shown once, in the message after saving; only its hash is kept. A key is never deleted
(its requests point to it): it is deactivated, and its login with it.
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display

from nagar_nigam_cc.open311.models import ApiKey, Open311Request


@admin.register(ApiKey)
class ApiKeyAdmin(ModelAdmin):
    list_display = ("name", "prefix_display", "active", "created_at", "created_by", "request_count")
    list_filter = ("active",)
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix_display", "user", "created_at", "created_by")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by").annotate(_requests=Count("requests"))

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name",)
        return ("name", "active", "prefix_display", "user", "created_at", "created_by")

    @display(description=_("key begins"))
    def prefix_display(self, key):
        return f"{key.prefix}…"

    @display(description=_("requests received"), ordering="_requests")
    def request_count(self, key):
        return getattr(key, "_requests", 0)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        secret = obj.new_secret()
        obj.created_by = request.user
        obj.save()
        messages.warning(request, format_html(
            "{} <code style=\"user-select:all\">{}</code>",
            _("The key for %(name)s — copy it now, it will not be shown again:") % {"name": obj.name}, secret,
        ))


@admin.register(Open311Request)
class Open311RequestAdmin(ModelAdmin):
    """What each client sent, read-only: the complaint it became, the client's reference, photo links."""

    list_display = ("received_at", "api_key", "complaint", "client_ref")
    list_filter = ("api_key",)
    search_fields = ("=token", "=client_ref", "=complaint__docket")
    list_select_related = ("api_key", "complaint")
    readonly_fields = ("api_key", "complaint", "token", "client_ref", "media_url", "details", "received_at")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
