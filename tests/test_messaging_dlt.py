"""SMS through an Indian DLT gateway (messaging.gateways.dlt), in its three request styles, against the fake
gateway over real HTTP on 127.0.0.1; and the gateway's delivery reports coming back to our webhook.

What is proved: each style sends TRAI's fields (the 6-character header, the principal entity id, the
template's DLT id) and the Unicode flag for Hindi; the generic style passes our outbox key as the
client reference, so an answer lost on the way back does not make a second SMS; errors are sorted into
permanent (invalid number, a number outside India, no DLT template id, refused credentials) and
temporary (5xx, 408, 429, timeouts, a gateway that is down or not configured); and delivery through
`deliver_due` records the gateway's id, which its delivery reports then find. Nothing of ours is patched.
"""
from __future__ import annotations

import json
import logging
import socket
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from nagar_nigam_cc.messaging import gateways
from nagar_nigam_cc.messaging.delivery import deliver_due
from nagar_nigam_cc.messaging.fakegateway import FakeGateway
from nagar_nigam_cc.messaging.gateways import Outgoing, PermanentError, TemporaryError
from nagar_nigam_cc.messaging.models import Event, MessageTemplate, OutboundMessage

State = OutboundMessage.State
STYLES = ("generic", "gupshup", "msg91")
SENDER = "NNCPRJ"  # the city's registered 6-character header
ENTITY_ID = "1101456780000012345"  # its principal entity id on the DLT platform
TEMPLATE_ID = "1107160000000000001"
API_KEY = "s3cret-key"
USER_ID = "2000123456"
HINDI = "नगर निगम: शिकायत 2603-00001-4 दर्ज हुई।"
ENGLISH = "Nagar Nigam: complaint 2603-00001-4 is registered."
WEBHOOK_TOKEN = "dlt-hook-7f3a9c"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _gateways_from_these_settings():
    gateways.reset()
    yield
    gateways.reset()


@pytest.fixture
def fake():
    with FakeGateway(seed=11, permanent_numbers=["+919839099999"], api_key=API_KEY) as gateway:
        yield gateway


def use_dlt(settings, fake: FakeGateway, style: str = "generic", **overrides) -> None:
    """Point the SMS channel at the fake, in `style`, as an administrator's settings would."""
    settings.NNC_SMS_GATEWAY = "dlt"
    settings.NNC_DLT_STYLE = style
    settings.NNC_DLT_URL = {"generic": fake.send_url, "gupshup": fake.gupshup_url, "msg91": fake.msg91_url}[style]
    settings.NNC_DLT_API_KEY = API_KEY
    settings.NNC_DLT_USER = USER_ID
    settings.NNC_DLT_SENDER = SENDER
    settings.NNC_DLT_ENTITY_ID = ENTITY_ID
    settings.NNC_GATEWAY_TIMEOUT_SECONDS = 2
    settings.NNC_DLT_WEBHOOK_TOKEN = WEBHOOK_TOKEN
    for name, value in overrides.items():
        setattr(settings, name, value)
    gateways.reset()


def sms(to: str = "+919839012345", body: str = ENGLISH, *, reference: str = "42:registered:citizen",
        template_id: str = TEMPLATE_ID) -> Outgoing:
    return Outgoing(channel="sms", to=to, body=body, reference=reference, dlt_template_id=template_id)


def send(message: Outgoing) -> str:
    return gateways.for_channel("sms").send(message)


@pytest.fixture
def words(db):
    """The acknowledgement's templates, registered on DLT (whether or not the seeded defaults exist)."""
    for language, body in (("hi", "नगर निगम: शिकायत {docket} ({category}) दर्ज हुई।"),
                           ("en", "Nagar Nigam: complaint {docket} ({category}) is registered.")):
        MessageTemplate.objects.update_or_create(event=Event.REGISTERED, channel="sms", language=language,
                                                 defaults={"body": body, "dlt_template_id": TEMPLATE_ID,
                                                           "is_active": True})


def acknowledgement(complaint) -> OutboundMessage:
    return OutboundMessage.objects.get(complaint=complaint, event=Event.REGISTERED)


def soon(seconds: float = 1) -> timezone.datetime:
    return timezone.now() + timedelta(seconds=seconds)


# --- what each style sends ----------------------------------------------------------------------------------

def test_generic_style_posts_json_with_the_dlt_fields_and_our_reference(settings, fake):
    use_dlt(settings, fake, "generic")

    provider_id = send(sms(reference="42:registered:citizen"))

    [call] = fake.requests
    assert (call.style, call.path, call.headers["Authorization"]) == ("generic", "/send", f"Bearer {API_KEY}")
    assert call.json == {
        "to": "+919839012345", "text": ENGLISH, "sender": SENDER, "entity_id": ENTITY_ID, "template_id": TEMPLATE_ID,
        "unicode": False, "reference": "42:registered:citizen",
    }
    assert fake.delivered["42:registered:citizen"] == (provider_id, "+919839012345", ENGLISH, 1)


def test_gupshup_style_sends_its_enterprise_api_fields(settings, fake):
    use_dlt(settings, fake, "gupshup")

    provider_id = send(sms())

    [call] = fake.requests
    assert call.style == "gupshup" and call.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert call.params == {
        "method": "SendMessage", "send_to": "919839012345", "msg": ENGLISH, "msg_type": "TEXT", "userid": USER_ID,
        "password": API_KEY, "auth_scheme": "plain", "v": "1.1", "format": "json", "mask": SENDER,
        "principalEntityId": ENTITY_ID, "dltTemplateId": TEMPLATE_ID,
    }
    [(reference, delivered)] = fake.delivered.items()
    assert delivered.id == provider_id and delivered.to == "919839012345"


def test_msg91_style_sends_its_sendhttp_fields(settings, fake):
    use_dlt(settings, fake, "msg91")

    provider_id = send(sms())

    [call] = fake.requests
    assert call.style == "msg91"
    assert call.params == {
        "authkey": API_KEY, "mobiles": "919839012345", "message": ENGLISH, "sender": SENDER, "route": "4",
        "country": "91", "DLT_TE_ID": TEMPLATE_ID, "response": "json",
    }
    assert [d.id for d in fake.delivered.values()] == [provider_id]


def sent_fields(call) -> dict:
    return call.json if call.style == "generic" else call.params


#: Where each style says "Unicode", and what it says for English and for Hindi text.
UNICODE_FLAG = {"generic": ("unicode", False, True), "gupshup": ("msg_type", "TEXT", "Unicode_text"),
                "msg91": ("unicode", None, "1")}
#: Where each style puts the DLT template id.
TEMPLATE_FIELD = {"generic": "template_id", "gupshup": "dltTemplateId", "msg91": "DLT_TE_ID"}


@pytest.mark.parametrize("style", STYLES)
def test_hindi_text_goes_as_unicode_in_every_style(settings, fake, style):
    use_dlt(settings, fake, style)

    send(sms(body=ENGLISH, reference="1"))
    send(sms(body=HINDI, reference="2"))

    plain, unicode = (sent_fields(call) for call in fake.requests)
    field, english, hindi = UNICODE_FLAG[style]
    assert (plain.get(field), unicode.get(field)) == (english, hindi)
    assert HINDI in unicode.values()  # the Devanagari arrives intact


# --- sorting the errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("style, code", [("generic", "invalid_number"), ("gupshup", "105"), ("msg91", "203")])
def test_an_invalid_number_is_a_permanent_failure_with_the_gateways_code(settings, fake, style, code):
    use_dlt(settings, fake, style)

    with pytest.raises(PermanentError) as refused:
        send(sms(to="+919839099999"))

    assert refused.value.code == code
    assert not fake.delivered


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("status", [503, 500, 429, 408])
def test_an_overloaded_or_failing_gateway_is_a_temporary_error(settings, style, status):
    with FakeGateway(fail_rate=1.0, ambiguous_share=0.0, fail_statuses=(status,), api_key=API_KEY) as down:
        use_dlt(settings, down, style)

        with pytest.raises(TemporaryError) as later:
            send(sms())

    assert later.value.code == str(status)
    assert down.calls == 1 and not down.delivered


@pytest.mark.parametrize("style, code", [("generic", "unauthorised"), ("gupshup", "102"), ("msg91", "301")])
def test_refused_credentials_are_a_permanent_error(settings, fake, style, code):
    use_dlt(settings, fake, style, NNC_DLT_API_KEY="an-old-key")

    with pytest.raises(PermanentError) as refused:
        send(sms())

    assert refused.value.code == code


@pytest.mark.parametrize("to", ["+9779841234567", "+14155550123", "9839012345", "+91983901234"])
def test_a_number_outside_india_is_refused_before_any_call(settings, fake, to):
    use_dlt(settings, fake)

    with pytest.raises(PermanentError, match=r"DLT gateways reach Indian \(\+91\) mobiles only") as refused:
        send(sms(to=to))

    assert refused.value.code == "not_indian"
    assert fake.calls == 0


def test_a_template_without_its_dlt_id_is_refused_before_any_call(settings, fake):
    use_dlt(settings, fake)

    with pytest.raises(PermanentError) as refused:
        send(sms(template_id=""))

    assert refused.value.code == "no_dlt_template"
    assert fake.calls == 0


def test_a_gateway_not_configured_yet_is_a_temporary_error(settings, fake):
    use_dlt(settings, fake, NNC_DLT_URL="")

    with pytest.raises(TemporaryError, match="NNC_DLT_URL") as later:
        send(sms())

    assert later.value.code == "not_configured"


def test_a_gateway_that_does_not_answer_in_time_is_a_temporary_error(settings):
    with FakeGateway(latency=1.5) as slow:
        use_dlt(settings, slow, NNC_GATEWAY_TIMEOUT_SECONDS=0.3)
        started = time.monotonic()

        with pytest.raises(TemporaryError) as later:
            send(sms())

    assert later.value.code == "timeout"
    assert time.monotonic() - started < 1.4


def test_a_gateway_that_is_down_is_a_temporary_error(settings, fake):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    use_dlt(settings, fake, NNC_DLT_URL=f"http://127.0.0.1:{port}/send")

    with pytest.raises(TemporaryError) as later:
        send(sms())

    assert later.value.code == "connection"


def test_an_answer_lost_after_delivery_is_recognised_by_the_reference_on_the_next_try(settings):
    with FakeGateway(fail_rate=1.0, ambiguous_share=1.0, fail_statuses=(500,)) as flaky:
        use_dlt(settings, flaky)
        with pytest.raises(TemporaryError):
            send(sms(reference="7:registered:citizen"))
        assert flaky.delivered["7:registered:citizen"].submissions == 1  # it did go out

        flaky.fail_rate = 0.0
        provider_id = send(sms(reference="7:registered:citizen"))

    assert flaky.delivered["7:registered:citizen"] == (provider_id, "+919839012345", ENGLISH, 2)
    assert len(flaky.delivered) == 1


# --- through the outbox -------------------------------------------------------------------------------------

@pytest.mark.parametrize("style", STYLES)
def test_a_hindi_acknowledgement_goes_out_through_the_dlt_gateway(settings, fake, words, city, register, style):
    use_dlt(settings, fake, style)
    complaint = register(city.garbage, city.wards[1], mobile="+919839011111", language="hi")

    result = deliver_due(soon())

    message = acknowledgement(complaint)
    assert (result.sent, message.state, message.gateway, message.attempts) == (1, State.SENT, "dlt", 1)
    [(reference, delivered)] = fake.delivered.items()
    assert message.provider_id == delivered.id
    assert delivered.text == message.body and "दर्ज हुई" in message.body
    [call] = fake.requests
    fields = sent_fields(call)
    unicode_field, _, hindi = UNICODE_FLAG[style]
    assert (fields[TEMPLATE_FIELD[style]], fields[unicode_field]) == (TEMPLATE_ID, hindi)
    if style == "generic":
        assert reference == message.key == fields["reference"]


def test_an_acknowledgement_whose_answer_was_lost_reaches_the_citizen_once(settings, words, city, register):
    with FakeGateway(fail_rate=1.0, ambiguous_share=1.0, seed=3) as flaky:
        use_dlt(settings, flaky)
        complaint = register(city.garbage, city.wards[1], language="en")

        first = deliver_due(soon())
        message = acknowledgement(complaint)
        assert (first.retried, message.state) == (1, State.QUEUED)
        assert message.error_code in ("500", "503") and message.next_attempt_at > timezone.now()
        assert flaky.delivered[message.key].submissions == 1  # the citizen has it already

        flaky.fail_rate = 0.0
        second = deliver_due(message.next_attempt_at + timedelta(seconds=1))

    message.refresh_from_db()
    assert (second.sent, message.state, message.attempts) == (1, State.SENT, 2)
    assert flaky.delivered == {message.key: (message.provider_id, message.to_mobile, message.body, 2)}


def test_a_503_leaves_the_message_queued_for_a_later_attempt(settings, words, city, register):
    with FakeGateway(fail_rate=1.0, ambiguous_share=0.0, fail_statuses=(503,)) as down:
        use_dlt(settings, down)
        complaint = register(city.garbage, city.wards[1], language="en")

        result = deliver_due(soon())

    message = acknowledgement(complaint)
    assert (result.retried, message.state, message.error_code, message.attempts) == (1, State.QUEUED, "503", 1)
    assert message.next_attempt_at > timezone.now() and not down.delivered


def test_an_invalid_number_fails_in_the_desk_with_the_gateways_words(settings, fake, words, city, register):
    use_dlt(settings, fake)
    complaint = register(city.garbage, city.wards[1], mobile="+919839099999", language="en")

    result = deliver_due(soon())

    message = acknowledgement(complaint)
    assert (result.failed, message.state, message.error_code) == (1, State.FAILED, "invalid_number")
    assert "invalid number" in message.last_error and message.next_attempt_at is None


def test_a_template_not_registered_on_dlt_fails_without_a_call(settings, fake, words, city, register):
    use_dlt(settings, fake)
    MessageTemplate.objects.filter(event=Event.REGISTERED).update(dlt_template_id="")
    complaint = register(city.garbage, city.wards[1], language="en")

    deliver_due(soon())

    message = acknowledgement(complaint)
    assert (message.state, message.error_code, fake.calls) == (State.FAILED, "no_dlt_template", 0)


def test_a_citizen_with_a_nepali_mobile_is_not_sent_through_dlt(settings, fake, words, city, register):
    use_dlt(settings, fake)
    complaint = register(city.garbage, city.wards[1], mobile="+9779841234567", language="hi")

    deliver_due(soon())

    message = acknowledgement(complaint)
    assert (message.state, message.error_code, fake.calls) == (State.FAILED, "not_indian", 0)
    assert "+91" in message.last_error


# --- delivery reports ----------------------------------------------------------------------------------------

@pytest.fixture
def sent(settings, fake, words, city, register):
    """An acknowledgement sent through the generic DLT style: (message, the fake)."""
    use_dlt(settings, fake)
    complaint = register(city.garbage, city.wards[1], language="en")
    deliver_due(soon())
    message = acknowledgement(complaint)
    assert message.state == State.SENT
    return message


def receipt_url(token: str = WEBHOOK_TOKEN) -> str:
    return reverse("messaging:dlt-receipt", args=[token])


def test_a_delivery_report_marks_the_message_delivered(client, sent):
    response = client.get(receipt_url(), {"id": sent.provider_id, "status": "DELIVRD"})

    assert response.status_code == 200
    sent.refresh_from_db()
    assert (sent.state, sent.receipt) == (State.DELIVERED, "delivrd") and sent.delivered_at is not None


def test_a_failure_report_marks_it_undelivered_with_the_operators_code(client, sent):
    response = client.post(receipt_url(), {"id": sent.provider_id, "status": "undelivered", "errorCode": "003"})

    assert response.status_code == 200
    sent.refresh_from_db()
    assert (sent.state, sent.error_code) == (State.UNDELIVERED, "003")


@pytest.mark.parametrize("status, state", [("SUCCESS", State.DELIVERED), ("FAILURE", State.UNDELIVERED)])
def test_gupshups_report_is_understood(client, sent, status, state):
    """Gupshup's GET report: externalId, status SUCCESS | FAILURE | UNKNOWN, cause, errCode."""
    response = client.get(receipt_url(), {"externalId": sent.provider_id, "deliveredTS": "1772431200000",
                                           "status": status, "cause": "UNKNOWN_SUBSCRIBER", "phoneNo": "919839000000",
                                           "errCode": "003"})

    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.state == state
    if state == State.UNDELIVERED:
        assert sent.error_code == "003"


def test_gupshups_posted_events_are_understood(client, sent):
    events = [{"externalId": sent.provider_id, "eventType": "DELIVERED", "eventTs": 1772431200000,
               "destAddr": "919839000000", "cause": "SUCCESS", "errCode": "000", "channel": "SMS"},
              {"externalId": "no-such-message", "eventType": "FAILED", "cause": "UNKNOWN_SUBSCRIBER"}]

    response = client.post(receipt_url(), json.dumps(events), content_type="application/json")

    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.state == State.DELIVERED


def test_msg91s_report_is_understood(client, sent):
    data = [{"senderId": SENDER, "requestId": sent.provider_id, "campaignName": "Sendhttp", "report": [
        {"date": "2026-03-02 10:06:20", "number": "919839000000", "status": "2", "desc": "FAILED",
         "failedReason": "Absent subscriber"}]}]

    response = client.post(receipt_url(), {"data": json.dumps(data)})

    assert response.status_code == 200
    sent.refresh_from_db()
    assert (sent.state, sent.error_code) == (State.UNDELIVERED, "Absent subscriber")


def test_a_report_without_an_id_or_status_is_a_bad_request(client, sent):
    assert client.get(receipt_url(), {"status": "DELIVRD"}).status_code == 400
    assert client.get(receipt_url(), {"id": sent.provider_id}).status_code == 400


@pytest.mark.parametrize("configured, used", [(WEBHOOK_TOKEN, "guessed-token"), ("", "anything"), ("", "")])
def test_a_report_with_a_wrong_or_missing_token_is_refused_and_changes_nothing(client, settings, sent, caplog,
                                                                                configured, used):
    settings.NNC_DLT_WEBHOOK_TOKEN = configured
    url = receipt_url(used) if used else receipt_url("x").replace("/x/", "//")

    with caplog.at_level(logging.WARNING, logger="nagar_nigam_cc.webhooks"):
        response = client.get(url, {"id": sent.provider_id, "status": "DELIVRD"})

    assert response.status_code in ((403,) if used else (403, 404))
    if used:
        assert "webhook refused (bad token)" in caplog.text
    sent.refresh_from_db()
    assert (sent.state, sent.receipt, sent.delivered_at) == (State.SENT, "", None)


@pytest.fixture
def roles_exist(transactional_db):
    """The role groups come from a data migration that a transactional test's flush removes (see
    test_docket_concurrency)."""
    from django.contrib.auth.models import Group

    from nagar_nigam_cc.directory import roles

    for name in roles.ALL:
        Group.objects.get_or_create(name=name)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("style", STYLES)
def test_the_fake_gateways_own_reports_reach_our_webhook(settings, roles_exist, live_server, city, register, words,
                                                         style):
    """End to end over HTTP both ways: the fake reports delivery, in its style's shape, to the webhook."""
    with FakeGateway(receipt_url=live_server.url + receipt_url(), receipt_delay=0.2) as reporting:
        use_dlt(settings, reporting, style)
        complaint = register(city.garbage, city.wards[1], language="en")
        deliver_due(soon())
        message = acknowledgement(complaint)
        deadline = time.monotonic() + 10
        while message.state == State.SENT and time.monotonic() < deadline:
            time.sleep(0.1)
            message.refresh_from_db()

    assert message.state == State.DELIVERED
    assert message.provider_id == next(iter(reporting.delivered.values())).id
