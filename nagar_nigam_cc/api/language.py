"""The language of an API response: the client's `Accept-Language` (Hindi or English) when it names one,
else the city's default.

The desk ignores the browser's Accept-Language (office browsers say en-US to people who read Hindi
first, see `nagar_nigam_cc.language`); an API client is a program whose author chose the header, so
here it decides.
"""
from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header


def language_asked(request) -> str:
    """'hi' or 'en' when the Accept-Language header prefers one of them, else ''."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    if not header or len(header) > 255:
        return ""
    supported = {code for code, _name in settings.LANGUAGES}
    for code, _quality in parse_accept_lang_header(header):
        base = code.split("-")[0].lower()
        if base in supported:
            return base
    return ""


class ClientLanguageMixin:
    """For DRF views: switch to the client's language before the view runs."""

    def initial(self, request, *args, **kwargs):
        asked = language_asked(request)
        if asked:
            translation.activate(asked)
            request.LANGUAGE_CODE = asked
        super().initial(request, *args, **kwargs)
