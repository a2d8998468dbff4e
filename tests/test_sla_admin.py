"""Time limits in the desk (issue 3, item 1): what the administrator configures, and what is refused.

A calendar that cannot work, a policy with no time, a ladder with a gap, a loop or an inactive officer
are refused with a message saying why — including holidays typed into the calendar's inline, checked
before anything is saved. A 'reports to' ladder taller than the chain of seniors is saved with a
warning. Through the Django test client, as the commissioner would. (The outbox's tests are in
test_messaging_admin.py.)
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError

from nagar_nigam_cc.directory import roles
from nagar_nigam_cc.directory.models import Officer
from nagar_nigam_cc.sla.models import EscalationStep, Holiday, SLAPolicy, WorkingCalendar
from tests.conftest import PASSWORD, make_officer

CALENDARS = "/desk/sla/workingcalendar/"
POLICIES = "/desk/sla/slapolicy/"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    return client


def inline(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def calendar_data(holidays=(), **fields) -> dict:
    data = {"name_hi": "कार्यालय समय", "name_en": "Office hours", "timezone": "Asia/Kolkata",
            **dict.fromkeys(DAYS, ""), **{d: "10:00-17:00" for d in DAYS[:6]}}
    data.update(fields)
    data.update(inline("holidays", [
        {"date": h.isoformat(), "name": "", **({"every_year": "on"} if yearly else {})} for h, yearly in holidays
    ]))
    return data


def policy_data(category, ladder=(), **fields) -> dict:
    data = {"name_hi": "कूड़ा 24 घंटे", "name_en": "Garbage 24 h", "is_active": "on", "category": category.pk,
            "priority": "", "ward": "", "resolution_hours": "24", "clock": "calendar", "calendar": "",
            "pause_on_hold": "on", "reminder_percents": "50,90", "remind_at_breach": "on", "auto_close_days": "7"}
    data.update(fields)
    data.update(inline("ladder", [
        {"level": level, "delay_hours": delay, "target": target, "officer": getattr(named, "pk", ""),
         **({"reassign": "on"} if reassign else {})}
        for level, delay, target, reassign, named in ladder
    ]))
    return data


def errors_of(response) -> list[str]:
    """Every error the page shows: the main form's and each inline's (rows and the inline as a whole)."""
    assert response.status_code == 200, response.status_code
    context = response.context
    found = [str(e) for errors in context["adminform"].form.errors.values() for e in errors]
    for inline_formset in context["inline_admin_formsets"]:
        formset = inline_formset.formset
        found += [str(e) for e in formset.non_form_errors()]
        found += [str(e) for form_errors in formset.errors for errors in form_errors.values() for e in errors]
    return found


def says(response, text: str) -> bool:
    return any(text in error for error in errors_of(response))


# --- working calendars ----------------------------------------------------------------------------------------

def test_a_calendar_with_no_working_time_is_refused(client, commissioner):
    login(client, commissioner)
    response = client.post(CALENDARS + "add/", calendar_data(**dict.fromkeys(DAYS, "")))
    assert says(response, "no working time at all")
    assert not WorkingCalendar.objects.exists()


def test_a_window_that_ends_before_it_starts_is_refused(client, commissioner):
    login(client, commissioner)
    response = client.post(CALENDARS + "add/", calendar_data(mon="17:00-10:00"))
    assert says(response, "ends before it starts")
    assert not WorkingCalendar.objects.exists()


def test_an_unknown_time_zone_is_refused(client, commissioner):
    login(client, commissioner)
    response = client.post(CALENDARS + "add/", calendar_data(timezone="India/Prayagraj"))
    assert says(response, "Unknown time zone")


def test_holidays_typed_into_the_inline_are_checked_before_saving(client, commissioner, settings):
    """Every day of the year a yearly holiday: no deadline could ever be reached. The rows are not saved
    yet when the calendar is checked, so the inline's own check must catch it."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
    every_day = [(date(2024, 1, 1) + timedelta(days=n), True) for n in range(366)]
    login(client, commissioner)
    response = client.post(CALENDARS + "add/", calendar_data(holidays=every_day))
    assert says(response, "every day of the year is a yearly holiday")
    assert not WorkingCalendar.objects.exists() and not Holiday.objects.exists()


def test_removing_the_bad_holidays_in_the_inline_lets_the_calendar_save(client, commissioner, settings):
    """The calendar's own check does not read the old holidays from the database while the inline
    replaces them."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
    calendar = WorkingCalendar.objects.create(name_hi="क", name_en="C", **{d: "10:00-17:00" for d in DAYS[:6]})
    Holiday.objects.bulk_create([Holiday(calendar=calendar, date=date(2024, 1, 1) + timedelta(days=n), every_year=True)
                                 for n in range(366)])
    rows = [{"id": h.pk, "calendar": calendar.pk, "date": h.date.isoformat(), "every_year": "on",
             **({"DELETE": "on"} if n else {})} for n, h in enumerate(calendar.holidays.order_by("date"))]
    data = {**calendar_data(), **inline("holidays", rows, initial=len(rows))}
    login(client, commissioner)
    response = client.post(f"{CALENDARS}{calendar.pk}/change/", data)
    assert response.status_code == 302, errors_of(response)
    assert calendar.holidays.count() == 1


def test_a_working_calendar_saves_with_its_holidays_and_says_when_deadlines_fall(client, commissioner):
    login(client, commissioner)
    holidays = [(date(2026, 1, 26), True), (date(2026, 8, 15), True), (date(2026, 11, 9), False)]
    response = client.post(CALENDARS + "add/", calendar_data(holidays=holidays))
    assert response.status_code == 302, errors_of(response)
    calendar = WorkingCalendar.objects.get()
    assert sorted((h.date, h.every_year) for h in calendar.holidays.all()) == sorted(holidays)
    page = client.get(f"{CALENDARS}{calendar.pk}/change/").content.decode()
    assert "42 h of working time a week" in page
    assert "24 working hours from now end" in page


# --- SLA policies -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("hours", ["0", "-5", "0.00"])
def test_a_policy_with_no_time_to_resolve_is_refused(client, commissioner, city, hours):
    login(client, commissioner)
    response = client.post(POLICIES + "add/", policy_data(city.garbage, resolution_hours=hours))
    assert says(response, "The time to resolve must be more than zero.")
    assert not SLAPolicy.objects.exists()


def test_a_business_clock_needs_a_calendar(client, commissioner, city):
    login(client, commissioner)
    response = client.post(POLICIES + "add/", policy_data(city.garbage, clock="business"))
    assert says(response, "Choose the calendar whose working time the clock counts.")


def test_a_calendar_on_a_round_the_clock_policy_is_refused_not_ignored(client, commissioner, city):
    office = WorkingCalendar.objects.create(name_hi="क", name_en="Office", mon="10:00-17:00")
    login(client, commissioner)
    response = client.post(POLICIES + "add/", policy_data(city.garbage, calendar=office.pk))
    assert says(response, "A calendar is used only by the working-time clock")


def test_a_business_clock_on_a_calendar_that_cannot_work_is_refused(client, commissioner, city):
    broken = WorkingCalendar.objects.create(name_hi="क", name_en="Broken")  # every day closed (saved by code)
    login(client, commissioner)
    response = client.post(POLICIES + "add/", policy_data(city.garbage, clock="business", calendar=broken.pk))
    assert says(response, "This calendar cannot work")


@pytest.mark.parametrize(("percents", "message"), [
    ("0", "whole percentages between 1 and 99"),
    ("100", "whole percentages between 1 and 99"),
    ("50,abc", "whole percentages between 1 and 99"),
    ("50.5", "whole percentages between 1 and 99"),
    ("90,50", "once each, smallest first"),
    ("50,50", "once each, smallest first"),
])
def test_bad_reminder_percentages_are_refused(client, commissioner, city, percents, message):
    login(client, commissioner)
    response = client.post(POLICIES + "add/", policy_data(city.garbage, reminder_percents=percents))
    assert says(response, message)
    assert not SLAPolicy.objects.exists()


@pytest.mark.parametrize("levels", [(1, 3), (2,), (2, 3)])
def test_a_ladder_with_a_gap_is_refused(client, commissioner, city, levels):
    login(client, commissioner)
    ladder = [(level, "0", "department_head", False, None) for level in levels]
    response = client.post(POLICIES + "add/", policy_data(city.garbage, ladder))
    assert says(response, "must run 1, 2, 3… without gaps or repeats")
    assert not SLAPolicy.objects.exists()


def test_a_ladder_ending_at_an_inactive_officer_is_refused(client, commissioner, city, officer, head):
    head.is_active = False
    head.save()
    login(client, commissioner)
    ladder = [(1, "0", "reports_to", True, None), (2, "24", "officer", False, head)]
    response = client.post(POLICIES + "add/", policy_data(city.garbage, ladder))
    assert says(response, "This officer is not active; the ladder would end nowhere.")
    assert not SLAPolicy.objects.exists()


def test_a_ladder_naming_the_same_officer_twice_is_refused_as_a_loop(client, commissioner, city, head, zonal):
    login(client, commissioner)
    ladder = [(1, "0", "officer", True, head), (2, "12", "officer", False, zonal), (3, "12", "officer", False, head)]
    response = client.post(POLICIES + "add/", policy_data(city.garbage, ladder))
    assert says(response, "is named at levels 1, 3: the ladder would loop back to the same officer")
    assert not SLAPolicy.objects.exists()


def test_a_named_officer_step_needs_its_officer(client, commissioner, city):
    login(client, commissioner)
    response = client.post(POLICIES + "add/", policy_data(city.garbage, [(1, "0", "officer", False, None)]))
    assert says(response, "Name the officer this step goes to.")


def test_a_reports_to_ladder_taller_than_the_chain_of_seniors_is_saved_with_a_warning(
        client, commissioner, city, officer, head):
    """officer → head → nobody: level 2 goes beyond the officer's chain, level 1 beyond the head's (the
    head holds the unrouted complaints). At run time such steps go to the department head."""
    login(client, commissioner)
    ladder = [(1, "0", "reports_to", True, None), (2, "24", "reports_to", False, None)]
    response = client.post(POLICIES + "add/", policy_data(city.garbage, ladder), follow=True)
    assert response.status_code == 200
    policy = SLAPolicy.objects.get()
    assert list(policy.ladder.values_list("level", "target")) == [(1, "reports_to"), (2, "reports_to")]
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert any("Level 1 goes to the officer's senior" in w and "Head" in w for w in warnings), warnings
    assert any("Level 2 goes to the officer's senior" in w and "Officer" in w for w in warnings), warnings


def test_a_sound_policy_saves_without_warnings(client, commissioner, city, officer, head, zonal):
    """officer → head → the municipal commissioner: one 'reports to' step is within every chain."""
    head.reports_to = make_officer("chief", roles.COMMISSIONER, None, level=4, designation="Municipal Commissioner")
    head.save()
    login(client, commissioner)
    ladder = [(1, "0", "reports_to", True, None), (2, "24", "department_head", False, None),
              (3, "48", "zonal_officer", False, None)]
    response = client.post(POLICIES + "add/", policy_data(city.garbage, ladder), follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]
    policy = SLAPolicy.objects.get()
    assert policy.resolution_hours == Decimal("24")
    assert list(policy.ladder.values_list("level", "delay_hours", "target", "reassign")) == [
        (1, Decimal("0"), "reports_to", True), (2, Decimal("24"), "department_head", False),
        (3, Decimal("48"), "zonal_officer", False)]
    listing = client.get(POLICIES).content.decode()
    assert "Garbage 24 h" in listing


def test_heads_may_read_policies_but_not_change_them(client, city, head):
    policy = SLAPolicy.objects.create(name_hi="क", name_en="P", category=city.garbage, resolution_hours=24)
    EscalationStep.objects.create(policy=policy, level=1, target="department_head")
    login(client, head.user)
    assert client.get(POLICIES).status_code == 200
    assert client.post(POLICIES + "add/", policy_data(city.garbage)).status_code == 403
    client.post(f"{POLICIES}{policy.pk}/change/", policy_data(city.garbage, resolution_hours="1"))
    policy.refresh_from_db()
    assert policy.resolution_hours == 24


# --- the chain of seniors --------------------------------------------------------------------------------------

def test_an_officer_cannot_report_up_a_chain_that_comes_back_to_them(city, officer, head, zonal):
    """officer → head → zonal → officer would send an escalation round for ever."""
    Officer.objects.filter(pk=head.pk).update(reports_to=zonal)
    zonal.reports_to = officer
    with pytest.raises(ValidationError) as refused:
        zonal.full_clean()
    message = refused.value.message_dict["reports_to"][0]
    assert "loop in the chain of seniors" in message
    assert "Zonal → Officer → Head → Zonal" in message


def test_a_chain_without_a_loop_is_accepted(city, officer, head, zonal):
    head.reports_to = zonal
    head.full_clean()  # officer → head → zonal: fine
