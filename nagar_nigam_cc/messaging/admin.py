"""The outbox in the desk: read-only, so the commissioner's office and auditors can see that every
reminder and escalation notice was queued (and, once delivery lands, sent)."""
from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display
from unfold.paginator import InfinitePaginator

from nagar_nigam_cc.complaints import access, dockets
from nagar_nigam_cc.complaints.models import Complaint
from nagar_nigam_cc.messaging.models import OutboundMessage


#: What each message is for (OutboundMessage.event), in the reader's language.
EVENTS = {
    "reminder": _("reminder"),
    "breach": _("time ran out"),
    "escalation": _("escalation"),
    "closed": _("closed automatically"),
}


class EventFilter(admin.SimpleListFilter):
    title = _("what for")
    parameter_name = "event"

    def lookups(self, request, model_admin):
        return list(EVENTS.items())

    def queryset(self, request, queryset):
        return queryset.filter(event=self.value()) if self.value() else queryset


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ModelAdmin):
    list_display = ("event_display", "docket", "to_officer", "state_badge", "created_at")
    list_filter = ("state", EventFilter)
    # Prefetched, not joined (as on the complaint list): the outbox grows with the complaints.
    list_select_related = ()
    ordering = ("-id",)
    paginator = InfinitePaginator
    show_full_result_count = False
    search_fields = ("complaint__docket",)  # exact docket, see get_search_results
    search_help_text = _("Docket number (exact).")
    readonly_fields = ("key", "channel", "event", "complaint", "to_officer", "to_mobile", "context", "state",
                       "created_at")

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("complaint", "to_officer")
        visible = access.visibility(request.user)
        if visible:  # an empty Q: sees every complaint, so every message
            queryset = queryset.filter(complaint__in=Complaint.objects.filter(visible).values("pk"))
        return queryset

    def get_search_results(self, request, queryset, search_term):
        docket = dockets.normalise(search_term or "")
        if not docket:
            return queryset, False
        return queryset.filter(complaint__docket=docket), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @display(description=_("what for"), ordering="event")
    def event_display(self, message):
        return EVENTS.get(message.event, message.event)

    @display(description=_("docket number"))
    def docket(self, message):
        return dockets.spoken(message.complaint.docket) if message.complaint_id else "—"

    @display(description=_("state"), ordering="state", label={
        OutboundMessage.State.QUEUED: "info", OutboundMessage.State.SENT: "success",
        OutboundMessage.State.FAILED: "danger",
    })
    def state_badge(self, message):
        return message.state, message.get_state_display()
