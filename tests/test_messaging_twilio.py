"""SMS and WhatsApp through Twilio (issue 4): the gateway, delivery through it, and Twilio's webhooks.

Only the HTTP boundary is fake. `FakeHttp` stands where the SDK's HTTP client would and answers as
Twilio's Messages API does (bodies as in Twilio's API reference); the SDK, our gateway and our
delivery run for real. `FakeTwilio` goes one level further down: a real HTTP server on 127.0.0.1
that the gateway's own default HTTP client reaches through TWILIO_API_BASE, so the rewrite of
https://api.twilio.com, the form on the wire, Basic authentication and the timeout are all exercised.
Webhooks are signed exactly as Twilio signs them (RequestValidator.compute_signature).

The people: a citizen who registers a complaint about garbage in ward 1, and the sanitation officer of
that ward, who is told of it. Runs on SQLite and on MariaDB (DATABASE_URL=mysql://…).
"""
from __future__ import annotations

import base64
import json
import logging
import re
import socket
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import parse_qsl

import pytest
import requests
from django.utils import timezone
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.messaging import gateways
from nagar_nigam_cc.messaging.delivery import deliver_due
from nagar_nigam_cc.messaging.gateways import Outgoing, PermanentError, TemporaryError
from nagar_nigam_cc.messaging.gateways.twilio import TwilioGateway, error_kind
from nagar_nigam_cc.messaging.models import Event, MessageTemplate, OutboundMessage

ACCOUNT_SID = "AC" + "3f1c2b7e9d8a4c6b5e0f1a2b3c4d5e6f"
AUTH_TOKEN = "9b1e6c3d2a7f4e8b0c5d1a6e3f2b7c4d"
SMS_FROM = "+19045550147"
MESSAGING_SERVICE = "MG" + "8c2d4e6f0a1b3c5d7e9f1a2b3c4d5e6f"
WHATSAPP_FROM = "+14155238886"
PUBLIC_URL = "https://nnc.example.in"
STATUS_CALLBACK = "https://nnc.example.in/messages/twilio/status/"
MESSAGES_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"

CITIZEN_MOBILE = "+919839012345"
OFFICER_MOBILE = "+919839055555"

State = OutboundMessage.State


# --- Twilio's answers, as its API reference shows them -------------------------------------------------------

def new_sid() -> str:
    return "SM" + uuid.uuid4().hex


def message_resource(form: dict[str, str], sid: str) -> dict:
    """The Message resource Twilio returns (201) for a POST to …/Messages.json."""
    now = "Mon, 02 Mar 2026 04:30:00 +0000"
    return {
        "account_sid": ACCOUNT_SID, "api_version": "2010-04-01", "body": form.get("Body", ""),
        "date_created": now, "date_sent": None, "date_updated": now, "direction": "outbound-api",
        "error_code": None, "error_message": None, "from": form.get("From"),
        "messaging_service_sid": form.get("MessagingServiceSid"), "num_media": "0", "num_segments": "1",
        "price": None, "price_unit": "USD", "sid": sid,
        "status": "accepted" if "MessagingServiceSid" in form else "queued",
        "subresource_uris": {"media": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}/Media.json"},
        "to": form.get("To"), "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json",
    }


def error_body(status: int, code: int, message: str) -> str:
    return json.dumps({"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                       "status": status})


def twilio_error(status: int, code: int, message: str) -> Response:
    return Response(status, error_body(status, code, message))


INVALID_TO = twilio_error(400, 21211, f"Invalid 'To' Phone Number: {CITIZEN_MOBILE[:7]}XXXXX")


class FakeHttp(HttpClient):
    """Twilio's Messages API at the SDK's HTTP boundary. Every request is kept in `requests`; a number
    in `answers` gets that answer (a Response, or an exception raised as the network would), any
    other a fresh message SID."""

    def __init__(self, answers: dict | None = None) -> None:
        super().__init__(logging.getLogger(__name__), False)
        self.requests: list[SimpleNamespace] = []
        self.answers = dict(answers or {})
        self.sids: list[str] = []

    def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False) -> Response:
        form = dict(data or {})
        self.requests.append(SimpleNamespace(method=method, uri=uri, form=form, auth=auth, headers=headers or {}))
        answer = self.answers.get(form.get("To"))
        if isinstance(answer, Exception):
            raise answer
        if answer is not None:
            return answer
        sid = new_sid()
        self.sids.append(sid)
        return Response(201, json.dumps(message_resource(form, sid)))


class FakeHttpTwilioGateway(TwilioGateway):
    """Our Twilio gateway, SDK and all, with only the HTTP client swapped (NNC_SMS_GATEWAY names it)."""

    def __init__(self) -> None:
        super().__init__(http_client=FakeHttp())

    @property
    def http(self) -> FakeHttp:
        return self.client.http_client


@pytest.fixture
def twilio_settings(settings):
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM = SMS_FROM
    settings.TWILIO_WHATSAPP_FROM = WHATSAPP_FROM
    settings.TWILIO_API_BASE = ""
    settings.NNC_PUBLIC_URL = PUBLIC_URL
    return settings


def sms(to: str = CITIZEN_MOBILE, body: str = "Complaint 2611-00042-7 registered.", channel: str = "sms") -> Outgoing:
    return Outgoing(channel=channel, to=to, body=body, reference="42:registered:citizen")


def send_expecting(error: type[Exception], answer, **message) -> Exception:
    gateway = TwilioGateway(http_client=FakeHttp({CITIZEN_MOBILE: answer}))
    with pytest.raises(error) as caught:
        gateway.send(sms(**message))
    return caught.value


# --- the gateway: what goes to Twilio ------------------------------------------------------------------------

def test_an_sms_is_posted_with_number_sender_text_and_status_callback_and_returns_twilio_s_sid(twilio_settings):
    http = FakeHttp()
    sid = TwilioGateway(http_client=http).send(sms())

    assert re.fullmatch(r"SM[0-9a-f]{32}", sid) and http.sids == [sid]
    [request] = http.requests
    assert (request.method, request.uri) == ("POST", MESSAGES_URL)
    assert request.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert request.form == {"To": CITIZEN_MOBILE, "From": SMS_FROM, "Body": "Complaint 2611-00042-7 registered.",
                            "StatusCallback": STATUS_CALLBACK}


def test_a_messaging_service_sid_in_twilio_from_is_sent_as_the_messaging_service(twilio_settings):
    twilio_settings.TWILIO_FROM = MESSAGING_SERVICE
    http = FakeHttp()
    TwilioGateway(http_client=http).send(sms())

    assert http.requests[0].form["MessagingServiceSid"] == MESSAGING_SERVICE
    assert "From" not in http.requests[0].form


def test_without_a_public_url_twilio_is_not_asked_to_call_back(twilio_settings):
    twilio_settings.NNC_PUBLIC_URL = ""
    http = FakeHttp()
    TwilioGateway(http_client=http).send(sms())

    assert "StatusCallback" not in http.requests[0].form


def test_a_public_url_with_a_trailing_slash_gives_one_slash_in_the_callback(twilio_settings):
    twilio_settings.NNC_PUBLIC_URL = PUBLIC_URL + "/"
    http = FakeHttp()
    TwilioGateway(http_client=http).send(sms())

    assert http.requests[0].form["StatusCallback"] == STATUS_CALLBACK


@pytest.mark.parametrize("configured_from", [WHATSAPP_FROM, f"whatsapp:{WHATSAPP_FROM}"])
def test_whatsapp_goes_from_and_to_whatsapp_addresses(twilio_settings, configured_from):
    twilio_settings.TWILIO_WHATSAPP_FROM = configured_from
    http = FakeHttp()
    TwilioGateway(http_client=http).send(sms(channel="whatsapp"))

    form = http.requests[0].form
    assert (form["To"], form["From"]) == (f"whatsapp:{CITIZEN_MOBILE}", f"whatsapp:{WHATSAPP_FROM}")


def test_whatsapp_does_not_use_the_sms_sender(twilio_settings):
    twilio_settings.TWILIO_WHATSAPP_FROM = ""
    http = FakeHttp()
    with pytest.raises(TemporaryError, match="TWILIO_WHATSAPP_FROM") as caught:
        TwilioGateway(http_client=http).send(sms(channel="whatsapp"))

    assert caught.value.code == "not_configured"
    assert http.requests == []


def test_without_credentials_nothing_is_sent_and_the_message_waits_for_the_administrator(twilio_settings):
    twilio_settings.TWILIO_AUTH_TOKEN = ""
    http = FakeHttp()
    with pytest.raises(TemporaryError, match="Twilio is not configured: set TWILIO_ACCOUNT_SID") as caught:
        TwilioGateway(http_client=http).send(sms())

    assert caught.value.code == "not_configured"
    assert http.requests == []


# --- the gateway: Twilio's refusals sorted into 'never' and 'later' ------------------------------------------

@pytest.mark.parametrize("status, code, message", [
    (400, 21211, "Invalid 'To' Phone Number: +91983XXXXX"),
    (400, 21408, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number"),
    (400, 21610, "Attempt to send to unsubscribed recipient"),
    (400, 21614, "'To' number is not a valid mobile number"),
    (400, 21635, "'To' number cannot be a landline"),
    (400, 63016, "Failed to send freeform message because you are outside the allowed window."),
    (400, 21602, "Message body is required."),  # any other 4xx: sending it again gives the same answer
    (404, 20404, "The requested resource was not found"),
])
def test_a_number_or_request_twilio_will_never_accept_is_a_permanent_error_with_twilio_s_code(
        twilio_settings, status, code, message):
    error = send_expecting(PermanentError, twilio_error(status, code, message))

    assert error.code == str(code)
    assert str(error) == f"Twilio {code}: Unable to create record: {message}"


@pytest.mark.parametrize("answer, code", [
    (twilio_error(429, 20429, "Too Many Requests"), "20429"),
    (twilio_error(500, 20500, "An internal server error has occurred"), "20500"),
    (twilio_error(400, 21611, "This 'From' number has exceeded the maximum number of queued messages"), "21611"),
    (twilio_error(400, 30001, "Queue overflow"), "30001"),
    (twilio_error(401, 20003, "Authenticate"), "20003"),  # wrong credentials: fixed by an administrator
    (Response(503, "<html><body><h1>503 Service Unavailable</h1></body></html>"), "503"),
    (Response(502, ""), "502"),
])
def test_a_rate_limit_an_outage_or_wrong_credentials_is_a_temporary_error(twilio_settings, answer, code):
    assert send_expecting(TemporaryError, answer).code == code


@pytest.mark.parametrize("failure, code", [
    (requests.ConnectionError("Max retries exceeded with url: /2010-04-01/Accounts/…/Messages.json"), "network"),
    (requests.ReadTimeout("Read timed out. (read timeout=10.0)"), "timeout"),
    (requests.ConnectTimeout("Connection to api.twilio.com timed out"), "timeout"),
])
def test_the_network_failing_is_a_temporary_error(twilio_settings, failure, code):
    assert send_expecting(TemporaryError, failure).code == code


def test_an_error_code_decides_before_the_http_status():
    assert error_kind(400, 21211) is PermanentError
    assert error_kind(400, 21611) is TemporaryError
    assert error_kind(500, 21610) is PermanentError
    assert error_kind(403, None) is PermanentError
    assert error_kind(401, None) is TemporaryError
    assert error_kind(301, None) is TemporaryError


# --- the gateway on the wire: a fake Twilio on 127.0.0.1 -----------------------------------------------------

class FakeTwilio(ThreadingHTTPServer):
    """POST /2010-04-01/Accounts/<sid>/Messages.json as Twilio answers it: Basic authentication with
    the account SID and auth token, a form body, 201 and the Message resource. Twilio's magic test
    number +15005550001 is refused with 21211."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _FakeTwilioHandler)
        self.received: list[SimpleNamespace] = []
        self.delay = 0.0
        self.release = threading.Event()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request, client_address) -> None:
        pass  # a client that timed out and went away is expected here


class _FakeTwilioHandler(BaseHTTPRequestHandler):
    server: FakeTwilio

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        form = dict(parse_qsl(self.rfile.read(length).decode()))
        self.server.received.append(SimpleNamespace(path=self.path, headers=dict(self.headers), form=form))
        if self.server.delay:
            self.server.release.wait(self.server.delay)
        match = re.fullmatch(r"/2010-04-01/Accounts/(AC[0-9a-f]{32})/Messages\.json", self.path)
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            self._answer(401, error_body(401, 20003, "Authenticate"))
        elif not match or match[1] != ACCOUNT_SID:
            self._answer(404, error_body(404, 20404, f"The requested resource {self.path} was not found"))
        elif form.get("To") == "+15005550001":
            self._answer(400, error_body(400, 21211, "The 'To' number +15005550001 is not a valid phone number."))
        else:
            self._answer(201, json.dumps(message_resource(form, new_sid())))

    def _answer(self, status: int, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture
def fake_twilio(twilio_settings):
    server = FakeTwilio()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    twilio_settings.TWILIO_API_BASE = server.base
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_the_default_client_sends_to_twilio_api_base_over_http(fake_twilio):
    body = "शिकायत 2611-00042-7 दर्ज हुई।"
    sid = TwilioGateway().send(sms(body=body))

    [request] = fake_twilio.received
    assert re.fullmatch(r"SM[0-9a-f]{32}", sid)
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.headers["User-Agent"].startswith("twilio-python/")
    assert request.form == {"To": CITIZEN_MOBILE, "From": SMS_FROM, "Body": body, "StatusCallback": STATUS_CALLBACK}


def test_over_the_wire_a_refused_number_is_permanent(fake_twilio):
    with pytest.raises(PermanentError) as caught:
        TwilioGateway().send(sms(to="+15005550001"))

    assert caught.value.code == "21211"


def test_over_the_wire_a_wrong_auth_token_is_temporary(fake_twilio, twilio_settings):
    twilio_settings.TWILIO_AUTH_TOKEN = "0" * 32
    with pytest.raises(TemporaryError) as caught:
        TwilioGateway().send(sms())

    assert caught.value.code == "20003"


def test_a_twilio_that_does_not_answer_in_time_is_a_temporary_error(fake_twilio, twilio_settings):
    twilio_settings.NNC_GATEWAY_TIMEOUT_SECONDS = 0.2
    fake_twilio.delay = 5.0
    with pytest.raises(TemporaryError) as caught:
        TwilioGateway().send(sms())

    assert caught.value.code == "timeout"


def test_a_twilio_that_cannot_be_reached_is_a_temporary_error(twilio_settings):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    twilio_settings.TWILIO_API_BASE = f"http://127.0.0.1:{port}"
    with pytest.raises(TemporaryError) as caught:
        TwilioGateway().send(sms())

    assert caught.value.code == "network"


def test_without_twilio_api_base_the_default_client_keeps_twilio_s_address(twilio_settings):
    client = TwilioGateway().client.http_client

    assert client.base == ""
    assert client.timeout == twilio_settings.NNC_GATEWAY_TIMEOUT_SECONDS
    assert client.session is not None  # connections are pooled


# --- delivery through Twilio --------------------------------------------------------------------------------

CITIZEN_TEMPLATE = "शिकायत {docket} दर्ज हुई: {category}, वार्ड {ward}।"
OFFICER_TEMPLATE = "नई शिकायत {docket}: {category}, वार्ड {ward}। नागरिक {mobile}"


@pytest.fixture
def templates(db):
    """The Hindi SMS words of the two messages a registration sends (the seed migration may have its
    own; these replace them so the tests know the text)."""
    for event, body in ((Event.REGISTERED, CITIZEN_TEMPLATE), (Event.ASSIGNED, OFFICER_TEMPLATE)):
        MessageTemplate.objects.update_or_create(event=event, channel="sms", language="hi",
                                                 defaults={"body": body, "is_active": True})


@pytest.fixture
def twilio_sms(twilio_settings, templates) -> FakeHttpTwilioGateway:
    """SMS go through our Twilio gateway, whose HTTP client is FakeHttp."""
    twilio_settings.NNC_SMS_GATEWAY = f"{__name__}.FakeHttpTwilioGateway"
    gateways.reset()
    yield gateways.for_channel("sms")
    gateways.reset()


@pytest.fixture
def complaint(officer, register, city):
    officer.mobile = OFFICER_MOBILE
    officer.save()
    return register(city.garbage, city.wards[1], mobile=CITIZEN_MOBILE)


def message(complaint, event: str) -> OutboundMessage:
    return OutboundMessage.objects.get(complaint=complaint, event=event)


def test_a_new_complaint_s_messages_go_out_through_twilio_with_their_sids(twilio_sms, complaint):
    result = deliver_due()

    assert (result.sent, result.failed, result.retried) == (2, 0, 0)
    to_citizen, to_officer = message(complaint, Event.REGISTERED), message(complaint, Event.ASSIGNED)
    docket = dockets.spoken(complaint.docket)
    assert to_citizen.body == f"शिकायत {docket} दर्ज हुई: कूड़ा नहीं उठा, वार्ड 1 · कर्नलगंज।"
    assert to_officer.body == f"नई शिकायत {docket}: कूड़ा नहीं उठा, वार्ड 1 · कर्नलगंज। नागरिक {CITIZEN_MOBILE}"
    sent = {r.form["To"]: r.form for r in twilio_sms.http.requests}
    for row, mobile in ((to_citizen, CITIZEN_MOBILE), (to_officer, OFFICER_MOBILE)):
        assert (row.state, row.gateway, row.attempts, row.error_code) == (State.SENT, "twilio", 1, "")
        assert row.sent_at is not None and row.next_attempt_at is None
        assert sent[mobile]["Body"] == row.body
        assert row.provider_id in twilio_sms.http.sids
    assert to_citizen.provider_id != to_officer.provider_id
    assert len(twilio_sms.http.requests) == 2


def test_a_number_twilio_calls_invalid_fails_for_good_and_is_not_tried_again(twilio_sms, complaint):
    twilio_sms.http.answers[CITIZEN_MOBILE] = INVALID_TO
    deliver_due()

    row = message(complaint, Event.REGISTERED)
    assert (row.state, row.error_code, row.provider_id, row.next_attempt_at) == (State.FAILED, "21211", "", None)
    assert "Invalid 'To' Phone Number" in row.last_error
    assert message(complaint, Event.ASSIGNED).state == State.SENT  # the officer's message is not held up

    deliver_due(now=timezone.now() + timedelta(days=1))
    assert len(twilio_sms.http.requests) == 2


def test_a_twilio_outage_keeps_the_message_for_a_later_attempt_which_succeeds(twilio_sms, complaint, settings):
    twilio_sms.http.answers[CITIZEN_MOBILE] = Response(503, "<html><body>503 Service Unavailable</body></html>")
    now = timezone.now()
    result = deliver_due(now=now)

    row = message(complaint, Event.REGISTERED)
    assert result.retried == 1
    assert (row.state, row.attempts, row.error_code, row.provider_id) == (State.QUEUED, 1, "503", "")
    base = timedelta(seconds=settings.NNC_MESSAGE_RETRY_BASE_SECONDS)
    assert now + base / 2 <= row.next_attempt_at <= now + base

    assert deliver_due(now=row.next_attempt_at - timedelta(seconds=1)).claimed == 0  # not before its time
    del twilio_sms.http.answers[CITIZEN_MOBILE]  # Twilio is back
    deliver_due(now=row.next_attempt_at)

    row.refresh_from_db()
    assert (row.state, row.attempts, row.error_code) == (State.SENT, 2, "")
    assert row.provider_id == twilio_sms.http.sids[-1]


def test_until_twilio_is_configured_messages_wait_in_the_queue(twilio_sms, complaint, twilio_settings):
    twilio_settings.TWILIO_ACCOUNT_SID = ""
    gateways.reset()  # the gateway reads its credentials when it is made
    now = timezone.now()
    deliver_due(now=now)

    row = message(complaint, Event.REGISTERED)
    assert (row.state, row.attempts, row.error_code) == (State.QUEUED, 1, "not_configured")
    assert row.next_attempt_at > now
    assert gateways.for_channel("sms").http.requests == []


# --- Twilio's status callback -------------------------------------------------------------------------------

STATUS_PATH = "/messages/twilio/status/"
INBOUND_PATH = "/messages/twilio/inbound/"


def post_signed(client, path: str, params: dict[str, str], *, token: str = AUTH_TOKEN, signature: str | None = None):
    """POST as Twilio does: form fields, X-Twilio-Signature over our URL and the fields."""
    if signature is None:
        signature = RequestValidator(token).compute_signature(f"http://testserver{path}", params)
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    return client.post(path, params, **headers)


def receipt(sid: str, status: str, **extra: str) -> dict[str, str]:
    """A status callback's fields as Twilio posts them."""
    return {"AccountSid": ACCOUNT_SID, "ApiVersion": "2010-04-01", "From": SMS_FROM, "MessageSid": sid,
            "MessageStatus": status, "SmsSid": sid, "SmsStatus": status, "To": CITIZEN_MOBILE, **extra}


@pytest.fixture
def sent_message(db, twilio_settings) -> OutboundMessage:
    """An acknowledgement Twilio has accepted."""
    now = timezone.now()
    return OutboundMessage.objects.create(
        key="7:registered:citizen", event=Event.REGISTERED, to_mobile=CITIZEN_MOBILE, language="hi",
        created_at=now, state=State.SENT, attempts=1, body="शिकायत 2611-00042-7 दर्ज हुई।", gateway="twilio",
        provider_id=new_sid(), sent_at=now,
    )


def unchanged(message: OutboundMessage) -> bool:
    fresh = OutboundMessage.objects.get(pk=message.pk)
    fields = ("state", "receipt", "delivered_at", "error_code", "sent_at", "attempts")
    return all(getattr(fresh, f) == getattr(message, f) for f in fields)


def test_a_delivered_receipt_marks_the_message_delivered(client, sent_message):
    response = post_signed(client, STATUS_PATH, receipt(sent_message.provider_id, "delivered"))

    assert response.status_code == 204
    sent_message.refresh_from_db()
    assert (sent_message.state, sent_message.receipt) == (State.DELIVERED, "delivered")
    assert sent_message.delivered_at is not None


def test_an_undelivered_receipt_records_twilio_s_error_code(client, sent_message):
    response = post_signed(client, STATUS_PATH, receipt(sent_message.provider_id, "undelivered", ErrorCode="30003"))

    assert response.status_code == 204
    sent_message.refresh_from_db()
    assert (sent_message.state, sent_message.error_code) == (State.UNDELIVERED, "30003")
    assert sent_message.delivered_at is None


def test_a_whatsapp_read_receipt_counts_as_delivered(client, sent_message):
    post_signed(client, STATUS_PATH, receipt(sent_message.provider_id, "read", ChannelPrefix="whatsapp"))

    sent_message.refresh_from_db()
    assert sent_message.state == State.DELIVERED


def test_a_late_sent_receipt_does_not_undo_delivered(client, sent_message):
    post_signed(client, STATUS_PATH, receipt(sent_message.provider_id, "delivered"))
    sent_message.refresh_from_db()

    assert post_signed(client, STATUS_PATH, receipt(sent_message.provider_id, "sent")).status_code == 204
    post_signed(client, STATUS_PATH, receipt(sent_message.provider_id, "undelivered", ErrorCode="30008"))

    fresh = OutboundMessage.objects.get(pk=sent_message.pk)
    assert (fresh.state, fresh.delivered_at, fresh.error_code) == (State.DELIVERED, sent_message.delivered_at, "")


def test_a_late_sent_receipt_leaves_the_receipt_at_delivered(client, sent_message):
    post_signed(client, STATUS_PATH, receipt(sent_message.provider_id, "delivered"))
    post_signed(client, STATUS_PATH, receipt(sent_message.provider_id, "sent"))

    sent_message.refresh_from_db()
    assert sent_message.receipt == "delivered"


def test_a_receipt_for_a_message_we_do_not_know_is_accepted_and_changes_nothing(client, sent_message):
    response = post_signed(client, STATUS_PATH, receipt(new_sid(), "delivered"))

    assert response.status_code == 204
    assert unchanged(sent_message)


def test_a_signed_receipt_without_a_status_is_a_bad_request(client, sent_message):
    response = post_signed(client, STATUS_PATH, {"MessageSid": sent_message.provider_id, "AccountSid": ACCOUNT_SID})

    assert response.status_code == 400
    assert unchanged(sent_message)


def refused(response, caplog) -> bool:
    warnings = [r for r in caplog.records if r.name == "nagar_nigam_cc.webhooks" and r.levelno == logging.WARNING]
    return response.status_code == 403 and len(warnings) == 1 and "refused" in warnings[0].getMessage()


def test_a_receipt_with_a_forged_signature_is_refused_logged_and_changes_nothing(client, sent_message, caplog):
    signed = receipt(sent_message.provider_id, "undelivered", ErrorCode="30003")
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"http://testserver{STATUS_PATH}", signed)
    forged = {**signed, "MessageStatus": "delivered", "SmsStatus": "delivered"}
    response = post_signed(client, STATUS_PATH, forged, signature=signature)

    assert refused(response, caplog)
    assert unchanged(sent_message)


def test_a_receipt_without_a_signature_is_refused_logged_and_changes_nothing(client, sent_message, caplog):
    response = post_signed(client, STATUS_PATH, receipt(sent_message.provider_id, "delivered"), signature="")

    assert refused(response, caplog)
    assert unchanged(sent_message)


def test_a_receipt_signed_with_another_token_is_refused_logged_and_changes_nothing(client, sent_message, caplog):
    response = post_signed(client, STATUS_PATH, receipt(sent_message.provider_id, "delivered"), token="f" * 32)

    assert refused(response, caplog)
    assert unchanged(sent_message)


def test_a_receipt_signed_for_another_address_is_refused(client, sent_message, caplog):
    params = receipt(sent_message.provider_id, "delivered")
    signature = RequestValidator(AUTH_TOKEN).compute_signature("https://elsewhere.example.com/status", params)

    assert refused(post_signed(client, STATUS_PATH, params, signature=signature), caplog)
    assert unchanged(sent_message)


def test_without_an_auth_token_configured_every_receipt_is_refused(client, sent_message, caplog, twilio_settings):
    params = receipt(sent_message.provider_id, "delivered")
    signature = RequestValidator("").compute_signature(f"http://testserver{STATUS_PATH}", params)
    twilio_settings.TWILIO_AUTH_TOKEN = ""

    assert refused(post_signed(client, STATUS_PATH, params, signature=signature), caplog)
    assert unchanged(sent_message)


def test_the_receipt_for_a_message_delivery_sent_through_twilio_reaches_it(client, twilio_sms, complaint):
    deliver_due()
    row = message(complaint, Event.REGISTERED)
    callback = twilio_sms.http.requests[0].form["StatusCallback"]
    assert callback == STATUS_CALLBACK

    post_signed(client, STATUS_PATH, receipt(row.provider_id, "delivered"))

    row.refresh_from_db()
    assert row.state == State.DELIVERED
    assert message(complaint, Event.ASSIGNED).state == State.SENT


# --- citizens' replies: only the refusal here (replies.receive has its own tests) ---------------------------

def inbound(body: str = "STATUS 2611000427") -> dict[str, str]:
    return {"AccountSid": ACCOUNT_SID, "ApiVersion": "2010-04-01", "Body": body, "From": CITIZEN_MOBILE,
            "MessageSid": new_sid(), "NumMedia": "0", "NumSegments": "1", "SmsMessageSid": "", "To": SMS_FROM}


@pytest.mark.parametrize("how", ["unsigned", "forged", "other token"])
def test_an_inbound_message_not_signed_by_twilio_is_refused_and_logged(client, twilio_settings, caplog, how):
    params = inbound()
    signature = {
        "unsigned": "",
        "forged": RequestValidator(AUTH_TOKEN).compute_signature(f"http://testserver{INBOUND_PATH}",
                                                                 {**params, "Body": "HELP"}),
        "other token": RequestValidator("f" * 32).compute_signature(f"http://testserver{INBOUND_PATH}", params),
    }[how]
    response = post_signed(client, INBOUND_PATH, params, signature=signature)

    assert refused(response, caplog)
