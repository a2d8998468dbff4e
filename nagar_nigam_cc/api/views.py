"""The REST API at /api/v1/: complaints (register, list, read, act) and the city's directory.

Thin, like the desk: parse with a serializer, call one `complaints.actions.do_*`, answer. What a token
sees is what its user sees in the desk (`complaints.access`), so a field officer's app lists only the
officer's complaints and another department's docket is "not found". Errors: see `api.errors`.
"""
from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from nagar_nigam_cc.api import directory_cache, filters
from nagar_nigam_cc.api import serializers as s
from nagar_nigam_cc.api.errors import body
from nagar_nigam_cc.api.language import ClientLanguageMixin
from nagar_nigam_cc.api.models import IdempotencyKey
from nagar_nigam_cc.complaints import access, actions, dockets
from nagar_nigam_cc.complaints.models import Attachment, Channel, Complaint
from nagar_nigam_cc.directory.models import Category, Department, Officer, Ward, Zone

#: Related rows a complaint's representation reads: fetched with one small IN query each, never joined.
RELATED = ("category", "department", "ward", "zone", "assigned_to", "citizen", "duplicate_of")
IDEMPOTENCY_HEADER = "Idempotency-Key"
_KEY_MAX = 255

ERROR = inline_serializer("Error", {
    "code": serializers.CharField(),
    "detail": serializers.CharField(),
    "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False),
})
DUPLICATE = inline_serializer("PossibleDuplicate", {
    "code": serializers.CharField(),
    "detail": serializers.CharField(),
    "existing": inline_serializer("ExistingComplaint", {
        "docket": serializers.CharField(), "spoken_docket": serializers.CharField(),
        "status": serializers.CharField(), "registered_at": serializers.DateTimeField(),
    }),
})
COMMON_ERRORS = {
    400: OpenApiResponse(ERROR, description="Invalid input"),
    401: OpenApiResponse(ERROR, description="No or unknown token"),
    403: OpenApiResponse(ERROR, description="Not allowed"),
}
DOCKET = OpenApiParameter("docket", OpenApiTypes.STR, OpenApiParameter.PATH,
                          description="Docket number (digits only, as stored)")


def _context(request) -> dict:
    return {"request": request, "now": timezone.now()}


def _fingerprint(data) -> str:
    if hasattr(data, "lists"):  # a form's QueryDict
        data = {key: values for key, values in data.lists()}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _idempotency_key(request) -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if len(key) > _KEY_MAX or not key.isprintable():
        raise ValidationError({"Idempotency-Key": [_("Use at most %(n)d printable characters.") % {"n": _KEY_MAX}]},
                              code="invalid_idempotency_key")
    return key


class ComplaintViewSet(ClientLanguageMixin, viewsets.GenericViewSet):
    """Complaints the token's user may see, newest first."""

    lookup_field = "docket"
    lookup_value_regex = r"[^/]+"
    pagination_class = filters.NewestFirst
    serializer_class = s.ComplaintSerializer
    parser_classes = (JSONParser, FormParser, MultiPartParser)

    def get_queryset(self):
        return access.visible_complaints(self.request.user).prefetch_related(*RELATED)

    def _visible(self, docket: str) -> Complaint:
        if not dockets.is_valid(docket):
            raise NotFound(_("No complaint you can see has that docket number."))
        complaint = self.get_queryset().filter(docket=docket).first()
        if complaint is None:
            raise NotFound(_("No complaint you can see has that docket number."))
        return complaint

    def _detail(self, request, complaint: Complaint, *, status_code=status.HTTP_200_OK, headers=None) -> Response:
        complaint.events_list = list(
            complaint.events.select_related("actor", "officer").prefetch_related("attachments").order_by("at", "id")
        )
        data = s.ComplaintDetailSerializer(complaint, context=_context(request)).data
        return Response(data, status=status_code, headers=headers)

    # --- reading ---------------------------------------------------------------------------------------
    @extend_schema(parameters=[filters.ComplaintFilterSerializer],
                   responses={200: s.ComplaintSerializer(many=True), **COMMON_ERRORS})
    def list(self, request):
        params = filters.ComplaintFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        context = _context(request)
        queryset = filters.apply(self.get_queryset(), params.validated_data, context["now"])
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.ComplaintSerializer(page, many=True, context=context).data)

    @extend_schema(parameters=[DOCKET], responses={200: s.ComplaintDetailSerializer, 404: ERROR, 401: ERROR})
    def retrieve(self, request, docket=None):
        return self._detail(request, self._visible(docket))

    # --- registering ---------------------------------------------------------------------------------
    @extend_schema(
        request=s.NewComplaintSerializer,
        parameters=[OpenApiParameter(IDEMPOTENCY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
                                     description="Any unique string (a UUID). Sending the same request again with "
                                                 "the same key returns the first complaint instead of a second.")],
        responses={201: s.ComplaintSerializer, 409: OpenApiResponse(DUPLICATE, description="Possible duplicate"),
                   422: OpenApiResponse(ERROR, description="Idempotency key reused for another request"),
                   **COMMON_ERRORS},
    )
    def create(self, request):
        """Register a complaint (channel "api"). The docket is sent to the citizen by SMS."""
        if not access.may(request.user, "register"):
            raise PermissionDenied(_("You may not register complaints."))
        key = _idempotency_key(request)
        fingerprint = _fingerprint(request.data) if key else ""
        if key:
            earlier = IdempotencyKey.objects.filter(user=request.user, key=key).first()
            if earlier is not None:
                return self._replay(request, earlier, fingerprint)
        form = s.NewComplaintSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        category = directory_cache.category(data["category"])
        if category is None:
            raise ValidationError({"category": [_("There is no category “%(code)s”.") % {"code": data["category"]}]},
                                  code="not_found")
        ward = directory_cache.ward(data["ward"])
        if ward is None:
            raise ValidationError({"ward": [_("There is no ward number %(number)d.") % {"number": data["ward"]}]},
                                  code="not_found")
        new = actions.NewComplaint(
            mobile=data["mobile"], category=category, ward=ward, description=data["description"], name=data["name"],
            language=data["language"], address=data["address"], landmark=data["landmark"], channel=Channel.API,
            priority=data["priority"], latitude=data["latitude"], longitude=data["longitude"],
        )
        try:
            if key:
                with transaction.atomic():  # the complaint and its key: both or neither
                    complaint = actions.do_register(new, actor=request.user, allow_duplicate=data["allow_duplicate"])
                    IdempotencyKey.objects.create(user=request.user, key=key, fingerprint=fingerprint,
                                                  complaint=complaint, created_at=complaint.registered_at)
            else:
                complaint = actions.do_register(new, actor=request.user, allow_duplicate=data["allow_duplicate"])
        except (IntegrityError, actions.PossibleDuplicate):
            # The same key sent again while the first was being registered: the other request committed
            # first (its key row, or its complaint seen by the duplicate check). Answer as it did.
            earlier = IdempotencyKey.objects.filter(user=request.user, key=key).first() if key else None
            if earlier is None:
                raise
            return self._replay(request, earlier, fingerprint)
        complaint.zone = ward.zone  # already read with the ward: no query to show its name
        data = s.ComplaintSerializer(complaint, context=_context(request)).data
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": data["url"]})

    def _replay(self, request, earlier: IdempotencyKey, fingerprint: str) -> Response:
        if earlier.fingerprint != fingerprint:
            return Response(body("idempotency_key_reused", _(
                "This Idempotency-Key was used for a different request (complaint %(docket)s). Use a new key for "
                "a new complaint.") % {"docket": dockets.spoken(earlier.complaint.docket)}),
                status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        complaint = Complaint.objects.prefetch_related(*RELATED).get(pk=earlier.complaint_id)
        data = s.ComplaintSerializer(complaint, context=_context(request)).data
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": data["url"],
                                                                       "Idempotent-Replayed": "true"})

    # --- acting -------------------------------------------------------------------------------------------
    def _act(self, request, docket, form_class, perform):
        complaint = self._visible(docket)
        form = form_class(data=request.data)
        form.is_valid(raise_exception=True)
        perform(complaint, request.user, form.validated_data)
        after = self.get_queryset().filter(pk=complaint.pk).first()
        if after is None:  # the action took it out of this user's sight (e.g. handed to another officer)
            complaint.refresh_from_db(fields=["status"])
            return Response({"docket": complaint.docket, "status": complaint.status})
        return self._detail(request, after)

    def _act_schema(form, summary):  # noqa: N805 - a decorator factory used in the class body
        return extend_schema(
            summary=summary, parameters=[DOCKET], request=form,
            responses={200: s.ComplaintDetailSerializer, 404: ERROR,
                       409: OpenApiResponse(ERROR, description="Not possible in the complaint's status"),
                       **COMMON_ERRORS},
        )

    @_act_schema(s.EmptySerializer, "Start work")
    @action(detail=True, methods=["post"], url_path="actions/start", url_name="start")
    def start(self, request, docket=None):
        return self._act(request, docket, s.EmptySerializer,
                         lambda c, user, d: actions.do_start_work(c, actor=user))

    @_act_schema(s.ReasonSerializer, "Put on hold (stops the clock)")
    @action(detail=True, methods=["post"], url_path="actions/hold", url_name="hold")
    def hold(self, request, docket=None):
        return self._act(request, docket, s.ReasonSerializer,
                         lambda c, user, d: actions.do_put_on_hold(c, actor=user, reason=d["reason"]))

    @_act_schema(s.EmptySerializer, "Resume work after a hold")
    @action(detail=True, methods=["post"], url_path="actions/resume", url_name="resume")
    def resume(self, request, docket=None):
        return self._act(request, docket, s.EmptySerializer, lambda c, user, d: actions.do_resume(c, actor=user))

    @_act_schema(s.ResolveSerializer, "Resolve, with remarks and (multipart) a photo of the work")
    @action(detail=True, methods=["post"], url_path="actions/resolve", url_name="resolve")
    def resolve(self, request, docket=None):
        return self._act(request, docket, s.ResolveSerializer, lambda c, user, d: actions.do_resolve(
            c, actor=user, remarks=d["remarks"], photo=d["photo"]))

    @_act_schema(s.RemarksSerializer, "Close a resolved complaint")
    @action(detail=True, methods=["post"], url_path="actions/close", url_name="close")
    def close(self, request, docket=None):
        return self._act(request, docket, s.RemarksSerializer,
                         lambda c, user, d: actions.do_close(c, actor=user, remarks=d["remarks"]))

    @_act_schema(s.ReasonSerializer, "Reopen (the citizen says it is not solved)")
    @action(detail=True, methods=["post"], url_path="actions/reopen", url_name="reopen")
    def reopen(self, request, docket=None):
        return self._act(request, docket, s.ReasonSerializer,
                         lambda c, user, d: actions.do_reopen(c, actor=user, reason=d["reason"]))

    @_act_schema(s.ReasonSerializer, "Reject (not a municipal matter); the citizen reads the reason")
    @action(detail=True, methods=["post"], url_path="actions/reject", url_name="reject")
    def reject(self, request, docket=None):
        return self._act(request, docket, s.ReasonSerializer,
                         lambda c, user, d: actions.do_reject(c, actor=user, reason=d["reason"]))

    @_act_schema(s.NoteSerializer, "Add a note to the timeline")
    @action(detail=True, methods=["post"], url_path="actions/note", url_name="note")
    def note(self, request, docket=None):
        return self._act(request, docket, s.NoteSerializer,
                         lambda c, user, d: actions.do_add_note(c, actor=user, note=d["note"]))

    @_act_schema(s.AssignSerializer, "Hand the complaint to another officer of its department")
    @action(detail=True, methods=["post"], url_path="actions/assign", url_name="assign")
    def assign(self, request, docket=None):
        def perform(complaint, user, data):
            officer = Officer.objects.filter(pk=data["officer"]).first()
            if officer is None:
                raise ValidationError({"officer": [_("There is no officer %(id)d.") % {"id": data["officer"]}]},
                                      code="not_found")
            actions.do_assign(complaint, officer, actor=user, reason=data["reason"])

        return self._act(request, docket, s.AssignSerializer, perform)

    @_act_schema(s.MarkDuplicateSerializer, "Mark as a duplicate of another complaint")
    @action(detail=True, methods=["post"], url_path="actions/mark_duplicate", url_name="mark-duplicate")
    def mark_duplicate(self, request, docket=None):
        def perform(complaint, user, data):
            number = dockets.normalise(data["original"])
            original = (access.visible_complaints(user).filter(docket=number).first()
                        if dockets.is_valid(number) else None)
            if original is None:
                raise ValidationError({"original": [_("No complaint you can see has that docket number.")]},
                                      code="not_found")
            actions.do_mark_duplicate(complaint, original=original, actor=user, reason=data["reason"])

        return self._act(request, docket, s.MarkDuplicateSerializer, perform)

    @_act_schema(s.OptionalNoteSerializer, "Record that the citizen confirms the resolution (closes it)")
    @action(detail=True, methods=["post"], url_path="actions/confirm", url_name="confirm")
    def confirm(self, request, docket=None):
        return self._act(request, docket, s.OptionalNoteSerializer, lambda c, user, d: actions.do_confirm(
            c, actor=user, note=d["note"], details={"via": "api"}))

    @_act_schema(s.OptionalNoteSerializer, "Record that the citizen disputes the resolution (reopens, escalates)")
    @action(detail=True, methods=["post"], url_path="actions/dispute", url_name="dispute")
    def dispute(self, request, docket=None):
        return self._act(request, docket, s.OptionalNoteSerializer, lambda c, user, d: actions.do_dispute(
            c, actor=user, note=d["note"], details={"via": "api"}))

    del _act_schema


class AttachmentView(ClientLanguageMixin, APIView):
    """A complaint's photo, to those who may see the complaint (404 for everyone else)."""

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY, 404: ERROR, 401: ERROR})
    def get(self, request, pk: int):
        item = Attachment.objects.select_related("complaint").filter(pk=pk).first()
        if item is None or not access.can_see(request.user, item.complaint):
            raise Http404
        try:
            handle = item.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404
        response = FileResponse(handle, content_type=item.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=86400"
        return response


# --- the city's directory (small tables, whole lists) ----------------------------------------------------


class _Directory(ClientLanguageMixin, viewsets.ReadOnlyModelViewSet):
    pagination_class = None


class CategoryViewSet(_Directory):
    """Complaint categories; `code` is also the Open311 service code."""

    serializer_class = s.CategorySerializer
    queryset = Category.objects.select_related("department").order_by("code")
    lookup_field = "code"


class WardViewSet(_Directory):
    serializer_class = s.WardDetailSerializer
    queryset = Ward.objects.select_related("zone").order_by("number")
    lookup_field = "number"
    lookup_value_regex = r"[0-9]{1,9}"


class DepartmentViewSet(_Directory):
    serializer_class = s.DepartmentSerializer
    queryset = Department.objects.order_by("code")
    lookup_field = "code"


class ZoneViewSet(_Directory):
    serializer_class = s.ZoneSerializer
    queryset = Zone.objects.order_by("code")
    lookup_field = "code"


class OfficerViewSet(_Directory):
    """Active officers (to assign a complaint to): no mobile numbers."""

    serializer_class = s.OfficerDetailSerializer
    queryset = Officer.objects.filter(is_active=True).select_related("department").order_by("name", "id")

    @extend_schema(parameters=[OpenApiParameter("department", OpenApiTypes.STR, description="Department code")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        department = self.request.query_params.get("department")
        if department:
            queryset = queryset.filter(department__code=department[:30])
        return queryset
