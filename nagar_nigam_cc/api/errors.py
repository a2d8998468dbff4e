"""One error shape for the REST API, and the actions' exceptions turned into HTTP statuses.

Every error body is ``{"code": "...", "detail": "...", "errors": {...}}``: `code` is for programs (stable,
English), `detail` is a sentence for people in the request's language (Hindi unless the client sends
``Accept-Language: en``), `errors` (when there is more than one thing wrong) names the fields.

The actions (`complaints.actions`) raise Django's exceptions; they map to:
ValidationError → 400, PermissionDenied → 403, IllegalTransition and PossibleDuplicate → 409 (the
complaint's state, not the input, is in the way).
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.actions import IllegalTransition, PossibleDuplicate


def django_messages(exc: DjangoValidationError) -> tuple[dict[str, list[str]], str]:
    """({field: [messages]}, the first message) of a Django ValidationError; NON_FIELD_ERRORS → 'non_field_errors'."""
    if hasattr(exc, "error_dict"):
        fields = {("non_field_errors" if name == "__all__" else name): [str(m) for m in DjangoValidationError(errors).messages]
                  for name, errors in exc.error_dict.items()}
    else:
        fields = {}
    messages = [m for ms in fields.values() for m in ms] if fields else [str(m) for m in exc.messages]
    return fields, (messages[0] if messages else _("Invalid input."))


def _code_of(exc: DjangoValidationError, default: str = "invalid") -> str:
    if getattr(exc, "code", None):
        return exc.code
    if hasattr(exc, "error_dict"):
        for errors in exc.error_dict.values():
            for error in errors:
                if getattr(error, "code", None):
                    return error.code
    if hasattr(exc, "error_list"):
        for error in exc.error_list:
            if getattr(error, "code", None):
                return error.code
    return default


def _flatten_drf(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _flatten_drf(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _flatten_drf(value)]
    return [str(detail)]


def _drf_code(detail) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _drf_code(value)
    if isinstance(detail, list) and detail:
        return _drf_code(detail[0])
    return getattr(detail, "code", None) or "invalid"


def body(code: str, detail: str, errors: dict | None = None, **extra) -> dict:
    data = {"code": code, "detail": detail}
    if errors:
        data["errors"] = errors
    data.update(extra)
    return data


def duplicate_body(exc: PossibleDuplicate) -> dict:
    existing = exc.existing
    return body("possible_duplicate", django_messages(exc)[1], existing={
        "docket": existing.docket, "spoken_docket": dockets.spoken(existing.docket), "status": existing.status,
        "registered_at": existing.registered_at,
    })


def exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]."""
    if isinstance(exc, PossibleDuplicate):
        set_rollback()
        return Response(duplicate_body(exc), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, IllegalTransition):
        set_rollback()
        return Response(body("illegal_transition", django_messages(exc)[1]), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        fields, first = django_messages(exc)
        return Response(body(_code_of(exc), first, fields or None), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        set_rollback()
        detail = str(exc) or _("You do not have permission to do that.")
        return Response(body("permission_denied", detail), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, exceptions.APIException):
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        set_rollback()
        if isinstance(exc, exceptions.ValidationError):
            messages = _flatten_drf(exc.detail)
            errors = exc.detail if isinstance(exc.detail, dict) else None
            return Response(body(_drf_code(exc.detail), messages[0] if messages else _("Invalid input."), errors),
                            status=exc.status_code, headers=headers)
        code = exc.detail.code if hasattr(exc.detail, "code") else exc.default_code
        return Response(body(code, str(exc.detail)), status=exc.status_code, headers=headers)
    return None
