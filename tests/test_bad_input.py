"""What an intake channel may hand do_register, and what it does with junk.

Every refusal is checked to leave the database exactly as it was: no citizen half-created or renamed,
no complaint, no event, no docket number used up.

HTML and script are stored exactly as typed: a citizen may well write "<" or "&", and escaping is the
job of whatever shows the text (Django templates autoescape; exports and SMS must not interpret it).
The template/desk tests prove the escaping; these prove nothing is mangled on the way in.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.actions import NewComplaint, PossibleDuplicate, do_register
from nagar_nigam_cc.complaints.models import Citizen, Complaint, ComplaintEvent, DocketCounter

IST = ZoneInfo("Asia/Kolkata")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=IST)
CALLER = "+919839012345"


def db_state():
    """Everything a registration writes, in a form that compares equal only if nothing changed."""
    return (
        sorted(Citizen.objects.values_list("mobile", "name", "language")),
        sorted(Complaint.objects.values_list("docket", "status")),
        ComplaintEvent.objects.count(),
        sorted(DocketCounter.objects.values_list("period", "last")),
    )


@pytest.fixture
def new(city, officer):
    """new(**changes) → a good NewComplaint (garbage in ward 1), with `changes` applied."""
    def _new(**changes):
        fields = dict(mobile=CALLER, category=city.garbage, ward=city.wards[1],
                      description="Garbage not lifted for three days near Hanuman temple", name="Ramesh Kumar")
        fields.update(changes)
        return NewComplaint(**fields)
    return _new


@pytest.fixture
def earlier(new, agent, city):
    """A complaint already on file (another caller), so 'nothing changed' is checked against real rows."""
    return do_register(new(mobile="+919415000001", category=city.sweeping), actor=agent, now=T0 - timedelta(days=1))


def refused(new_complaint, agent, **kwargs) -> ValidationError:
    before = db_state()
    with pytest.raises(ValidationError) as error:
        do_register(new_complaint, actor=agent, now=T0, **kwargs)
    assert db_state() == before, "a refused registration left something behind"
    return error.value


# --- the caller's number -------------------------------------------------------------------------------------

@pytest.mark.parametrize("mobile", [
    "0532 2400000",  # Prayagraj Nagar Nigam's landline: no SMS can reach it
    "12345",
    "abcdefghij",
    "98390 1234",  # a digit short
    "9" * 40,
    "+91 98390 12345 " + "x" * 24,
    "",
    "   ",
])
def test_a_number_that_is_not_a_mobile_is_refused(new, agent, earlier, mobile):
    refused(new(mobile=mobile), agent)


def test_a_number_spelt_with_letters_is_refused(new, agent, earlier):
    """BUG (phones.normalise_mobile): libphonenumber reads letters as a keypad 'vanity' number, so
    '98390ABCDE' is stored as +919839022233, a stranger's phone that gets the SMS. Refuse any letter
    before parsing. (See test_phones.py.)"""
    refused(new(mobile="98390ABCDE"), agent)


# --- the text fields -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("description", ["", "   \n\t ", "\x00\x01\x02"])
def test_an_empty_description_is_refused(new, agent, earlier, description):
    error = refused(new(description=description), agent)
    assert error.message_dict.keys() == {"description"}


def test_the_description_may_be_as_long_as_the_limit_and_no_longer(new, agent, settings):
    settings.NNC_DESCRIPTION_MAX_CHARS = 4000
    error = refused(new(description="क" * 4001), agent)
    assert error.message_dict.keys() == {"description"}
    assert do_register(new(description="क" * 4000), actor=agent, now=T0).description == "क" * 4000


def test_the_too_long_message_tells_the_agent_the_limit_and_the_length(new, agent, settings):
    """BUG (actions.clean_text): a dict ValidationError drops `params`, so the agent reads
    "Keep this within %(limit)d characters (it has %(length)d)." with the placeholders left in. Wrap
    the message: ValidationError({field: ValidationError(msg, code="too_long", params={...})})."""
    settings.NNC_DESCRIPTION_MAX_CHARS = 4000
    with translation.override("en"):
        error = refused(new(description="क" * 4001), agent)
        assert error.message_dict == {"description": ["Keep this within 4000 characters (it has 4001)."]}


def test_a_ten_megabyte_description_is_refused(new, agent, earlier):
    error = refused(new(description="कूड़ा " * 2_000_000), agent)
    assert error.message_dict.keys() == {"description"}


def test_a_ten_megabyte_description_is_refused_without_reading_it_all(new, agent):
    """BUG (actions.clean_text): every character is classified (unicodedata) before the length is
    checked, so 10 MB of text — which DATA_UPLOAD_MAX_MEMORY_SIZE (12 MB) lets through a form — holds a
    web worker for ~5 s of CPU. Refuse input far beyond the limit (say len(value) > 2 × max_length)
    before cleaning it."""
    started = time.perf_counter()
    with pytest.raises(ValidationError):
        do_register(new(description="कूड़ा " * 2_000_000), actor=agent, now=T0)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(("field", "limit"), [("name", 120), ("address", 255), ("landmark", 255)])
def test_short_fields_over_their_length_are_refused(new, agent, earlier, field, limit):
    error = refused(new(**{field: "a" * (limit + 1)}), agent)
    assert error.message_dict.keys() == {field}


def test_html_and_script_are_stored_exactly_as_typed(new, agent):
    """Escaping is the templates' job (see the module docstring); intake must not mangle what was said."""
    name = '<b>Ramesh</b> "Bablu" & sons'
    description = "<script>alert('x')</script> Garbage & rubble <near> the 'temple' > 3 days"
    address = '<img src=x onerror="alert(1)"> 12/4 Colonelganj'
    complaint = do_register(new(name=name, description=description, address=address), actor=agent, now=T0)
    complaint = Complaint.objects.select_related("citizen").get(pk=complaint.pk)
    assert (complaint.citizen.name, complaint.description, complaint.address) == (name, description, address)


def test_control_characters_are_stripped_but_lines_and_tabs_kept(new, agent):
    complaint = do_register(
        new(name="Ram\x00esh\x1b[31m", description="\x07Garbage\x00 near\r\ntemple\tgate\x7f\x85 ",
            landmark="\u200bopposite school\x0c"),
        actor=agent, now=T0,
    )
    complaint = Complaint.objects.select_related("citizen").get(pk=complaint.pk)
    assert complaint.citizen.name == "Ramesh[31m"
    assert complaint.description == "Garbage near\ntemple\tgate"
    # Format characters (zero-width space) are not control characters: kept, as typed.
    assert complaint.landmark == "\u200bopposite school"


def test_hindi_text_is_kept_whole(new, agent):
    description = "मंदिर के पास तीन दिन से कूड़ा नहीं उठा है।"
    complaint = do_register(new(description=description, name="रमेश कुमार"), actor=agent, now=T0)
    complaint.refresh_from_db()
    assert complaint.description == description
    assert complaint.citizen.name == "रमेश कुमार"


# --- the category, channel, language -------------------------------------------------------------------------

def test_a_category_no_longer_in_use_is_refused(new, agent, earlier, city):
    city.garbage.is_active = False
    city.garbage.save()
    error = refused(new(), agent)
    assert error.message_dict.keys() == {"category"}


def test_an_unknown_channel_is_refused(new, agent, earlier):
    error = refused(new(channel="carrier-pigeon"), agent)
    assert error.message_dict.keys() == {"channel"}


def test_an_unknown_language_is_ignored_and_hindi_assumed(new, agent):
    complaint = do_register(new(language="fr"), actor=agent, now=T0)
    assert complaint.citizen.language == "hi"


# --- the same caller again -------------------------------------------------------------------------------------

def test_the_same_caller_reporting_the_same_problem_is_told_the_first_docket(new, agent):
    first = do_register(new(), actor=agent, now=T0)
    with translation.override("en"):
        error = refused(new(mobile="098390 12345", name="Ramesh K."), agent)  # same number, typed differently
        assert isinstance(error, PossibleDuplicate)
        assert error.existing == first
        assert dockets.spoken(first.docket) in error.messages[0]
        assert "assigned" in error.messages[0]
    # The refused call did not rename the citizen either.
    assert Citizen.objects.get(mobile=CALLER).name == "Ramesh Kumar"


def test_the_agent_may_register_it_anyway_when_it_is_a_different_problem(new, agent):
    first = do_register(new(), actor=agent, now=T0)
    second = do_register(new(description="Another heap behind the school"), actor=agent, now=T0 + timedelta(minutes=5),
                         allow_duplicate=True)
    assert second.docket != first.docket
    assert Complaint.objects.filter(citizen__mobile=CALLER).count() == 2


def test_a_repeat_after_the_window_is_a_new_complaint(new, agent, settings):
    settings.NNC_DUPLICATE_WINDOW_MINUTES = 120
    first = do_register(new(), actor=agent, now=T0)
    again = do_register(new(), actor=agent, now=T0 + timedelta(minutes=121))
    assert again.docket != first.docket


def test_the_same_caller_about_another_ward_or_category_is_not_a_duplicate(new, agent, city):
    do_register(new(), actor=agent, now=T0)
    do_register(new(ward=city.wards[2]), actor=agent, now=T0 + timedelta(minutes=1))
    do_register(new(category=city.sweeping), actor=agent, now=T0 + timedelta(minutes=2))
    assert Complaint.objects.count() == 3


def test_a_repeat_after_the_first_was_resolved_is_a_new_complaint(new, agent, commissioner):
    from nagar_nigam_cc.complaints.actions import do_resolve
    from conftest import photo_upload

    first = do_register(new(), actor=agent, now=T0)
    do_resolve(first, actor=commissioner, remarks="Lifted", photo=photo_upload(), now=T0 + timedelta(minutes=10))
    again = do_register(new(), actor=agent, now=T0 + timedelta(minutes=20))
    assert again.docket != first.docket
