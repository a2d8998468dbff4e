"""Open311 GeoReport v2 at /open311/v2/, in JSON and XML, so existing Open311 apps and clients work
unchanged; plus mySociety's servicerequestupdates extension (what FixMyStreet polls for status changes).

- services.{json,xml}; services/<service_code>.{json,xml} (no attributes: metadata is false)
- requests.{json,xml}: GET (a list, newest first, ≤ 1000, 90 days by default), POST (needs api_key)
- requests/<service_request_id>.{json,xml}; tokens/<token>.{json,xml}
- servicerequestupdates.{json,xml}; discovery.{json,xml}

service_code is the category's code; service_request_id is the docket; expected_datetime is the due
time. Errors use the spec's format: [{"code": 400, "description": "…"}] (<errors><error>…).

What a stranger may read is what the public tracking page shows (`public.status`): the kind of
problem, the ward, the status and its dates, never who complained or what they wrote. A client with an
api_key also gets back the description, address and location of the requests it sent itself.

A POST is registered by `do_register` as the key's own login (see `models.ApiKey`), channel "api".
There is no GIS here: the ward comes from address_id (the ward number) or from a ward or locality
named in address_string; coordinates are kept, and must lie inside the city (NNC_CITY_BOUNDS).
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback

from nagar_nigam_cc.api import directory_cache
from nagar_nigam_cc.api.errors import django_messages
from nagar_nigam_cc.api.language import ClientLanguageMixin
from nagar_nigam_cc.api.limits import anonymous_rate, over_limit
from nagar_nigam_cc.directory.places import WardNames, inside_city, parse_coordinate, wards_named_in
from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.actions import NewComplaint, PossibleDuplicate, do_add_note, do_register
from nagar_nigam_cc.complaints.models import OPEN_STATUSES, Channel, Complaint, ComplaintEvent, EventKind, Status
from nagar_nigam_cc.directory.models import Category, Ward
from nagar_nigam_cc.open311.models import ApiKey, Open311Request
from nagar_nigam_cc.open311.render import Open311XMLRenderer
from nagar_nigam_cc.public.status import PUBLIC_EVENTS

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-29T00:00:00+05:30"  # when this endpoint's behaviour last changed (discovery)
MAX_RESULTS = 1000
DEFAULT_DAYS = 90
MAX_IDS = 100
UPDATES_DEFAULT = timedelta(days=1)


class Open311Error(Exception):
    def __init__(self, status_code: int, description: str):
        self.status_code, self.description = status_code, description
        super().__init__(description)


def _error(status_code: int, *descriptions: str) -> Response:
    return Response([{"code": status_code, "description": str(d)} for d in descriptions], status=status_code)


def _drf_messages(detail) -> list[str]:
    if isinstance(detail, dict):
        return [f"{key}: {m}" if key != "non_field_errors" else m
                for key, value in detail.items() for m in _drf_messages(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _drf_messages(value)]
    return [str(detail)]


def exception_handler(exc, context):
    """Every Open311 error in the spec's format, in JSON or XML as the URL asked."""
    set_rollback()
    if isinstance(exc, Open311Error):
        return _error(exc.status_code, exc.description)
    if isinstance(exc, DjangoValidationError):
        fields, _first = django_messages(exc)
        messages = [f"{name}: {m}" if name != "non_field_errors" else m for name, ms in fields.items() for m in ms]
        return _error(400, *(messages or [str(m) for m in exc.messages]))
    if isinstance(exc, DjangoPermissionDenied):
        return _error(403, str(exc) or _("Not allowed."))
    if isinstance(exc, Http404):
        return _error(404, _("Not found."))
    if isinstance(exc, exceptions.ValidationError):
        return _error(400, *_drf_messages(exc.detail))
    if isinstance(exc, exceptions.APIException):
        response = _error(exc.status_code, *_drf_messages(exc.detail))
        if getattr(exc, "wait", None):
            response["Retry-After"] = str(int(exc.wait))
        return response
    return None


# --- what a request looks like ----------------------------------------------------------------------------


def when(moment: datetime | None) -> str | None:
    """W3C datetime with the city's offset: 2026-11-29T10:15:00+05:30."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def open311_status(status_value: str) -> str:
    # Resolved counts as closed: the work is reported done (the citizen may still reopen it).
    return "open" if status_value in OPEN_STATUSES else "closed"


def _ward_text(ward: Ward) -> str:
    return str(ward)


def request_data(complaint: Complaint, *, own: Open311Request | None, rejection: str = "") -> dict:
    notes = complaint.get_status_display()
    if complaint.status in (Status.RESOLVED, Status.CLOSED) and complaint.resolution_remarks:
        notes = f"{notes}: {complaint.resolution_remarks}"
    elif complaint.status == Status.REJECTED and rejection:
        notes = f"{notes}: {rejection}"
    elif complaint.status == Status.DUPLICATE and complaint.duplicate_of_id:
        notes = f"{notes}: {complaint.duplicate_of.docket}"
    media = own.media_url.split()[0] if own is not None and own.media_url else None
    lat, long = (complaint.latitude, complaint.longitude) if own is not None else (None, None)
    return {
        "service_request_id": complaint.docket,
        "status": open311_status(complaint.status),
        "status_notes": notes,
        "service_name": complaint.category.name,
        "service_code": complaint.category.code,
        "description": complaint.description if own is not None else "",
        "agency_responsible": complaint.department.name,
        "service_notice": "",
        "requested_datetime": when(complaint.registered_at),
        "updated_datetime": when(complaint.updated_at),
        "expected_datetime": when(complaint.due_at),
        "address": (complaint.address or _ward_text(complaint.ward)) if own is not None else _ward_text(complaint.ward),
        "address_id": str(complaint.ward.number),
        "zipcode": None,
        "lat": float(lat) if lat is not None else None,
        "long": float(long) if long is not None else None,
        "media_url": media,
    }


def requests_data(complaints: list[Complaint], key: ApiKey | None) -> list[dict]:
    """Several complaints as Open311 requests, with a fixed number of queries whatever their number."""
    ids = [c.pk for c in complaints]
    mine = {}
    if key is not None and ids:
        mine = {r.complaint_id: r for r in Open311Request.objects.filter(api_key=key, complaint_id__in=ids)}
    rejected = [c.pk for c in complaints if c.status == Status.REJECTED]
    reasons = {}
    if rejected:
        for complaint_id, note in (ComplaintEvent.objects.filter(complaint_id__in=rejected, kind=EventKind.REJECTED)
                                   .order_by("at", "id").values_list("complaint_id", "note")):
            reasons[complaint_id] = note  # the latest wins
    return [request_data(c, own=mine.get(c.pk), rejection=reasons.get(c.pk, "")) for c in complaints]


RELATED = ("category", "department", "ward", "duplicate_of")

# --- the views --------------------------------------------------------------------------------------------

ERRORS = inline_serializer("Open311Error", {"code": serializers.IntegerField(), "description": serializers.CharField()},
                           many=True)
JURISDICTION = OpenApiParameter("jurisdiction_id", OpenApiTypes.STR, required=False,
                                description="Optional; this endpoint serves one city.")
API_KEY = OpenApiParameter("api_key", OpenApiTypes.STR, required=False,
                           description="Your key: with it, your own requests come back with description, address "
                                       "and location.")


class Open311View(ClientLanguageMixin, APIView):
    """A GeoReport v2 resource: no login (POST needs an api_key), errors in the spec's format."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    renderer_classes = (JSONRenderer, Open311XMLRenderer)
    parser_classes = (FormParser, MultiPartParser, JSONParser)
    xml_root = ""
    #: Reads without an api_key are limited per address (NNC_API_ANONYMOUS_RATE).
    limit_anonymous = True

    def get_exception_handler(self):
        return exception_handler

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        jurisdiction = self._param(request, "jurisdiction_id")
        if jurisdiction and settings.NNC_OPEN311_JURISDICTION and jurisdiction != settings.NNC_OPEN311_JURISDICTION:
            raise Open311Error(404, _("jurisdiction_id “%(value)s” is not served here.") % {"value": jurisdiction[:40]})
        if self.limit_anonymous and not self._param(request, "api_key"):
            if over_limit(request, "open311-anonymous", anonymous_rate()):
                raise exceptions.Throttled(wait=60, detail=_("Too many requests. Wait a minute and try again."))

    @staticmethod
    def _param(request, name: str) -> str:
        value = request.query_params.get(name)
        if value is None and request.method == "POST":
            data = request.data
            value = data.get(name) if hasattr(data, "get") else None
        return str(value).strip() if value is not None else ""

    def _key(self, request, *, required: bool) -> ApiKey | None:
        secret = self._param(request, "api_key")
        if not secret:
            if required:
                raise Open311Error(403, _("api_key is required: ask the municipal corporation for one."))
            return None
        key = ApiKey.find(secret)
        if key is None:
            raise Open311Error(403, _("api_key is not valid."))
        return key


class DiscoveryView(Open311View):
    """Where this endpoint is and what it speaks."""

    xml_root = "discovery"

    @extend_schema(tags=["open311"], summary="Service discovery", responses={
        200: inline_serializer("Open311Discovery", {
            "changeset": serializers.CharField(), "contact": serializers.CharField(),
            "key_service": serializers.CharField(),
            "endpoints": inline_serializer("Open311Endpoint", {
                "specification": serializers.CharField(), "url": serializers.CharField(),
                "changeset": serializers.CharField(), "type": serializers.CharField(),
                "formats": serializers.ListField(child=serializers.CharField()),
            }, many=True),
        }), 429: ERRORS})
    def get(self, request, format=None):
        return Response({
            "changeset": CHANGESET,
            "contact": settings.NNC_OPEN311_CONTACT,
            "key_service": settings.NNC_OPEN311_CONTACT,
            "endpoints": [{
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri(reverse("open311:root")).rstrip("/"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }],
        })


class ServicesView(Open311View):
    """The complaint categories in use; service_code is the category's code."""

    xml_root = "services"

    @extend_schema(tags=["open311"], summary="Service list (complaint categories)", parameters=[JURISDICTION],
                   responses={200: inline_serializer("Open311Service", {
                       "service_code": serializers.CharField(), "service_name": serializers.CharField(),
                       "description": serializers.CharField(), "metadata": serializers.BooleanField(),
                       "type": serializers.CharField(), "keywords": serializers.CharField(),
                       "group": serializers.CharField()}, many=True), 404: ERRORS, 429: ERRORS})
    def get(self, request, format=None):
        categories = Category.objects.filter(is_active=True).select_related("department").order_by("code")
        return Response([{
            "service_code": c.code,
            "service_name": c.name,
            "description": f"{c.name_hi} / {c.name_en}",
            "metadata": False,
            "type": "realtime",
            "keywords": ", ".join(w.strip() for w in c.keywords.replace(",", "\n").splitlines() if w.strip()),
            "group": c.department.name,
        } for c in categories])


def _category(code: str) -> Category:
    category = directory_cache.category(code[:40])
    if category is None or not category.is_active:
        raise Open311Error(404, _("service_code “%(code)s” not found: see services.json for the list.")
                           % {"code": code[:40]})
    return category


class ServiceDefinitionView(Open311View):
    """No category asks for extra attributes: the definition lists none."""

    xml_root = "service_definition"

    @extend_schema(tags=["open311"], summary="Service definition (no extra attributes)", parameters=[JURISDICTION],
                   responses={200: inline_serializer("Open311ServiceDefinition", {
                       "service_code": serializers.CharField(),
                       "attributes": serializers.ListField(child=serializers.DictField())}),
                       404: ERRORS, 429: ERRORS})
    def get(self, request, service_code: str, format=None):
        category = _category(service_code)
        return Response({"service_code": category.code, "attributes": []})


class PostForm(serializers.Serializer):
    """POST requests.{json,xml}: the spec's fields (form-encoded). `phone` is required here: the docket
    goes to the citizen by SMS. attribute[…] fields are kept with the request."""

    api_key = serializers.CharField(max_length=200)
    service_code = serializers.CharField(max_length=100)
    jurisdiction_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    lat = serializers.CharField(max_length=40, required=False, allow_blank=True)
    long = serializers.CharField(max_length=40, required=False, allow_blank=True)
    address_string = serializers.CharField(max_length=255, required=False, allow_blank=True, trim_whitespace=True)
    address_id = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    device_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    account_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    first_name = serializers.CharField(max_length=59, required=False, allow_blank=True)  # with last_name: ≤ 120
    last_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    description = serializers.CharField(max_length=settings.NNC_DESCRIPTION_MAX_CHARS, required=False,
                                        allow_blank=True)
    media_url = serializers.CharField(max_length=1000, required=False, allow_blank=True)


POST_RESPONSE = inline_serializer("Open311Created", {
    "service_request_id": serializers.CharField(), "token": serializers.CharField(),
    "service_notice": serializers.CharField(), "account_id": serializers.CharField(allow_null=True),
}, many=True)
REQUEST = inline_serializer("Open311Request", {
    name: serializers.CharField(allow_null=True) for name in (
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
        "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
        "address", "address_id", "zipcode", "media_url")
} | {"lat": serializers.FloatField(allow_null=True), "long": serializers.FloatField(allow_null=True)}, many=True)
LIST_PARAMETERS = [
    JURISDICTION, API_KEY,
    OpenApiParameter("service_request_id", OpenApiTypes.STR, description="Dockets, comma-separated (others ignored)"),
    OpenApiParameter("service_code", OpenApiTypes.STR, description="Service codes, comma-separated"),
    OpenApiParameter("start_date", OpenApiTypes.DATETIME, description="Requested at or after (default: 90 days ago)"),
    OpenApiParameter("end_date", OpenApiTypes.DATETIME, description="Requested before (default: now)"),
    OpenApiParameter("status", OpenApiTypes.STR, description="open, closed, or both comma-separated"),
]


def _datetime(request, name: str) -> datetime | None:
    text = request.query_params.get(name, "").strip()
    if not text:
        return None
    try:
        moment = parse_datetime(text.replace(" ", "+")) if len(text) <= 40 else None
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(400, _("%(name)s must be a date and time like 2026-11-01T00:00:00+05:30.") % {"name": name})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class RequestsView(Open311View):
    """GET: requests by date, code and status (public fields; your own in full). POST: register a complaint."""

    xml_root = "service_requests"

    @extend_schema(tags=["open311"], summary="Service requests (newest first, at most 1000)",
                   parameters=LIST_PARAMETERS, responses={200: REQUEST, 400: ERRORS, 403: ERRORS, 404: ERRORS,
                                                          429: ERRORS})
    def get(self, request, format=None):
        key = self._key(request, required=False)
        queryset = Complaint.objects.prefetch_related(*RELATED)
        ids = [i.strip() for i in request.query_params.get("service_request_id", "").split(",") if i.strip()]
        if ids:
            if len(ids) > MAX_IDS:
                raise Open311Error(400, _("Ask for at most %(n)d service_request_id at once.") % {"n": MAX_IDS})
            rows = list(queryset.filter(docket__in=[i for i in ids if dockets.is_valid(i)]).order_by("-registered_at"))
            return Response(requests_data(rows, key))
        end = _datetime(request, "end_date") or timezone.now()
        start = _datetime(request, "start_date") or end - timedelta(days=DEFAULT_DAYS)
        if start > end:
            raise Open311Error(400, _("start_date is after end_date."))
        if end - start > timedelta(days=DEFAULT_DAYS):
            raise Open311Error(400, _("Ask for at most %(n)d days at once.") % {"n": DEFAULT_DAYS})
        queryset = queryset.filter(registered_at__gte=start, registered_at__lt=end)
        codes = [c.strip() for c in request.query_params.get("service_code", "").split(",") if c.strip()]
        if codes:
            queryset = queryset.filter(category_id__in=[_category(code).pk for code in codes[:MAX_IDS]])
        wanted = {s.strip() for s in request.query_params.get("status", "").split(",") if s.strip()}
        if wanted - {"open", "closed"}:
            raise Open311Error(400, _("status must be open or closed."))
        if wanted == {"open"}:
            queryset = queryset.filter(status__in=OPEN_STATUSES)
        elif wanted == {"closed"}:
            queryset = queryset.exclude(status__in=OPEN_STATUSES)
        rows = list(queryset.order_by("-registered_at", "-id")[:MAX_RESULTS])
        return Response(requests_data(rows, key))

    @extend_schema(tags=["open311"], summary="Create a service request (registers a complaint)",
                   request={"application/x-www-form-urlencoded": PostForm, "multipart/form-data": PostForm},
                   parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER,
                                                description="Optional: the same key again returns the first request")],
                   responses={201: POST_RESPONSE, 400: ERRORS, 403: ERRORS, 404: ERRORS})
    def post(self, request, format=None):
        key = self._key(request, required=True)
        form = PostForm(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        category = _category(data["service_code"])
        latitude, longitude = _coordinates(data)
        ward = _ward(data)
        phone = data.get("phone", "").strip()
        if not phone:
            raise Open311Error(400, _("phone is required: the complaint number is sent to it by SMS."))
        media = _media_urls(request)
        reference = _client_reference(request)
        if reference:
            earlier = Open311Request.objects.filter(api_key=key, client_ref=reference).select_related("complaint").first()
            if earlier is not None:
                return self._created(earlier, status.HTTP_200_OK)
        description = data.get("description", "").strip() or f"{category.name_hi} / {category.name_en}"
        name = " ".join(p for p in (data.get("first_name", "").strip(), data.get("last_name", "").strip()) if p)
        new = NewComplaint(
            mobile=phone, category=category, ward=ward, description=description, name=name,
            address=data.get("address_string", ""), channel=Channel.API, latitude=latitude, longitude=longitude,
        )
        details = {name: data[name] for name in ("email", "device_id", "account_id") if data.get(name)}
        attributes = {k[len("attribute["):-1]: v for k, v in request.data.items()
                      if k.startswith("attribute[") and k.endswith("]")} if hasattr(request.data, "items") else {}
        if attributes:
            details["attributes"] = attributes
        try:
            with transaction.atomic():
                complaint = do_register(new, actor=key.user)
                received = Open311Request.objects.create(
                    api_key=key, complaint=complaint, token=secrets.token_hex(16), client_ref=reference or None,
                    media_url="\n".join(media), received_at=complaint.registered_at, details=details,
                )
        except PossibleDuplicate as duplicate:
            # Sent again (same reference) while the first was being registered: answer as the first did.
            earlier = Open311Request.objects.filter(api_key=key, client_ref=reference).first() if reference else None
            if earlier is not None:
                return self._created(earlier, status.HTTP_200_OK)
            return self._same_problem(duplicate.existing, key, description, media)
        except IntegrityError:
            earlier = Open311Request.objects.filter(api_key=key, client_ref=reference).first() if reference else None
            if earlier is None:
                raise
            return self._created(earlier, status.HTTP_200_OK)
        return self._created(received, status.HTTP_201_CREATED)

    def _created(self, received: Open311Request, status_code: int) -> Response:
        complaint = received.complaint
        return Response([{
            "service_request_id": complaint.docket,
            "token": received.token,
            "service_notice": _("Complaint number %(docket)s. It is also sent to the citizen by SMS.")
            % {"docket": dockets.spoken(complaint.docket)},
            "account_id": None,
        }], status=status_code)

    def _same_problem(self, existing: Complaint, key: ApiKey, description: str, media: list[str]) -> Response:
        """The same phone reported the same problem in the same ward a short while ago: answer with that
        complaint's number (nothing is registered twice) and keep anything new they sent on its timeline."""
        words = description.strip() if description.strip() != existing.description.strip() else ""
        if words or media:
            note = _("Reported again through %(client)s: %(text)s") % {"client": key.name, "text": words or "—"}
            if media:
                note += "\n" + _("Photos: %(links)s") % {"links": " ".join(media)}
            do_add_note(existing, actor=key.user, note=note[:2000])
        token = Open311Request.objects.filter(complaint=existing, api_key=key).values_list("token", flat=True).first()
        return Response([{
            "service_request_id": existing.docket,
            "token": token or "",
            "service_notice": _("This phone number already reported this problem here: complaint %(docket)s "
                                "is being handled.") % {"docket": dockets.spoken(existing.docket)},
            "account_id": None,
        }], status=status.HTTP_200_OK)


def _coordinates(data: dict):
    lat_text, long_text = data.get("lat", "").strip(), data.get("long", "").strip()
    if not lat_text and not long_text:
        return None, None
    latitude, longitude = parse_coordinate(lat_text, -90, 90), parse_coordinate(long_text, -180, 180)
    if latitude is None or longitude is None:
        raise Open311Error(400, _("lat and long must both be given, as decimal degrees."))
    if not inside_city(float(latitude), float(longitude)):
        raise Open311Error(400, _("lat %(lat)s, long %(long)s is outside the city this service covers.")
                           % {"lat": latitude.normalize(), "long": longitude.normalize()})
    return latitude, longitude


def _ward(data: dict) -> Ward:
    """address_id (the ward number), else a ward or locality named in address_string."""
    address_id = data.get("address_id", "").strip()
    if address_id:
        ward = directory_cache.ward(int(address_id)) if address_id.isdigit() and len(address_id) < 9 else None
        if ward is None:
            raise Open311Error(400, _("address_id “%(value)s” is not a ward number of this city.")
                               % {"value": address_id[:20]})
        return ward
    address = data.get("address_string", "").strip()
    if not address:
        if data.get("lat") or data.get("long"):
            raise Open311Error(400, _("Coordinates alone cannot be placed in a ward yet: also send address_id "
                                      "(the ward number) or address_string naming the ward or locality."))
        raise Open311Error(400, _("A location is required: address_id (the ward number) or address_string."))
    wards = [WardNames(w.pk, w.number, (w.name_hi, w.name_en, *w.localities.splitlines()))
             for w in directory_cache.wards()]
    numbers = wards_named_in(address, wards)
    if len(numbers) == 1:
        return directory_cache.ward(numbers[0])
    if numbers:
        raise Open311Error(400, _("address_string names places in more than one ward (%(wards)s): send address_id, "
                                  "the ward number.") % {"wards": ", ".join(str(n) for n in numbers)})
    raise Open311Error(400, _("No ward of this city could be found in address_string: send address_id, the ward "
                              "number, or name the ward or locality."))


def _media_urls(request) -> list[str]:
    data = request.data
    urls = data.getlist("media_url") if hasattr(data, "getlist") else [data.get("media_url", "")] if hasattr(data, "get") else []
    kept = []
    for url in urls:
        url = str(url).strip()
        if not url:
            continue
        if not url.startswith(("http://", "https://")) or any(ch.isspace() for ch in url):
            raise Open311Error(400, _("media_url must be an http or https address."))
        kept.append(url)
    if sum(len(u) + 1 for u in kept) > 1000:
        raise Open311Error(400, _("media_url is too long."))
    return kept


def _client_reference(request) -> str:
    """The client's own id for the request: the Idempotency-Key header, or FixMyStreet's report id."""
    reference = request.headers.get("Idempotency-Key", "").strip()
    if not reference and hasattr(request.data, "get"):
        fms = str(request.data.get("attribute[fixmystreet_id]", "")).strip()
        reference = f"fixmystreet:{fms}" if fms else ""
    if len(reference) > 100 or not reference.isprintable():
        raise Open311Error(400, _("The request's reference (Idempotency-Key) must be at most 100 printable characters."))
    return reference


class RequestView(Open311View):
    """One request by its id, the docket number."""

    xml_root = "service_requests"

    @extend_schema(tags=["open311"], summary="One service request (an array of one, as the spec says)",
                   parameters=[JURISDICTION, API_KEY], responses={200: REQUEST, 404: ERRORS, 403: ERRORS, 429: ERRORS})
    def get(self, request, service_request_id: str, format=None):
        key = self._key(request, required=False)
        complaint = (Complaint.objects.prefetch_related(*RELATED).filter(docket=service_request_id).first()
                     if dockets.is_valid(service_request_id) else None)
        if complaint is None:
            raise Open311Error(404, _("service_request_id “%(value)s” not found.") % {"value": service_request_id[:20]})
        return Response(requests_data([complaint], key))


class TokenView(Open311View):
    """The request id for the token a POST returned (requests are registered at once, so always known)."""

    xml_root = "service_requests"

    @extend_schema(tags=["open311"], summary="The service request id for a token",
                   parameters=[JURISDICTION], responses={200: inline_serializer("Open311Token", {
                       "service_request_id": serializers.CharField(), "token": serializers.CharField()}, many=True),
                       404: ERRORS, 429: ERRORS})
    def get(self, request, token: str, format=None):
        received = Open311Request.objects.select_related("complaint").filter(token=token[:32]).first()
        if received is None:
            raise Open311Error(404, _("token “%(value)s” not found.") % {"value": token[:32]})
        return Response([{"service_request_id": received.complaint.docket, "token": received.token}])


class UpdatesView(Open311View):
    """mySociety's extension: each change of a request's status, as FixMyStreet polls for them."""

    xml_root = "service_request_updates"

    @extend_schema(tags=["open311"], summary="Status updates (mySociety extension), oldest first, at most 1000",
                   parameters=[JURISDICTION, API_KEY,
                               OpenApiParameter("start_date", OpenApiTypes.DATETIME,
                                                description="Updates at or after (default: a day ago)"),
                               OpenApiParameter("updated_after", OpenApiTypes.DATETIME,
                                                description="The same as start_date"),
                               OpenApiParameter("end_date", OpenApiTypes.DATETIME, description="Before (default: now)")],
                   responses={200: inline_serializer("Open311Update", {
                       "update_id": serializers.CharField(), "service_request_id": serializers.CharField(),
                       "status": serializers.CharField(), "external_status_code": serializers.CharField(),
                       "updated_datetime": serializers.CharField(), "description": serializers.CharField(),
                       "media_url": serializers.CharField(allow_null=True)}, many=True),
                       400: ERRORS, 403: ERRORS, 429: ERRORS})
    def get(self, request, format=None):
        self._key(request, required=False)
        end = _datetime(request, "end_date") or timezone.now()
        start = _datetime(request, "start_date") or _datetime(request, "updated_after") or end - UPDATES_DEFAULT
        if start > end:
            raise Open311Error(400, _("start_date is after end_date."))
        if end - start > timedelta(days=DEFAULT_DAYS):
            raise Open311Error(400, _("Ask for at most %(n)d days at once.") % {"n": DEFAULT_DAYS})
        events = list(
            ComplaintEvent.objects.filter(at__gte=start, at__lt=end, kind__in=STATUS_EVENTS)
            .select_related("complaint").only("id", "kind", "at", "note", "to_status", "complaint__docket")
            .order_by("at", "id")[:MAX_RESULTS]
        )
        return Response([{
            "update_id": str(event.pk),
            "service_request_id": event.complaint.docket,
            "status": open311_status(event.to_status),
            "external_status_code": event.to_status,
            "updated_datetime": when(event.at),
            "description": _update_text(event),
            "media_url": None,
        } for event in events])


#: Updates a client hears of: the public timeline's changes of status (not reassignments or escalations).
STATUS_EVENTS = tuple(kind for kind in PUBLIC_EVENTS if kind not in ("assigned", "reassigned", "escalated"))


def _update_text(event: ComplaintEvent) -> str:
    # Only words written for the citizen: the resolution's remarks and a rejection's reason. Other
    # notes on the timeline are the desk's.
    if event.kind in (EventKind.RESOLVED, EventKind.REJECTED) and event.note:
        return f"{event.get_kind_display()}: {event.note}"
    return str(event.get_kind_display())


class NotFoundView(Open311View):
    """Anything else under /open311/v2/: the spec's 404."""

    limit_anonymous = False

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        raise Open311Error(404, _("No such Open311 resource. Start from discovery.json or services.json."))

    post = get
