"""The outbox and its delivery: messages are written with their cause, sent once, retried when the
gateway has a bad moment, stopped when it never can succeed, held for the quiet hours, and an officer's
many reminders go out as one message.

The gateways are real: the console gateway (the default), and the DLT HTTP gateway pointed at a port
where nothing listens (a gateway that is down). Nothing of ours is patched.
"""
from __future__ import annotations

import socket
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from nagar_nigam_cc import scheduling
from nagar_nigam_cc.complaints.actions import NewComplaint, do_assign, do_register, do_resolve
from nagar_nigam_cc.complaints.models import Complaint
from nagar_nigam_cc.messaging import delivery, gateways, outbox
from nagar_nigam_cc.messaging.delivery import DeliveryResult, Templates, claim, deliver_due, retry_delay
from nagar_nigam_cc.messaging.models import Event, MessageTemplate, MessagingSettings, OutboundMessage
from tests.conftest import make_officer, photo_upload

IST = ZoneInfo("Asia/Kolkata")
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=IST)
State = OutboundMessage.State

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _gateways_from_these_settings():
    gateways.reset()
    yield
    gateways.reset()


@pytest.fixture
def words(db):
    """The templates these tests read (whether or not the seeded defaults exist)."""
    texts = {
        (Event.REGISTERED, "hi"): "शिकायत {docket} दर्ज हुई ({category}), निस्तारण {due} तक।",
        (Event.REGISTERED, "en"): "Complaint {docket} registered ({category}), due by {due}.",
        (Event.ASSIGNED, "hi"): "नई शिकायत {docket}: {category}, {ward}, {address}",
        (Event.RESOLVED, "en"): "Complaint {docket} is resolved. Reply 1 if satisfied, 2 if not.",
        (Event.REMINDER_DIGEST, "hi"): "{count} शिकायतों का समय पूरा होने वाला है: {dockets}",
    }
    for (event, language), body in texts.items():
        MessageTemplate.objects.update_or_create(event=event, channel="sms", language=language,
                                                 defaults={"body": body, "is_active": True})
    return texts


@pytest.fixture
def officer_with_mobile(officer):
    officer.mobile = "+919839000001"
    officer.save()
    return officer


def citizen_message(complaint, event=Event.REGISTERED) -> OutboundMessage:
    return OutboundMessage.objects.get(complaint=complaint, event=event, to_officer__isnull=True)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gateway_down(settings):
    """SMS through the DLT HTTP gateway, at an address where nothing answers."""
    settings.NNC_SMS_GATEWAY = "dlt"
    settings.NNC_DLT_URL = f"http://127.0.0.1:{closed_port()}/send"
    settings.NNC_DLT_API_KEY = "key"
    settings.NNC_GATEWAY_TIMEOUT_SECONDS = 2
    gateways.reset()
    MessageTemplate.objects.update(dlt_template_id="1107160000000000001")


# --- written with the change that causes it -------------------------------------------------------------

def test_registering_queues_the_acknowledgement_and_the_officers_new_complaint(city, officer_with_mobile, register):
    complaint = register(city.garbage, city.wards[1], language="en")
    queued = {(m.event, m.to_mobile, m.language, m.state) for m in OutboundMessage.objects.filter(complaint=complaint)}
    assert queued == {
        (Event.REGISTERED, complaint.citizen.mobile, "en", State.QUEUED),
        (Event.ASSIGNED, "+919839000001", "hi", State.QUEUED),
    }


def test_a_registration_that_rolls_back_leaves_no_message_behind(city, officer, agent):
    new = NewComplaint(mobile="+919839055555", category=city.garbage, ward=city.wards[1], description="Heap")
    with pytest.raises(RuntimeError), transaction.atomic():
        do_register(new, actor=agent)
        raise RuntimeError("the caller's transaction fails after registering")
    assert not Complaint.objects.exists()
    assert not OutboundMessage.objects.exists()


def test_reassigning_tells_the_new_officer_and_resolving_asks_the_citizen(city, officer, head, register):
    other = make_officer("other", "Field officer", city.sanitation, wards=[city.wards[1]], mobile="+919839000009")
    complaint = register(city.garbage, city.wards[1])
    do_assign(complaint, other, actor=head.user, reason="Closer to the site")
    do_assign(complaint, officer, actor=head.user, reason="Back to the ward officer")
    do_assign(complaint, other, actor=head.user, reason="Again")  # the same officer twice: two messages
    assert OutboundMessage.objects.filter(complaint=complaint, event=Event.ASSIGNED, to_officer=other).count() == 2
    do_resolve(complaint, actor=head.user, remarks="Lifted", photo=photo_upload())
    assert citizen_message(complaint, Event.RESOLVED).to_mobile == complaint.citizen.mobile


# --- sending ----------------------------------------------------------------------------------------------

def test_delivery_writes_each_message_in_the_recipients_language_and_records_the_gateways_id(
        city, officer_with_mobile, register, words):
    hindi = register(city.garbage, city.wards[1], language="hi", address="Near the water tank")
    english = register(city.garbage, city.wards[2], language="en")
    result = deliver_due()
    assert (result.claimed, result.sent, result.failed) == (4, 4, 0)
    ack_hi, ack_en = citizen_message(hindi), citizen_message(english)
    assert ack_hi.body.startswith(f"शिकायत {hindi.docket[:4]}-") and "कूड़ा नहीं उठा" in ack_hi.body
    assert ack_en.body.startswith(f"Complaint {english.docket[:4]}-") and "Garbage not lifted" in ack_en.body
    for m in (ack_hi, ack_en):
        assert (m.state, m.gateway, m.attempts, m.next_attempt_at) == (State.SENT, "console", 1, None)
        assert m.provider_id.startswith("console-") and m.sent_at is not None
        assert m.template.language == m.language
    # The officer's copy names the place: ward and address.
    to_officer = OutboundMessage.objects.get(complaint=hindi, event=Event.ASSIGNED)
    assert "कर्नलगंज" in to_officer.body and "Near the water tank" in to_officer.body
    assert deliver_due().claimed == 0, "a sent message is never claimed again"


def test_without_a_template_in_the_citizens_language_the_other_language_is_used(city, officer, register, words):
    complaint = register(city.garbage, city.wards[1], language="en")
    MessageTemplate.objects.filter(event=Event.REGISTERED, language="en").update(is_active=False)
    deliver_due()
    assert citizen_message(complaint).body.startswith("शिकायत ")


def test_a_message_with_no_template_fails_for_good_and_is_sent_once_one_is_added(city, officer, register, words):
    complaint = register(city.garbage, city.wards[1])
    MessageTemplate.objects.filter(event=Event.REGISTERED).delete()
    deliver_due()
    failed = citizen_message(complaint)
    assert (failed.state, failed.error_code) == (State.FAILED, "no_template")
    assert "add one in the desk" in failed.last_error
    assert deliver_due().claimed == 0, "a permanent failure is not retried by itself"

    MessageTemplate.objects.create(event=Event.REGISTERED, language="hi", body="शिकायत {docket} दर्ज।")
    assert delivery.do_retry([failed]) == 1
    deliver_due()
    failed.refresh_from_db()
    assert (failed.state, failed.attempts, failed.error_code) == (State.SENT, 1, "")


def test_an_officer_without_a_mobile_is_a_permanent_failure_the_desk_shows(city, officer, register, words):
    complaint = register(city.garbage, city.wards[1])
    deliver_due()
    message = OutboundMessage.objects.get(complaint=complaint, event=Event.ASSIGNED)
    assert (message.state, message.error_code) == (State.FAILED, "no_recipient")


def test_a_gateway_that_is_down_gets_the_message_again_later_with_growing_waits(
        city, officer, register, words, gateway_down, settings):
    settings.NNC_MESSAGE_MAX_ATTEMPTS = 3
    complaint = register(city.garbage, city.wards[1])
    message = citizen_message(complaint)
    now = message.created_at
    waits = []
    for attempt in (1, 2):
        result = deliver_due(now=now)
        message.refresh_from_db()
        assert (message.state, message.attempts, result.retried) == (State.QUEUED, attempt, 1)
        assert message.error_code and message.last_error
        wait = (message.next_attempt_at - now).total_seconds()
        full = settings.NNC_MESSAGE_RETRY_BASE_SECONDS * 2 ** (attempt - 1)
        assert full / 2 <= wait <= full
        waits.append(wait)
        assert deliver_due(now=now).claimed == 0, "not before its time"
        now = message.next_attempt_at
    deliver_due(now=now)
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.FAILED, 3)
    assert message.last_error.startswith("Gave up after 3 attempts")


@given(attempt=st.integers(1, 40), rand=st.floats(0, 1, exclude_max=True))
def test_retry_waits_grow_by_doubling_up_to_the_cap_and_keep_half_of_it_at_least(attempt, rand):
    base, cap = 30.0, 3600.0
    full = min(cap, base * 2 ** (attempt - 1))
    wait = retry_delay(attempt, base, cap, rand)
    assert full / 2 <= wait <= full
    assert retry_delay(attempt + 1, base, cap, rand) >= wait


# --- workers side by side -----------------------------------------------------------------------------------

def test_claimed_messages_are_not_claimed_again_until_the_lease_runs_out(city, officer, register, words, settings):
    settings.NNC_MESSAGE_LEASE_SECONDS = 60
    register(city.garbage, city.wards[1])
    now = OutboundMessage.objects.latest("id").created_at
    first = claim(now, 10)
    assert len(first) == 2 and {m.state for m in first} == {State.SENDING}
    assert claim(now + timedelta(seconds=59), 10) == []
    second = claim(now + timedelta(seconds=61), 10)  # the first worker died: another takes over
    assert {m.pk for m in second} == {m.pk for m in first} and {m.attempts for m in second} == {2}

    # The first worker wakes up late: its answer no longer counts, the second one's does.
    late = DeliveryResult()
    delivery.deliver_one(first[0], now, MessagingSettings.current(), Templates(), late)
    assert (late.sent, late.lost_lease) == (0, 1)
    on_time = DeliveryResult()
    delivery.deliver_one(next(m for m in second if m.pk == first[0].pk), now, MessagingSettings.current(),
                         Templates(), on_time)
    assert on_time.sent == 1
    assert OutboundMessage.objects.get(pk=first[0].pk).attempts == 2


# --- quiet hours ------------------------------------------------------------------------------------------

@given(moment=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(IST)),
       start=st.times(), end=st.times())
def test_quiet_hours_end_at_their_end_and_only_when_now_is_inside_them(moment, start, end):
    end_at = outbox.quiet_end(moment, start, end, "Asia/Kolkata")
    t = moment.time()
    if start == end:
        assert end_at is None
        return
    inside = start <= t < end if start < end else (t >= start or t < end)
    assert (end_at is not None) == inside
    if end_at is not None:
        assert moment < end_at <= moment + timedelta(days=1)
        assert end_at.astimezone(IST).time() == end


def test_at_night_the_citizen_gets_the_acknowledgement_now_and_other_news_in_the_morning(
        city, officer, head, register, words):
    with time_machine.travel(datetime(2026, 3, 2, 23, 15, tzinfo=IST), tick=False):
        complaint = register(city.garbage, city.wards[1])
        do_resolve(complaint, actor=head.user, remarks="Lifted", photo=photo_upload())
        deliver_due()
    assert citizen_message(complaint).state == State.SENT
    resolved = citizen_message(complaint, Event.RESOLVED)
    assert (resolved.state, resolved.attempts) == (State.QUEUED, 0)
    assert resolved.next_attempt_at == datetime(2026, 3, 3, 8, 0, tzinfo=IST)
    assert deliver_due(now=datetime(2026, 3, 3, 7, 59, tzinfo=IST)).claimed == 0
    deliver_due(now=datetime(2026, 3, 3, 8, 0, tzinfo=IST))
    resolved.refresh_from_db()
    assert resolved.state == State.SENT


def test_a_message_queued_in_the_evening_and_still_waiting_at_night_is_held_not_counted(
        city, officer, head, register, words):
    complaint = register(city.garbage, city.wards[1])
    do_resolve(complaint, actor=head.user, remarks="Lifted", photo=photo_upload(),
               now=datetime(2026, 3, 2, 20, 30, tzinfo=IST))
    resolved = citizen_message(complaint, Event.RESOLVED)
    assert resolved.next_attempt_at == datetime(2026, 3, 2, 20, 30, tzinfo=IST)
    result = deliver_due(now=datetime(2026, 3, 2, 21, 30, tzinfo=IST))  # the gateway was down until now
    resolved.refresh_from_db()
    assert result.deferred >= 1
    assert (resolved.state, resolved.attempts) == (State.QUEUED, 0)
    assert resolved.next_attempt_at == datetime(2026, 3, 3, 8, 0, tzinfo=IST)


def test_quiet_hours_can_be_switched_off_in_the_desk(city, officer, head, register, words):
    MessagingSettings(quiet_hours=False).save()
    complaint = register(city.garbage, city.wards[1])
    at_night = datetime(2026, 3, 2, 23, 15, tzinfo=IST)
    do_resolve(complaint, actor=head.user, remarks="Lifted", photo=photo_upload(), now=at_night)
    assert citizen_message(complaint, Event.RESOLVED).next_attempt_at == at_night


# --- an officer's reminders, combined -----------------------------------------------------------------------

def test_many_reminders_due_for_one_officer_go_out_as_one_message(city, officer_with_mobile, register, words):
    from tests.test_sla_sweep import make_policy
    from nagar_nigam_cc.sla.sweep import sweep

    make_policy(city.garbage, 24, "50")
    complaints = [register(city.garbage, city.wards[1]) for _ in range(3)]
    lonely = register(city.sweeping, city.wards[1])  # no policy: no reminder
    sweep(now=max(c.registered_at for c in complaints) + timedelta(hours=13))

    digest = OutboundMessage.objects.get(event=Event.REMINDER_DIGEST)
    parts = OutboundMessage.objects.filter(event=Event.REMINDER).order_by("id")
    assert [p.complaint_id for p in parts] == [c.pk for c in complaints]
    assert {(p.state, p.digest_id, p.next_attempt_at) for p in parts} == {(State.BATCHED, digest.pk, None)}
    assert (digest.to_officer, digest.context["count"]) == (officer_with_mobile, 3)
    assert sorted(digest.context["parts"]) == sorted(c.docket for c in complaints)
    assert not OutboundMessage.objects.filter(complaint=lonely, event=Event.REMINDER).exists()

    deliver_due(now=digest.created_at)
    digest.refresh_from_db()
    assert digest.state == State.SENT and digest.body.startswith("3 शिकायतों")
    assert "+1" in digest.body, "two dockets listed by number, the third counted"
    assert set(parts.values_list("state", flat=True)) == {State.BATCHED}, "the parts are not sent one by one"


def test_a_single_reminder_goes_out_on_its_own(city, officer_with_mobile, register, words):
    from tests.test_sla_sweep import make_policy
    from nagar_nigam_cc.sla.sweep import sweep

    make_policy(city.garbage, 24, "50")
    complaint = register(city.garbage, city.wards[1])
    sweep(now=complaint.registered_at + timedelta(hours=13))
    reminder = OutboundMessage.objects.get(event=Event.REMINDER)
    assert (reminder.state, reminder.digest) == (State.QUEUED, None)
    assert not OutboundMessage.objects.filter(event=Event.REMINDER_DIGEST).exists()


# --- receipts ----------------------------------------------------------------------------------------------

def test_receipts_move_a_sent_message_forward_only(city, officer, register, words):
    complaint = register(city.garbage, city.wards[1])
    deliver_due()
    m = citizen_message(complaint)
    assert delivery.do_record_receipt("console", m.provider_id, "delivered")
    m.refresh_from_db()
    assert (m.state, m.receipt) == (State.DELIVERED, "delivered") and m.delivered_at
    delivery.do_record_receipt("console", m.provider_id, "undelivered", error_code="30005")
    m.refresh_from_db()
    assert m.state == State.DELIVERED, "a late failure report never undoes a delivery"
    assert not delivery.do_record_receipt("console", "no-such-id", "delivered")
    assert not delivery.do_record_receipt("twilio", m.provider_id, "delivered"), "ids are per gateway"


def test_an_undelivered_receipt_marks_the_message_for_a_person_to_look_at(city, officer, register, words):
    complaint = register(city.garbage, city.wards[1])
    deliver_due()
    m = citizen_message(complaint)
    delivery.do_record_receipt("console", m.provider_id, "UNDELIV", error_code="30003")
    m.refresh_from_db()
    assert (m.state, m.error_code) == (State.UNDELIVERED, "30003")
    assert delivery.do_retry([m]) == 1
    m.refresh_from_db()
    assert (m.state, m.attempts) == (State.QUEUED, 0)


# --- the scheduler runs it ----------------------------------------------------------------------------------

def test_the_periodic_delivery_job_sends_what_is_due(city, officer, register, words):
    complaint = register(city.garbage, city.wards[1])
    job = scheduling.get_job("deliver-messages")
    assert job.every_seconds <= 10, "an acknowledgement within seconds"
    scheduling.run_job_by_name("deliver-messages")
    assert citizen_message(complaint).state == State.SENT


def test_message_settings_refuse_an_empty_quiet_window_and_too_small_digests(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        MessagingSettings(quiet_from=time(22), quiet_until=time(22)).clean()
    with pytest.raises(ValidationError):
        MessagingSettings(digest_from=1).clean()


def test_a_one_time_code_leaves_no_readable_copy_once_sent(city, officer, register, words):
    complaint = register(city.garbage, city.wards[1])
    MessageTemplate.objects.update_or_create(event=Event.OTP, channel="sms", language="hi",
                                             defaults={"body": "आपका कोड {code} है।"})
    otp = outbox.to_citizen(complaint, Event.OTP, "otp:test", complaint.registered_at, context={"code": "482913"})
    outbox.put(otp)
    deliver_due()
    sent = OutboundMessage.objects.get(key="otp:test")
    assert sent.state == State.SENT
    assert "482913" not in sent.body and "••••••" in sent.body
    assert "code" not in sent.context
