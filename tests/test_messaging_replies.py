"""Citizens' replies by SMS and WhatsApp (issue 4, part 4): "STATUS <docket>", "1" (solved), "2" (not solved).

First `parse`, as properties (hypothesis): what a citizen types is read the same whatever the spacing,
case, digits (Hindi or ASCII) or WhatsApp formatting; every valid docket is found; a mistyped one never
is; nothing raises. Then `receive`, end to end through the real webhooks (Twilio SMS and WhatsApp,
signed with the SDK's RequestValidator; the DLT gateway's token URL): each message is recorded once and
acted on once, only ever on the sender's own complaints, and answered through the outbox on the channel
it came in on. "2" reopens and escalates one level up, as the SLA sweep would choose the senior.

The people are conftest's, with one more: `senior` (Chief Sanitary Inspector) between the sanitation
field officer and the head (officer → senior → head). Time is real (the webhooks act "now"): complaints
are registered and resolved at instants before it through the actions' `now=`. Nothing of ours is patched.
"""
from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from conftest import make_officer
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.actions import (
    IllegalTransition,
    NewComplaint,
    do_close,
    do_confirm,
    do_dispute,
    do_register,
    do_resolve,
    do_start_work,
)
from nagar_nigam_cc.complaints.models import Citizen, Complaint, ComplaintEvent, EventKind, Status
from nagar_nigam_cc.directory import roles
from nagar_nigam_cc.messaging.models import Event, InboundMessage, OutboundMessage
from nagar_nigam_cc.messaging.replies import CONFIRM, DISPUTE, HELP, MAX_CHARS, STATUS, Command, parse
from nagar_nigam_cc.sla.models import EscalationStep, SLAPolicy

TOKEN = "twilio-auth-token-for-tests"
DLT_TOKEN = "dlt-webhook-secret-for-tests"
TWILIO_URL = "http://testserver/messages/twilio/inbound/"
DOCKET = "2611000427"  # 2611-00042-7, check digit right
HINDI_DIGITS = str.maketrans("0123456789", "०१२३४५६७८९")

H = timedelta(hours=1)
D = timedelta(days=1)


# --- parse: examples -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, command", [
    ("STATUS 2611000427", Command(STATUS, DOCKET)),
    ("status 2611-00042-7", Command(STATUS, DOCKET)),
    ("स्थिति 2611000427", Command(STATUS, DOCKET)),
    ("स्थिति २६११०००४२७", Command(STATUS, DOCKET)),
    ("Status: 2611 00042 7.", Command(STATUS, DOCKET)),
    ("*STATUS* 2611000427", Command(STATUS, DOCKET)),
    ("status2611000427", Command(STATUS, DOCKET)),
    ("2611-00042-7", Command(STATUS, DOCKET)),  # the number on its own
    ("status", Command(STATUS)),
    ("1", Command(CONFIRM)),
    ("2", Command(DISPUTE)),
    ("१", Command(CONFIRM)),
    (" २ ", Command(DISPUTE)),
    ("*1*", Command(CONFIRM)),
    ("2.", Command(DISPUTE)),
    ("1 2611000427", Command(CONFIRM, DOCKET)),
    ("2 2611-00042-7", Command(DISPUTE, DOCKET)),
    ("१ २६११-०००४२-७", Command(CONFIRM, DOCKET)),
    ("STATUS 2611000428", Command(STATUS, mistyped="2611000428")),  # one digit off: not looked up
    ("2 2611-00042-8", Command(DISPUTE, mistyped="2611000428")),
    ("", Command(HELP)),
    ("hello", Command(HELP)),
    ("1 thanks", Command(HELP)),
    ("3", Command(HELP)),
    ("12", Command(HELP)),
    ("STATUS 12345", Command(HELP)),  # too short to be a docket
    ("STATUS of my complaint", Command(HELP)),
    ("कचरा अभी भी पड़ा है", Command(HELP)),
])
def test_parse_reads_what_citizens_write(text, command):
    assert parse(text) == command


# --- parse: properties -----------------------------------------------------------------------------------------

valid_dockets = st.builds(
    lambda yy, mm, seq: dockets.format_docket(f"{yy:02d}{mm:02d}", seq),
    st.integers(0, 99), st.integers(1, 12), st.integers(1, 9_999_999),
)
docket_forms = st.sampled_from([
    lambda d: d, dockets.spoken, lambda d: f"{d[:4]} {d[4:-1]} {d[-1]}", lambda d: d.translate(HINDI_DIGITS),
    lambda d: dockets.spoken(d).translate(HINDI_DIGITS), lambda d: f"{d[:4]}.{d[4:-1]}/{d[-1]}",
])
status_words = st.sampled_from(["status", "स्थिति", "स्टेटस"])
any_case = st.sampled_from([str.lower, str.upper, str.title, lambda w: w[:1].upper() + w[1:].lower(),
                            lambda w: "".join(c.upper() if i % 2 else c for i, c in enumerate(w))])
separators = st.sampled_from(["", " ", "  ", ": ", " - ", " #", "\n", "\t", ", "])
wrappings = st.sampled_from(["{}", "*{}*", "_{}_", "~{}~", "```{}```", "{}.", "{}!", "({})", "“{}”"])
spaces = st.text(alphabet=" \t\n\r\u00a0\u2003\u3000", max_size=5)


@st.composite
def status_requests(draw):
    """(text, docket): STATUS with a valid docket, written any way citizens write it."""
    docket = draw(valid_dockets)
    word = draw(any_case)(draw(status_words))
    text = draw(wrappings).format(word + draw(separators) + draw(docket_forms)(docket))
    return text, docket


@st.composite
def answers(draw):
    """(text, command): "1" or "2", with or without a docket, in ASCII or Hindi digits."""
    digit, kind = draw(st.sampled_from([("1", CONFIRM), ("2", DISPUTE)]))
    docket = draw(st.none() | valid_dockets)
    text = digit
    if docket is not None:
        text += draw(st.sampled_from([" ", "  ", ": ", ", "])) + draw(docket_forms)(docket)
    if draw(st.booleans()):
        text = text.translate(HINDI_DIGITS)
    return draw(wrappings).format(text), Command(kind, docket)


commands = st.one_of(status_requests().map(lambda t: t[0]), answers().map(lambda t: t[0]))


@given(status_requests())
@example(("STATUS 2611000427", DOCKET))
def test_any_valid_docket_in_a_status_request_is_found(request):
    text, docket = request
    assert parse(text) == Command(STATUS, docket)


@given(answers())
def test_1_and_2_are_read_with_or_without_a_docket(answer):
    text, command = answer
    assert parse(text) == command


@given(st.one_of(commands, st.text(max_size=60)), spaces, spaces)
def test_surrounding_whitespace_never_changes_the_result(text, before, after):
    assert parse(before + text + after) == parse(text)


@given(st.one_of(commands, st.text(max_size=60)))
def test_case_never_changes_the_result(text):
    assert parse(text.upper()) == parse(text) == parse(text.lower())


@given(commands)
def test_hindi_digits_read_as_ascii_digits(text):
    assert parse(text.translate(HINDI_DIGITS)) == parse(text)


@given(valid_dockets, st.data())
def test_a_docket_with_one_digit_mistyped_is_never_read_as_a_docket(docket, data):
    at = data.draw(st.integers(0, len(docket) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != docket[at]]))
    typo = docket[:at] + wrong + docket[at + 1:]
    assert parse(f"STATUS {typo}") == Command(STATUS, mistyped=typo)
    assert parse(f"2 {typo}").docket is None


@given(st.text(max_size=2000))
@example("\x00\ud800")
@example("status " + "9" * 500)
@example("1" * 13)
def test_random_text_never_raises_and_any_docket_read_is_valid(text):
    command = parse(text)
    assert command.kind in (STATUS, CONFIRM, DISPUTE, HELP)
    assert command.docket is None or dockets.is_valid(command.docket)
    if command.kind == HELP:
        assert command.docket is None and not command.mistyped


# --- the city for the webhooks ---------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _gateways(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.NNC_DLT_WEBHOOK_TOKEN = DLT_TOKEN
    settings.NNC_DISPUTE_DAYS = 7


@pytest.fixture
def senior(city, head, officer):
    """officer → senior → head, each with a mobile the messages go to."""
    senior = make_officer("senior", roles.FIELD_OFFICER, city.sanitation, level=2, reports_to=head,
                          designation="Chief Sanitary Inspector", mobile="+919839000002")
    officer.reports_to, officer.mobile = senior, "+919839000001"
    officer.save()
    return senior


@pytest.fixture
def policy(city):
    """Sweeping: 24 hours round the clock, reminders at 50% and 90%, level 1 to the senior, auto-close in 7 days."""
    policy = SLAPolicy.objects.create(name_en="Sweeping 24 h", name_hi="झाड़ू 24 घंटे", category=city.sweeping,
                                      resolution_hours=Decimal(24), reminder_percents="50,90", auto_close_days=7)
    EscalationStep.objects.create(policy=policy, level=1, delay_hours=Decimal(2), target="reports_to", reassign=True)
    return policy


RAMESH, SITA = "+919839011111", "+919839022222"  # two citizens


@pytest.fixture
def complaint_of(city, agent, officer):
    """complaint_of(mobile, resolved=True, at=…) → a sweeping complaint in ward 1 (the officer's),
    registered by the agent at `at` (default two hours ago) and, if asked, resolved by the officer an
    hour later."""
    counter = iter(range(1000))

    def _make(mobile=RAMESH, *, resolved=True, at=None):
        at = at or timezone.now() - 2 * H
        new = NewComplaint(mobile=mobile, category=city.sweeping, ward=city.wards[1],
                           description=f"Lane not swept, report {next(counter)}")
        c = do_register(new, actor=agent, allow_duplicate=True, now=at)
        assert c.assigned_to == officer
        if resolved:
            c = do_resolve(c, actor=officer.user, remarks="Swept and cleared", now=at + H)
        return c
    return _make


def fresh(c: Complaint) -> Complaint:
    return Complaint.objects.select_related("assigned_to").get(pk=c.pk)


def events(c: Complaint, *kinds) -> list[ComplaintEvent]:
    return list(ComplaintEvent.objects.filter(complaint=c, kind__in=kinds).order_by("id"))


def reply(sid: str, gateway: str = "twilio") -> OutboundMessage:
    return OutboundMessage.objects.get(key=f"reply:{gateway}:{sid}")


def snapshot(c: Complaint) -> tuple:
    c = fresh(c)
    return (c.status, c.assigned_to_id, c.escalation_level, c.closed_at, c.next_action_at,
            ComplaintEvent.objects.filter(complaint=c).count(),
            OutboundMessage.objects.filter(complaint=c).exclude(key__startswith="reply:").count())


def twilio(client, body: str, sender: str, sid: str, *, signature: str | None = None):
    """POST to the Twilio inbound webhook as Twilio does (form-encoded, signed with our auth token)."""
    params = {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": sender, "To": "+14155550100",
              "Body": body, "NumMedia": "0"}
    if signature is None:
        signature = RequestValidator(TOKEN).compute_signature(TWILIO_URL, params)
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    return client.post("/messages/twilio/inbound/", urlencode(params),
                       content_type="application/x-www-form-urlencoded", **headers)


def ok(response):
    assert response.status_code == 200, response.content
    return response


# --- status -------------------------------------------------------------------------------------------------

def test_status_by_sms_answers_with_that_complaint_on_sms(client, complaint_of):
    c = complaint_of(resolved=False)
    response = ok(twilio(client, f"STATUS {dockets.spoken(c.docket)}", RAMESH, "SM001"))
    assert response["Content-Type"].startswith("text/xml")  # empty TwiML: the answer goes through the outbox

    inbound = InboundMessage.objects.get()
    assert (inbound.gateway, inbound.provider_id, inbound.channel, inbound.from_mobile) == (
        "twilio", "SM001", "sms", RAMESH)
    assert (inbound.citizen.mobile, inbound.complaint, inbound.outcome) == (RAMESH, c, InboundMessage.Outcome.STATUS)
    answer = reply("SM001")
    assert (answer.event, answer.channel, answer.to_mobile, answer.complaint) == (Event.REPLY_STATUS, "sms", RAMESH, c)
    assert answer.language == "hi"  # the citizen's language (Hindi unless they chose English)
    assert answer.context == {"docket": c.docket}
    assert answer.next_attempt_at is not None and answer.state == OutboundMessage.State.QUEUED


def test_status_without_a_docket_answers_with_the_latest_complaint(client, complaint_of):
    complaint_of(at=timezone.now() - 3 * D)
    latest = complaint_of(resolved=False)
    ok(twilio(client, "status", RAMESH, "SM002"))
    assert reply("SM002").complaint == latest


def test_the_dlt_gateway_forwards_a_hindi_status_request(client, complaint_of):
    c = complaint_of()
    text = "स्थिति " + dockets.spoken(c.docket).translate(HINDI_DIGITS)
    response = client.post(f"/messages/dlt/inbound/{DLT_TOKEN}/", {"id": "dlt-77", "from": "09839011111", "text": text})
    assert response.status_code == 200 and response.content == b"OK"
    inbound = InboundMessage.objects.get(gateway="dlt", provider_id="dlt-77")
    assert (inbound.channel, inbound.from_mobile, inbound.complaint) == ("sms", RAMESH, c)
    assert inbound.body == text
    answer = reply("dlt-77", "dlt")
    assert (answer.event, answer.channel, answer.to_mobile) == (Event.REPLY_STATUS, "sms", RAMESH)


# --- who may call the webhooks ------------------------------------------------------------------------------

@pytest.mark.parametrize("signature", ["", "forged+signature="], ids=["unsigned", "forged"])
def test_an_unsigned_or_forged_twilio_call_is_refused_and_changes_nothing(client, complaint_of, signature):
    c = complaint_of()
    before = snapshot(c)
    response = twilio(client, "1", RAMESH, "SM003", signature=signature)
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()
    assert not OutboundMessage.objects.filter(key__startswith="reply:").exists()
    assert snapshot(c) == before


def test_a_call_signed_with_another_token_is_refused(client, complaint_of):
    c = complaint_of()
    params = {"MessageSid": "SM004", "From": RAMESH, "Body": "1"}
    signature = RequestValidator("someone-elses-token").compute_signature(TWILIO_URL, params)
    response = client.post("/messages/twilio/inbound/", urlencode(params),
                           content_type="application/x-www-form-urlencoded", HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()
    assert fresh(c).status == Status.RESOLVED


def test_a_wrong_dlt_token_is_refused_and_records_nothing(client, complaint_of):
    c = complaint_of()
    response = client.post("/messages/dlt/inbound/not-the-token/", {"id": "dlt-1", "from": RAMESH, "text": "1"})
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()
    assert fresh(c).status == Status.RESOLVED


def test_a_replayed_message_is_acted_on_once(client, senior, complaint_of):
    c = complaint_of()
    for _ in range(3):
        ok(twilio(client, "2", RAMESH, "SM005"))
    assert InboundMessage.objects.count() == 1
    assert len(events(c, EventKind.DISPUTED)) == 1
    assert len(events(c, EventKind.ESCALATED)) == 1
    assert fresh(c).escalation_level == 1
    assert OutboundMessage.objects.filter(key__startswith="reply:").count() == 1
    assert OutboundMessage.objects.filter(complaint=c, event=Event.ESCALATION).count() == 1


# --- only the sender's own complaints -----------------------------------------------------------------------

@pytest.mark.parametrize("text", ["STATUS {}", "1 {}", "2 {}", "{}"])
def test_another_citizens_docket_is_not_found_and_nothing_changes(client, senior, complaint_of, text):
    mine = complaint_of(RAMESH)
    hers = complaint_of(SITA)
    before = snapshot(hers), snapshot(mine)
    ok(twilio(client, text.format(hers.docket), RAMESH, "SM006"))

    assert (snapshot(hers), snapshot(mine)) == before
    inbound = InboundMessage.objects.get()
    assert (inbound.outcome, inbound.complaint, inbound.citizen.mobile) == (
        InboundMessage.Outcome.NOT_FOUND, None, RAMESH)
    answer = reply("SM006")
    # Nothing of hers in the answer: not her complaint, nor its status, only the number Ramesh typed.
    assert (answer.event, answer.complaint, answer.to_mobile) == (Event.REPLY_NOT_FOUND, None, RAMESH)
    assert answer.context == {"docket": hers.docket}


def test_a_mistyped_docket_is_not_found(client, complaint_of):
    c = complaint_of()
    typo = c.docket[:-1] + str((int(c.docket[-1]) + 1) % 10)
    before = snapshot(c)
    ok(twilio(client, f"1 {typo}", RAMESH, "SM007"))
    assert snapshot(c) == before
    assert (reply("SM007").event, reply("SM007").context) == (Event.REPLY_NOT_FOUND, {"docket": typo})


def test_an_unknown_number_gets_help_or_not_found_and_nothing_else(client, settings, complaint_of):
    c = complaint_of(RAMESH)
    stranger = "+919839033333"
    ok(twilio(client, f"STATUS {c.docket}", stranger, "SM008"))
    ok(twilio(client, "2", stranger, "SM009"))
    ok(twilio(client, "hello?", stranger, "SM010"))

    assert not Citizen.objects.filter(mobile=stranger).exists()
    assert fresh(c).status == Status.RESOLVED
    answers = {sid: reply(sid) for sid in ("SM008", "SM009", "SM010")}
    assert [answers[s].event for s in answers] == [Event.REPLY_NOT_FOUND, Event.REPLY_NOT_FOUND, Event.REPLY_HELP]
    for answer in answers.values():
        assert (answer.complaint, answer.to_mobile, answer.language) == (None, stranger, settings.LANGUAGE_CODE)
    assert answers["SM008"].context == {"docket": c.docket}
    outcomes = dict(InboundMessage.objects.values_list("provider_id", "outcome"))
    assert outcomes == {"SM008": "not_found", "SM009": "not_found", "SM010": "not_understood"}
    assert not InboundMessage.objects.exclude(citizen=None).exists()


def test_a_too_long_message_is_stored_cut_and_answered_with_help(client, complaint_of):
    c = complaint_of()
    ok(twilio(client, "1 " + "x" * 5000, RAMESH, "SM011"))
    inbound = InboundMessage.objects.get()
    assert len(inbound.body) == MAX_CHARS and inbound.body.startswith("1 xxx")
    assert inbound.outcome == InboundMessage.Outcome.NOT_UNDERSTOOD
    assert reply("SM011").event == Event.REPLY_HELP
    assert fresh(c).status == Status.RESOLVED


def test_even_a_valid_command_is_not_acted_on_when_the_message_is_too_long(client, complaint_of):
    c = complaint_of()
    ok(twilio(client, "1" + " " * MAX_CHARS, RAMESH, "SM012"))  # "1" after trimming, but 1,001 characters
    assert reply("SM012").event == Event.REPLY_HELP
    assert fresh(c).status == Status.RESOLVED


# --- "1": solved ---------------------------------------------------------------------------------------------

def test_1_closes_the_resolved_complaint_with_a_confirmed_event(client, officer, policy, complaint_of):
    c = complaint_of()
    assert fresh(c).next_action_at is not None  # the auto-close
    ok(twilio(client, "1", RAMESH, "SM020"))

    c = fresh(c)
    assert c.status == Status.CLOSED and c.closed_at is not None
    assert c.next_action_at is None  # nothing left for the sweep
    [confirmed] = events(c, EventKind.CONFIRMED)
    assert (confirmed.actor, confirmed.from_status, confirmed.to_status) == (None, Status.RESOLVED, Status.CLOSED)
    assert confirmed.officer == officer  # whose resolution was confirmed
    inbound = InboundMessage.objects.get()
    assert confirmed.data == {"reply": inbound.pk, "channel": "sms"}
    assert (inbound.outcome, inbound.complaint) == (InboundMessage.Outcome.CONFIRMED, c)
    answer = reply("SM020")
    assert (answer.event, answer.complaint, answer.channel, answer.context) == (Event.REPLY_CONFIRMED, c, "sms",
                                                                              {"docket": c.docket})
    assert not events(c, EventKind.CLOSED, EventKind.DISPUTED, EventKind.REOPENED)


def test_a_whatsapp_reply_is_answered_on_whatsapp(client, complaint_of):
    c = complaint_of()
    ok(twilio(client, f"*1* {dockets.spoken(c.docket)}", f"whatsapp:{RAMESH}", "SM021"))
    assert fresh(c).status == Status.CLOSED
    assert InboundMessage.objects.get().channel == "whatsapp"
    answer = reply("SM021")
    assert (answer.event, answer.channel, answer.to_mobile) == (Event.REPLY_CONFIRMED, "whatsapp", RAMESH)
    assert events(c, EventKind.CONFIRMED)[0].data["channel"] == "whatsapp"


def test_1_again_thanks_again_without_a_second_event(client, complaint_of):
    c = complaint_of()
    ok(twilio(client, "1", RAMESH, "SM022"))
    closed_at = fresh(c).closed_at
    ok(twilio(client, "1", RAMESH, "SM023"))
    ok(twilio(client, f"1 {c.docket}", RAMESH, "SM024"))
    assert len(events(c, EventKind.CONFIRMED)) == 1
    assert fresh(c).closed_at == closed_at
    assert [reply(s).event for s in ("SM023", "SM024")] == [Event.REPLY_CONFIRMED] * 2
    assert [reply(s).complaint for s in ("SM023", "SM024")] == [c, c]


def test_1_without_a_docket_answers_the_most_recently_resolved_complaint(client, complaint_of):
    older = complaint_of(at=timezone.now() - 5 * D)
    newer = complaint_of(at=timezone.now() - 3 * D)
    still_open = complaint_of(resolved=False)  # the latest complaint, but not resolved
    ok(twilio(client, "1", RAMESH, "SM025"))
    assert (fresh(newer).status, fresh(older).status, fresh(still_open).status) == (
        Status.CLOSED, Status.RESOLVED, Status.ASSIGNED)
    ok(twilio(client, "1", RAMESH, "SM026"))  # the next "1": the other one still waiting
    assert fresh(older).status == Status.CLOSED


def test_1_on_a_complaint_still_being_worked_on_changes_nothing_and_tells_its_status(client, officer, complaint_of):
    c = complaint_of(resolved=False)
    do_start_work(c, actor=officer.user)
    before = snapshot(c)
    ok(twilio(client, f"1 {c.docket}", RAMESH, "SM027"))
    assert snapshot(c) == before
    assert InboundMessage.objects.get().outcome == InboundMessage.Outcome.REFUSED
    assert (reply("SM027").event, reply("SM027").complaint) == (Event.REPLY_STATUS, c)


def test_1_with_nothing_resolved_is_not_found(client, complaint_of):
    c = complaint_of(resolved=False)
    ok(twilio(client, "1", RAMESH, "SM028"))
    assert fresh(c).status == Status.ASSIGNED
    assert (reply("SM028").event, reply("SM028").context) == (Event.REPLY_NOT_FOUND, {"docket": ""})


# --- "2": not solved --------------------------------------------------------------------------------------------

def test_2_reopens_and_escalates_to_the_officers_senior(client, officer, senior, policy, complaint_of):
    registered = timezone.now() - 2 * H
    c = complaint_of(at=registered)
    assert fresh(c).next_action_at == registered + H + 7 * D  # waiting to auto-close
    ok(twilio(client, "2", RAMESH, "SM030"))

    c = fresh(c)
    assert (c.status, c.assigned_to, c.escalation_level, c.closed_at) == (Status.REOPENED, senior, 1, None)
    # The clock runs again from the plan: the 50% reminder (12 h after registration) is next.
    assert c.next_action_at == registered + 12 * H
    [disputed] = events(c, EventKind.DISPUTED)
    assert (disputed.actor, disputed.from_status, disputed.to_status, disputed.officer) == (
        None, Status.RESOLVED, Status.REOPENED, officer)
    [escalated] = events(c, EventKind.ESCALATED)
    assert escalated.officer == senior and escalated.id > disputed.id
    assert escalated.data == {"level": 1, "from_officer": officer.pk, "to_officer": senior.pk, "reassigned": True,
                              "reason": "citizen disputed"}
    [told] = OutboundMessage.objects.filter(complaint=c, event=Event.ESCALATION)
    assert (told.to_officer, told.to_mobile, told.context) == (
        senior, "+919839000002", {"docket": c.docket, "level": 1})
    answer = reply("SM030")
    assert (answer.event, answer.complaint, answer.context) == (
        Event.REPLY_REOPENED, c, {"docket": c.docket, "level": 1})
    inbound = InboundMessage.objects.get()
    assert (inbound.outcome, inbound.complaint) == (InboundMessage.Outcome.DISPUTED, c)


def test_2_follows_the_senior_on_leave_to_their_substitute(client, city, officer, senior, complaint_of):
    relief = make_officer("relief", roles.FIELD_OFFICER, city.sanitation, level=2, mobile="+919839000009")
    senior.on_leave, senior.substitute = True, relief
    senior.save()
    c = complaint_of()
    ok(twilio(client, f"2 {c.docket}", RAMESH, "SM031"))
    assert fresh(c).assigned_to == relief
    assert events(c, EventKind.ESCALATED)[0].data["to_officer"] == relief.pk
    assert OutboundMessage.objects.get(complaint=c, event=Event.ESCALATION).to_officer == relief


def test_2_without_a_senior_goes_to_the_head_of_department(client, officer, head, complaint_of):
    officer.reports_to = None
    officer.save()
    c = complaint_of()
    ok(twilio(client, "2", RAMESH, "SM032"))
    c = fresh(c)
    assert (c.status, c.assigned_to, c.escalation_level) == (Status.REOPENED, head, 1)
    [escalated] = events(c, EventKind.ESCALATED)
    assert "head of the department" in escalated.note
    assert OutboundMessage.objects.get(complaint=c, event=Event.ESCALATION).to_officer == head


def test_2_a_second_time_climbs_one_more_level(client, officer, senior, head, complaint_of):
    c = complaint_of()
    ok(twilio(client, "2", RAMESH, "SM033"))
    do_resolve(fresh(c), actor=senior.user, remarks="Swept again")
    ok(twilio(client, "2", RAMESH, "SM034"))
    c = fresh(c)
    assert (c.assigned_to, c.escalation_level) == (head, 2)
    assert [e.data["to_officer"] for e in events(c, EventKind.ESCALATED)] == [senior.pk, head.pk]
    assert reply("SM034").context["level"] == 2


def test_2_again_says_reopened_without_escalating_again(client, senior, complaint_of):
    c = complaint_of()
    ok(twilio(client, "2", RAMESH, "SM035"))
    before = snapshot(c)
    ok(twilio(client, "2", RAMESH, "SM036"))
    ok(twilio(client, f"2 {c.docket}", RAMESH, "SM037"))
    assert snapshot(c) == before
    assert [reply(s).event for s in ("SM036", "SM037")] == [Event.REPLY_REOPENED] * 2
    assert reply("SM036").context == {"docket": c.docket, "level": 1}


def test_2_reopens_a_complaint_closed_within_the_dispute_window_but_not_one_closed_before(
        client, agent, senior, complaint_of):
    now = timezone.now()
    recent = complaint_of(at=now - 5 * D)
    do_close(recent, actor=agent, now=now - 3 * D)
    old = complaint_of(at=now - 12 * D)
    do_close(old, actor=agent, now=now - 8 * D)

    ok(twilio(client, "2", RAMESH, "SM038"))  # without a docket: the recently closed one
    assert fresh(recent).status == Status.REOPENED
    before = snapshot(old)
    ok(twilio(client, f"2 {old.docket}", RAMESH, "SM039"))  # closed 8 days ago: too late by SMS
    assert snapshot(old) == before
    assert (reply("SM039").event, InboundMessage.objects.get(provider_id="SM039").outcome) == (
        Event.REPLY_STATUS, InboundMessage.Outcome.REFUSED)


# --- the actions themselves: who, and from which status -----------------------------------------------------------

def test_agents_and_supervisors_record_the_citizens_word_others_may_not(
        agent, head, zonal, commissioner, officer, outsider, senior, complaint_of):
    for who in (outsider.user, officer.user):  # another department; the officer whose work it is
        c = complaint_of()
        before = snapshot(c)
        with pytest.raises(PermissionDenied):
            do_confirm(c, actor=who)
        with pytest.raises(PermissionDenied):
            do_dispute(c, actor=who)
        assert snapshot(c) == before
    for who in (agent, head.user, zonal.user, commissioner):
        c = do_confirm(complaint_of(), actor=who, note="Citizen rang to say thanks")
        [confirmed] = events(c, EventKind.CONFIRMED)
        assert (c.status, confirmed.actor, confirmed.note) == (Status.CLOSED, who, "Citizen rang to say thanks")
        c = do_dispute(complaint_of(), actor=who, note="Citizen rang: the lane is still dirty")
        assert (c.status, c.assigned_to, events(c, EventKind.DISPUTED)[0].actor) == (Status.REOPENED, senior, who)
        assert events(c, EventKind.ESCALATED)[0].actor == who


@pytest.mark.parametrize("status", ["assigned", "in_progress", "reopened", "closed"])
def test_confirm_only_follows_a_resolution(agent, officer, senior, complaint_of, status):
    c = complaint_of(resolved=status != "assigned" and status != "in_progress")
    if status == "in_progress":
        do_start_work(c, actor=officer.user)
    elif status == "reopened":
        do_dispute(c, actor=agent)
    elif status == "closed":
        do_confirm(c, actor=agent)
    assert fresh(c).status == status
    before = snapshot(c)
    with pytest.raises(IllegalTransition):
        do_confirm(c, actor=agent)
    assert snapshot(c) == before


@pytest.mark.parametrize("status", ["assigned", "in_progress", "reopened"])
def test_dispute_only_follows_a_resolution_or_closing(agent, officer, senior, complaint_of, status):
    c = complaint_of(resolved=status == "reopened")
    if status == "in_progress":
        do_start_work(c, actor=officer.user)
    elif status == "reopened":
        do_dispute(c, actor=agent)
    before = snapshot(c)
    with pytest.raises(IllegalTransition):
        do_dispute(c, actor=agent)
    assert snapshot(c) == before


# --- two deliveries of one message at the same instant (MariaDB) ------------------------------------------------

@pytest.fixture
def _role_groups(transactional_db):
    """The role groups come from a data migration that an earlier transactional test's flush may have
    removed (see test_docket_concurrency); the agent needs hers to register."""
    from django.contrib.auth.models import Group

    for name in roles.ALL:
        Group.objects.get_or_create(name=name)


@pytest.mark.mariadb
@pytest.mark.skipif(connection.vendor != "mysql", reason=(
    "needs a database several connections share (MariaDB: DATABASE_URL=mysql://…); SQLite's writers take the "
    "database lock at BEGIN IMMEDIATE and never overlap"))
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_deliveries_of_one_message_act_once(_role_groups, senior, complaint_of):
    """Twilio retries a webhook it thinks timed out while the first delivery is still being handled: six
    threads hand `receive` the same message id at once. Exactly one records it and acts."""
    from nagar_nigam_cc.messaging.replies import receive

    c = complaint_of()
    threads, barrier, errors, results = 6, threading.Barrier(6, timeout=30), [], []

    def deliver():
        try:
            barrier.wait()
            results.append(receive(channel="sms", gateway="twilio", provider_id="SM-race", mobile=RAMESH, text="2").pk)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connections["default"].close()

    workers = [threading.Thread(target=deliver) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert not errors
    assert len(results) == threads and len(set(results)) == 1  # all handed back the one record
    assert InboundMessage.objects.count() == 1
    assert len(events(c, EventKind.DISPUTED)) == len(events(c, EventKind.ESCALATED)) == 1
    assert fresh(c).escalation_level == 1
    assert OutboundMessage.objects.filter(key__startswith="reply:").count() == 1
