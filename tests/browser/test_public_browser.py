"""What only a browser can prove about the public complaint form, on a phone-sized screen (360 px): it
fits without sideways scrolling, every control is a finger-sized target, the phone's location fills
the map fields (the page's one inline script runs under its Content-Security-Policy), a photo goes
with the complaint, errors appear beside their fields with everything typed still there, and the
form works with JavaScript off. Screenshots go to test-artifacts/public-*.png."""
from __future__ import annotations

import io
import re

import pytest
from django.core.cache import cache
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.models import AttachmentKind, Channel, Complaint
from nagar_nigam_cc.messaging.models import Event, OutboundMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 360, "height": 740}
CLOCK_TOWER = {"latitude": 25.4358, "longitude": 81.8463}  # Prayagraj, inside the city's box
SPOKEN_DOCKET = re.compile(r"\d{4}-\d{5,}-\d")


@pytest.fixture(autouse=True)
def _no_limits_counted():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def phone(browser: Browser, live_server):
    """A phone in a citizen's hand: small screen, touch, location allowed, standing at the clock tower."""
    contexts: list[BrowserContext] = []

    def open_phone(*, javascript: bool = True, language: str = "en") -> Page:
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, java_script_enabled=javascript,
            geolocation=CLOCK_TOWER, permissions=["geolocation"], locale="hi-IN",
        )
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        contexts.append(context)
        return context.new_page()

    yield open_phone
    for context in contexts:
        context.close()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 160, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


def latest_code() -> str:
    return OutboundMessage.objects.filter(event=Event.OTP).latest("id").context["code"]


def fill_the_problem(page: Page, city) -> None:
    page.select_option("#id_category", value=str(city.garbage.pk))
    page.fill("#id_description", "Garbage not lifted for three days near the school gate")
    page.select_option("#id_ward", value=str(city.wards[1].pk))
    page.fill("#id_landmark", "behind Hanuman Mandir")
    page.fill("#id_mobile", "98390 12345")


def assert_fits_a_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the page scrolls sideways"
    small = page.evaluate("""() => [...document.querySelectorAll(
        'main a.btn, main button:not([hidden]), main select, main input:not([type=hidden]):not([type=radio]):not([type=checkbox]), main textarea, main label.choice')]
        .filter(e => e.offsetParent !== null)
        .map(e => [e.id || e.name || e.textContent.trim().slice(0, 30), e.getBoundingClientRect().height])
        .filter(([, h]) => h < 44)""")
    assert small == [], f"targets under 44 px: {small}"


def test_a_citizen_on_a_phone_registers_a_complaint_with_a_photo_and_their_location(
    live_server, phone, artifacts, city, officer
):
    page = phone()
    page.goto(f"{live_server.url}/t/new/")
    assert_fits_a_phone(page)
    page.screenshot(path=artifacts / "public-form-phone.png", full_page=True)

    fill_the_problem(page, city)
    page.set_input_files("#id_photo", files=[{"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
    page.get_by_role("button", name="Use my location").click()  # the script ran: CSP allowed its hash
    expect(page.locator("#locate-status")).to_contain_text("Location added")
    expect(page.locator("#id_latitude")).to_have_value("25.435800")
    expect(page.locator("#id_longitude")).to_have_value("81.846300")
    page.screenshot(path=artifacts / "public-form-filled.png", full_page=True)
    page.get_by_role("button", name="Send the code to my mobile").click()

    expect(page.locator("h1")).to_have_text("Enter the code")
    expect(page.locator("main")).to_contain_text("ending in ••••••••45")
    assert_fits_a_phone(page)
    page.screenshot(path=artifacts / "public-code.png", full_page=True)
    page.fill("#id_code", latest_code())
    page.get_by_role("button", name="Register the complaint").click()

    expect(page.locator(".docket-big")).to_have_text(SPOKEN_DOCKET)
    assert_fits_a_phone(page)
    page.screenshot(path=artifacts / "public-registered.png", full_page=True)
    complaint = Complaint.objects.get(docket=dockets.normalise(page.locator(".docket-big").inner_text()))
    assert complaint.channel == Channel.WEB
    assert float(complaint.latitude) == pytest.approx(25.4358)
    assert complaint.attachments.get().kind == AttachmentKind.CITIZEN_PHOTO

    page.get_by_role("link", name="Track this complaint").click()
    expect(page.locator("h1.docket")).to_have_text(page.locator("h1.docket").inner_text())
    assert "9839012345" not in page.content()


def test_errors_show_beside_their_fields_and_nothing_typed_or_chosen_is_lost(live_server, phone, artifacts, city, officer):
    page = phone()
    page.goto(f"{live_server.url}/t/new/")
    fill_the_problem(page, city)
    page.set_input_files("#id_photo", files=[{"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
    page.fill("#id_latitude", "26.8467")  # Lucknow: typed by hand, outside the city
    page.fill("#id_longitude", "80.9462")
    page.get_by_role("button", name="Send the code to my mobile").click()

    expect(page.locator("#latitude-error")).to_contain_text("is outside the city")
    expect(page.locator("#id_latitude")).to_be_focused()  # the first field with an error
    expect(page.locator("#id_description")).to_have_value("Garbage not lifted for three days near the school gate")
    expect(page.locator("#id_mobile")).to_have_value("98390 12345")
    expect(page.locator("#id_category")).to_have_value(str(city.garbage.pk))
    expect(page.locator("main")).to_contain_text("Your photo is kept with the complaint")
    assert_fits_a_phone(page)
    page.screenshot(path=artifacts / "public-form-errors.png", full_page=True)

    page.fill("#id_latitude", "")
    page.fill("#id_longitude", "")
    page.get_by_role("button", name="Send the code to my mobile").click()
    page.fill("#id_code", latest_code())
    page.get_by_role("button", name="Register the complaint").click()

    expect(page.locator(".docket-big")).to_have_text(SPOKEN_DOCKET)
    assert Complaint.objects.get().attachments.count() == 1  # the photo chosen once came along


def test_the_form_works_with_javascript_off(live_server, phone, artifacts, city, officer):
    page = phone(javascript=False)
    page.goto(f"{live_server.url}/t/new/")
    expect(page.locator("#locate")).to_be_hidden()  # nothing that needs a script is offered

    fill_the_problem(page, city)
    page.get_by_role("button", name="Send the code to my mobile").click()
    page.fill("#id_code", latest_code())
    page.get_by_role("button", name="Register the complaint").click()

    expect(page.locator(".docket-big")).to_have_text(SPOKEN_DOCKET)
    assert Complaint.objects.count() == 1


def test_the_form_is_hindi_first(live_server, phone, artifacts, city):
    page = phone(language="hi")
    page.goto(f"{live_server.url}/t/new/")

    assert page.locator("html").get_attribute("lang") == "hi"
    assert page.locator("input[name=language][value=hi]").is_checked()
    assert "कूड़ा नहीं उठा (Garbage not lifted)" in page.locator("#id_category").inner_text()
    assert_fits_a_phone(page)
    page.screenshot(path=artifacts / "public-form-hindi.png", full_page=True)
