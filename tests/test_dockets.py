"""Docket numbers: the shape a caller hears, the check digit that catches a misheard digit, and the
monthly counter behind them. Concurrency has its own file (test_docket_concurrency.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.actions import NewComplaint, PossibleDuplicate, do_register
from nagar_nigam_cc.complaints.models import Complaint, DocketCounter

CI = settings(max_examples=200, deadline=None)
IST = ZoneInfo("Asia/Kolkata")

periods = st.builds(lambda y, m: f"{y:02d}{m:02d}", st.integers(0, 99), st.integers(1, 12))
sequences = st.integers(1, 9_999_999)
issued = st.builds(dockets.format_docket, periods, sequences)


# --- shape -----------------------------------------------------------------------------------------------

def test_docket_is_month_then_five_digit_sequence_then_check_digit():
    assert dockets.format_docket("2611", 42) == "2611000427"
    assert dockets.spoken("2611000427") == "2611-00042-7"


def test_damm_table_gives_the_textbook_check_digit():
    """572 → 4 is the worked example of Damm's algorithm; a wrong table would still 'work' on itself."""
    assert dockets.damm_digit("572") == 4
    assert dockets.damm_digit("5724") == 0


def test_sequence_grows_past_five_digits_up_to_twelve_characters():
    assert dockets.format_docket("2611", 123_456) == "2611123456" + str(dockets.damm_digit("2611123456"))
    assert len(dockets.format_docket("2611", 9_999_999)) == dockets.MAX_LENGTH == 12


def test_a_sequence_that_would_not_fit_in_twelve_characters_is_refused():
    with pytest.raises(OverflowError):
        dockets.format_docket("2611", 10_000_000)


def test_sequences_start_at_one():
    with pytest.raises(ValueError):
        dockets.format_docket("2611", 0)


@CI
@given(periods, sequences)
def test_every_docket_is_valid_all_digits_and_at_most_twelve_characters(period, sequence):
    docket = dockets.format_docket(period, sequence)
    assert docket.isdigit() and 10 <= len(docket) <= 12
    assert docket.startswith(period)
    assert int(docket[4:-1]) == sequence
    assert dockets.is_valid(docket)


@CI
@given(issued)
def test_what_is_read_back_normalises_to_the_docket(docket):
    assert dockets.normalise(dockets.spoken(docket)) == docket
    assert dockets.normalise(" ".join(docket)) == docket


@pytest.mark.parametrize("typed", ["2611000427", "2611 00042 7", "2611-00042-7", " 2611/00042.7 ", "2611 - 00042 - 7"])
def test_spaces_dashes_slashes_and_dots_are_ignored(typed):
    assert dockets.normalise(typed) == "2611000427"


@pytest.mark.parametrize("typed", ["२६११०००४२७", "२६११-०००४२-७", "2611\u201300042\u20147", "2611\u221200042-7"])
def test_hindi_digits_and_the_dashes_phones_type_are_read_too(typed):
    assert dockets.normalise(typed) == "2611000427"


@pytest.mark.parametrize("typed", [
    "", None, "261100042", "2611000427123", "2611OOO427", "docket 2611000427", "2611_00042_7",
])
def test_what_cannot_be_a_docket_normalises_to_nothing(typed):
    assert dockets.normalise(typed) == ""


# --- the check digit ------------------------------------------------------------------------------------------

@CI
@given(issued, st.data())
def test_every_single_wrong_digit_is_caught(docket, data):
    position = data.draw(st.integers(0, len(docket) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != docket[position]]))
    assert not dockets.is_valid(docket[:position] + wrong + docket[position + 1:])


@CI
@given(issued, st.data())
def test_every_swap_of_two_neighbouring_digits_is_caught(docket, data):
    swappable = [i for i in range(len(docket) - 1) if docket[i] != docket[i + 1]]
    position = data.draw(st.sampled_from(swappable))
    swapped = docket[:position] + docket[position + 1] + docket[position] + docket[position + 2:]
    assert not dockets.is_valid(swapped)


def test_single_errors_and_swaps_are_caught_exhaustively_for_one_docket():
    """Every one of the 90 single-digit errors and every neighbour swap of one real docket."""
    docket = "2611000427"
    for i, digit in enumerate(docket):
        for other in "0123456789".replace(digit, ""):
            assert not dockets.is_valid(docket[:i] + other + docket[i + 1:]), (i, other)
        if i + 1 < len(docket) and docket[i] != docket[i + 1]:
            assert not dockets.is_valid(docket[:i] + docket[i + 1] + docket[i] + docket[i + 2:]), i


@CI
@given(st.text(max_size=14))
def test_is_valid_accepts_only_docket_shaped_digit_strings_and_never_crashes(text):
    """BUG (dockets.is_valid): non-digits index the Damm table with ord(ch) - 48, so 'abc' raises
    IndexError (a 500 on the public tracking page) and '-' (index -3) silently passes; '0' and '00'
    are 'valid'. is_valid must answer False for anything that is not a stored-form docket."""
    if dockets.is_valid(text):
        assert dockets.normalise(text) == text


@pytest.mark.parametrize("text", ["abc", " ", "0", "00", "2611-00042-7"])
def test_is_valid_says_no_to_things_that_are_not_stored_dockets(text):
    """See the property above; these are the concrete cases found (use normalise() first)."""
    assert dockets.is_valid(text) is False


# --- the monthly counter, through registration -----------------------------------------------------------

def register_at(city, agent, now, n=0):
    new = NewComplaint(mobile=f"+91983901{n:04d}", category=city.garbage, ward=city.wards[1],
                       description=f"Garbage heap {n}")
    return do_register(new, actor=agent, now=now)


def sequence_of(docket: str) -> int:
    return int(docket[4:-1])


def test_first_complaint_of_a_month_gets_sequence_one_and_the_next_two(city, officer, agent):
    at = datetime(2026, 11, 3, 10, 0, tzinfo=IST)
    first, second = register_at(city, agent, at, 1), register_at(city, agent, at + timedelta(minutes=1), 2)
    assert (first.docket, second.docket) == (dockets.format_docket("2611", 1), dockets.format_docket("2611", 2))
    assert DocketCounter.objects.get(period="2611").last == 2


def test_a_new_month_starts_a_new_sequence_and_the_old_month_continues(city, officer, agent):
    register_at(city, agent, datetime(2026, 11, 30, 12, 0, tzinfo=IST), 1)
    register_at(city, agent, datetime(2026, 11, 30, 13, 0, tzinfo=IST), 2)
    december = register_at(city, agent, datetime(2026, 12, 1, 9, 0, tzinfo=IST), 3)
    # A complaint taken down on paper in November and typed in late keeps November's counter going.
    late = register_at(city, agent, datetime(2026, 11, 30, 23, 0, tzinfo=IST), 4)
    assert december.docket == dockets.format_docket("2612", 1)
    assert late.docket == dockets.format_docket("2611", 3)
    assert dict(DocketCounter.objects.values_list("period", "last")) == {"2611": 3, "2612": 1}


def test_the_month_turns_at_midnight_in_india_not_in_utc(city, officer, agent):
    """18:30 UTC on 31 January is midnight in Prayagraj: the February sequence begins there."""
    with time_machine.travel(datetime(2026, 1, 31, 18, 29, 59, tzinfo=dt_timezone.utc), tick=False):
        january = register_at(city, agent, None, 1)
    with time_machine.travel(datetime(2026, 1, 31, 18, 30, 0, tzinfo=dt_timezone.utc), tick=False):
        february = register_at(city, agent, None, 2)
    assert january.docket == dockets.format_docket("2601", 1)
    assert february.docket == dockets.format_docket("2602", 1)


def test_counter_continues_from_where_the_month_had_got_to(city, officer, agent):
    DocketCounter.objects.create(period="2611", last=41)
    complaint = register_at(city, agent, datetime(2026, 11, 15, 11, 0, tzinfo=IST))
    assert complaint.docket == "2611000427"


def test_a_refused_registration_does_not_use_up_a_number(city, officer, agent):
    at = datetime(2026, 11, 3, 10, 0, tzinfo=IST)
    register_at(city, agent, at, 1)
    with pytest.raises(PossibleDuplicate):
        register_at(city, agent, at + timedelta(minutes=5), 1)  # same caller, same problem
    assert register_at(city, agent, at + timedelta(minutes=6), 2).docket == dockets.format_docket("2611", 2)
    assert Complaint.objects.count() == 2
