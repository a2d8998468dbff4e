"""What the REST API reads and writes. Input serializers only parse and check shape; the rules (mobile
numbers, text limits, who may do what, which status allows what) stay in `complaints.actions`.

Output is read from rows already loaded (related names prefetched by the views), so drawing a page of
complaints costs no query per row.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from nagar_nigam_cc.complaints import access, dockets
from nagar_nigam_cc.complaints.models import OPEN_STATUSES, Channel, EventKind, Language, Status
from nagar_nigam_cc.complaints.phones import masked
from nagar_nigam_cc.directory.models import Priority

# --- the city's directory ------------------------------------------------------------------------------


class NamedSerializer(serializers.Serializer):
    """A zone, department or category as a complaint names it."""

    code = serializers.CharField()
    name_hi = serializers.CharField()
    name_en = serializers.CharField()


class ZoneSerializer(NamedSerializer):
    pass


class DepartmentSerializer(NamedSerializer):
    head = serializers.IntegerField(source="head_id", allow_null=True, help_text=_("Officer id of the head."))


class WardSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name_hi = serializers.CharField()
    name_en = serializers.CharField()


class WardDetailSerializer(WardSerializer):
    zone = serializers.CharField(source="zone.code", help_text=_("Zone code."))
    localities = serializers.SerializerMethodField(help_text=_("Other names callers use for places in the ward."))

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_localities(self, ward) -> list[str]:
        return [line.strip() for line in ward.localities.splitlines() if line.strip()]


class CategorySerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Also the Open311 service code."))
    name_hi = serializers.CharField()
    name_en = serializers.CharField()
    department = serializers.CharField(source="department.code", help_text=_("Department code."))
    default_priority = serializers.IntegerField()
    proof_photo_required = serializers.BooleanField()
    is_active = serializers.BooleanField()


class OfficerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    designation_hi = serializers.CharField()
    designation_en = serializers.CharField()


class OfficerDetailSerializer(OfficerSerializer):
    department = serializers.CharField(source="department.code", allow_null=True, help_text=_("Department code."))
    level = serializers.IntegerField()
    on_leave = serializers.BooleanField()


# --- complaints -------------------------------------------------------------------------------------------


class CitizenSerializer(serializers.Serializer):
    name = serializers.CharField()
    mobile = serializers.CharField(help_text=_("Masked (******2345) unless you call citizens back."))


class ComplaintSerializer(serializers.Serializer):
    docket = serializers.CharField()
    spoken_docket = serializers.SerializerMethodField(help_text=_("The docket as read out: 2611 00042 7."))
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    category = NamedSerializer()
    department = NamedSerializer()
    ward = WardSerializer()
    zone = NamedSerializer()
    assigned_to = OfficerSerializer(allow_null=True)
    unrouted = serializers.BooleanField()
    priority = serializers.ChoiceField(choices=Priority.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    citizen = serializers.SerializerMethodField()
    address = serializers.CharField()
    landmark = serializers.CharField()
    description = serializers.CharField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True, coerce_to_string=False)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True, coerce_to_string=False)
    registered_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True, help_text=_("When the time limit runs out."))
    overdue = serializers.SerializerMethodField()
    paused = serializers.SerializerMethodField(help_text=_("On hold, with the clock stopped."))
    escalation_level = serializers.IntegerField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    resolution_remarks = serializers.CharField()
    hold_reason = serializers.CharField()
    duplicate_of = serializers.SerializerMethodField(help_text=_("The docket of the complaint this one duplicates."))
    url = serializers.SerializerMethodField()

    def _now(self):
        now = self.context.get("now")
        if now is None:
            now = self.context["now"] = timezone.now()
        return now

    def get_spoken_docket(self, complaint) -> str:
        return dockets.spoken(complaint.docket)

    @extend_schema_field(CitizenSerializer)
    def get_citizen(self, complaint):
        citizen = complaint.citizen
        show = access.may_see_mobile(self.context["request"].user, complaint)
        return {"name": citizen.name, "mobile": citizen.mobile if show else masked(citizen.mobile)}

    def get_overdue(self, complaint) -> bool:
        return (complaint.status in OPEN_STATUSES and complaint.paused_since is None
                and complaint.due_at is not None and complaint.due_at < self._now())

    def get_paused(self, complaint) -> bool:
        return complaint.paused_since is not None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_duplicate_of(self, complaint):
        return complaint.duplicate_of.docket if complaint.duplicate_of_id else None

    def get_url(self, complaint) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:complaint-detail", args=[complaint.docket]))

    def to_representation(self, complaint):
        """The fields above, written out by hand: DRF's field-by-field machinery (a deep copy of every
        field for every serializer) cost ~3 ms a complaint, as much as registering it. The declared
        fields still describe the output in the OpenAPI schema; a test holds the two equal."""
        officer, citizen = complaint.assigned_to, complaint.citizen
        show_mobile = access.may_see_mobile(self.context["request"].user, complaint)
        return {
            "docket": complaint.docket,
            "spoken_docket": dockets.spoken(complaint.docket),
            "status": complaint.status,
            "status_label": str(complaint.get_status_display()),
            "category": _named(complaint.category),
            "department": _named(complaint.department),
            "ward": {"number": complaint.ward.number, "name_hi": complaint.ward.name_hi,
                     "name_en": complaint.ward.name_en},
            "zone": _named(complaint.zone),
            "assigned_to": None if officer is None else {
                "id": officer.pk, "name": officer.name, "designation_hi": officer.designation_hi,
                "designation_en": officer.designation_en},
            "unrouted": complaint.unrouted,
            "priority": complaint.priority,
            "channel": complaint.channel,
            "citizen": {"name": citizen.name, "mobile": citizen.mobile if show_mobile else masked(citizen.mobile)},
            "address": complaint.address,
            "landmark": complaint.landmark,
            "description": complaint.description,
            "latitude": _degrees(complaint.latitude),
            "longitude": _degrees(complaint.longitude),
            "registered_at": _when(complaint.registered_at),
            "updated_at": _when(complaint.updated_at),
            "due_at": _when(complaint.due_at),
            "overdue": self.get_overdue(complaint),
            "paused": complaint.paused_since is not None,
            "escalation_level": complaint.escalation_level,
            "resolved_at": _when(complaint.resolved_at),
            "closed_at": _when(complaint.closed_at),
            "resolution_remarks": complaint.resolution_remarks,
            "hold_reason": complaint.hold_reason,
            "duplicate_of": self.get_duplicate_of(complaint),
            "url": self.get_url(complaint),
        }


def _named(row) -> dict:
    return {"code": row.code, "name_hi": row.name_hi, "name_en": row.name_en}


def _when(moment):
    return timezone.localtime(moment).isoformat() if moment is not None else None


def _degrees(value):
    return float(value) if value is not None else None


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, attachment) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:attachment", args=[attachment.pk]))


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EventKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField(help_text=_("The login that did it; null for the system."))
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    officer = OfficerSerializer(allow_null=True)
    note = serializers.CharField(source="shown_note")
    attachments = AttachmentSerializer(many=True)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event):
        return event.actor.get_username() if event.actor_id else None


class ComplaintDetailSerializer(ComplaintSerializer):
    events = EventSerializer(many=True, source="events_list", help_text=_("The timeline, oldest first."))

    def to_representation(self, complaint):
        data = super().to_representation(complaint)
        data["events"] = EventSerializer(complaint.events_list, many=True, context=self.context).data
        return data


# --- input ------------------------------------------------------------------------------------------------


class NewComplaintSerializer(serializers.Serializer):
    """A complaint to register. Categories by code and wards by number, as in /categories/ and /wards/."""

    mobile = serializers.CharField(max_length=32, help_text=_("The citizen's mobile; the docket is sent to it by SMS."))
    category = serializers.CharField(max_length=40, help_text=_("Category code (see /api/v1/categories/)."))
    ward = serializers.IntegerField(min_value=1, max_value=2_147_483_647, help_text=_("Ward number (see /api/v1/wards/)."))
    description = serializers.CharField(max_length=settings.NNC_DESCRIPTION_MAX_CHARS, trim_whitespace=True)
    name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=Language.choices, required=False, allow_blank=True, default="",
                                       help_text=_("The citizen's language for messages; empty: the city's default."))
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    landmark = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, allow_null=True, default=None,
                                       help_text=_("Empty: the category's default priority."))
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True, default=None,
                                        min_value=Decimal("-90"), max_value=Decimal("90"))
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True, default=None,
                                         min_value=Decimal("-180"), max_value=Decimal("180"))
    allow_duplicate = serializers.BooleanField(
        required=False, default=False,
        help_text=_("Register even if the same caller reported the same problem in the same ward a short while ago."),
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text=_("Recorded on the timeline."))


class RemarksSerializer(serializers.Serializer):
    remarks = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ResolveSerializer(serializers.Serializer):
    remarks = serializers.CharField(max_length=2000, help_text=_("What was done."))
    photo = serializers.FileField(required=False, allow_null=True, default=None,
                                  help_text=_("A photo of the work done (JPEG/PNG/WebP); some categories require one."))


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class OptionalNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    officer = serializers.IntegerField(min_value=1, max_value=2**62, help_text=_("Officer id (see /api/v1/officers/)."))
    reason = serializers.CharField(max_length=500)


class MarkDuplicateSerializer(serializers.Serializer):
    original = serializers.CharField(max_length=32, help_text=_("Docket of the complaint this one duplicates."))
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class EmptySerializer(serializers.Serializer):
    pass
