"""Docket (acknowledgement) numbers: short, all digits, easy to read aloud over the phone.

Shape: YYMM + a sequence of at least five digits within that month + one Damm check digit, e.g.
``2611 00042 7`` → ``2611000427`` (10 digits; 12 at most, up to 9,999,999 complaints a month). The
check digit catches every single mistyped digit and every swap of two neighbouring digits, so an agent
who mishears a number is told so instead of opening someone else's complaint.

Uniqueness under concurrency comes from the database: one counter row per month, incremented with an
atomic UPDATE inside the registration's transaction (the row lock serialises concurrent registrations
for the instant of the increment), and a unique index on the docket column as the last word. A
registration that rolls back may leave a gap; numbers are never reused.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime

# Damm's quasigroup of order 10 (weakly totally anti-symmetric).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

MAX_LENGTH = 12
_SEQUENCE_MIN_DIGITS = 5
# Spaces, dashes (and the Unicode dashes phones substitute for "-"), slashes and dots.
_SEPARATORS = re.compile(r"[\s\-/.\u2010-\u2015\u2212]")


def damm_digit(digits: str) -> int:
    interim = 0
    for ch in digits:
        interim = _DAMM[interim][ord(ch) - 48]
    return interim


def period_of(moment: datetime) -> str:
    """The counter period for a (local) registration time: YYMM."""
    return moment.strftime("%y%m")


def format_docket(period: str, sequence: int) -> str:
    if sequence < 1:
        raise ValueError("docket sequences start at 1")
    body = f"{period}{sequence:0{_SEQUENCE_MIN_DIGITS}d}"
    docket = body + str(damm_digit(body))
    if len(docket) > MAX_LENGTH:
        raise OverflowError(f"docket sequence {sequence} does not fit in {MAX_LENGTH} characters")
    return docket


def normalise(text: str) -> str:
    """What a person typed or read out (spaces, dashes) → the stored form, or '' if not a docket."""
    candidate = _SEPARATORS.sub("", text or "")
    # Hindi (Devanagari) and other decimal digits, as a phone keyboard may type them: २६११ → 2611.
    candidate = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in candidate)
    if not candidate.isascii() or not candidate.isdigit():
        return ""
    if not (4 + _SEQUENCE_MIN_DIGITS + 1 <= len(candidate) <= MAX_LENGTH):
        return ""
    return candidate


def is_valid(docket: str) -> bool:
    """Is this a docket number in its stored form (digits only, right length, check digit right)?"""
    return (
        isinstance(docket, str)
        and docket.isascii()
        and docket.isdigit()
        and 4 + _SEQUENCE_MIN_DIGITS + 1 <= len(docket) <= MAX_LENGTH
        and damm_digit(docket) == 0
    )


def spoken(docket: str) -> str:
    """Grouped for reading back to the caller: 2611-00042-7."""
    return f"{docket[:4]}-{docket[4:-1]}-{docket[-1]}"
