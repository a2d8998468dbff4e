"""What only a browser can prove: an agent on a call registers a complaint in the desk and reads the
docket number back to the caller; the desk speaks Hindi unless asked otherwise."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.models import Complaint, Status
from tests.conftest import PASSWORD

# serialized_rollback: the live server needs a transactional database, whose flush after each test
# would otherwise also wipe the roles (groups) that a data migration created, for the tests after it.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SPOKEN_DOCKET = re.compile(r"\d{4}-\d{5,}-\d")


def log_in(page: Page, server_url: str, username: str) -> None:
    page.goto(f"{server_url}/desk/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(re.compile(r"/desk/(?!login)"))


def test_an_agent_registers_a_garbage_complaint_and_reads_back_its_docket(
    live_server, page: Page, artifacts, city, officer, agent
):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    log_in(page, live_server.url, "agent")

    page.goto(f"{live_server.url}/desk/complaints/complaint/add/")
    page.fill("#id_mobile", "98390 12345")
    page.fill("#id_name", "Ramesh Kumar")
    page.select_option("#id_category", value=str(city.garbage.pk))
    page.select_option("#id_ward", value=str(city.wards[1].pk))
    page.fill("#id_address", "14 Lowther Road")
    page.fill("#id_landmark", "Opposite the water tank")
    page.fill("#id_description", "Garbage has not been lifted from the corner dump for three days.")
    page.screenshot(path=artifacts / "agent-registers-form.png", full_page=True)

    page.locator("button[name=_save], input[name=_save]").first.click()

    docket_box = page.locator(".docket-number").first
    expect(docket_box).to_have_text(SPOKEN_DOCKET)
    page.screenshot(path=artifacts / "agent-registers-docket.png", full_page=True)

    spoken = SPOKEN_DOCKET.search(docket_box.inner_text())[0]
    complaint = Complaint.objects.get(docket=dockets.normalise(spoken))
    assert complaint.citizen.mobile == "+919839012345"
    assert complaint.category == city.garbage
    assert complaint.ward == city.wards[1]
    assert complaint.assigned_to == officer
    assert complaint.status == Status.ASSIGNED


def test_the_desk_speaks_hindi_to_a_browser_that_asks_for_no_language_it_offers(live_server, browser, artifacts):
    # Marathi is not offered, so neither the cookie nor Accept-Language picks a language: the default does.
    context = browser.new_context(extra_http_headers={"Accept-Language": "mr-IN,mr;q=0.9"})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/desk/login/")
        page.screenshot(path=artifacts / "desk-login-hindi.png", full_page=True)
        assert page.locator("html").get_attribute("lang") == "hi"
        assert re.search(r"[\u0900-\u097F]{3,}", page.locator("body").inner_text()), "no Devanagari on the page"
    finally:
        context.close()
