"""Open311 XML: the spec's element names, from the same data the JSON is made of.

GeoReport v2's XML wraps each list in a plural root and each item in a singular element
(<service_requests><request>…</request></service_requests>); nested lists do the same
(<attributes><attribute>, <values><value>, <endpoints><endpoint>, <formats><format>). Errors are
<errors><error><code/><description/></error></errors>. A view names its root and item; errors are
recognised by the response status.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from xml.etree import ElementTree as ET

from django.utils import timezone
from rest_framework.renderers import BaseRenderer

#: Plural element → the element of each item in it.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def text_of(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _strip_invalid(text: str) -> str:
    # XML 1.0 cannot carry most control characters, even escaped; descriptions are cleaned on the way
    # in (actions.clean_text), this is the last guard.
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20 and ch not in "\ufffe\uffff")


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, (list, tuple)):
        child = ITEMS.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, child), item)
    else:
        element.text = _strip_invalid(text_of(value))


def to_xml(root: str, data) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")


class Open311XMLRenderer(BaseRenderer):
    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        response, view = context.get("response"), context.get("view")
        if response is not None and response.status_code >= 400:
            root = "errors"
        else:
            root = getattr(view, "xml_root", "") or "response"
        if data is None:
            return b""
        return to_xml(root, data)
