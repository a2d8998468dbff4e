"""A citizen is their mobile number: every way an agent may type it must end as the same E.164 string,
and nothing that an SMS cannot reach may become a citizen's identity."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from nagar_nigam_cc.complaints.phones import looks_like_phone, masked, normalise_mobile

CI = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize("typed", [
    "9839012345",
    "98390 12345",
    "98390-12345",
    "(98390) 12345",
    "09839012345",  # trunk prefix 0, as dialled within India
    "+919839012345",
    "+91 98390 12345",
    "+91-98390-12345",
    "919839012345",  # country code without the plus
    "0091 98390 12345",  # international prefix from India
    " 9839012345\n",
])
def test_every_way_of_typing_an_indian_mobile_gives_the_same_e164(typed):
    assert normalise_mobile(typed) == "+919839012345"


@CI
@given(st.sampled_from("6789"), st.text("0123456789", min_size=9, max_size=9),
       st.sampled_from(["", "0", "+91", "+91 ", "91", "0091"]), st.sampled_from(["", " ", "-"]))
def test_any_indian_mobile_in_any_common_spelling_normalises_to_one_form(first, rest, prefix, separator):
    """Indian mobiles are ten digits starting 6–9; not every such number is allocated, so only the
    ones libphonenumber accepts are checked, and those must not depend on how they were written."""
    digits = first + rest
    try:
        canonical = normalise_mobile(digits)
    except ValidationError:
        return
    assert canonical == "+91" + digits
    assert normalise_mobile(prefix + digits[:5] + separator + digits[5:]) == canonical


@pytest.mark.parametrize(("typed", "code"), [
    ("0532 2400000", "not_mobile"),  # a Prayagraj landline (STD 0532)
    ("+91 532 240 0000", "not_mobile"),
    ("1800 180 1234", "not_mobile"),  # toll-free
    ("12345", "invalid"),
    ("98390 1234", "invalid"),  # a digit short
    ("5999999999", "invalid"),  # Indian mobiles start 6–9
    ("abcdefghij", "invalid"),
    ("9839O12345", "invalid"),  # a letter O for a zero
    ("98390 12345 98390 12345", "invalid"),  # two numbers in one field
    ("9" * 40, "invalid"),  # 40 characters: refused before parsing
    ("", "required"),
    ("   ", "required"),
    (None, "required"),
])
def test_what_is_not_a_mobile_number_is_refused(typed, code):
    with pytest.raises(ValidationError) as refused:
        normalise_mobile(typed)
    assert refused.value.code == code


@pytest.mark.parametrize("typed", ["98390ABCDE", "+91 98390 ABCDE", "9839012345 ext 5"])
def test_letters_are_refused_not_read_as_a_keypad(typed):
    """BUG (phones.normalise_mobile): libphonenumber converts three or more letters to keypad digits
    ('vanity' numbers), so '98390ABCDE' becomes +919839022233 — some stranger's phone, which then
    receives this citizen's SMS; 'ext 5' is silently dropped. Fix: refuse any letter before parsing."""
    with pytest.raises(ValidationError):
        normalise_mobile(typed)


@pytest.mark.parametrize(("typed", "e164"), [
    ("+44 7911 123456", "+447911123456"),  # UK mobile
    ("+977 981 2345678", "+9779812345678"),  # Nepal mobile (Prayagraj has many Nepali callers)
    ("+1 650 253 0000", "+16502530000"),  # US: fixed-line-or-mobile, indistinguishable, accepted
])
def test_foreign_mobiles_are_accepted_in_e164(typed, e164):
    """The code accepts any country's mobile when written with its country code. Flagged in the report:
    a DLT gateway delivers only to Indian numbers, so these citizens get no acknowledgement SMS unless
    the city uses Twilio; the intake form should at least warn."""
    assert normalise_mobile(typed) == e164


def test_a_foreign_landline_is_refused_like_an_indian_one():
    with pytest.raises(ValidationError) as refused:
        normalise_mobile("+44 20 7946 0018")  # London landline
    assert refused.value.code == "not_mobile"


def test_another_region_can_be_configured_for_numbers_typed_without_a_country_code(settings):
    settings.NNC_PHONE_REGION = "NP"
    assert normalise_mobile("981 2345678") == "+9779812345678"
    assert normalise_mobile("9812345678", region="NP") == "+9779812345678"


@CI
@given(st.text(max_size=40))
def test_normalising_any_text_either_refuses_or_gives_a_storable_e164(text):
    """Whatever is typed: a ValidationError or an E.164 string that fits Citizen.mobile (16 chars)."""
    try:
        mobile = normalise_mobile(text)
    except ValidationError:
        return
    assert mobile.startswith("+") and mobile[1:].isdigit() and len(mobile) <= 16
    assert normalise_mobile(mobile) == mobile


def test_looks_like_phone_tells_a_number_from_a_docket_or_a_name():
    assert looks_like_phone("98390 12345")
    assert looks_like_phone("+91-98390-12345")
    assert not looks_like_phone("Ramesh")
    assert not looks_like_phone("12345")
    assert not looks_like_phone("9839012345a")


def test_masked_shows_only_the_last_four_digits():
    assert masked("+919839012345") == "******2345"
    assert masked("") == ""
