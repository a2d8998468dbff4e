"""Messages in the desk (issue 4): the outbox, citizens' replies, templates and the message settings.

What is proven here, through the Django test client as each person would use the desk:
- the seeded templates: one in Hindi and one in English for every kind of message, each valid, every
  Hindi one (the acknowledgement above all) within two SMS parts at the longest variable values;
- scoping: a department head sees his department's messages and those sent to him, never another
  department's; combined reminders (no complaint) only by the commissioner, the auditor and their
  addressee; a citizen's number is masked for those who may not call them back, also inside a text
  and in the page's title;
- "send again" requeues only failed and undelivered messages, and only for the commissioner;
- a template with an unknown variable, unbalanced braces or a format spec is refused with the reason;
  the size in SMS parts is shown, and saving a text longer than two parts warns;
- the settings are one row: the list opens it, nobody adds a second or deletes it;
- the pages speak Hindi and English.
"""
from __future__ import annotations

import importlib
from datetime import time

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.utils import timezone

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.phones import masked
from nagar_nigam_cc.directory import roles
from nagar_nigam_cc.messaging import admin as messaging_admin
from nagar_nigam_cc.messaging import delivery, templating
from nagar_nigam_cc.messaging.models import (
    Event,
    InboundMessage,
    MessageTemplate,
    MessagingSettings,
    OutboundMessage,
)
from tests.conftest import PASSWORD, make_officer

OUTBOX = "/desk/messaging/outboundmessage/"
REPLIES = "/desk/messaging/inboundmessage/"
TEMPLATES = "/desk/messaging/messagetemplate/"
SETTINGS = "/desk/messaging/messagingsettings/"

seed = importlib.import_module("nagar_nigam_cc.messaging.migrations.0003_default_templates")

pytestmark = pytest.mark.django_db
State = OutboundMessage.State


def login(client, user, language: str = "en"):
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = language
    return client


def listed(client, url: str, **params) -> list:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return list(response.context["cl"].result_list)


def flashes(response, level: str) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == level]


def message(complaint=None, *, to=None, event="reminder", state=State.QUEUED, mobile="+919839000001", **fields):
    key = f"test:{event}:{complaint.pk if complaint else '-'}:{to.pk if to else mobile}:{OutboundMessage.objects.count()}"
    return OutboundMessage.objects.create(key=key, event=event, complaint=complaint, to_officer=to, to_mobile=mobile,
                                          state=state, created_at=timezone.now(), **fields)


def reply(complaint=None, *, mobile="+919839000077", body="1", outcome="confirmed"):
    return InboundMessage.objects.create(
        channel="sms", gateway="dlt", provider_id=f"in-{InboundMessage.objects.count()}", from_mobile=mobile,
        body=body, received_at=timezone.now(), complaint=complaint, outcome=outcome,
    )


@pytest.fixture
def jalkal_head(city):
    """The head of another department (Jal Kal): reads messages, but only his department's."""
    return make_officer("jalhead", roles.DEPARTMENT_HEAD, city.jalkal, level=3, designation="Executive Engineer")


@pytest.fixture
def garbage(city, officer, head, register):
    """A sanitation complaint (its registration queued the acknowledgement and the officer's message)."""
    return register(city.garbage, city.wards[1], mobile="+919839055555")


@pytest.fixture
def sewer(city, outsider, jalkal_head, register):
    return register(city.sewer, city.wards[1], mobile="+919839066666")


# --- the seeded templates -----------------------------------------------------------------------------------

def templated_events() -> list[str]:
    return [e for e in Event.values if e not in getattr(templating, "LITERAL", ())]


def test_every_kind_of_message_has_a_hindi_and_an_english_sms_template():
    seeded = set(MessageTemplate.objects.filter(channel="sms", is_active=True).values_list("event", "language"))
    missing = {(e, lang) for e in templated_events() for lang in ("hi", "en")} - seeded
    assert not missing


def test_every_seeded_template_uses_only_its_events_variables():
    for template in MessageTemplate.objects.all():
        assert templating.problems(template.event, template.body) == [], template
        template.full_clean()


def test_every_hindi_template_fits_in_two_sms_parts_at_the_longest_values():
    for template in MessageTemplate.objects.filter(language="hi"):
        size = templating.template_size(template.event, template.body)
        assert size.encoding == "UCS-2" and size.parts <= 2, (template.event, size)


def test_the_hindi_acknowledgement_names_the_docket_category_due_time_and_link_in_two_parts():
    ack = MessageTemplate.objects.get(event=Event.REGISTERED, channel="sms", language="hi")
    assert [name for name, _spec, _conv in templating.fields(ack.body)] == ["docket", "category", "due", "link"]
    assert templating.template_size(Event.REGISTERED, ack.body).parts == 2


def test_every_english_template_is_plain_gsm_within_two_parts():
    for template in MessageTemplate.objects.filter(language="en"):
        size = templating.template_size(template.event, template.body)
        assert size.encoding == "GSM-7" and size.parts <= 2, (template.event, size)


def test_the_resolved_message_asks_for_1_or_2():
    for language in ("hi", "en"):
        body = MessageTemplate.objects.get(event=Event.RESOLVED, channel="sms", language=language).body
        assert " 1" in body and " 2" in body
    assert "1 {docket}" in MessageTemplate.objects.get(event=Event.RESOLVED, language="en").body
    help_text = MessageTemplate.objects.get(event=Event.REPLY_HELP, language="en").body
    assert "STATUS" in help_text and " 1 " in help_text and " 2 " in help_text


def test_the_seeded_templates_wait_for_the_citys_own_dlt_ids():
    assert not MessageTemplate.objects.exclude(dlt_template_id="").exists()


def test_going_back_removes_the_seeded_templates_but_keeps_the_citys_own_words():
    edited = MessageTemplate.objects.get(event=Event.CLOSED, language="hi")
    edited.body = "नगर निगम: शिकायत {docket} बंद।"
    edited.save()
    seed.remove_templates(apps, None)
    assert list(MessageTemplate.objects.values_list("event", "language")) == [(Event.CLOSED, "hi")]
    assert not MessagingSettings.objects.exists()

    seed.add_templates(apps, None)  # forward again: the city's text is not overwritten
    edited.refresh_from_db()
    assert edited.body == "नगर निगम: शिकायत {docket} बंद।"
    assert MessageTemplate.objects.count() == len(seed.TEMPLATES)
    assert MessagingSettings.objects.filter(pk=1).exists()


def test_a_seeded_acknowledgement_is_what_the_citizen_gets(city, officer, register):
    complaint = register(city.garbage, city.wards[1], mobile="+919839012345", language="hi")
    delivery.deliver_due()
    sent = OutboundMessage.objects.get(complaint=complaint, event=Event.REGISTERED)
    assert sent.state == State.SENT
    assert sent.body.startswith(f"नगर निगम: शिकायत {dockets.spoken(complaint.docket)} (कूड़ा नहीं उठा) दर्ज, हल ")
    assert templating.sms_size(sent.body).parts <= 2


# --- the outbox ---------------------------------------------------------------------------------------------

@pytest.fixture
def outbox(garbage, officer, head):
    rows = [("reminder", officer, State.QUEUED), ("escalation", head, State.SENT), ("breach", officer, State.FAILED)]
    return [message(garbage, to=to, event=event, state=state) for event, to, state in rows]


def test_the_outbox_lists_messages_with_their_docket_and_filters_them(client, commissioner, garbage, outbox):
    login(client, commissioner)
    response = client.get(OUTBOX)
    queued_at_registration = set(OutboundMessage.objects.filter(complaint=garbage, event__in=["registered", "assigned"]))
    assert len(queued_at_registration) == 2
    assert set(response.context["cl"].result_list) == set(outbox) | queued_at_registration
    page = response.content.decode()
    assert dockets.spoken(garbage.docket) in page and "escalation (to the senior officer)" in page
    assert [m.event for m in listed(client, OUTBOX, state="failed")] == ["breach"]
    assert [m.state for m in listed(client, OUTBOX, event="escalation")] == ["sent"]
    assert {m.event for m in listed(client, OUTBOX, q=garbage.docket)} == {
        "registered", "assigned", "reminder", "escalation", "breach"}
    assert [m.event for m in listed(client, OUTBOX, q="98390 55555")] == ["registered"]


def test_the_outbox_is_read_only(client, commissioner, outbox):
    login(client, commissioner)
    before = OutboundMessage.objects.count()
    assert client.get(OUTBOX + "add/").status_code == 403
    assert client.post(f"{OUTBOX}{outbox[0].pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"{OUTBOX}{outbox[0].pk}/change/", {"state": "sent"})
    outbox[0].refresh_from_db()
    assert outbox[0].state == State.QUEUED
    assert OutboundMessage.objects.count() == before


def test_the_auditor_and_the_agent_read_the_outbox_and_a_field_officer_does_not(client, auditor, agent, officer,
                                                                                  outbox):
    for reader in (auditor, agent):
        login(client, reader)
        assert client.get(OUTBOX).status_code == 200
    login(client, officer.user)
    assert client.get(OUTBOX).status_code == 403
    assert client.get(REPLIES).status_code == 403


def test_a_head_sees_his_departments_messages_and_never_another_departments(
        client, garbage, sewer, head, jalkal_head, outsider):
    to_jalkal_head = message(sewer, to=jalkal_head, event="escalation")
    login(client, jalkal_head.user)
    shown = listed(client, OUTBOX)
    assert shown and {m.complaint_id for m in shown} == {sewer.pk}
    assert to_jalkal_head in shown
    garbage_message = OutboundMessage.objects.filter(complaint=garbage).first()
    detail = client.get(f"{OUTBOX}{garbage_message.pk}/change/")
    assert detail.status_code == 302  # "does not exist", as for a wrong id
    assert listed(client, OUTBOX, q=garbage.docket) == []

    login(client, head.user)
    assert {m.complaint_id for m in listed(client, OUTBOX)} == {garbage.pk}
    login(client, outsider.user)  # a Jal Kal field officer: no outbox at all
    assert client.get(OUTBOX).status_code == 403


def test_a_combined_reminder_is_seen_by_its_officer_the_commissioner_and_the_auditor_only(
        client, garbage, officer, head, jalkal_head, commissioner, auditor, agent):
    digest = message(None, to=head, event="reminder_digest", context={"count": 2, "dockets": "x", "parts": []})
    part = message(garbage, to=head, event="reminder", state=State.BATCHED, digest=digest)
    to_a_stranger = message(None, event="reply_not_found", mobile="+919839099999")  # matched no complaint
    for reader in (head.user, commissioner, auditor):
        login(client, reader)
        assert digest in listed(client, OUTBOX), reader
    for reader in (jalkal_head.user, agent):
        login(client, reader)
        assert digest not in listed(client, OUTBOX), reader
    login(client, agent)  # answers the stranger's next call
    assert to_a_stranger in listed(client, OUTBOX)
    login(client, head.user)
    assert to_a_stranger not in listed(client, OUTBOX)
    login(client, commissioner)
    page = client.get(f"{OUTBOX}{digest.pk}/change/").content.decode()
    assert f"{OUTBOX}{part.pk}/change/" in page and dockets.spoken(garbage.docket) in page
    page = client.get(f"{OUTBOX}{part.pk}/change/").content.decode()
    assert f"{OUTBOX}{digest.pk}/change/" in page


def test_a_citizens_number_is_masked_for_the_auditor_also_inside_the_officers_text(
        client, garbage, officer, auditor, agent):
    OutboundMessage.objects.filter(complaint=garbage, event="assigned").update(to_mobile="+919450000001")  # his
    delivery.deliver_due()
    ack = OutboundMessage.objects.get(complaint=garbage, event="registered")
    to_officer = OutboundMessage.objects.get(complaint=garbage, event="assigned")
    assert "+919839055555" in to_officer.body  # the officer needs it to call the citizen

    login(client, auditor)
    page = client.get(OUTBOX).content.decode()
    assert "+919839055555" not in page and masked("+919839055555") in page
    page = client.get(f"{OUTBOX}{to_officer.pk}/change/").content.decode()
    assert "+919839055555" not in page and masked("+919839055555") in page
    assert "9839055555" not in client.get(f"{OUTBOX}{ack.pk}/change/").content.decode()
    assert "9839055555" not in client.get(f"{OUTBOX}{ack.pk}/history/").content.decode()

    login(client, agent)
    assert "+919839055555" in client.get(OUTBOX).content.decode()
    assert "+919839055555" in client.get(f"{OUTBOX}{to_officer.pk}/change/").content.decode()


def test_the_detail_shows_what_was_sent_and_what_came_back(client, commissioner, garbage):
    delivery.deliver_due()
    ack = OutboundMessage.objects.get(complaint=garbage, event="registered")
    delivery.do_record_receipt(ack.gateway, ack.provider_id, "undelivered", error_code="30005")
    login(client, commissioner)
    page = client.get(f"{OUTBOX}{ack.pk}/change/").content.decode()
    for shown in (ack.provider_id, "30005", "undelivered", "not delivered", dockets.spoken(garbage.docket),
                  f"/desk/complaints/complaint/{garbage.pk}/change/", ack.body[:20]):
        assert shown in page, shown


def test_failed_messages_are_flagged_at_the_top_and_filtered_together(client, commissioner, garbage, officer,
                                                                        monkeypatch):
    failed = message(garbage, to=officer, state=State.FAILED, last_error="Invalid number")
    undelivered = message(garbage, to=officer, event="breach", state=State.UNDELIVERED)
    login(client, commissioner)
    page = client.get(OUTBOX).content.decode()
    assert "2 messages failed or were not delivered." in page and "?state=attention" in page
    assert set(listed(client, OUTBOX, state="attention")) == {failed, undelivered}
    assert "Invalid number" in page

    monkeypatch.setattr(messaging_admin, "ATTENTION_COUNT_LIMIT", 1)  # a backlog is not counted to the end
    assert "More than 1 messages failed or were not delivered." in client.get(OUTBOX).content.decode()

    OutboundMessage.objects.filter(pk__in=[failed.pk, undelivered.pk]).update(state=State.SENT)
    assert "failed or were not delivered" not in client.get(OUTBOX).content.decode()


# --- "send again" -----------------------------------------------------------------------------------------------

def send_again(client, *messages):
    return client.post(OUTBOX, {"action": "send_again", "_selected_action": [m.pk for m in messages]}, follow=True)


def test_send_again_requeues_only_the_failed_and_undelivered(client, commissioner, garbage, officer):
    failed = message(garbage, to=officer, state=State.FAILED, attempts=10, error_code="no_template",
                     last_error="No template")
    undelivered = message(garbage, to=officer, event="breach", state=State.UNDELIVERED, attempts=1)
    sent = message(garbage, to=officer, event="escalation", state=State.SENT, attempts=1)
    login(client, commissioner)
    before = timezone.now()
    response = send_again(client, failed, undelivered, sent)
    assert flashes(response, "success") == ["2 messages will be sent again."]
    assert flashes(response, "warning") == ["1 message had not failed and was left as it is."]
    for requeued in (failed, undelivered):
        requeued.refresh_from_db()
        assert requeued.state == State.QUEUED and requeued.attempts == 0 and requeued.last_error == ""
        assert before <= requeued.next_attempt_at <= timezone.now()
    sent.refresh_from_db()
    assert sent.state == State.SENT and sent.attempts == 1


def test_only_the_commissioner_may_send_again(client, auditor, agent, head, garbage, officer):
    failed = message(garbage, to=officer, state=State.FAILED)
    for reader in (auditor, agent, head.user):
        login(client, reader)
        assert "send_again" not in client.get(OUTBOX).content.decode()
        send_again(client, failed)
        failed.refresh_from_db()
        assert failed.state == State.FAILED, reader


# --- citizens' replies ----------------------------------------------------------------------------------------

def test_replies_are_scoped_like_their_complaints(client, garbage, sewer, head, jalkal_head, agent, auditor):
    about_garbage = reply(garbage, mobile="+919839055555")
    about_sewer = reply(sewer, mobile="+919839066666")
    stranger = reply(None, mobile="+919839099999", body="hello", outcome="not_understood")
    login(client, head.user)
    assert listed(client, REPLIES) == [about_garbage]
    assert client.get(f"{REPLIES}{about_sewer.pk}/change/").status_code == 302
    login(client, jalkal_head.user)
    assert listed(client, REPLIES) == [about_sewer]
    for reader in (agent, auditor):
        login(client, reader)
        assert set(listed(client, REPLIES)) == {about_garbage, about_sewer, stranger}


def test_a_repliers_number_is_masked_for_the_auditor_and_shown_to_the_agent(client, garbage, agent, auditor):
    reply(garbage, mobile="+919839055555", body="2 " + garbage.docket, outcome="disputed")
    login(client, auditor)
    page = client.get(REPLIES).content.decode()
    assert "+919839055555" not in page and masked("+919839055555") in page
    assert "reopened and escalated" in page and dockets.spoken(garbage.docket) in page
    login(client, agent)
    assert "+919839055555" in client.get(REPLIES).content.decode()
    assert [r.body for r in listed(client, REPLIES, q="98390 55555")] == ["2 " + garbage.docket]


def test_replies_are_read_only(client, commissioner, garbage):
    received = reply(garbage)
    login(client, commissioner)
    assert client.get(REPLIES + "add/").status_code == 403
    assert client.post(f"{REPLIES}{received.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"{REPLIES}{received.pk}/change/", {"outcome": "disputed"})
    received.refresh_from_db()
    assert received.outcome == "confirmed"


# --- templates ---------------------------------------------------------------------------------------------------

def template_data(**fields) -> dict:
    return {"event": "registered", "channel": "whatsapp", "language": "hi", "body": "शिकायत {docket} दर्ज।",
            "dlt_template_id": "", "is_active": "on", **fields}


def form_errors(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return [str(e) for errors in response.context["adminform"].form.errors.values() for e in errors]


@pytest.mark.parametrize(("body", "reason"), [
    ("शिकायत {docket} दर्ज। {officer_mobile}", "“{officer_mobile}” is not available in this message"),
    ("शिकायत {docket दर्ज।", "Braces do not match"),
    ("शिकायत {docket:>40} दर्ज।", "Write {docket} without a format or conversion."),
    ("शिकायत {docket!r} दर्ज।", "Write {docket} without a format or conversion."),
    ("शिकायत {complaint.citizen} दर्ज।", "is not a variable"),
    ("   ", "This field is required."),
])
def test_a_template_that_cannot_work_is_refused_with_the_reason(client, commissioner, body, reason):
    login(client, commissioner)
    response = client.post(TEMPLATES + "add/", template_data(body=body))
    assert any(reason in error for error in form_errors(response)), form_errors(response)
    assert not MessageTemplate.objects.filter(channel="whatsapp").exists()


def test_the_available_variables_are_named_in_the_refusal(client, commissioner):
    login(client, commissioner)
    response = client.post(TEMPLATES + "add/", template_data(event="reply_not_found", body="{category}"))
    assert any("Available: {docket}." in error for error in form_errors(response))


def test_a_template_saves_and_the_list_shows_its_size_in_sms_parts(client, commissioner):
    login(client, commissioner)
    data = template_data(channel="sms", event="otp", language="hi", body="कोड {code}",
                         dlt_template_id="1107160000000000042")
    twin = client.post(TEMPLATES + "add/", data)  # the seeded one is there: one template per event and language
    assert any("already exists" in error for error in form_errors(twin))

    MessageTemplate.objects.filter(event="otp", language="hi").delete()
    response = client.post(TEMPLATES + "add/", data, follow=True)
    assert flashes(response, "success") and not flashes(response, "warning")
    assert MessageTemplate.objects.get(event="otp", language="hi").dlt_template_id == "1107160000000000042"

    page = client.get(TEMPLATES).content.decode()
    ack = MessageTemplate.objects.get(event="registered", channel="sms", language="hi")
    size = templating.template_size(ack.event, ack.body)
    assert f"UCS-2 · {size.units} chars · 2 parts" in page
    assert "GSM-7 · " in page and "1 part<" in page  # e.g. the English help reply


def test_a_text_longer_than_two_parts_saves_with_a_warning_and_shows_red(client, commissioner):
    ack = MessageTemplate.objects.get(event="registered", channel="sms", language="hi")
    long_text = ("नगर निगम: आपकी शिकायत दर्ज हुई। शिकायत संख्या {docket} ({category})। निस्तारण {due} तक। "
                 "स्थिति: {link}")
    assert templating.template_size("registered", long_text).parts == 3
    login(client, commissioner)
    data = template_data(channel="sms", body=long_text)
    response = client.post(f"{TEMPLATES}{ack.pk}/change/", data, follow=True)
    warnings = flashes(response, "warning")
    assert any("takes UCS-2 · " in w and "3 parts" in w and "within 2 parts" in w for w in warnings), warnings
    ack.refresh_from_db()
    assert ack.body == long_text
    row = next(line for line in client.get(TEMPLATES).content.decode().split("<tr")
               if f"/{ack.pk}/change/" in line)
    assert "3 parts" in row and "bg-red-100" in row


def test_changing_a_registered_text_warns_that_dlt_must_see_it_again(client, commissioner):
    reply_help = MessageTemplate.objects.get(event="reply_help", language="en")
    reply_help.dlt_template_id = "1107160000000000007"
    reply_help.save()
    login(client, commissioner)
    data = template_data(channel="sms", language="en", body="Send STATUS <docket>, 1 or 2.",
                         dlt_template_id="1107160000000000007")
    response = client.post(f"{TEMPLATES}{reply_help.pk}/change/", data, follow=True)
    assert any("no longer matches its DLT registration" in w for w in flashes(response, "warning"))
    # Event, channel and language are fixed once saved: another one would be another template.
    reply_help.refresh_from_db()
    assert (reply_help.event, reply_help.channel, reply_help.language) == ("reply_help", "sms", "en")


def test_a_dlt_id_of_letters_is_refused(client, commissioner):
    login(client, commissioner)
    response = client.post(TEMPLATES + "add/", template_data(dlt_template_id="TEMPLATE-1"))
    assert "A DLT template id is made of digits only." in form_errors(response)


def test_the_form_shows_the_variables_the_dlt_text_and_the_size(client, commissioner):
    ack = MessageTemplate.objects.get(event="registered", channel="sms", language="hi")
    login(client, commissioner)
    page = client.get(f"{TEMPLATES}{ack.pk}/change/").content.decode()
    assert "{docket}, {category}, {ward}, {due}, {link}" in page
    assert templating.dlt_text(ack.body) in page and "{#var#}" in page
    assert "UCS-2 · " in page and "2 parts" in page
    add_page = client.get(TEMPLATES + "add/").content.decode()
    assert "{code}" in add_page and "{count}, {dockets}, {first_due}" in add_page  # every event's, before choosing


def test_others_read_the_templates_but_only_the_commissioner_changes_them(client, agent, auditor, head):
    ack = MessageTemplate.objects.get(event="registered", channel="sms", language="hi")
    for reader in (agent, auditor, head.user):
        login(client, reader)
        assert client.get(TEMPLATES).status_code == 200
        assert client.get(f"{TEMPLATES}{ack.pk}/change/").status_code == 200
        assert client.post(TEMPLATES + "add/", template_data()).status_code == 403
        client.post(f"{TEMPLATES}{ack.pk}/change/", template_data(channel="sms", body="{docket}"))
        ack.refresh_from_db()
        assert ack.body != "{docket}"


# --- settings -------------------------------------------------------------------------------------------------

def test_the_settings_list_opens_the_one_row(client, commissioner, auditor):
    for reader in (commissioner, auditor):
        login(client, reader)
        response = client.get(SETTINGS)
        assert response.status_code == 302 and response["Location"] == f"{SETTINGS}1/change/"
        assert client.get(SETTINGS + "add/").status_code == 403
        assert client.post(f"{SETTINGS}1/delete/", {"post": "yes"}).status_code == 403
    assert MessagingSettings.objects.count() == 1


def test_the_commissioner_sets_quiet_hours_and_a_window_of_no_length_is_refused(client, commissioner, auditor):
    login(client, commissioner)
    data = {"quiet_hours": "on", "quiet_from": "22:00", "quiet_until": "22:00", "digest_from": "3"}
    response = client.post(f"{SETTINGS}1/change/", data)
    assert "Quiet hours must end at another time than they start." in form_errors(response)
    response = client.post(f"{SETTINGS}1/change/", {**data, "quiet_until": "07:00"})
    assert response.status_code == 302
    rules = MessagingSettings.current()
    assert (rules.quiet_from, rules.quiet_until, rules.digest_from) == (time(22), time(7), 3)

    login(client, auditor)
    assert client.post(f"{SETTINGS}1/change/", {**data, "quiet_until": "06:00"}).status_code == 403
    assert MessagingSettings.current().quiet_until == time(7)


def test_with_no_row_saved_the_commissioner_adds_it_once(client, commissioner, agent):
    MessagingSettings.objects.all().delete()
    login(client, agent)  # may not configure messages at all
    assert client.get(SETTINGS).status_code == 403
    login(client, commissioner)
    assert client.get(SETTINGS)["Location"] == f"{SETTINGS}add/"
    data = {"quiet_hours": "on", "quiet_from": "21:30", "quiet_until": "08:00", "digest_from": "2"}
    assert client.post(SETTINGS + "add/", data).status_code == 302
    assert MessagingSettings.objects.get().quiet_from == time(21, 30)
    assert client.get(SETTINGS + "add/").status_code == 403
    assert client.get(SETTINGS)["Location"] == f"{SETTINGS}1/change/"


# --- language ----------------------------------------------------------------------------------------------

def test_the_message_pages_speak_hindi_and_english(client, commissioner, garbage, officer):
    failed = message(garbage, to=officer, state=State.FAILED)
    received = reply(garbage)
    ack = MessageTemplate.objects.get(event="registered", channel="sms", language="hi")
    pages = [OUTBOX, f"{OUTBOX}{failed.pk}/change/", REPLIES, f"{REPLIES}{received.pk}/change/", TEMPLATES,
             f"{TEMPLATES}{ack.pk}/change/", f"{SETTINGS}1/change/"]
    login(client, commissioner, "hi")
    hindi = {url: client.get(url) for url in pages}
    login(client, commissioner, "en")
    english = {url: client.get(url) for url in pages}
    for url in pages:
        assert hindi[url].status_code == english[url].status_code == 200, url
        assert '<html lang="hi"' in hindi[url].content.decode(), url
    outbox_hi, outbox_en = hindi[OUTBOX].content.decode(), english[OUTBOX].content.decode()
    assert "1 message failed or was not delivered." in outbox_en
    assert "failed or was not delivered" not in outbox_hi and "विफल" in outbox_hi
    assert "needs attention (failed or not delivered)" in outbox_en
    assert "needs attention" not in outbox_hi
    assert "reminder before the time limit (to the officer)" in english[f"{OUTBOX}{failed.pk}/change/"].content.decode()
    assert "समय सीमा से पहले अनुस्मारक" in hindi[f"{OUTBOX}{failed.pk}/change/"].content.decode()
    template_hi = hindi[f"{TEMPLATES}{ack.pk}/change/"].content.decode()
    assert "variables you can use" not in template_hi and "chars" not in template_hi
    assert "Quiet hours" in english[f"{SETTINGS}1/change/"].content.decode()
    assert "Quiet hours" not in hindi[f"{SETTINGS}1/change/"].content.decode()
