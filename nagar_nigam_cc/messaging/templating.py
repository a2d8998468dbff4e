"""Message templates: which variables each message offers, checking a template, filling it in, and
counting the SMS parts it costs. Pure functions (no database).

Templates write variables as {docket}. Only plain names are allowed — no attribute or index access,
no format specs — so a template edited in the desk can never reach into Python objects. Every value
is cut to `VARIABLE_MAX` characters, as TRAI's DLT platform allows for a {#var#}.
"""
from __future__ import annotations

import string
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.messaging.models import Event

#: TRAI DLT: each {#var#} may carry up to 30 characters.
VARIABLE_MAX = 30

_COMPLAINT = ("docket", "category")
#: The variables each event's context provides (messaging.outbox fills them in).
VARIABLES: dict[str, tuple[str, ...]] = {
    Event.REGISTERED: (*_COMPLAINT, "ward", "due", "link"),
    Event.ASSIGNED: (*_COMPLAINT, "ward", "address", "landmark", "due", "mobile"),
    Event.REMINDER: (*_COMPLAINT, "ward", "due", "percent"),
    Event.REMINDER_DIGEST: ("count", "dockets", "first_due"),
    Event.BREACH: (*_COMPLAINT, "ward", "due"),
    Event.ESCALATION: (*_COMPLAINT, "ward", "due", "level"),
    Event.RESOLVED: (*_COMPLAINT, "link"),
    Event.CLOSED: (*_COMPLAINT, "link"),
    Event.REPLY_STATUS: (*_COMPLAINT, "status", "due", "link"),
    Event.REPLY_CONFIRMED: _COMPLAINT,
    Event.REPLY_REOPENED: (*_COMPLAINT, "level"),
    Event.REPLY_NOT_FOUND: ("docket",),
    Event.REPLY_HELP: (),
    Event.FOLLOWER_ADDED: (*_COMPLAINT, "ward", "due", "link"),
    Event.OTP: ("code",),
}
#: Messages whose words come with them (context["text"]) instead of from a template.
LITERAL = frozenset({Event.CONVERSATION})

#: What a variable looks like at its longest, to measure a template (DLT's 30 characters, or less).
SAMPLES = {
    "docket": "2611-00042-7",
    "category": "X" * VARIABLE_MAX,
    "ward": "X" * VARIABLE_MAX,
    "address": "X" * VARIABLE_MAX,
    "landmark": "X" * VARIABLE_MAX,
    "due": "28 Nov 2026 10:30 PM",
    "link": "https://nnc.example.in/t/2611000427",
    "mobile": "+919839012345",
    "percent": "75",
    "count": "12",
    "dockets": "X" * VARIABLE_MAX,
    "first_due": "28 Nov 2026 10:30 PM",
    "status": "X" * 20,
    "level": "2",
    "code": "482913",
}


def fields(body: str) -> list[tuple[str, str | None, str | None]]:
    """(name, format spec, conversion) of each {…} in the body. Raises ValueError on unbalanced braces."""
    return [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(body)
            if name is not None]


def problems(event: str, body: str) -> list[str]:
    """Why this body cannot be this event's template (empty: it can)."""
    if event not in VARIABLES:
        return [str(_("Unknown kind of message."))]
    if not body.strip():
        return [str(_("The text is empty."))]
    try:
        used = fields(body)
    except ValueError:
        return [str(_("Braces do not match: write variables as {docket}, and a brace itself as {{ or }}."))]
    allowed = VARIABLES[event]
    errors = []
    for name, spec, conversion in used:
        if not name.isidentifier():
            errors.append(str(_("“{%(name)s}” is not a variable: use a plain name such as {docket}.") % {"name": name}))
        elif name not in allowed:
            errors.append(str(_("“{%(name)s}” is not available in this message. Available: %(allowed)s.")
                              % {"name": name, "allowed": ", ".join("{%s}" % a for a in allowed) or "—"}))
        elif spec or conversion:
            errors.append(str(_("Write {%(name)s} without a format or conversion.") % {"name": name}))
    return errors


def clip(value: object) -> str:
    text = " ".join(str(value).split())  # one line: no newlines smuggled into an SMS
    return text if len(text) <= VARIABLE_MAX else text[: VARIABLE_MAX - 1] + "…"


#: Variables that are links: never cut (a cut link is a broken one); DLT registers them as {#url#}.
URLS = frozenset({"link"})


def render(body: str, values: dict[str, object]) -> str:
    """Fill the template in. Missing variables become empty; every value but a link is cut to VARIABLE_MAX."""
    out = []
    for literal, name, _spec, _conversion in string.Formatter().parse(body):
        out.append(literal)
        if name is not None and name in values:
            out.append(str(values[name]).strip() if name in URLS else clip(values[name]))
    return "".join(out)


def dlt_text(body: str) -> str:
    """The template as DLT registration wants it: each variable written {#var#}, each link {#url#}."""
    out = []
    for literal, name, _spec, _conversion in string.Formatter().parse(body):
        out.append(literal)
        if name is not None:
            out.append("{#url#}" if name in URLS else "{#var#}")
    return "".join(out)


# --- SMS length -------------------------------------------------------------------------------------------

_GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SmsSize:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7, extended characters count two) or UTF-16 code units (UCS-2)
    parts: int

    @property
    def per_part(self) -> int:
        if self.encoding == "GSM-7":
            return 160 if self.parts <= 1 else 153
        return 70 if self.parts <= 1 else 67


def sms_size(text: str) -> SmsSize:
    """Characters and parts an SMS of this text costs: GSM-7 160 (153 per part when split), or — as
    soon as one character is outside GSM-7, e.g. any Hindi letter — UCS-2 70 (67 per part)."""
    if all(ch in _GSM7_BASIC or ch in _GSM7_EXTENDED for ch in text):
        units = sum(2 if ch in _GSM7_EXTENDED else 1 for ch in text)
        single, multi = 160, 153
        encoding = "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi = 70, 67
        encoding = "UCS-2"
    if units == 0:
        return SmsSize(encoding, 0, 0)
    parts = 1 if units <= single else -(-units // multi)
    return SmsSize(encoding, units, parts)


def template_size(event: str, body: str) -> SmsSize:
    """The size of the longest message this template can produce (each variable at its longest)."""
    return sms_size(render(body, {name: SAMPLES.get(name, "X" * VARIABLE_MAX) for name in VARIABLES.get(event, ())}))
