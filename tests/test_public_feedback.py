"""The citizen's answer to a resolution on the tracking page: "Solved" closes the complaint, "Not solved"
reopens it and escalates it one level — only with a code sent to the complaint's own mobile, once
however often it is sent, and without the page ever showing that mobile (two digits at most).
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nagar_nigam_cc.complaints.actions import do_close, do_confirm, do_dispute, do_resolve
from nagar_nigam_cc.complaints.models import Complaint, ComplaintEvent, EventKind, Status
from nagar_nigam_cc.messaging.models import Event, OutboundMessage
from nagar_nigam_cc.public.models import PhoneVerification

CITIZEN = dict(mobile="+919839077712", name="Ramprasad Kushwaha", address="14 Lal Bahadur Shastri Marg",
               landmark="behind Hanuman Mandir", description="Garbage heap outside Sunita Devi's house")
PERSONAL = ["Ramprasad", "Kushwaha", "9839077712", "77712", "Lal Bahadur Shastri", "Hanuman Mandir",
            "Garbage heap outside", "Sunita"]


@pytest.fixture(autouse=True)
def _fresh_limits(settings):
    settings.NNC_PUBLIC_RATE_PER_IP = "100/h"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def resolved(city, officer, register):
    """Ramprasad's garbage complaint, which the sanitary inspector (reporting to the head) says is done."""
    complaint = register(city.sweeping, city.wards[1], **CITIZEN)
    return do_resolve(complaint, actor=officer.user, remarks="Lifted by the morning crew")


def in_english() -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.cookies["django_language"] = "en"
    return client


def page(response) -> str:
    html = response.content.decode()
    return html[html.index("<body>"):]


def feedback_url(complaint) -> str:
    return reverse("public:feedback", args=[complaint.docket])


def ask_for_code(client: Client, complaint, answer: str, note: str = ""):
    html = client.get(feedback_url(complaint) + f"?answer={answer}").content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    return client.post(feedback_url(complaint), {"form_token": token, "answer": answer, "note": note})


def codes_to(mobile: str = CITIZEN["mobile"]) -> list[str]:
    return [m.context["code"] for m in OutboundMessage.objects.filter(event=Event.OTP, to_mobile=mobile).order_by("id")]


def answer_with_code(client: Client, complaint, answer: str, note: str = ""):
    code_url = ask_for_code(client, complaint, answer, note)["Location"]
    return client.post(code_url, {"code": codes_to()[-1]})


# --- the buttons on the tracking page ---------------------------------------------------------------------

def test_a_resolved_complaint_asks_solved_or_not_solved_on_its_tracking_page(resolved):
    body = page(in_english().get(reverse("public:status", args=[resolved.docket])))

    assert "Is the problem solved?" in body
    assert f'href="{feedback_url(resolved)}?answer=confirm"' in body
    assert f'href="{feedback_url(resolved)}?answer=dispute"' in body


def test_an_open_complaint_asks_nothing_and_a_closed_one_only_not_solved_for_seven_days(city, officer, register, agent):
    open_one = register(city.garbage, city.wards[1])
    assert "Is the problem solved?" not in page(in_english().get(reverse("public:status", args=[open_one.docket])))

    closed = do_close(do_resolve(register(city.sweeping, city.wards[1]), actor=officer.user, remarks="Swept"),
                      actor=agent)
    body = page(in_english().get(reverse("public:status", args=[closed.docket])))
    assert "?answer=dispute" in body and "?answer=confirm" not in body

    with time_machine.travel(closed.closed_at + timedelta(days=7, minutes=1)):
        assert "Is the problem solved?" not in page(in_english().get(reverse("public:status", args=[closed.docket])))
        late = in_english().get(feedback_url(closed))
        assert "This complaint is not waiting for your answer" in page(late)
        assert 'name="answer"' not in page(late)


def test_the_tracking_page_stays_read_only_and_cacheable(resolved):
    response = in_english().get(reverse("public:status", args=[resolved.docket]))

    assert response["Cache-Control"] == "private, max-age=60"
    assert "csrfmiddlewaretoken" not in response.content.decode()  # the buttons are links to their own page
    assert in_english().post(reverse("public:status", args=[resolved.docket])).status_code == 405


# --- solved --------------------------------------------------------------------------------------------------

def test_solved_with_the_code_sent_to_the_complaints_mobile_closes_it(resolved, officer):
    client = in_english()

    asked = client.get(feedback_url(resolved) + "?answer=confirm")
    assert "ending in ••••••••12" in page(asked)
    sent = ask_for_code(client, resolved, "confirm")
    assert sent.status_code == 303
    sms = OutboundMessage.objects.get(event=Event.OTP)
    assert sms.to_mobile == CITIZEN["mobile"]  # the complaint's own mobile, never one typed on the page
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED  # nothing yet

    done = client.post(sent["Location"], {"code": sms.context["code"]})
    assert done.status_code == 303

    resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED and resolved.closed_at is not None
    event = ComplaintEvent.objects.get(complaint=resolved, kind=EventKind.CONFIRMED)
    assert event.actor is None and event.officer == officer
    assert event.data["channel"] == "web"
    thanks = page(client.get(done["Location"]))
    assert "Your confirmation is recorded and the complaint is closed." in thanks


# --- not solved ----------------------------------------------------------------------------------------------

def test_not_solved_with_the_code_reopens_the_complaint_and_escalates_it_to_the_officers_senior(
    resolved, officer, head
):
    client = in_english()

    done = answer_with_code(client, resolved, "dispute", note="Only half the heap was lifted")

    resolved.refresh_from_db()
    assert resolved.status == Status.REOPENED
    assert resolved.escalation_level == 1
    assert resolved.assigned_to == head
    disputed = ComplaintEvent.objects.get(complaint=resolved, kind=EventKind.DISPUTED)
    assert disputed.actor is None and disputed.note == "Only half the heap was lifted"
    assert ComplaintEvent.objects.filter(complaint=resolved, kind=EventKind.ESCALATED).count() == 1
    assert OutboundMessage.objects.filter(complaint=resolved, event=Event.ESCALATION, to_officer=head).count() == 1
    said = page(client.get(done["Location"]))
    assert "The complaint has been reopened and sent to a senior officer." in said


def test_not_solved_reopens_a_complaint_closed_within_the_dispute_days(city, officer, head, register, agent):
    closed = do_close(do_resolve(register(city.sweeping, city.wards[1], **CITIZEN), actor=officer.user,
                                 remarks="Swept"), actor=agent)

    answer_with_code(in_english(), closed, "dispute")

    closed.refresh_from_db()
    assert closed.status == Status.REOPENED and closed.closed_at is None and closed.assigned_to == head


def test_solved_cannot_be_said_of_a_closed_complaint(city, officer, register, agent):
    closed = do_close(do_resolve(register(city.sweeping, city.wards[1], **CITIZEN), actor=officer.user,
                                 remarks="Swept"), actor=agent)
    client = in_english()
    token = re.search(r'name="form_token" value="([^"]+)"',
                      client.get(feedback_url(closed)).content.decode()).group(1)

    response = client.post(feedback_url(closed), {"form_token": token, "answer": "confirm"})

    assert response.status_code == 400
    assert not OutboundMessage.objects.filter(event=Event.OTP).exists()


# --- the code ------------------------------------------------------------------------------------------------

def test_a_wrong_code_changes_nothing(resolved):
    client = in_english()
    code_url = ask_for_code(client, resolved, "dispute")["Location"]
    code = codes_to()[-1]

    response = client.post(code_url, {"code": f"{(int(code) + 1) % 1_000_000:06d}"})

    assert response.status_code == 400
    assert "That code is not right." in page(response)
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED and resolved.escalation_level == 0


def test_the_code_sent_twice_reopens_and_escalates_once(resolved, head):
    client = in_english()
    code_url = ask_for_code(client, resolved, "dispute")["Location"]
    code = codes_to()[-1]

    client.post(code_url, {"code": code})
    client.post(code_url, {"code": code})

    resolved.refresh_from_db()
    assert resolved.escalation_level == 1
    assert ComplaintEvent.objects.filter(complaint=resolved, kind=EventKind.DISPUTED).count() == 1


def test_an_answer_given_by_sms_meanwhile_is_recognised(resolved):
    client = in_english()
    code_url = ask_for_code(client, resolved, "confirm")["Location"]
    do_confirm(Complaint.objects.get(pk=resolved.pk), actor=None)  # the citizen replied "1" meanwhile

    done = client.post(code_url, {"code": codes_to()[-1]})

    assert "Your answer was already recorded" in page(client.get(done["Location"]))
    assert ComplaintEvent.objects.filter(complaint=resolved, kind=EventKind.CONFIRMED).count() == 1


def test_a_dispute_after_the_complaint_was_reopened_meanwhile_escalates_no_further(resolved, head):
    client = in_english()
    code_url = ask_for_code(client, resolved, "dispute")["Location"]
    do_dispute(Complaint.objects.get(pk=resolved.pk), actor=None)  # "2" by SMS meanwhile

    client.post(code_url, {"code": codes_to()[-1]})

    resolved.refresh_from_db()
    assert resolved.escalation_level == 1


def test_strangers_pressing_not_solved_cannot_flood_the_citizens_phone(resolved):
    """Anyone may open the tracking page: codes to the complaint's mobile are limited per hour."""
    statuses = [ask_for_code(in_english(), resolved, "dispute").status_code for _ in range(4)]

    assert statuses == [303, 303, 303, 429]
    assert len(codes_to()) == 3


def test_the_same_feedback_form_sent_twice_sends_one_code(resolved):
    client = in_english()
    html = client.get(feedback_url(resolved)).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)

    for _ in range(2):
        client.post(feedback_url(resolved), {"form_token": token, "answer": "dispute"})

    assert len(codes_to()) == 1
    assert PhoneVerification.objects.count() == 1


def test_the_feedback_pages_never_show_who_complained_or_what_they_said(resolved):
    client = in_english()
    pages = [client.get(feedback_url(resolved) + "?answer=dispute")]
    sent = ask_for_code(client, resolved, "dispute")
    pages.append(client.get(sent["Location"]))
    done = client.post(sent["Location"], {"code": codes_to()[-1]})
    pages.append(client.get(done["Location"]))

    for response in pages:
        html = response.content.decode()
        assert [text for text in PERSONAL if text in html] == []
        assert response["Cache-Control"] == "no-store"


def test_a_feedback_link_for_another_complaint_is_refused(resolved, city, officer, register):
    other = do_resolve(register(city.sweeping, city.wards[2]), actor=officer.user, remarks="Done")
    client = in_english()
    code_url = ask_for_code(client, resolved, "dispute")["Location"]
    token = code_url.rstrip("/").split("/")[-1]

    response = client.post(reverse("public:feedback_code", args=[other.docket, token]), {"code": codes_to()[-1]})

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == Status.RESOLVED


def test_an_unknown_docket_gets_the_not_found_page(db):
    assert in_english().get("/t/2611-99999-0/feedback/").status_code == 404


def test_the_code_expires(resolved):
    client = in_english()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        code_url = ask_for_code(client, resolved, "confirm")["Location"]
    with time_machine.travel(start + timedelta(minutes=11), tick=False):
        response = client.post(code_url, {"code": codes_to()[-1]})

    assert "The code has expired" in page(response)
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED
