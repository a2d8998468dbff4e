"""Docket numbers run on within a month and start again in the next, on every database."""
from datetime import datetime
from zoneinfo import ZoneInfo

from nagar_nigam_cc.complaints.actions import next_docket
from nagar_nigam_cc.complaints.models import DocketCounter

IST = ZoneInfo("Asia/Kolkata")


def test_each_docket_of_a_month_takes_the_next_sequence_number(db):
    november = datetime(2026, 11, 28, 10, tzinfo=IST)
    assert [next_docket(november)[4:-1] for _ in range(3)] == ["00001", "00002", "00003"]
    assert DocketCounter.objects.get(period="2611").last == 3


def test_a_new_month_starts_from_one_by_the_citys_clock(db):
    next_docket(datetime(2026, 11, 30, 18, 0, tzinfo=IST))
    # 19:00 UTC on 30 November is already 1 December in Prayagraj.
    december = next_docket(datetime(2026, 11, 30, 19, 0, tzinfo=ZoneInfo("UTC")))
    assert december.startswith("2612") and december[4:-1] == "00001"
