"""Citizens are known by their mobile number: parse, check and store it in one E.164 form."""
from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
_MAX_INPUT = 32


def normalise_mobile(raw: str, region: str | None = None) -> str:
    """'98390 12345', '+91-9839012345', '09839012345' → '+919839012345'; anything else is refused.

    Only mobile numbers are accepted: the acknowledgement goes out by SMS, and a landline cannot get it.
    """
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter the caller's mobile number."), code="required")
    if len(text) > _MAX_INPUT:
        raise ValidationError(_("That is too long to be a mobile number."), code="invalid")
    if any(ch.isalpha() for ch in text):
        # phonenumbers would read letters as a keypad (ABC → 222) and "ext 5" as an extension.
        raise ValidationError(_("“%(value)s” is not a phone number."), code="invalid", params={"value": text})
    try:
        number = phonenumbers.parse(text, region or settings.NNC_PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("“%(value)s” is not a phone number."), code="invalid", params={"value": text})
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("“%(value)s” is not a valid phone number."), code="invalid", params={"value": text})
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ValidationError(
            _("“%(value)s” is not a mobile number; an SMS cannot reach it."), code="not_mobile", params={"value": text}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def looks_like_phone(text: str) -> bool:
    digits = [c for c in text if c.isdigit()]
    return 10 <= len(digits) <= 13 and all(c.isdigit() or c in "+- ()" for c in text.strip())


def masked(mobile: str) -> str:
    """+919839012345 → ******2345, for anyone who must not see the whole number."""
    return "*" * 6 + mobile[-4:] if mobile else ""
