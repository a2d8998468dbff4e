"""The desk's pages for messages: the outbox (what was sent to whom, and whether it arrived), citizens'
replies, the templates messages are written from, and the message settings.

The outbox and the replies are records: nobody edits them here. They are scoped like complaints
(`access.visibility`): an officer sees the messages of the complaints they may see and those sent to
themselves; a combined reminder, which belongs to no complaint, is seen by the commissioner's office,
the auditor and the officer it went to. A citizen's number is shown in full only to those who may call
them back (`access.may_see_mobile`), also where it appears inside a text sent to an officer. The one
thing done to messages here — sending failed ones again — is the commissioner's.

Templates are checked by the model (`MessageTemplate.clean`, which calls `templating.problems`); the
form shows which variables the message offers, the text as DLT registration wants it and what the
longest message costs in SMS parts, and warns on save when that is more than two.
"""
from __future__ import annotations

from contextvars import ContextVar

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import ModelAdmin
from unfold.decorators import display
from unfold.paginator import InfinitePaginator
from unfold.widgets import UnfoldAdminTextareaWidget

from nagar_nigam_cc.singleton_admin import SingletonAdminMixin
from nagar_nigam_cc.complaints import access, dockets
from nagar_nigam_cc.complaints.models import Complaint
from nagar_nigam_cc.complaints.phones import looks_like_phone, masked, normalise_mobile
from nagar_nigam_cc.directory import roles
from nagar_nigam_cc.messaging import delivery, gateways, templating
from nagar_nigam_cc.messaging.models import (
    Channel,
    Event,
    InboundMessage,
    MessageTemplate,
    MessagingSettings,
    OutboundMessage,
)

State = OutboundMessage.State
#: A person must look at these: the gateway refused them for good, or the operator could not deliver them.
NEEDS_ATTENTION = (State.FAILED, State.UNDELIVERED)
#: More parts than this and the template is flagged: every part is charged, and long texts get cut.
MAX_PARTS = 2
#: The "needs attention" notice counts up to this many (an exact count of a huge backlog helps nobody).
ATTENTION_COUNT_LIMIT = 1000


# --- who sees which messages ---------------------------------------------------------------------------

def visible_messages(user: User | AnonymousUser, queryset):
    """The outbox rows this user may see (see the module docstring)."""
    held = access.roles_of(user)
    if held & {roles.COMMISSIONER, roles.AUDITOR}:
        return queryset
    visible = access.visibility(user)
    if not visible:
        # Agents see every complaint, so every complaint's messages, and every answer to a citizen (also to
        # one whose message matched no complaint); not officers' combined reminders.
        q = Q(complaint__isnull=False) | Q(to_officer__isnull=True)
    else:
        q = Q(complaint__in=Complaint.objects.filter(visible).values("pk"))
    officer = access.officer_of(user)
    if officer is not None:
        q |= Q(to_officer=officer)
    return queryset.filter(q)


def visible_replies(user: User | AnonymousUser, queryset):
    """Citizens' replies this user may see: those about complaints they may see. Replies that matched no
    complaint are seen by those who see every complaint (they answer the citizen's next call)."""
    visible = access.visibility(user)
    if not visible:
        return queryset
    return queryset.filter(complaint__in=Complaint.objects.filter(visible).values("pk"))


#: Who is looking, for the columns that depend on it (a citizen's mobile, full or masked). Display
#: methods get only the row; set for the length of one list or detail page.
_viewer: ContextVar[User | AnonymousUser | None] = ContextVar("nnc_message_viewer", default=None)


def _shown_mobile(mobile: str, complaint: Complaint | None) -> str:
    if not mobile:
        return "—"
    user = _viewer.get()
    if user is None:
        return masked(mobile)
    if complaint is not None:
        allowed = access.may_see_mobile(user, complaint)
    else:  # a reply to a stranger, or about a docket they do not own: only those who call citizens back
        allowed = bool(access.roles_of(user) & {roles.AGENT, roles.COMMISSIONER})
    return mobile if allowed else masked(mobile)


def _may_see_mobile(complaint: Complaint | None) -> bool:
    user = _viewer.get()
    return user is not None and complaint is not None and access.may_see_mobile(user, complaint)


class _ViewerPages:
    """Renders list and detail pages while `_viewer` is set (a TemplateResponse would otherwise render
    after the view returned, when it is no longer set)."""

    def _as_viewer(self, request, view, *args):
        token = _viewer.set(request.user)
        try:
            response = view(request, *args)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            return response
        finally:
            _viewer.reset(token)

    def changelist_view(self, request, extra_context=None):
        return self._as_viewer(request, super().changelist_view, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._as_viewer(request, super().changeform_view, object_id, form_url, extra_context)

    # The models' __str__ carries the whole mobile number; the pages' titles use this instead.
    def title_of(self, obj) -> str:
        raise NotImplementedError

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["subtitle"] = self.title_of(obj)
            if context.get("original") is obj:  # unfold's page header prints str(original)
                context["original"] = _Titled(obj, context["subtitle"])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None:
            token = _viewer.set(request.user)
            try:
                title = self.title_of(obj)
                extra_context = {**(extra_context or {}), "title": _("Change history: %s") % title,
                                 "object": _Titled(obj, title)}
            finally:
                _viewer.reset(token)
        return super().history_view(request, object_id, extra_context)


class _Titled:
    """A row as the page templates read it, but printed as `title` (see _ViewerPages.title_of)."""

    def __init__(self, obj, title: str) -> None:
        self._obj, self._title = obj, title

    def __getattr__(self, name):
        return getattr(self._obj, name)

    def __str__(self) -> str:
        return self._title


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "j M Y, H:i") if moment else "—"


def _complaint_link(complaint: Complaint | None) -> str:
    if complaint is None:
        return "—"
    return format_html('<a href="{}" class="whitespace-nowrap">{}</a>',
                       reverse("admin:complaints_complaint_change", args=[complaint.pk]), dockets.spoken(complaint.docket))


def _search_docket_or_mobile(queryset, search_term: str, mobile_field: str):
    """An exact docket or mobile number (the two things a caller reads out); anything else finds nothing."""
    term = (search_term or "").strip()
    if not term:
        return queryset
    if looks_like_phone(term):
        try:
            return queryset.filter(**{mobile_field: normalise_mobile(term)})
        except ValidationError:  # not a mobile after all: try it as a docket
            pass
    docket = dockets.normalise(term)
    return queryset.filter(complaint__docket=docket) if docket else queryset.none()


# --- the outbox ----------------------------------------------------------------------------------------------

class MessageStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("attention", _("needs attention (failed or not delivered)")), *State.choices]

    def queryset(self, request, queryset):
        if self.value() == "attention":
            return queryset.filter(state__in=NEEDS_ATTENTION)
        if self.value() in State.values:
            return queryset.filter(state=self.value())
        return queryset


class EventFilter(admin.SimpleListFilter):
    title = _("what for")
    parameter_name = "event"

    def lookups(self, request, model_admin):
        return Event.choices

    def queryset(self, request, queryset):
        return queryset.filter(event=self.value()) if self.value() in Event.values else queryset


class ChannelFilter(admin.SimpleListFilter):
    title = _("channel")
    parameter_name = "channel"

    def lookups(self, request, model_admin):
        return Channel.choices

    def queryset(self, request, queryset):
        return queryset.filter(channel=self.value()) if self.value() in Channel.values else queryset


#: The gateways' names (OutboundMessage.gateway), as the desk says them.
GATEWAY_LABELS = {
    "dlt": _("Indian SMS gateway (DLT)"),
    "twilio": _("Twilio"),
    "email": _("e-mail"),
    "console": _("console (testing: nothing is sent)"),
}


class GatewayFilter(admin.SimpleListFilter):
    """The known gateways, not the distinct values of the column: that would read the whole outbox."""

    title = _("gateway")
    parameter_name = "gateway"

    def lookups(self, request, model_admin):
        return [(name, GATEWAY_LABELS.get(name, name)) for name in gateways.ALIASES]

    def queryset(self, request, queryset):
        return queryset.filter(gateway=self.value()) if self.value() else queryset


@admin.register(OutboundMessage)
class OutboundMessageAdmin(_ViewerPages, ModelAdmin):
    list_display = ("event_display", "docket", "recipient", "channel", "state_badge", "attempts", "error_short",
                    "created_at", "sent_display")
    list_filter = (MessageStateFilter, EventFilter, ChannelFilter, GatewayFilter)
    # Prefetched, not joined (as on the complaint list): the outbox grows with the complaints.
    list_select_related = ()
    ordering = ("-id",)
    paginator = InfinitePaginator
    show_full_result_count = False
    search_fields = ("complaint__docket",)  # exact docket or mobile, see get_search_results
    search_help_text = _("Docket number or mobile number (exact).")
    list_before_template = "messaging/admin/outbox_attention.html"
    actions = ["send_again"]
    fieldsets = (
        (None, {"fields": (("event", "complaint_link"), ("recipient", "channel", "language"))}),
        (_("Delivery"), {"fields": (("state", "attempts", "next_attempt_at"), ("created_at", "sent_at", "delivered_at"),
                                    ("gateway", "provider_id", "receipt"), ("error_code", "last_error"))}),
        (_("Text"), {"fields": ("body_display", "template_link", "combined")}),
    )

    def get_readonly_fields(self, request, obj=None):
        return [name for _title, options in self.fieldsets for row in options["fields"]
                for name in (row if isinstance(row, tuple) else (row,))]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("complaint", "to_officer")
        return visible_messages(request.user, queryset)

    def get_search_results(self, request, queryset, search_term):
        return _search_docket_or_mobile(queryset, search_term, "to_mobile"), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a record of what was sent; "send again" is an action (has_retry_permission)

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if self.has_view_permission(request):
            # Counted up to a limit: the (state, next_attempt_at) index serves it at any size of outbox.
            waiting = visible_messages(request.user, OutboundMessage.objects.filter(state__in=NEEDS_ATTENTION))
            count = waiting.order_by()[:ATTENTION_COUNT_LIMIT + 1].count()
            extra_context = {**(extra_context or {}), "attention_count": min(count, ATTENTION_COUNT_LIMIT),
                             "attention_more": count > ATTENTION_COUNT_LIMIT}
        return super().changelist_view(request, extra_context)

    def title_of(self, message) -> str:
        return f"{message.get_event_display()} → {self.recipient(message)}"

    # --- "send again" -----------------------------------------------------------------------------------
    def has_retry_permission(self, request):
        # Only the commissioner's role holds "change" on the outbox; it means exactly this.
        return request.user.has_perm("messaging.change_outboundmessage")

    @admin.action(description=_("Send again (failed or not delivered)"), permissions=["retry"])
    def send_again(self, request, queryset):
        selected = list(queryset.only("pk", "state"))
        count = delivery.do_retry(selected)
        messages.success(request, ngettext(
            "%(count)d message will be sent again.", "%(count)d messages will be sent again.", count)
            % {"count": count})
        left = len(selected) - count
        if left:
            messages.warning(request, ngettext(
                "%(count)d message had not failed and was left as it is.",
                "%(count)d messages had not failed and were left as they are.", left) % {"count": left})

    # --- columns -----------------------------------------------------------------------------------------
    @display(description=_("what for"), ordering="event")
    def event_display(self, message):
        return message.get_event_display()

    @display(description=_("docket number"))
    def docket(self, message):
        if message.complaint_id:
            return format_html('<span class="whitespace-nowrap">{}</span>', dockets.spoken(message.complaint.docket))
        if message.event == Event.REMINDER_DIGEST:
            return _("combined")
        return "—"

    @display(description=_("recipient"))
    def recipient(self, message):
        if message.to_officer_id:
            return message.to_officer.name
        if message.channel == Channel.EMAIL and message.to_email:
            return message.to_email
        return _shown_mobile(message.to_mobile, message.complaint)

    @display(description=_("state"), ordering="state", label={
        State.QUEUED: "info", State.SENDING: "warning", State.SENT: "success", State.DELIVERED: "success",
        State.UNDELIVERED: "danger", State.FAILED: "danger", State.BATCHED: "default",
    })
    def state_badge(self, message):
        return message.state, message.get_state_display()

    @display(description=_("last error"))
    def error_short(self, message):
        if not message.last_error and not message.error_code:
            return "—"
        text = Truncator(message.last_error or message.error_code).chars(48)
        return format_html('<span title="{}">{}</span>', message.last_error, text)

    @display(description=_("sent / delivered"), ordering="sent_at")
    def sent_display(self, message):
        if message.delivered_at:
            return _("delivered %(when)s") % {"when": _when(message.delivered_at)}
        if message.sent_at:
            return _("sent %(when)s") % {"when": _when(message.sent_at)}
        return "—"

    # --- detail ------------------------------------------------------------------------------------------
    @display(description=_("complaint"))
    def complaint_link(self, message):
        return _complaint_link(message.complaint)

    @display(description=_("text sent"))
    def body_display(self, message):
        if not message.body:
            if message.state == State.BATCHED:
                return _("Not sent on its own: it went out within the combined message below.")
            return _("Not sent yet: the text is written from its template when the message goes out.")
        body = message.body
        complaint = message.complaint
        if complaint is not None and not _may_see_mobile(complaint):
            # An officer's message carries the citizen's number; not everyone who reads the outbox may see it.
            for number in {complaint.citizen.mobile, message.to_mobile} - {""}:
                body = body.replace(number, masked(number))
        return format_html('<div style="white-space:pre-wrap">{}</div>', body)

    @display(description=_("template"))
    def template_link(self, message):
        if not message.template_id:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:messaging_messagetemplate_change",
                                                          args=[message.template_id]), message.template)

    @display(description=_("combined message"))
    def combined(self, message):
        if message.digest_id:
            return format_html('{} <a href="{}">#{}</a>', _("Sent within the combined message"),
                               reverse("admin:messaging_outboundmessage_change", args=[message.digest_id]),
                               message.digest_id)
        if message.event == Event.REMINDER_DIGEST:
            parts = message.parts.select_related("complaint").order_by("id")
            return format_html_join(", ", '<a href="{}">{}</a>', (
                (reverse("admin:messaging_outboundmessage_change", args=[part.pk]),
                 dockets.spoken(part.complaint.docket) if part.complaint_id else f"#{part.pk}")
                for part in parts
            )) or "—"
        return "—"


# --- citizens' replies ---------------------------------------------------------------------------------------

@admin.register(InboundMessage)
class InboundMessageAdmin(_ViewerPages, ModelAdmin):
    list_display = ("received_at", "mobile", "text_short", "outcome_badge", "docket", "channel")
    list_filter = ("outcome", "channel")
    list_select_related = ()
    ordering = ("-id",)
    paginator = InfinitePaginator
    show_full_result_count = False
    search_fields = ("complaint__docket",)  # exact docket or mobile, see get_search_results
    search_help_text = _("Docket number or mobile number (exact).")
    fieldsets = (
        (None, {"fields": (("received_at", "channel"), "mobile", "body", ("outcome", "docket"), "answer")}),
        (_("Gateway"), {"fields": (("gateway", "provider_id"),)}),
    )

    def get_readonly_fields(self, request, obj=None):
        return ("received_at", "channel", "mobile", "body", "outcome", "docket", "answer", "gateway", "provider_id")

    def get_queryset(self, request):
        return visible_replies(request.user, super().get_queryset(request).prefetch_related("complaint"))

    def get_search_results(self, request, queryset, search_term):
        return _search_docket_or_mobile(queryset, search_term, "from_mobile"), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def title_of(self, reply) -> str:
        return f"{self.mobile(reply)}: {Truncator(reply.body).chars(40)}"

    @display(description=_("from mobile"))
    def mobile(self, reply):
        return _shown_mobile(reply.from_mobile, reply.complaint)

    @display(description=_("text"))
    def text_short(self, reply):
        return Truncator(reply.body).chars(60)

    @display(description=_("outcome"), ordering="outcome", label={
        InboundMessage.Outcome.STATUS: "info", InboundMessage.Outcome.CONFIRMED: "success",
        InboundMessage.Outcome.DISPUTED: "danger", InboundMessage.Outcome.NOT_FOUND: "warning",
        InboundMessage.Outcome.NOT_UNDERSTOOD: "warning", InboundMessage.Outcome.REFUSED: "warning", "": "default",
    })
    def outcome_badge(self, reply):
        # Every value needs its colour above: unfold shows an unmapped value's key instead of its label.
        return reply.outcome, reply.get_outcome_display() if reply.outcome else "—"

    @display(description=_("complaint"))
    def docket(self, reply):
        return _complaint_link(reply.complaint)

    @display(description=_("our answer"))
    def answer(self, reply):
        # messaging.replies keys its answer by the incoming message.
        sent = OutboundMessage.objects.filter(key=f"reply:{reply.gateway}:{reply.provider_id}").first()
        if sent is None:
            return "—"
        return format_html('<a href="{}">{}</a> · {}', reverse("admin:messaging_outboundmessage_change", args=[sent.pk]),
                           sent.get_event_display(), sent.get_state_display())


# --- templates -------------------------------------------------------------------------------------------------

def size_text(event: str, channel: str, body: str) -> tuple[str, bool]:
    """What the longest message from this template costs, and whether that is too much ("UCS-2 · 131
    chars · 2 parts", True when more than MAX_PARTS). Only SMS is counted in parts."""
    try:
        size = templating.template_size(event, body)
    except ValueError:  # unbalanced braces: the form says so
        return "—", False
    if channel != Channel.SMS:
        return ngettext("%(chars)d character", "%(chars)d characters", size.units) % {"chars": size.units}, False
    parts = ngettext("%(parts)d part", "%(parts)d parts", size.parts) % {"parts": size.parts}
    text = _("%(encoding)s · %(chars)d chars · %(parts)s") % {"encoding": size.encoding, "chars": size.units,
                                                             "parts": parts}
    return text, size.parts > MAX_PARTS


def _variables(names) -> str:
    return ", ".join("{%s}" % name for name in names) or str(_("none"))


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = "__all__"
        widgets = {"body": UnfoldAdminTextareaWidget(attrs={"rows": 4})}


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ModelAdmin):
    form = MessageTemplateForm
    list_display = ("event_display", "channel", "language", "is_active", "size_display", "dlt_template_id")
    list_filter = ("event", "channel", "language", "is_active")
    search_fields = ("body", "dlt_template_id")
    fieldsets = (
        (None, {"fields": (("event", "channel", "language"), "body", ("dlt_template_id", "is_active"))}),
        (_("Check"), {"fields": ("variables", "size", "dlt_registration")}),
    )

    def get_readonly_fields(self, request, obj=None):
        checks = ("variables", "size", "dlt_registration")
        # Another event, channel or language would be another template: add that one instead.
        return ("event", "channel", "language", *checks) if obj is not None else checks

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        text, too_long = size_text(obj.event, obj.channel, obj.body)
        if too_long:
            messages.warning(request, _(
                "At its longest this message takes %(size)s: each part is charged, and some phones show long "
                "messages cut. Keep it within %(max)d parts.") % {"size": text, "max": MAX_PARTS})
        if change and "body" in form.changed_data and obj.dlt_template_id and obj.channel == Channel.SMS:
            messages.warning(request, _(
                "The text changed, so it no longer matches its DLT registration: SMS gateways drop messages "
                "that do not match. Register the new text on DLT and enter the new template id."))

    @display(description=_("what for"), ordering="event")
    def event_display(self, template):
        return template.get_event_display()

    @display(description=_("length"))
    def size_display(self, template):
        text, too_long = size_text(template.event, template.channel, template.body)
        if too_long:
            return format_html('<span class="nnc-too-long font-semibold px-2 rounded-default whitespace-nowrap '
                               'bg-red-100 text-red-700 dark:bg-red-500/20 dark:text-red-400">{}</span>', text)
        return format_html('<span class="whitespace-nowrap">{}</span>', text)

    @display(description=_("variables you can use"))
    def variables(self, template):
        if template is not None and template.event in templating.VARIABLES:
            return _variables(templating.VARIABLES[template.event])
        # The add form, before an event is chosen: every event's.
        return format_html('<table>{}</table>', format_html_join("", "<tr><td>{}</td><td><code>{}</code></td></tr>", (
            (label, _variables(templating.VARIABLES[value])) for value, label in Event.choices
            if value in templating.VARIABLES
        )))

    @display(description=_("longest message"))
    def size(self, template):
        if template is None or not template.body:
            return "—"
        text, too_long = size_text(template.event, template.channel, template.body)
        note = _("each variable at its longest (%(max)d characters)") % {"max": templating.VARIABLE_MAX}
        colour = "color:#b91c1c;font-weight:600" if too_long else ""
        return format_html('<span style="{}">{}</span><br><span class="text-xs">{}</span>', colour, text, note)

    @display(description=_("text to register on DLT"))
    def dlt_registration(self, template):
        if template is None or not template.body:
            return "—"
        try:
            text = templating.dlt_text(template.body)
        except ValueError:
            return "—"
        return format_html('<code style="white-space:pre-wrap">{}</code>', text)


# --- settings --------------------------------------------------------------------------------------------------

@admin.register(MessagingSettings)
class MessagingSettingsAdmin(SingletonAdminMixin, ModelAdmin):
    defaults_message = _("No message settings are saved yet; the defaults apply.")
    """One row: the list goes straight to it."""

    fieldsets = (
        (_("Quiet hours"), {
            "fields": ("quiet_hours", ("quiet_from", "quiet_until")),
            "description": _("In these hours (the city's time) citizens get no messages but the acknowledgement "
                             "of a new complaint and answers to their own messages; the rest wait until the "
                             "quiet hours end. Officers' messages are never held."),
        }),
        (_("Officers' reminders"), {"fields": ("digest_from",)}),
    )


    def has_add_permission(self, request):
        # Only while the row is missing, and for whoever may change it.
        return (request.user.has_perm("messaging.change_messagingsettings")
                and not MessagingSettings.objects.filter(pk=1).exists())

    def has_delete_permission(self, request, obj=None):
        return False
