"""The desk's pages for the city directory: what administrators configure without code."""
from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from nagar_nigam_cc.directory.models import Category, Department, Officer, Ward, Zone

admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(BaseUserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin, ModelAdmin):
    pass


@admin.register(Zone)
class ZoneAdmin(ModelAdmin):
    list_display = ("name_hi", "name_en", "code", "ward_count")
    search_fields = ("name_hi", "name_en", "code")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_wards=Count("wards"))

    @display(description=_("wards"), ordering="_wards")
    def ward_count(self, zone):
        return zone._wards


@admin.register(Ward)
class WardAdmin(ModelAdmin):
    list_display = ("number", "name_hi", "name_en", "zone")
    list_filter = ("zone",)
    list_select_related = ("zone",)
    search_fields = ("=number", "name_hi", "name_en", "localities")
    ordering = ("number",)


@admin.register(Department)
class DepartmentAdmin(ModelAdmin):
    list_display = ("name_hi", "name_en", "code", "head")
    list_select_related = ("head",)
    search_fields = ("name_hi", "name_en", "code")
    autocomplete_fields = ("head",)


@admin.register(Officer)
class OfficerAdmin(ModelAdmin):
    list_display = ("name", "designation_hi", "designation_en", "department", "level", "reports_to", "is_active", "on_leave")
    list_filter = ("department", "level", "is_active", "on_leave")
    list_select_related = ("department", "reports_to")
    search_fields = ("name", "designation_en", "designation_hi", "user__username", "mobile")
    autocomplete_fields = ("user", "reports_to", "substitute")
    filter_horizontal = ("wards", "zones")
    fieldsets = (
        (None, {"fields": ("user", "name", "mobile", "department", ("designation_hi", "designation_en"), "level")}),
        (_("Jurisdiction"), {"fields": ("wards", "zones", "covers_department")}),
        (_("Ladder and availability"), {"fields": ("reports_to", "is_active", "on_leave", "substitute")}),
    )


@admin.register(Category)
class CategoryAdmin(ModelAdmin):
    list_display = ("name_hi", "name_en", "code", "department", "default_priority", "proof_photo_required", "is_active")
    list_filter = ("department", "is_active", "proof_photo_required")
    list_select_related = ("department",)
    search_fields = ("name_hi", "name_en", "code", "keywords")
