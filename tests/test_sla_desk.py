"""Time limits where people work (issue 3, item 7): the desk's list and detail, the officer's queue.

Complaints are registered at known instants (do_register(now=…)), the sweep escalates them at known
instants, and the clock is stopped at NOW (Wednesday 4 March 2026, 12:00 in Prayagraj) with
time-machine. The policies of these tests:
- garbage: 24 hours round the clock; ladder: the head is told 6 h after the breach (level 1), again
  24 h later (level 2) and 24 h after that (level 3);
- sweeping: 14 working hours on office hours (Mon–Sat 10:00–17:00), the same ladder;
- sewer: no policy (no time limit at all).
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import admin
from django.contrib.messages import get_messages
from django.test import RequestFactory

from nagar_nigam_cc.complaints.actions import (
    NewComplaint,
    do_close,
    do_put_on_hold,
    do_register,
    do_reject,
    do_resolve,
)
from nagar_nigam_cc.sla.display import duration_text, time_left, time_left_text
from nagar_nigam_cc.complaints.models import Complaint, EventKind
from nagar_nigam_cc.sla.models import EscalationStep, SLAPolicy, WorkingCalendar
from nagar_nigam_cc.sla.sweep import sweep
from tests.conftest import PASSWORD, photo_upload

IST = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=IST)  # a Wednesday
H = timedelta(hours=1)
LIST = "/desk/complaints/complaint/"
QUEUE = "/officer/"

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    return client


def ladder(policy):
    for level, delay in ((1, 6), (2, 24), (3, 24)):
        EscalationStep.objects.create(policy=policy, level=level, delay_hours=Decimal(delay), target="department_head")


@pytest.fixture
def office(db) -> WorkingCalendar:
    return WorkingCalendar.objects.create(name_hi="कार्यालय समय", name_en="Office hours",
                                          **{d: "10:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat")})


@pytest.fixture
def policies(city, office, officer, head):
    garbage = SLAPolicy.objects.create(name_hi="कूड़ा", name_en="Garbage 24 h", category=city.garbage,
                                       resolution_hours=24)
    sweeping = SLAPolicy.objects.create(name_hi="झाड़ू", name_en="Sweeping 14 working hours", category=city.sweeping,
                                        resolution_hours=14, clock="business", calendar=office)
    ladder(garbage)
    ladder(sweeping)
    return type("Policies", (), dict(garbage=garbage, sweeping=sweeping))


@pytest.fixture
def file(agent, city):
    """file(category, at, ward=1) → a complaint registered by the agent at `at`."""
    counter = iter(range(1000))

    def _file(category, at, ward=1):
        n = next(counter)
        return do_register(NewComplaint(mobile=f"+9198391{n:05d}", category=category, ward=city.wards[ward],
                                        description=f"Problem {n}"), actor=agent, now=at)

    return _file


@pytest.fixture
def board(city, policies, officer, head, file):
    """Complaints in every state the desk tells apart, as they stand at NOW."""
    c = {}
    c["escalated_3"] = file(city.garbage, NOW - 100 * H)  # due NOW-76h; level 3 at NOW-22h
    c["closed_after_escalation"] = file(city.garbage, NOW - 100 * H, ward=2)  # level 3, then closed
    sweep(NOW - 20 * H)
    do_resolve(c["closed_after_escalation"], actor=officer.user, remarks="Lifted", photo=photo_upload(),
               now=NOW - 10 * H)
    do_close(c["closed_after_escalation"], actor=head.user, now=NOW - 5 * H)
    c["escalated_2"] = file(city.garbage, NOW - 60 * H)  # due NOW-36h; level 2 at NOW-6h, level 3 at NOW+18h
    c["due_1am_today"] = file(city.garbage, NOW - 35 * H)  # due 01:00 today (19:30 UTC yesterday); level 1
    c["overdue_3h"] = file(city.garbage, NOW - 27 * H)  # due 09:00 today; level 1 only at 15:00
    c["paused"] = file(city.garbage, NOW - 26 * H)  # would be due at 10:00 today, but stopped at 09:00
    do_put_on_hold(c["paused"], actor=officer.user, reason="Tractor under repair", now=NOW - 3 * H)
    c["rejected"] = file(city.garbage, NOW - 30 * H)
    do_reject(c["rejected"], actor=head.user, reason="Private property", now=NOW - 28 * H)
    c["due_tonight"] = file(city.garbage, NOW - 16 * H)  # 20:00 today
    c["due_2330_today"] = file(city.garbage, datetime(2026, 3, 3, 23, 30, tzinfo=IST))  # 18:00 UTC today
    c["due_0030_tomorrow"] = file(city.garbage, datetime(2026, 3, 4, 0, 30, tzinfo=IST))  # 19:00 UTC *today*
    c["due_tomorrow"] = file(city.garbage, NOW - 6 * H)
    c["no_limit"] = file(city.sewer, NOW - 100 * H)
    c["working_5h_left"] = file(city.sweeping, datetime(2026, 3, 3, 10, 0, tzinfo=IST))  # due Wed 17:00
    c["working_2h_over"] = file(city.sweeping, datetime(2026, 3, 2, 10, 0, tzinfo=IST))  # due Tue 17:00
    sweep(NOW)
    return {name: Complaint.objects.get(pk=complaint.pk) for name, complaint in c.items()}


def listed(user, **params) -> set[str]:
    """The names of the board's complaints the desk's list holds for these filters (all pages)."""
    request = RequestFactory().get(LIST, params)
    request.user = user
    changelist = admin.site._registry[Complaint].get_changelist_instance(request)
    return set(changelist.get_queryset(request).values_list("pk", flat=True))


def names(board, pks) -> set[str]:
    return {name for name, c in board.items() if c.pk in pks}


# --- the filters ---------------------------------------------------------------------------------------------

def test_the_board_is_what_the_docstrings_say(board):
    levels = {name: c.escalation_level for name, c in board.items() if c.escalation_level}
    # The ladder's delays run on the policy's clock: 6 working hours after Tuesday 17:00 is Wednesday 16:00.
    assert levels == {"escalated_3": 3, "escalated_2": 2, "due_1am_today": 1, "closed_after_escalation": 3}
    assert board["paused"].paused_since == NOW - 3 * H
    assert board["no_limit"].due_at is None


def test_overdue_means_open_running_and_past_its_deadline_now(board, commissioner):
    with time_machine.travel(NOW, tick=False):
        assert names(board, listed(commissioner, sla="overdue")) == {
            "escalated_3", "escalated_2", "due_1am_today", "overdue_3h", "working_2h_over"}


def test_overdue_is_exact_to_the_second(board, commissioner):
    """No stored flag: the complaint due at 20:00 is not overdue at 19:59:59 and is at 20:00:01."""
    due = board["due_tonight"].due_at
    with time_machine.travel(due - timedelta(seconds=1), tick=False):
        assert "due_tonight" not in names(board, listed(commissioner, sla="overdue"))
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        assert "due_tonight" in names(board, listed(commissioner, sla="overdue"))


def test_due_today_follows_the_citys_date_not_utcs(board, commissioner):
    with time_machine.travel(NOW, tick=False):
        assert names(board, listed(commissioner, sla="today")) == {
            "due_1am_today", "overdue_3h", "due_tonight", "due_2330_today", "working_5h_left"}


def test_escalated_and_paused(board, commissioner):
    with time_machine.travel(NOW, tick=False):
        assert names(board, listed(commissioner, sla="escalated")) == {"escalated_3", "escalated_2", "due_1am_today"}
        assert names(board, listed(commissioner, sla="paused")) == {"paused"}


@pytest.mark.parametrize(("level", "expected"), [
    ("1", {"due_1am_today"}), ("2", {"escalated_2"}), ("3", {"escalated_3"}),
])
def test_the_escalation_level_filter(board, commissioner, level, expected):
    with time_machine.travel(NOW, tick=False):
        assert names(board, listed(commissioner, level=level)) == expected


def test_the_filters_keep_to_what_the_user_may_see(board, outsider):
    with time_machine.travel(NOW, tick=False):
        assert listed(outsider.user, sla="overdue") == set()


# --- the "due" column and the detail -------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "text"), [
    ("overdue_3h", "overdue by 3 h"),
    ("escalated_3", "overdue by 3 d 4 h"),
    ("due_tonight", "8 h left"),
    ("due_tomorrow", "18 h left"),
    ("paused", "paused · 1 h left"),
    ("working_5h_left", "5 h left"),  # working hours: 12:00 → 17:00 today
    ("working_2h_over", "overdue by 2 h"),  # working hours since Tue 17:00: Wed 10:00 → 12:00, not 19 h
])
def test_the_time_left_is_told_on_the_complaints_own_clock(board, name, text):
    assert time_left_text(time_left(board[name], NOW)) == text


def test_closed_complaints_and_those_without_a_limit_have_no_time_left(board):
    for name in ("rejected", "closed_after_escalation", "no_limit"):
        assert time_left(board[name], NOW) is None


def test_overdue_in_closed_time_says_overdue_without_a_zero(board):
    """Wednesday 17:00 was the deadline; at 20:00 no working time has passed since, but it is late."""
    state = time_left(board["working_5h_left"], datetime(2026, 3, 4, 20, 0, tzinfo=IST))
    assert state.overdue and time_left_text(state) == "overdue"


def test_durations_read_naturally():
    assert duration_text(timedelta(minutes=12)) == "12 min"
    assert duration_text(timedelta(hours=7, minutes=20)) == "7 h 20 min"
    assert duration_text(timedelta(hours=30, minutes=20)) == "30 h"
    assert duration_text(timedelta(hours=76)) == "3 d 4 h"
    assert duration_text(timedelta(hours=76), business=True) == "76 h"


def test_the_list_shows_due_level_and_paused_columns(client, board, commissioner):
    with time_machine.travel(NOW, tick=False):
        login(client, commissioner)
        page = client.get(LIST, {"sla": "overdue"}).content.decode()
        paused_page = client.get(LIST, {"sla": "paused"}).content.decode()
    assert re.search(r'data-sla="overdue"[^>]*>overdue by 3 h<', page)
    assert re.search(r'data-level="3"[^>]*>level 3<', page)
    assert re.search(r'data-sla="paused"[^>]*>paused<br>1 h left<', paused_page)


def test_sorting_by_the_due_column_puts_the_most_overdue_first(client, board, commissioner):
    with time_machine.travel(NOW, tick=False):
        login(client, commissioner)
        response = client.get(LIST, {"sla": "overdue", "o": "3"})
    order = [c.pk for c in response.context["cl"].result_list]
    assert order == [board[n].pk for n in ("escalated_3", "escalated_2", "working_2h_over", "due_1am_today",
                                           "overdue_3h")]


def test_the_detail_shows_the_time_limit(client, board, commissioner):
    with time_machine.travel(NOW, tick=False):
        login(client, commissioner)
        overdue = client.get(f"{LIST}{board['escalated_2'].pk}/change/").content.decode()
        paused = client.get(f"{LIST}{board['paused'].pk}/change/").content.decode()
    card = overdue[overdue.index('id="time-limit"'):overdue.index("Timeline")]
    assert "Due by" in card and "03 Mar 2026 00:00" in card
    assert "overdue by 36 h" in card and "level 2" in card and "Garbage 24 h" in card
    card = paused[paused.index('id="time-limit"'):paused.index("Timeline")]
    assert "Paused since" in card and "04 Mar 2026 09:00" in card and "Tractor under repair" in card
    assert "paused · 1 h left" in card


# --- re-applying a policy ------------------------------------------------------------------------------------

def test_the_commissioner_reapplies_a_changed_policy_with_a_reason(client, city, policies, commissioner, head, file):
    open_one, other = file(city.garbage, NOW - 2 * H), file(city.garbage, NOW - 1 * H)
    rejected = file(city.garbage, NOW - 3 * H)
    do_reject(rejected, actor=head.user, reason="Not ours", now=NOW - 2 * H)
    SLAPolicy.objects.filter(pk=policies.garbage.pk).update(resolution_hours=48)
    selected = [open_one.pk, other.pk, rejected.pk]
    with time_machine.travel(NOW, tick=False):
        login(client, commissioner)
        asked = client.post(LIST, {"action": "reapply_policy", "_selected_action": selected})
        assert asked.status_code == 200 and "reason" in asked.context["form"].fields
        assert asked.context["count"] == 3 and asked.context["open_count"] == 2
        done = client.post(LIST, {"action": "reapply_policy", "_selected_action": selected, "apply": "1",
                                  "reason": "Garbage limit raised to 48 h by order 12/2026"}, follow=True)
    shown = [str(m) for m in get_messages(done.wsgi_request)]
    assert "Re-applied the current SLA policy to 2 complaints." in shown
    assert "1 complaint is not open and was left as it is." in shown
    for complaint in (open_one, other):
        before = complaint.due_at
        complaint.refresh_from_db()
        assert complaint.due_at == before + 24 * H
        event = complaint.events.get(kind=EventKind.SLA_SET)
        assert event.actor == commissioner and event.note == "Garbage limit raised to 48 h by order 12/2026"
    rejected.refresh_from_db()
    assert not rejected.events.filter(kind=EventKind.SLA_SET).exists()


def test_the_reason_is_required(client, city, policies, commissioner, file):
    complaint = file(city.garbage, NOW - 2 * H)
    with time_machine.travel(NOW, tick=False):
        login(client, commissioner)
        response = client.post(LIST, {"action": "reapply_policy", "_selected_action": [complaint.pk], "apply": "1",
                                      "reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    assert not complaint.events.filter(kind=EventKind.SLA_SET).exists()


def test_only_the_commissioner_may_reapply(client, city, policies, head, file):
    complaint = file(city.garbage, NOW - 2 * H)
    with time_machine.travel(NOW, tick=False):
        login(client, head.user)
        assert "reapply_policy" not in client.get(LIST).content.decode()
        client.post(LIST, {"action": "reapply_policy", "_selected_action": [complaint.pk], "apply": "1",
                           "reason": "because"})
    assert not complaint.events.filter(kind=EventKind.SLA_SET).exists()


# --- the officer's queue ---------------------------------------------------------------------------------------

def test_the_queue_puts_the_most_urgent_first_and_those_without_a_limit_last(client, city, policies, officer, file):
    SLAPolicy.objects.filter(pk=policies.sweeping.pk).delete()
    fresh = file(city.garbage, NOW - 2 * H)  # 22 h left
    no_limit = file(city.sweeping, NOW - 50 * H)  # oldest, but without a time limit
    soon = file(city.garbage, NOW - 20 * H)  # 4 h left
    late = file(city.garbage, NOW - 30 * H, ward=2)  # overdue by 6 h
    with time_machine.travel(NOW, tick=False):
        login(client, officer.user)
        response = client.get(QUEUE)
    cards = response.context["page"].object_list
    assert [c.pk for c in cards] == [late.pk, soon.pk, fresh.pk, no_limit.pk]
    html = response.content.decode()
    late_card = html[html.index(f"/officer/complaint/{late.docket}/"):html.index(f"/officer/complaint/{soon.docket}/")]
    assert "overdue by 6 h" in late_card
    assert "card card-overdue" in html[html.index(f"/officer/complaint/{late.docket}/") - 60:html.index(f"/officer/complaint/{late.docket}/")]
    assert "4 h left" in html and "22 h left" in html
    assert html.count("card card-overdue") == 1
