"""POST /api/v1/auth/token/ {username, password} → {token}: how an officer's app gets its token.

The token is DRF's (rest_framework.authtoken): one per user, sent as `Authorization: Token <key>`;
deactivating the user in the desk ends it. Attempts are limited per address and per username, so a
password cannot be guessed at speed.
"""
from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from nagar_nigam_cc.api.errors import body
from nagar_nigam_cc.api.language import ClientLanguageMixin
from nagar_nigam_cc.api.limits import over_limit


def _username(group, request) -> str:
    data = request.data
    name = data.get("username", "") if hasattr(data, "get") else ""
    return str(name)[:150].lower()


class ObtainToken(ClientLanguageMixin, ObtainAuthToken):
    renderer_classes = ObtainAuthToken.renderer_classes[:1]

    @extend_schema(
        request=inline_serializer("TokenRequest", {"username": serializers.CharField(),
                                                   "password": serializers.CharField()}),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
                   400: OpenApiResponse(description="Wrong username or password"),
                   429: OpenApiResponse(description="Too many attempts")},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        rate = settings.NNC_API_TOKEN_RATE
        if over_limit(request, "api-token-ip", rate) or over_limit(request, "api-token-user", rate, key=_username):
            return Response(body("throttled", _("Too many attempts. Wait a minute and try again.")),
                            status=status.HTTP_429_TOO_MANY_REQUESTS, headers={"Retry-After": "60"})
        return super().post(request, *args, **kwargs)
