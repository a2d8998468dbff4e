"""Where a complaint is: inside the city or not (asked by `do_register`, the API, Open311, WhatsApp and
the web form), and in which ward a place named in words lies.

There is no GIS here (wards have no boundaries yet), so coordinates alone cannot name a ward: an app
names it by number (Open311's address_id) or in words (address_string), which are matched against the
wards' Hindi and English names and the localities the desk lists for each ward. Pure functions over
plain values, so they are tested without a database.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings


def city_bounds() -> tuple[float, float, float, float]:
    """(south, west, north, east) from settings.NNC_CITY_BOUNDS ("south,west,north,east")."""
    south, west, north, east = (float(part) for part in settings.NNC_CITY_BOUNDS.split(","))
    return south, west, north, east


def inside_city(latitude: float, longitude: float) -> bool:
    south, west, north, east = city_bounds()
    return south <= latitude <= north and west <= longitude <= east


def parse_coordinate(text, low: int, high: int) -> Decimal | None:
    """A latitude or longitude as a Decimal with at most 6 places, or None if it is not a number in range."""
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or not (low <= value <= high):
        return None
    return value.quantize(Decimal("0.000001"))


@dataclass(frozen=True)
class WardNames:
    """A ward and every name callers use for places in it."""

    ward_id: int
    number: int
    names: tuple[str, ...]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _is_word_char(ch: str) -> bool:
    # Devanagari vowel signs are marks (Mn/Mc), not letters: "कटरा" must not match inside "कटराघाट"
    # only because a matra follows.
    return ch.isalnum() or unicodedata.category(ch).startswith("M")


def _occurs_as_words(needle: str, haystack: str) -> bool:
    start = haystack.find(needle)
    while start != -1:
        end = start + len(needle)
        before = haystack[start - 1] if start else " "
        after = haystack[end] if end < len(haystack) else " "
        if not _is_word_char(before) and not _is_word_char(after):
            return True
        start = haystack.find(needle, start + 1)
    return False


def wards_named_in(address: str, wards: list[WardNames]) -> list[int]:
    """The numbers of the wards whose longest name found in `address` is the longest found for any ward.

    "Near Hanuman Mandir, Katra" names Katra; "Colonelganj, near Katra Road" names both Colonelganj
    and Katra unless one of those names is longer than the other, and the caller must then ask which.
    Names of fewer than three characters are ignored (too many false matches).
    """
    text = _fold(address)
    best_length, best = 0, []
    for ward in wards:
        longest = max((len(name) for name in (_fold(n) for n in ward.names)
                       if len(name) >= 3 and _occurs_as_words(name, text)), default=0)
        if not longest:
            continue
        if longest > best_length:
            best_length, best = longest, [ward.number]
        elif longest == best_length:
            best.append(ward.number)
    return sorted(set(best))

