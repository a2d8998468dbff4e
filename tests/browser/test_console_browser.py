"""What only a browser can prove about the agent console: a whole call taken with the keyboard alone
(no mouse), the docket number shown large to read back, attaching a second caller to an open
complaint, and errors shown beside their fields without losing what was typed."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.actions import NewComplaint, do_register
from nagar_nigam_cc.complaints.models import Complaint, Follower, Status
from nagar_nigam_cc.messaging.models import Event, OutboundMessage
from tests.browser.test_agent_registers import SPOKEN_DOCKET, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def ghantaghar(city):
    """Ward 2 is where callers say 'Ghantaghar'."""
    ward = city.wards[2]
    ward.localities = "घंटाघर\nGhantaghar\nLoknath Gali"
    ward.save()
    return ward


def open_console(page: Page, server_url: str, query: str = "") -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": server_url}])
    log_in(page, server_url, "agent")
    page.goto(f"{server_url}/desk/console/{query}")


def test_an_agent_takes_a_whole_call_with_the_keyboard_alone(live_server, page: Page, artifacts, city, officer,
                                                              agent, ghantaghar):
    open_console(page, live_server.url)
    expect(page.locator("#id_mobile")).to_be_focused()

    page.keyboard.type("98390 12345")
    page.keyboard.press("Enter")  # looks the caller up and moves on
    expect(page.locator("#caller-card")).to_contain_text("New caller")
    expect(page.locator("#id_name")).to_be_focused()
    page.keyboard.type("Ramesh Kumar")
    page.keyboard.press("Tab")  # language: Hindi stays
    page.keyboard.press("Tab")
    expect(page.locator("#category-search")).to_be_focused()
    page.keyboard.type("kooda")  # कूड़ा, typed as heard
    expect(page.locator("#category-options .console-option").first).to_contain_text("Garbage not lifted")
    page.keyboard.press("Enter")
    expect(page.locator("#ward-search")).to_be_focused()
    page.keyboard.type("ghanta")  # the caller names a landmark, not a ward …
    page.keyboard.press("Enter")  # … and the agent presses Enter before the suggestions have arrived
    expect(page.locator("#ward-note")).to_contain_text("Ghantaghar")
    expect(page.locator("#id_landmark")).to_have_value("Ghantaghar")  # the place the caller named
    expect(page.locator("#id_address")).to_be_focused()
    page.keyboard.type("14 Loknath Road")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#id_description")).to_be_focused()
    page.keyboard.type("Garbage has not been lifted from the corner dump for three days.")
    expect(page.locator("#duplicates")).to_contain_text("No open complaint of this type in this ward")
    page.screenshot(path=artifacts / "console-keyboard-form.png", full_page=True)

    page.keyboard.press("Alt+KeyS")

    docket_box = page.locator(".docket-number").first
    expect(docket_box).to_have_text(SPOKEN_DOCKET)
    expect(page.locator("#result-sms")).to_contain_text("Acknowledgement SMS")
    page.screenshot(path=artifacts / "console-keyboard-docket.png", full_page=True)
    complaint = Complaint.objects.get(docket=dockets.normalise(docket_box.inner_text()))
    assert (complaint.citizen.mobile, complaint.citizen.name) == ("+919839012345", "Ramesh Kumar")
    assert (complaint.category, complaint.ward, complaint.landmark) == (city.garbage, ghantaghar, "Ghantaghar")
    assert complaint.assigned_to == officer and complaint.status == Status.ASSIGNED

    page.keyboard.press("Alt+KeyS")  # saving twice does not register twice
    page.keyboard.press("Alt+KeyN")  # the next call
    expect(page.locator("#id_mobile")).to_be_focused()
    expect(page.locator("#id_mobile")).to_have_value("")
    expect(page.locator("#result")).to_be_hidden()
    assert Complaint.objects.count() == 1


def test_a_second_caller_is_attached_to_the_open_complaint_from_a_screen_pop(live_server, page: Page, artifacts, city,
                                                                              officer, agent, ghantaghar):
    first = do_register(NewComplaint(mobile="9839011111", name="Sita Devi", category=city.garbage, ward=ghantaghar,
                                     landmark="Ghantaghar", description="Dump overflowing"), actor=agent)
    do_register(NewComplaint(mobile="9839022222", name="Mohan Lal", category=city.sewer, ward=city.wards[3],
                             description="Sewer overflowing"), actor=agent)

    open_console(page, live_server.url, "?mobile=%2B919839022222")  # the phone system's screen-pop
    expect(page.locator("#caller-card")).to_contain_text("Mohan Lal")
    expect(page.locator("#caller-open")).to_contain_text("Sewer choked")
    expect(page.locator("#id_name")).to_have_value("Mohan Lal")
    expect(page.locator("#category-search")).to_be_focused()  # a known caller: straight to the problem
    page.keyboard.type("कूड़ा")
    expect(page.locator("#category-options .console-option").first).to_contain_text("Garbage")
    page.keyboard.press("Enter")
    page.keyboard.type("घंटाघर")
    expect(page.locator("#ward-options .console-option").first).to_contain_text("घंटाघर")
    page.keyboard.press("Enter")
    attach = page.locator(f'#duplicates-list button[data-complaint="{first.pk}"]')
    expect(attach).to_be_visible()
    page.screenshot(path=artifacts / "console-duplicate-offered.png", full_page=True)

    attach.focus()
    page.keyboard.press("Enter")

    expect(page.locator(".docket-number").first).to_have_text(dockets.spoken(first.docket))
    expect(page.locator("#result-title")).to_contain_text("Caller attached")
    page.screenshot(path=artifacts / "console-caller-attached.png", full_page=True)
    follower = Follower.objects.get()
    assert (follower.complaint_id, follower.citizen.mobile) == (first.pk, "+919839022222")
    assert OutboundMessage.objects.filter(event=Event.FOLLOWER_ADDED, to_mobile="+919839022222").count() == 1
    assert Complaint.objects.count() == 2


def test_errors_appear_beside_their_fields_and_nothing_typed_is_lost(live_server, page: Page, artifacts, city, officer,
                                                                      agent):
    open_console(page, live_server.url)
    page.keyboard.type("12345")
    page.keyboard.press("Enter")
    page.keyboard.type("Asha")
    page.locator("#id_address").fill("Near the water tank")
    page.keyboard.press("Alt+KeyS")

    expect(page.locator("#errors-mobile")).not_to_be_empty()
    expect(page.locator("#errors-category")).not_to_be_empty()
    expect(page.locator("#errors-description")).not_to_be_empty()
    expect(page.locator("#id_mobile")).to_be_focused()  # the first field to correct
    expect(page.locator("#id_address")).to_have_value("Near the water tank")
    expect(page.locator("#id_name")).to_have_value("Asha")
    page.screenshot(path=artifacts / "console-errors.png", full_page=True)
    assert not Complaint.objects.exists()


def test_the_console_speaks_hindi_by_default(live_server, page: Page, artifacts, city, agent):
    log_in(page, live_server.url, "agent")
    page.goto(f"{live_server.url}/desk/console/")
    page.screenshot(path=artifacts / "console-hindi.png", full_page=True)
    assert page.locator("html").get_attribute("lang") == "hi"
    assert re.search(r"[\u0900-\u097F]{3,}", page.locator("#console").inner_text())


def test_the_agent_takes_a_ringing_call_and_works_the_call_back_queue(live_server, page: Page, artifacts, city,
                                                                     officer, agent):
    from django.utils import timezone

    from nagar_nigam_cc.intake.models import CallbackRequest, IncomingCall

    now = timezone.now()
    IncomingCall.objects.create(call_sid="CA-ringing", from_number="+919839044444", from_mobile="+919839044444",
                                at=now, state=IncomingCall.State.RINGING)
    waiting = CallbackRequest.objects.create(mobile="+919839055555", asked_at=now, last_call_at=now,
                                             call_sid="CA-night", open_key="+919839055555")
    open_console(page, live_server.url)

    ringing = page.locator("#live-calls")
    expect(ringing).to_contain_text("+919839044444")  # the phone system's screen-pop, polled
    page.screenshot(path=artifacts / "console-calling-now.png", full_page=True)
    ringing.get_by_role("button").first.click()
    expect(page.locator("#id_mobile")).to_have_value("+919839044444")
    expect(page.locator("#caller-card")).to_contain_text("New caller")

    page.keyboard.press("Alt+KeyN")
    page.locator(f'#callback-queue [data-callback="{waiting.pk}"] [data-callback-action="take"]').click()
    expect(page.locator("#id_mobile")).to_have_value("+919839055555")
    expect(page.locator("#caller-card")).to_contain_text("Calling back")
    page.keyboard.type("Asha")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("sewer")
    page.keyboard.press("Enter")
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    page.locator("#id_description").fill("Sewer overflowing since last night.")
    page.screenshot(path=artifacts / "console-callback-form.png", full_page=True)
    page.keyboard.press("Alt+KeyS")

    expect(page.locator(".docket-number").first).to_have_text(SPOKEN_DOCKET)
    expect(page.locator("#callback-queue")).not_to_contain_text("+919839055555")  # rung back: off the queue
    waiting.refresh_from_db()
    assert waiting.state == CallbackRequest.State.CALLED and waiting.handled_by == agent
    assert Complaint.objects.get().ward == city.wards[4]
