"""The agent console (/desk/console/): caller lookup, type-to-pick category and ward, likely duplicates and
attaching a caller to one, registering with the docket number back, the after-hours queue, and who may
use it. The page's script is exercised in tests/browser/test_console_browser.py; these tests call its
endpoints as the script does."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from nagar_nigam_cc.complaints import console
from nagar_nigam_cc.complaints.actions import (
    IllegalTransition,
    NewComplaint,
    do_attach_caller,
    do_register,
    do_reject,
)
from nagar_nigam_cc.complaints.models import Channel, Citizen, Complaint, EventKind, Follower
from nagar_nigam_cc.messaging.models import Event, OutboundMessage
from tests.conftest import PASSWORD

CONSOLE = "/desk/console/"
KOLKATA = ZoneInfo("Asia/Kolkata")


@pytest.fixture(autouse=True)
def _fresh_directory():
    """Each test's rows are rolled back without delete signals: forget the cached categories and wards."""
    console.forget_directory()
    yield
    console.forget_directory()


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    return client


def form_data(city, **overrides):
    data = {
        "mobile": "98390 12345", "name": "Ramesh Kumar", "language": "hi", "category": city.garbage.pk,
        "ward": city.wards[1].pk, "address": "12 Katra Road", "landmark": "near the temple",
        "description": "Garbage has not been lifted for three days", "channel": "phone",
    }
    return {**data, **overrides}


# --- the caller ------------------------------------------------------------------------------------------------

def test_looking_up_a_callers_mobile_shows_their_name_and_complaints_newest_first(client, city, officer, agent, register):
    from nagar_nigam_cc.sla.models import SLAPolicy

    SLAPolicy.objects.create(name_hi="सीवर", name_en="Sewer 48 h", category=city.sewer, resolution_hours=48)
    first = register(city.garbage, city.wards[1], mobile="9839011111", name="Sita Devi")
    second = register(city.sewer, city.wards[2], mobile="9839011111")
    register(city.garbage, city.wards[1], mobile="9839022222")  # someone else
    do_reject(first, actor=type(agent).objects.create_superuser("boss", password=PASSWORD), reason="Not ours")
    login(client, agent)

    body = client.get(f"{CONSOLE}caller/", {"mobile": "+91 98390-11111"}).json()

    assert body["found"] is True
    assert body["name"] == "Sita Devi" and body["language"] == "hi"
    assert [c["docket"] for c in body["complaints"]] == [second.docket, first.docket]
    assert [c["open"] for c in body["complaints"]] == [True, False]
    assert body["complaints"][0]["category"] == "Sewer choked"
    assert body["complaints"][0]["due_text"] == "47 h left"
    assert body["complaints"][0]["spoken"] == f"{second.docket[:4]}-{second.docket[4:-1]}-{second.docket[-1]}"


def test_the_lookup_shows_complaints_the_caller_follows_as_another_caller(client, city, officer, agent, register):
    complaint = register(city.garbage, city.wards[1], mobile="9839011111")
    do_attach_caller(complaint, mobile="9839033333", name="Gita", actor=agent, channel=Channel.PHONE)
    login(client, agent)
    body = client.get(f"{CONSOLE}caller/", {"mobile": "9839033333"}).json()
    assert body["found"] and body["complaints"] == []
    assert [c["docket"] for c in body["following"]] == [complaint.docket]


def test_an_unknown_mobile_is_a_new_caller_and_a_bad_one_is_refused_on_the_mobile_field(client, city, agent):
    login(client, agent)
    assert client.get(f"{CONSOLE}caller/", {"mobile": "9839099999"}).json() == {
        "ok": True, "found": False, "mobile": "+919839099999", "complaints": [], "following": []}
    response = client.get(f"{CONSOLE}caller/", {"mobile": "0532 2400000"})
    assert response.status_code == 400
    assert "mobile" in response.json()["errors"]


def test_the_lookup_is_two_queries_whatever_the_caller_has(client, city, officer, agent):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(12):
        do_register(NewComplaint(mobile="9839011111", category=city.garbage, ward=city.wards[1],
                                 description=f"again {n}"), actor=agent, allow_duplicate=True)
    login(client, agent)
    client.get(f"{CONSOLE}categories/", {"q": "x"})  # the category and ward names are read once per process
    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"{CONSOLE}caller/", {"mobile": "9839011111"}).json()
    assert len(body["complaints"]) == console.CALLER_COMPLAINTS
    tables = [re.findall(r'FROM [`"](\w+)[`"]', q["sql"])[-1] for q in queries.captured_queries]  # the outer FROM
    # The citizen (with whether they follow anything) and their complaints; the session, user and roles.
    assert [t for t in tables if t.startswith("complaints_")] == ["complaints_citizen", "complaints_complaint"]
    assert len(tables) == 5


# --- who may use it ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["agent", "commissioner"])
def test_agents_and_the_commissioner_use_the_console(client, city, request, who):
    login(client, request.getfixturevalue(who))
    assert client.get(CONSOLE).status_code == 200
    assert client.get(f"{CONSOLE}categories/", {"q": "garbage"}).status_code == 200


@pytest.mark.parametrize("who", ["officer", "head", "zonal", "outsider", "auditor"])
def test_officers_and_auditors_may_not_use_the_console(client, city, agent, register, request, who):
    complaint = register(city.garbage, city.wards[1], mobile="9839011111")
    person = request.getfixturevalue(who)
    login(client, getattr(person, "user", person))
    assert client.get(CONSOLE).status_code == 403
    assert client.get("/desk/complaints/complaint/add/").status_code == 403
    assert client.get(f"{CONSOLE}caller/", {"mobile": "9839011111"}).status_code == 403
    assert client.get(f"{CONSOLE}duplicates/", {"category": city.garbage.pk, "ward": city.wards[1].pk}).status_code == 403
    assert client.post(f"{CONSOLE}register/", form_data(city, mobile="9839055555")).status_code == 403
    assert client.post(f"{CONSOLE}attach/", {"complaint": complaint.pk, "mobile": "9839055555"}).status_code == 403
    assert Complaint.objects.count() == 1 and not Follower.objects.exists()


def test_without_a_desk_login_the_console_sends_you_to_log_in(client, city):
    response = client.get(f"{CONSOLE}caller/", {"mobile": "9839011111"})
    assert response.status_code == 302 and "/desk/login/" in response["Location"]


# --- choosing the complaint type and the ward --------------------------------------------------------------------

def _categories(client, q):
    return [r["code"] for r in client.get(f"{CONSOLE}categories/", {"q": q}).json()["results"]]


def test_complaint_types_are_found_in_hindi_english_hinglish_and_by_keyword(client, city, agent):
    city.garbage.keywords = "kachra, dump, कचरा"
    city.garbage.save()
    city.sweeping.keywords = "jhadu, safai"
    city.sweeping.save()
    login(client, agent)
    assert _categories(client, "कूड़ा")[0] == "garbage"
    assert _categories(client, "garbage")[0] == "garbage"
    assert _categories(client, "Garb")[0] == "garbage"
    assert _categories(client, "kachra") == ["garbage"]  # a keyword
    assert _categories(client, "कचरा") == ["garbage"]
    assert _categories(client, "kooda")[0] == "garbage"  # typed as heard: कूड़ा, nobody listed "kooda"
    assert _categories(client, "safaai") == ["sweeping"]  # keyword "safai", spelt another way
    assert _categories(client, "jhaadu") == ["sweeping"]  # झाड़ू in the Hindi name, and the keyword
    assert _categories(client, "sewer") == ["sewer"]
    assert _categories(client, "xyzzy") == []


def test_the_category_list_answers_in_the_readers_language_and_hides_retired_types(client, city, agent):
    city.sewer.is_active = False
    city.sewer.save()
    login(client, agent)
    client.cookies["django_language"] = "hi"
    result = client.get(f"{CONSOLE}categories/", {"q": "garbage"}).json()["results"][0]
    assert result["name"] == "कूड़ा नहीं उठा" and result["other_name"] == "Garbage not lifted"
    assert _categories(client, "sewer") == []


def _wards(client, q):
    return client.get(f"{CONSOLE}wards/", {"q": q}).json()["results"]


def test_the_ward_is_found_by_number_name_or_a_locality_the_caller_names(client, city, agent):
    city.wards[2].localities = "घंटाघर\nGhantaghar\nLoknath Gali"
    city.wards[2].save()
    login(client, agent)
    by_landmark = _wards(client, "ghantaghar")
    assert by_landmark[0]["number"] == 2 and by_landmark[0]["locality"] == "Ghantaghar"
    assert _wards(client, "घंटाघर")[0]["locality"] == "घंटाघर"
    assert _wards(client, "loknath")[0]["number"] == 2
    assert _wards(client, "3")[0]["number"] == 3
    by_name = _wards(client, "naini")
    assert by_name[0]["number"] == 4 and by_name[0]["locality"] == ""
    assert _wards(client, "कर्नलगंज")[0]["number"] == 1


def test_a_renamed_category_is_found_at_once_in_this_process(client, city, agent):
    login(client, agent)
    assert _categories(client, "kude") == []
    city.garbage.keywords = "kude ka dher"
    city.garbage.save()  # post_save drops the cached list
    assert _categories(client, "kude") == ["garbage"]


@pytest.mark.parametrize("typed, heard", [
    ("kooda", "कूड़ा"), ("kuda", "कूड़ा"), ("kachra", "कचरा"), ("kachara", "कचरा"), ("naali", "नाली"),
    ("nali", "नाली"), ("safai", "सफ़ाई"), ("khambha", "खंभा"), ("pani", "पानी"), ("sadak", "सड़क"),
])
def test_what_an_agent_types_in_latin_letters_meets_the_hindi_word(typed, heard):
    assert console.skeleton(typed) == console.skeleton(heard)


# --- likely duplicates and attaching a caller -------------------------------------------------------------------

def test_open_complaints_of_the_same_type_in_the_same_ward_are_offered_as_duplicates(client, city, officer, agent,
                                                                                     register):
    now = timezone.now()
    same = register(city.garbage, city.wards[1], mobile="9839011111", landmark="Near the temple")
    nearer = register(city.garbage, city.wards[1], mobile="9839022222", landmark="Ghantaghar crossing")
    register(city.garbage, city.wards[2], mobile="9839033333")  # another ward
    register(city.sweeping, city.wards[1], mobile="9839044444")  # another type
    old = do_register(NewComplaint(mobile="9839055555", category=city.garbage, ward=city.wards[1],
                                   description="old"), actor=agent, now=now - timedelta(days=console.DUPLICATE_DAYS + 1))
    rejected = register(city.garbage, city.wards[1], mobile="9839066666")
    do_reject(rejected, actor=type(agent).objects.create_superuser("boss", password=PASSWORD), reason="Not ours")
    login(client, agent)

    body = client.get(f"{CONSOLE}duplicates/", {"category": city.garbage.pk, "ward": city.wards[1].pk,
                                                "mobile": "9839011111", "locality": "ghantaghar"}).json()

    assert [r["docket"] for r in body["results"]] == [nearer.docket, same.docket]  # the named place first
    assert [r["own"] for r in body["results"]] == [False, True]
    assert body["results"][0]["landmark"] == "Ghantaghar crossing"
    assert body["results"][0]["age"].endswith("ago")
    assert old.docket not in str(body)


def test_attaching_a_caller_to_an_open_complaint(client, city, officer, agent, register):
    complaint = register(city.garbage, city.wards[1], mobile="9839011111")
    login(client, agent)

    response = client.post(f"{CONSOLE}attach/", {"complaint": complaint.pk, "mobile": "98390 77777",
                                                 "name": "Mohan", "language": "en"})

    assert response.status_code == 200
    body = response.json()
    assert body["created"] is True and body["complaint"]["docket"] == complaint.docket
    follower = Follower.objects.get()
    assert (follower.complaint, follower.citizen.mobile, follower.citizen.name) == (complaint, "+919839077777", "Mohan")
    assert follower.added_by == agent and follower.channel == Channel.PHONE
    message = OutboundMessage.objects.get(event=Event.FOLLOWER_ADDED)
    assert message.key == f"{complaint.pk}:follower_added:{follower.citizen.pk}"
    assert (message.to_mobile, message.language, message.complaint) == ("+919839077777", "en", complaint)
    assert body["sms"]["state"] == "queued"
    event = complaint.events.get(kind=EventKind.NOTE)
    assert event.data["follower"] == follower.citizen.pk and event.actor == agent
    assert "******7777" in event.note and "9839077777" not in event.note  # officers read the timeline


def test_attaching_the_same_caller_twice_changes_nothing(client, city, officer, agent, register):
    complaint = register(city.garbage, city.wards[1], mobile="9839011111")
    login(client, agent)
    client.post(f"{CONSOLE}attach/", {"complaint": complaint.pk, "mobile": "9839077777"})
    again = client.post(f"{CONSOLE}attach/", {"complaint": complaint.pk, "mobile": "+919839077777"})
    assert again.status_code == 200 and again.json()["created"] is False
    assert Follower.objects.count() == 1
    assert OutboundMessage.objects.filter(event=Event.FOLLOWER_ADDED).count() == 1
    assert complaint.events.filter(kind=EventKind.NOTE).count() == 1


def test_the_complaints_own_caller_is_not_attached_to_it(client, city, officer, agent, register):
    complaint = register(city.garbage, city.wards[1], mobile="9839011111")
    login(client, agent)
    response = client.post(f"{CONSOLE}attach/", {"complaint": complaint.pk, "mobile": "98390 11111"})
    assert response.status_code == 400
    assert "themself" in response.json()["errors"]["__all__"][0]
    assert not Follower.objects.exists()


def test_a_bad_mobile_for_attaching_is_shown_on_the_mobile_field(client, city, officer, agent, register):
    complaint = register(city.garbage, city.wards[1], mobile="9839011111")
    login(client, agent)
    response = client.post(f"{CONSOLE}attach/", {"complaint": complaint.pk, "mobile": "12345"})
    assert response.status_code == 400 and "mobile" in response.json()["errors"]


def test_a_closed_or_rejected_complaint_takes_no_more_callers(city, officer, agent, register, commissioner):
    complaint = register(city.garbage, city.wards[1], mobile="9839011111")
    do_reject(complaint, actor=commissioner, reason="Private land")
    with pytest.raises(IllegalTransition):
        do_attach_caller(complaint, mobile="9839077777", name="", actor=agent, channel=Channel.PHONE)
    assert not Follower.objects.exists() and not Citizen.objects.filter(mobile="+919839077777").exists()


def test_only_those_who_register_may_attach_callers(city, officer, register):
    complaint = register(city.garbage, city.wards[1], mobile="9839011111")
    with pytest.raises(PermissionDenied):
        do_attach_caller(complaint, mobile="9839077777", name="", actor=officer.user, channel=Channel.PHONE)


def test_an_attached_caller_hears_of_the_resolution_too(city, officer, agent, register):
    from nagar_nigam_cc.complaints.actions import do_resolve, do_start_work

    complaint = register(city.sweeping, city.wards[1], mobile="9839011111")
    do_attach_caller(complaint, mobile="9839077777", name="", actor=agent, channel=Channel.PHONE)
    do_start_work(complaint, actor=officer.user)
    do_resolve(complaint, actor=officer.user, remarks="Swept")
    told = set(OutboundMessage.objects.filter(event=Event.RESOLVED).values_list("to_mobile", flat=True))
    assert told == {"+919839011111", "+919839077777"}


# --- registering ------------------------------------------------------------------------------------------------

def test_registering_through_the_console_gives_the_docket_number(client, city, officer, agent):
    login(client, agent)
    response = client.post(f"{CONSOLE}register/", form_data(city))
    assert response.status_code == 201
    body = response.json()
    complaint = Complaint.objects.get()
    assert body["complaint"]["docket"] == complaint.docket
    assert re.fullmatch(r"\d{4}-\d{5,}-\d", body["complaint"]["spoken"])
    assert body["complaint"]["assigned_to"].startswith("Officer")
    assert body["sms"] == {"state": "queued", "label": "queued"}
    assert (complaint.channel, complaint.registered_by, complaint.citizen.name) == (Channel.PHONE, agent, "Ramesh Kumar")
    sms = client.get(body["sms_url"]).json()
    assert sms["sms"]["state"] == "queued"


def test_each_refused_field_is_named_and_nothing_is_registered(client, city, officer, agent):
    login(client, agent)
    response = client.post(f"{CONSOLE}register/", form_data(city, mobile="12345", category="", description=""))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"mobile", "category", "description"}
    assert not Complaint.objects.exists()


def test_a_refusal_from_the_action_lands_on_its_field(client, city, officer, agent):
    login(client, agent)
    # Control characters only: the form sees text, do_register sees nothing left to register.
    response = client.post(f"{CONSOLE}register/", form_data(city, description="\x07\x08"))
    assert response.status_code == 400
    assert response.json()["errors"]["description"] == ["This is required."]


def test_the_same_callers_repeat_is_offered_as_their_own_docket_then_registered_if_different(client, city, officer,
                                                                                           agent):
    login(client, agent)
    first = client.post(f"{CONSOLE}register/", form_data(city)).json()["complaint"]
    again = client.post(f"{CONSOLE}register/", form_data(city))
    assert again.status_code == 409
    assert again.json()["duplicate"]["docket"] == first["docket"] and again.json()["duplicate"]["own"] is True
    assert client.post(f"{CONSOLE}register/", form_data(city, allow_duplicate="on")).status_code == 201
    assert Complaint.objects.count() == 2


def test_a_plain_form_post_registers_and_shows_the_docket_large(client, city, officer, agent):
    login(client, agent)
    response = client.post(CONSOLE, form_data(city), follow=True)
    complaint = Complaint.objects.get()
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"{CONSOLE}?registered={complaint.pk}"
    assert re.search(r'class="docket-number"[^>]*>\s*' + re.escape(f"{complaint.docket[:4]}-"), html)


def test_the_old_add_page_is_the_console(client, city, agent):
    login(client, agent)
    response = client.get("/desk/complaints/complaint/add/?mobile=%2B919839012345")
    assert response.status_code == 302 and response["Location"] == f"{CONSOLE}?mobile=%2B919839012345"


def test_a_screen_pop_fills_the_callers_mobile(client, city, agent):
    login(client, agent)
    html = client.get(CONSOLE, {"mobile": "+919839012345"}).content.decode()
    assert 'value="+919839012345"' in html and 'data-screen-pop="+919839012345"' in html


def test_the_console_speaks_hindi(client, city, agent):
    login(client, agent)
    client.cookies["django_language"] = "hi"
    with translation.override("hi"):
        html = client.get(CONSOLE).content.decode()
    assert re.search(r"[\u0900-\u097F]{3,}", html)


# --- after hours ----------------------------------------------------------------------------------------------

def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=KOLKATA)


def _came_in(city, agent, channel, at, mobile):
    return do_register(NewComplaint(mobile=mobile, category=city.garbage, ward=city.wards[1], description="x",
                                    channel=channel), actor=agent, now=at)


def test_the_after_hours_queue_holds_what_the_public_channels_took_while_the_centre_was_closed(client, city, officer,
                                                                                             agent):
    before_closing = _came_in(city, agent, Channel.WHATSAPP, _at(9, 21, 50), "9839010001")
    night_whatsapp = _came_in(city, agent, Channel.WHATSAPP, _at(9, 23, 30), "9839010002")
    night_web = _came_in(city, agent, Channel.WEB, _at(10, 5, 10), "9839010003")
    _came_in(city, agent, Channel.PHONE, _at(9, 22, 30), "9839010004")  # an agent's late call is not queued
    morning = _came_in(city, agent, Channel.IGRS, _at(10, 7, 30), "9839010005")  # came in after opening

    overnight = [night_whatsapp.pk, night_web.pk]
    with time_machine.travel(_at(10, 2, 0), tick=False):  # closed: the queue so far
        assert [c.pk for c in console.after_hours_queue(timezone.now())] == [night_whatsapp.pk]
        login(client, agent)
        page = client.get(CONSOLE)
        assert page.context["centre"].is_open is False
        assert "The call centre is closed." in page.content.decode()
    with time_machine.travel(_at(10, 9, 0), tick=False):  # open again: what came in overnight
        assert [c.pk for c in console.after_hours_queue(timezone.now())] == overnight
        body = client.get(f"{CONSOLE}queue/").json()
        assert body["is_open"] is True
        assert night_web.docket in body["html"] and before_closing.docket not in body["html"]
        assert morning.docket not in body["html"]


def test_the_queue_starts_at_the_closing_minute_whatever_the_clocks_seconds(city, officer, agent):
    just_after = _came_in(city, agent, Channel.WHATSAPP, _at(9, 22, 0) + timedelta(seconds=10), "9839010001")
    with time_machine.travel(_at(10, 2, 0) + timedelta(seconds=41, microseconds=5), tick=False):
        state = console.centre_state(timezone.now())
        assert state.closed_at == _at(9, 22, 0)
        assert [c.pk for c in console.after_hours_queue(timezone.now())] == [just_after.pk]


def test_working_hours_come_from_the_call_centres_calendar(city, agent):
    from nagar_nigam_cc.intake.models import CallCentre
    from nagar_nigam_cc.sla.models import DAYS, WorkingCalendar

    office = WorkingCalendar.objects.create(name_en="Office", name_hi="कार्यालय",
                                            **{day: "10:00-18:00" for day in DAYS})
    CallCentre.objects.create(calendar=office)
    came = _came_in(city, agent, Channel.WHATSAPP, _at(9, 19, 0), "9839010001")  # after the 18:00 closing
    _came_in(city, agent, Channel.WHATSAPP, _at(9, 17, 0), "9839010002")  # while open
    with time_machine.travel(_at(9, 20, 0), tick=False):
        state = console.centre_state(timezone.now())
        assert state.is_open is False and state.closed_at == _at(9, 18, 0)
        assert state.opens_at == _at(10, 10, 0)
        assert [c.pk for c in console.after_hours_queue(timezone.now())] == [came.pk]


def test_the_page_lists_the_queue(client, city, officer, agent):
    night = _came_in(city, agent, Channel.WHATSAPP, _at(9, 23, 30), "9839010002")
    with time_machine.travel(_at(10, 9, 0), tick=False):
        login(client, agent)
        response = client.get(CONSOLE)
    assert [c.pk for c in response.context["queue"]] == [night.pk]
    assert "The call centre is open." in response.content.decode()


def test_attaching_validates_the_name_like_registration(city, officer, agent, register):
    complaint = register(city.garbage, city.wards[1], mobile="9839011111")
    with pytest.raises(ValidationError) as error:
        do_attach_caller(complaint, mobile="9839077777", name="x" * 500, actor=agent, channel=Channel.PHONE)
    assert "name" in error.value.error_dict


# --- call-back requests and who is ringing now (intake's voice line) ---------------------------------------------

def _callback(mobile="+919839088888", at=None, **fields):
    from nagar_nigam_cc.intake.models import CallbackRequest

    at = at or timezone.now()
    return CallbackRequest.objects.create(mobile=mobile, asked_at=at, last_call_at=at, call_sid=f"CA{mobile[-6:]}",
                                          open_key=mobile, **fields)


def test_the_panel_lists_callers_waiting_to_be_rung_back_oldest_first(client, city, agent):
    later = _callback("+919839088888")
    earlier = _callback("+919839077777", at=timezone.now() - timedelta(hours=3), calls=2)
    login(client, agent)
    response = client.get(CONSOLE)
    assert [c.pk for c in response.context["callbacks"]] == [earlier.pk, later.pk]
    html = response.content.decode()
    assert 'data-mobile="+919839077777"' in html and "×2" in html


def test_an_agent_marks_a_call_back_done_or_unanswered_from_the_console(client, city, agent):
    from nagar_nigam_cc.intake.models import CallbackRequest

    unanswered, reached = _callback("+919839077777"), _callback("+919839088888")
    login(client, agent)
    response = client.post(f"{CONSOLE}callbacks/{unanswered.pk}/", {"state": "pending"})
    assert response.status_code == 200
    unanswered.refresh_from_db()
    assert unanswered.state == CallbackRequest.State.PENDING and "No answer." in unanswered.note
    client.post(f"{CONSOLE}callbacks/{reached.pk}/", {"state": "called"})
    reached.refresh_from_db()
    assert (reached.state, reached.handled_by) == (CallbackRequest.State.CALLED, agent)
    again = client.post(f"{CONSOLE}callbacks/{reached.pk}/", {"state": "called"})
    assert again.status_code == 400 and "already" in again.json()["errors"]["__all__"][0]
    body = client.post(f"{CONSOLE}callbacks/{unanswered.pk}/", {"state": "done", "note": "Got through at 9"}).json()
    assert "+919839077777" not in body["html"]  # off the queue


def test_officers_cannot_work_the_call_back_queue(client, city, officer):
    waiting = _callback()
    login(client, officer.user)
    assert client.post(f"{CONSOLE}callbacks/{waiting.pk}/", {"state": "called"}).status_code == 403
    waiting.refresh_from_db()
    assert waiting.state == "pending"


def test_the_console_polls_the_voice_lines_screen_pop(client, city, agent):
    login(client, agent)
    html = client.get(CONSOLE).content.decode()
    assert 'data-live-calls-url="/intake/calls/live/"' in html
