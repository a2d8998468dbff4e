"""Incoming calls to the central number (issue 5, part 2): Twilio Voice webhooks, the screen-pop and
the call-back queue.

Twilio is faked only at its edge: each webhook is POSTed as Twilio posts it, form-encoded and signed with
the SDK's RequestValidator over "http://testserver/…", and the TwiML answer is parsed as XML. Time is
moved with time-machine (the call centre's default hours: every day 07:00–22:00, Asia/Kolkata). The
people are conftest's: `agent` may register complaints (and so sees the screen-pop and works the queue);
`outsider` is a Jal Kal field officer, who may not.
"""
from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from twilio.request_validator import RequestValidator

from nagar_nigam_cc.complaints import console
from nagar_nigam_cc.complaints.models import Citizen
from nagar_nigam_cc.intake import voice
from nagar_nigam_cc.intake.models import CallbackRequest, CallCentre, IncomingCall, agent_lines

TOKEN = "twilio-auth-token-for-tests"
IST = ZoneInfo("Asia/Kolkata")
RAMESH = "+919839012345"
SUNITA = "+919415098765"
AGENT_LINES = ["+919839000001", "+919839000002"]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026 on the city's clock (the 28th is a Saturday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=IST)


@pytest.fixture(autouse=True)
def _twilio(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.NNC_PUBLIC_URL = ""


@pytest.fixture
def centre(db) -> CallCentre:
    centre = CallCentre(agent_numbers="\n".join(AGENT_LINES))
    centre.save()
    return centre


def post(client, path: str, params: dict, *, signature: str | None = None):
    """POST to one of our Twilio webhooks as Twilio does (form-encoded, signed with our auth token)."""
    if signature is None:
        signature = RequestValidator(TOKEN).compute_signature(f"http://testserver{path}", params)
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    return client.post(path, urlencode(params), content_type="application/x-www-form-urlencoded", **headers)


def call(client, sid: str, caller: str = RAMESH, *, signature: str | None = None):
    return post(client, "/intake/voice/incoming/", {"CallSid": sid, "AccountSid": "AC" + "0" * 32, "From": caller,
                                                     "To": "+15005550006", "CallStatus": "ringing"},
                signature=signature)


def dial_result(client, sid: str, status: str):
    return post(client, "/intake/voice/dial-status/", {"CallSid": sid, "DialCallStatus": status,
                                                        "DialCallSid": "CA" + "9" * 32})


def twiml(response) -> ET.Element:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


def said(root: ET.Element) -> dict[str, str]:
    return {say.get("language"): say.text for say in root.iter("Say")}


# --- working hours: greeting, every agent rings -------------------------------------------------------------------

def test_in_hours_the_caller_hears_the_hindi_greeting_and_every_agent_line_rings_at_once(client, centre):
    with time_machine.travel(at(27, 10, 15), tick=False):
        root = twiml(call(client, "CA001"))
    first = root[0]
    assert first.tag == "Say" and first.get("language") == "hi-IN" and first.text == centre.greeting_hi
    dial = root.find("Dial")
    assert dial is not None and list(root).index(dial) > 0  # after the greeting
    assert dial.get("action") == "/intake/voice/dial-status/"
    assert [n.text for n in dial.findall("Number")] == AGENT_LINES
    assert all(n.get("statusCallbackEvent") == "answered" for n in dial.findall("Number"))
    recorded = IncomingCall.objects.get()
    assert (recorded.call_sid, recorded.from_mobile, recorded.state) == ("CA001", RAMESH, IncomingCall.State.RINGING)
    assert not CallbackRequest.objects.exists()


def test_sip_and_client_lines_ring_too(client, db):
    CallCentre(agent_numbers="+91 98390 00001\nsip:desk3@pbx.example.in\nclient:agent4\n").save()
    with time_machine.travel(at(27, 10, 15), tick=False):
        dial = twiml(call(client, "CA002")).find("Dial")
    assert [n.text for n in dial.findall("Number")] == ["+919839000001"]
    assert [n.text for n in dial.findall("Sip")] == ["sip:desk3@pbx.example.in"]
    assert [n.text for n in dial.findall("Client")] == ["agent4"]


def test_an_answered_call_records_the_line_that_took_it_and_queues_no_call_back(client, centre):
    with time_machine.travel(at(27, 10, 15), tick=False):
        call(client, "CA003")
        ok = post(client, "/intake/voice/answered/", {"CallSid": "CA" + "7" * 32, "ParentCallSid": "CA003",
                                                       "To": AGENT_LINES[1], "CallStatus": "in-progress"})
        assert ok.status_code == 204
        root = twiml(dial_result(client, "CA003", "completed"))
    assert [child.tag for child in root] == ["Hangup"]
    recorded = IncomingCall.objects.get()
    assert (recorded.state, recorded.answered_by, recorded.dial_status) == ("answered", AGENT_LINES[1], "completed")
    assert not CallbackRequest.objects.exists()


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed", "canceled"])
def test_a_call_nobody_answers_in_hours_becomes_a_call_back(client, centre, status):
    with time_machine.travel(at(27, 10, 15), tick=False):
        call(client, "CA004")
        root = twiml(dial_result(client, "CA004", status))
    assert said(root)["hi-IN"] == centre.no_answer_hi
    assert root[-1].tag == "Hangup"
    assert IncomingCall.objects.get().state == IncomingCall.State.MISSED
    callback = CallbackRequest.objects.get()
    assert (callback.mobile, callback.reason, callback.state, callback.call_sid) == (
        RAMESH, "missed", "pending", "CA004")


def test_a_replayed_dial_result_queues_the_caller_once(client, centre):
    with time_machine.travel(at(27, 10, 15), tick=False):
        call(client, "CA005")
        dial_result(client, "CA005", "no-answer")
        dial_result(client, "CA005", "no-answer")
        dial_result(client, "CA005", "completed")  # late and out of order: a missed call stays missed
    assert IncomingCall.objects.get().state == IncomingCall.State.MISSED
    assert CallbackRequest.objects.get().calls == 1


def test_with_no_agent_line_configured_a_caller_in_hours_is_told_and_queued(client, db):
    with time_machine.travel(at(27, 10, 15), tick=False):
        root = twiml(call(client, "CA006"))
    assert root.find("Dial") is None and root[-1].tag == "Hangup"
    assert said(root)["hi-IN"] == CallCentre.current().no_answer_hi
    assert IncomingCall.objects.get().state == IncomingCall.State.MISSED
    assert CallbackRequest.objects.get().reason == "missed"


# --- after hours: the message names the opening, one call back per caller -----------------------------------------

def test_after_hours_the_caller_hears_when_we_open_and_is_queued_for_a_call_back(client, centre):
    with time_machine.travel(at(27, 23, 30), tick=False):
        root = twiml(call(client, "CA010"))
    words = said(root)
    assert "कल सुबह 7 बजे" in words["hi-IN"] and "{opens}" not in words["hi-IN"]
    assert "tomorrow at 7:00 am" in words["en-IN"]
    assert root.find("Dial") is None and root[-1].tag == "Hangup"
    assert IncomingCall.objects.get().state == IncomingCall.State.AFTER_HOURS
    callback = CallbackRequest.objects.get()
    assert (callback.mobile, callback.reason, callback.state, callback.calls) == (RAMESH, "after_hours", "pending", 1)


def test_just_after_midnight_the_opening_is_this_morning(client, centre):
    with time_machine.travel(at(28, 0, 40), tick=False):
        words = said(twiml(call(client, "CA011")))
    assert "आज सुबह 7 बजे" in words["hi-IN"] and "today at 7:00 am" in words["en-IN"]


def test_a_retried_webhook_records_the_call_once_and_answers_the_same(client, centre):
    with time_machine.travel(at(27, 23, 30), tick=False):
        first = call(client, "CA012").content
    with time_machine.travel(at(27, 23, 31), tick=False):
        again = call(client, "CA012").content
    assert first == again
    assert IncomingCall.objects.count() == 1
    assert CallbackRequest.objects.get().calls == 1


def test_a_second_call_the_same_night_does_not_queue_the_caller_twice(client, centre, agent):
    with time_machine.travel(at(27, 23, 0), tick=False):
        call(client, "CA020")
        call(client, "CA021", caller=SUNITA)
    with time_machine.travel(at(28, 2, 0), tick=False):
        call(client, "CA022")  # Ramesh again
    assert IncomingCall.objects.count() == 3
    ramesh = CallbackRequest.objects.get(mobile=RAMESH)
    assert (ramesh.calls, ramesh.call_sid, ramesh.last_call_at) == (2, "CA020", at(28, 2, 0))
    assert CallbackRequest.objects.filter(mobile=SUNITA).count() == 1
    # Rung back in the morning; calling again the next night queues him afresh.
    voice.do_mark_callback(ramesh, actor=agent, state="called", now=at(28, 8, 0))
    with time_machine.travel(at(28, 23, 0), tick=False):
        call(client, "CA023")
    assert CallbackRequest.objects.filter(mobile=RAMESH).count() == 2
    assert list(voice.pending_callbacks().values_list("mobile", "call_sid")) == [(SUNITA, "CA021"), (RAMESH, "CA023")]


def test_a_missed_call_after_a_night_call_adds_to_the_same_request(client, centre):
    with time_machine.travel(at(27, 23, 0), tick=False):
        call(client, "CA030")
    with time_machine.travel(at(28, 7, 5), tick=False):
        call(client, "CA031")
        dial_result(client, "CA031", "no-answer")
    callback = CallbackRequest.objects.get()
    assert (callback.calls, callback.reason) == (2, "after_hours")


def test_a_withheld_number_hears_the_message_but_cannot_be_queued(client, centre):
    with time_machine.travel(at(27, 23, 0), tick=False):
        root = twiml(call(client, "CA040", caller="anonymous"))
    assert "hi-IN" in said(root)
    recorded = IncomingCall.objects.get()
    assert (recorded.from_number, recorded.from_mobile) == ("anonymous", "")
    assert not CallbackRequest.objects.exists()


# --- signatures ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("signature", ["", "forged-signature"])
def test_unsigned_or_forged_call_webhooks_are_refused_and_change_nothing(client, centre, signature):
    with time_machine.travel(at(27, 23, 0), tick=False):
        assert call(client, "CA050", signature=signature).status_code == 403
        call(client, "CA051")  # a real one, to be tampered with below
        assert post(client, "/intake/voice/dial-status/", {"CallSid": "CA051", "DialCallStatus": "no-answer"},
                    signature=signature).status_code == 403
        assert post(client, "/intake/voice/answered/", {"CallSid": "CA052", "ParentCallSid": "CA051",
                                                         "To": AGENT_LINES[0]}, signature=signature).status_code == 403
    assert list(IncomingCall.objects.values_list("call_sid", "state", "answered_by")) == [
        ("CA051", "after_hours", "")]


def test_a_signature_for_other_fields_is_refused(client, centre):
    honest = {"CallSid": "CA060", "From": RAMESH, "To": "+15005550006"}
    signature = RequestValidator(TOKEN).compute_signature("http://testserver/intake/voice/incoming/", honest)
    with time_machine.travel(at(27, 10, 0), tick=False):
        response = post(client, "/intake/voice/incoming/", {**honest, "From": SUNITA}, signature=signature)
    assert response.status_code == 403
    assert not IncomingCall.objects.exists()


# --- the screen-pop -----------------------------------------------------------------------------------------------

def test_live_calls_show_agents_who_is_calling_with_a_link_to_the_console(client, centre, agent):
    Citizen.objects.create(mobile=RAMESH, name="Ramesh Kumar")
    with time_machine.travel(at(27, 10, 0), tick=False):
        call(client, "CA070", caller=SUNITA)  # more than a minute before: gone from the list
    with time_machine.travel(at(27, 10, 1) + timedelta(seconds=30), tick=False):
        call(client, "CA071")
        client.force_login(agent)
        data = client.get("/intake/calls/live/").json()
    assert [c["call_sid"] for c in data["calls"]] == ["CA071"]
    ramesh = data["calls"][0]
    assert (ramesh["mobile"], ramesh["name"], ramesh["known"], ramesh["state"]) == (
        RAMESH, "Ramesh Kumar", True, "ringing")
    assert ramesh["console_url"] == "/desk/console/?mobile=%2B919839012345"


def test_live_calls_are_not_for_an_outsider_officer_nor_the_public(client, centre, outsider):
    assert client.get("/intake/calls/live/").status_code == 302  # to the desk's login
    client.force_login(outsider.user)
    response = client.get("/intake/calls/live/")
    assert response.status_code == 403 and response.json()["ok"] is False


# --- the call-back queue ------------------------------------------------------------------------------------------

@pytest.fixture
def queued(db) -> CallbackRequest:
    with time_machine.travel(at(27, 23, 0), tick=False):
        call_record, _ = voice.do_record_incoming("CA080", RAMESH)
    assert call_record.state == IncomingCall.State.AFTER_HOURS
    return CallbackRequest.objects.get()


def test_an_agent_marks_a_call_back_done_once(queued, agent):
    other = User.objects.create_user("agent2", is_staff=True)
    other.groups.set(agent.groups.all())
    done = voice.do_mark_callback(queued, actor=agent, state="called", note="registered 2611-00042-7",
                                  now=at(28, 8, 0))
    assert (done.state, done.handled_by, done.handled_at, done.open_key) == ("called", agent, at(28, 8, 0), None)
    assert "registered 2611-00042-7" in done.note
    with pytest.raises(ValidationError) as refused:
        voice.do_mark_callback(queued, actor=other, state="done", note="duplicate")
    assert "agent" in refused.value.messages[0]
    assert not voice.pending_callbacks().exists()


def test_no_answer_keeps_the_request_in_the_queue_with_a_note(queued, agent):
    kept = voice.do_mark_callback(queued, actor=agent, state="pending", note="no answer", now=at(28, 8, 0))
    assert kept.state == "pending" and "no answer" in kept.note and kept.handled_by is None
    assert list(voice.pending_callbacks()) == [kept]
    with pytest.raises(ValidationError):
        voice.do_mark_callback(queued, actor=agent, state="done", note="")  # closing without a word: refused


def test_only_those_who_register_complaints_work_the_queue(queued, outsider):
    with pytest.raises(PermissionDenied):
        voice.do_mark_callback(queued, actor=outsider.user, state="called")
    assert CallbackRequest.objects.get().state == "pending"


def test_the_console_lists_pending_call_backs(queued):
    assert console.pending_callbacks() == [queued]
    assert RAMESH in str(queued)


def test_the_desk_page_marks_a_call_back(client, queued, agent):
    client.force_login(agent)
    url = f"/desk/intake/callbackrequest/{queued.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and b"add_note" in page.content
    response = client.post(url, {"outcome": "done", "add_note": ""})
    assert response.status_code == 200 and CallbackRequest.objects.get().state == "pending"  # a note is needed
    response = client.post(url, {"outcome": "done", "add_note": "already registered on WhatsApp"})
    assert response.status_code == 302
    assert CallbackRequest.objects.get().state == "done"


def test_the_desk_lists_the_queue_and_the_calls(client, queued, agent, auditor):
    client.force_login(agent)
    queue = client.get("/desk/intake/callbackrequest/")
    assert queue.status_code == 200 and RAMESH.encode() in queue.content
    assert client.get("/desk/intake/incomingcall/").status_code == 200
    client.force_login(auditor)  # reads, but does not ring citizens back
    assert client.get(f"/desk/intake/callbackrequest/{queued.pk}/change/").status_code == 200
    assert client.post(f"/desk/intake/callbackrequest/{queued.pk}/change/",
                       {"outcome": "called", "add_note": ""}).status_code == 403
    assert CallbackRequest.objects.get().state == "pending"


def test_the_commissioner_sets_the_agent_lines_and_the_messages(client, commissioner, db):
    client.force_login(commissioner)
    CallCentre().save()
    page = client.get("/desk/intake/callcentre/1/change/")
    assert page.status_code == 200 and b"agent_numbers" in page.content and b"after_hours_hi" in page.content
    form = {"calendar": "", "agent_numbers": "098390 00001\nnot a phone", "greeting_hi": "नमस्ते", "greeting_en": "",
            "after_hours_hi": "बंद है, {opens} खुलेंगे", "after_hours_en": "", "no_answer_hi": "व्यस्त",
            "no_answer_en": ""}
    refused = client.post("/desk/intake/callcentre/1/change/", form)
    assert refused.status_code == 200 and "not a phone".encode() in refused.content
    saved = client.post("/desk/intake/callcentre/1/change/", {**form, "agent_numbers": "098390 00001\nclient:asha"})
    assert saved.status_code == 302
    assert CallCentre.current().agent_lines() == ["+919839000001", "client:asha"]


# --- pure parts ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("now, opens, hindi, english", [
    (at(27, 23, 30), at(28, 7, 0), "कल सुबह 7 बजे", "tomorrow at 7:00 am"),
    (at(28, 1, 0), at(28, 7, 30), "आज सुबह 7:30 बजे", "today at 7:30 am"),
    (at(28, 22, 5), at(30, 13, 0), "सोमवार को दोपहर 1 बजे", "on Monday at 1:00 pm"),
    (at(28, 3, 0), at(28, 17, 15), "आज शाम 5:15 बजे", "today at 5:15 pm"),
])
def test_opening_words(now, opens, hindi, english):
    assert voice.opening_words(opens, now, "hi") == hindi
    assert voice.opening_words(opens, now, "en") == english


def test_agent_lines_are_read_one_per_line_and_bad_lines_are_named(settings):
    assert agent_lines("098390 00001\n\n  +91-94150-98765  # desk 2\nsip:a@pbx\nclient:asha") == [
        "+919839000001", "+919415098765", "sip:a@pbx", "client:asha"]
    with pytest.raises(ValueError, match="desk phone"):
        agent_lines("+919839000001\ndesk phone")
    with pytest.raises(ValueError, match="10"):
        agent_lines("\n".join(f"+9198390000{n:02d}" for n in range(11)))
    assert agent_lines("+919839000001\nnonsense", strict=False) == ["+919839000001"]


def test_the_desk_refuses_an_unusable_agent_line(db):
    centre = CallCentre(agent_numbers="+919839000001\n12")
    with pytest.raises(ValidationError) as refused:
        centre.full_clean()
    assert "agent_numbers" in refused.value.message_dict


@pytest.mark.parametrize("raw, number", [
    ("+919839012345", "+919839012345"), ("+915322400000", "+915322400000"),  # a Prayagraj landline can be rung
    ("anonymous", ""), ("+266696687", ""), ("", ""), ("+1234", ""),
])
def test_caller_number(raw, number):
    assert voice.caller_number(raw) == number


# --- many calls at the same instant (MariaDB) ---------------------------------------------------------------------

@pytest.fixture
def _role_groups(transactional_db):
    """The role groups come from a data migration an earlier transactional test's flush may have removed."""
    from django.contrib.auth.models import Group

    from nagar_nigam_cc.directory import roles

    for name in roles.ALL:
        Group.objects.get_or_create(name=name)


@pytest.mark.mariadb
@pytest.mark.skipif(connection.vendor != "mysql", reason=(
    "needs a database several connections share (MariaDB: DATABASE_URL=mysql://…); SQLite's writers take the "
    "database lock at BEGIN IMMEDIATE and never overlap"))
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_calls_record_each_call_once_and_queue_the_caller_once(_role_groups):
    """Six webhooks at once after hours: Twilio retrying one call three times, and three more calls from
    the same caller. Four calls are recorded, and one call-back request counts them all."""
    barrier, errors = threading.Barrier(6, timeout=30), []

    def ring(sid: str):
        try:
            barrier.wait()
            voice.do_record_incoming(sid, RAMESH, now=at(27, 23, 0))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connections["default"].close()

    workers = [threading.Thread(target=ring, args=(sid,))
               for sid in ("CA-retried", "CA-retried", "CA-retried", "CA-b", "CA-c", "CA-d")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert not errors
    assert IncomingCall.objects.count() == 4
    callback = CallbackRequest.objects.get()
    assert (callback.calls, callback.state, callback.open_key) == (4, "pending", RAMESH)
