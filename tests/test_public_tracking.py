"""The citizen's tracking page (/t/<docket>/, the link in the acknowledgement SMS) and its lookup form.

No login. It must tell the citizen where the complaint stands, in Hindi unless they switch, and must
never show anything that identifies who complained or what they said.
"""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.actions import (
    NewComplaint, do_add_note, do_mark_duplicate, do_put_on_hold, do_register, do_reject, do_reopen, do_resolve,
    do_resume, do_start_work,
)
from nagar_nigam_cc.directory import roles
from nagar_nigam_cc.messaging.delivery import tracking_link
from nagar_nigam_cc.sla.models import SLAPolicy
from tests.conftest import make_officer

# A caller whose every detail is distinctive, so that any of it leaking onto the page is caught.
CITIZEN = dict(
    mobile="+919839077712",
    name="Ramprasad Kushwaha",
    address="14 Lal Bahadur Shastri Marg",
    landmark="behind Hanuman Mandir",
    description="Garbage heap outside Sunita Devi's house, she can be reached on 9415012345",
)
PERSONAL = ["Ramprasad", "Kushwaha", "9839077712", "77712", "Lal Bahadur Shastri", "Hanuman Mandir",
            "Garbage heap outside", "Sunita", "9415012345"]


@pytest.fixture(autouse=True)
def _hindi_city(settings):
    """The product's default, stated here so that the tests do not depend on the environment."""
    settings.LANGUAGE_CODE = "hi"
    settings.NNC_FOLLOW_BROWSER_LANGUAGE = False


@pytest.fixture
def inspector(city, head):
    """Bhupendra, the sanitary inspector of wards 1 and 2; his name must never reach the public page."""
    officer = make_officer("bhupendra", roles.FIELD_OFFICER, city.sanitation, wards=[city.wards[1], city.wards[2]],
                           reports_to=head, designation="Sanitary Inspector")
    officer.designation_hi = "सफ़ाई निरीक्षक"
    officer.save()
    return officer


@pytest.fixture
def garbage_in_24_hours(city):
    return SLAPolicy.objects.create(name_hi="कूड़ा", name_en="Garbage 24 h", category=city.garbage, resolution_hours=24)


def citizen() -> Client:
    """A phone opening the SMS link: no login, no language cookie, a browser that asks for English."""
    return Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")


def in_english() -> Client:
    client = citizen()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page_of(complaint, client: Client | None = None):
    return (client or in_english()).get(reverse("public:status", args=[complaint.docket]))


def body(response) -> str:
    """The page as a reader sees it: what follows <body> (the inline CSS names classes like .due-overdue)."""
    html = response.content.decode()
    return html[html.index("<body>"):]


def missing_docket() -> str:
    return dockets.format_docket("2611", 99_999)


def with_wrong_check_digit(docket: str) -> str:
    return docket[:-1] + str((int(docket[-1]) + 1) % 10)


# --- what the page says ---------------------------------------------------------------------------------

def test_the_page_shows_docket_status_category_ward_and_due_time(city, inspector, garbage_in_24_hours, register):
    complaint = register(city.garbage, city.wards[1], **CITIZEN)

    response = page_of(complaint)

    assert response.status_code == 200
    page = body(response)
    assert dockets.spoken(complaint.docket) in page
    assert "Assigned" in page  # the status, in words
    assert "Garbage not lifted" in page
    assert "Sanitation" in page
    assert "1 · Colonelganj" in page
    local_due = timezone.localtime(complaint.due_at)
    assert f'datetime="{local_due.isoformat()}"' in page
    assert local_due.strftime("%H:%M") in page
    assert "left" in page and "overdue" not in page


def test_the_page_never_shows_the_citizens_name_mobile_address_landmark_or_description(
    city, inspector, head, agent, register
):
    complaint = register(city.sweeping, city.wards[1], **CITIZEN)
    # Things written about the complaint later that may carry personal data and are not for the public.
    do_add_note(complaint, actor=agent, note="Ramprasad Kushwaha rang again from 9839077712")
    do_start_work(complaint, actor=inspector.user)
    do_put_on_hold(complaint, actor=inspector.user, reason="Sunita Devi not at home")
    do_resume(complaint, actor=inspector.user)

    for client in (citizen(), in_english()):
        page = page_of(complaint, client).content.decode()
        leaked = [text for text in PERSONAL if text in page]
        assert leaked == [], leaked
        assert "Bhupendra" not in page  # the officer is named by designation only
        assert "/officer/attachment/" not in page and "/media/" not in page


def test_the_timeline_shows_what_happened_and_the_officers_designation(city, inspector, register):
    complaint = register(city.sweeping, city.wards[2], **CITIZEN)
    do_start_work(complaint, actor=inspector.user)
    do_put_on_hold(complaint, actor=inspector.user, reason="Waiting for the tractor")
    do_resume(complaint, actor=inspector.user)

    page = page_of(complaint).content.decode()

    timeline = page[page.index('class="timeline"'):]
    steps = ["Registered", "Assigned", "Work started", "Put on hold", "Resumed"]
    positions = [timeline.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "Sanitary Inspector" in timeline
    assert "Waiting for the tractor" not in page  # the officer's internal words stay in the desk


def test_a_resolved_complaint_shows_when_and_the_officers_remarks(city, inspector, register):
    complaint = register(city.sweeping, city.wards[1], **CITIZEN)
    do_start_work(complaint, actor=inspector.user)
    do_resolve(complaint, actor=inspector.user, remarks="Lane swept and the heap lifted by the morning shift")

    page = body(page_of(complaint))

    assert "Resolved" in page
    assert "Resolved on" in page
    assert "Officer's remarks" in page
    assert "Lane swept and the heap lifted by the morning shift" in page


def test_an_open_complaint_shows_no_remarks_and_a_reopened_one_drops_the_old_resolution(
    city, inspector, agent, register
):
    complaint = register(city.sweeping, city.wards[1], **CITIZEN)
    assert "remarks" not in body(page_of(complaint))

    do_resolve(complaint, actor=inspector.user, remarks="Swept")
    do_reopen(complaint, actor=agent, reason="Citizen says the lane is still dirty")
    page = body(page_of(complaint))

    assert "Reopened" in page
    assert "remarks" not in page and "Resolved on" not in page
    assert "still dirty" not in page


def test_a_late_complaint_says_it_is_overdue(city, inspector, garbage_in_24_hours, agent):
    complaint = do_register(
        NewComplaint(mobile="+919839000001", category=city.garbage, ward=city.wards[1], description="Heap"),
        actor=agent, now=timezone.now() - timedelta(hours=30),
    )

    page = body(page_of(complaint))

    assert "overdue by 6 h" in page
    assert "due-overdue" in page


def test_a_rejected_complaint_gives_the_reason_the_senior_wrote_for_the_citizen(city, inspector, head, register):
    complaint = register(city.garbage, city.wards[1], **CITIZEN)
    do_reject(complaint, actor=head.user, reason="Private plot: the owner must clear it")

    page = page_of(complaint).content.decode()

    assert "Rejected" in page
    assert "Private plot: the owner must clear it" in page
    assert "Closed on" in page


def test_a_duplicate_points_to_the_complaint_being_worked_on(city, inspector, head, register):
    original = register(city.garbage, city.wards[1])
    again = register(city.garbage, city.wards[1], **CITIZEN)
    do_mark_duplicate(again, original=original, actor=head.user)

    page = page_of(again).content.decode()

    assert f'href="{reverse("public:status", args=[original.docket])}"' in page
    assert dockets.spoken(original.docket) in page


# --- not found -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["unknown", "wrong check digit", "letters", "too short"])
def test_a_docket_that_is_not_a_complaint_gets_the_same_404_page_with_the_lookup_form(
    city, inspector, register, kind
):
    existing = register(city.garbage, city.wards[1]).docket
    docket = {
        "unknown": missing_docket(),
        "wrong check digit": with_wrong_check_digit(existing),
        "letters": "26110O0427",
        "too short": "2611042",
    }[kind]
    reference = in_english().get(reverse("public:status", args=[missing_docket()]))

    response = in_english().get(reverse("public:status", args=[docket]))

    assert response.status_code == 404
    page = response.content.decode()
    assert "Complaint not found" in page
    assert f'action="{reverse("public:lookup")}"' in page and 'name="docket"' in page
    # Word for word the page an unknown number gets: nothing tells "malformed" from "no such complaint".
    assert page.replace(docket, "…") == reference.content.decode().replace(missing_docket(), "…")
    assert "digit" not in page


def test_the_sms_link_opens_the_page_without_a_redirect(city, inspector, register, settings):
    settings.NNC_PUBLIC_URL = "https://nagarnigam.example.in"
    complaint = register(city.garbage, city.wards[1])

    response = in_english().get(urlsplit(tracking_link(complaint.docket)).path)

    assert response.status_code == 200
    assert dockets.spoken(complaint.docket) in response.content.decode()


def test_the_spoken_form_in_the_address_also_works(city, inspector, register):
    complaint = register(city.garbage, city.wards[1])

    response = in_english().get(f"/t/{dockets.spoken(complaint.docket)}/")

    assert response.status_code == 200


# --- the lookup form -------------------------------------------------------------------------------------

def test_the_lookup_form_asks_for_the_docket_number(db):
    response = in_english().get(reverse("public:lookup"))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'method="get"' in page and 'name="docket"' in page and 'inputmode="numeric"' in page
    assert "<script" not in page and "<link" not in page  # nothing to fetch beyond the page itself


@pytest.mark.parametrize("typed", ["spoken", "stored", "spaces", "hindi digits", "en dashes"])
def test_the_lookup_form_takes_the_number_as_people_write_it(city, inspector, register, typed):
    docket = register(city.garbage, city.wards[1]).docket
    spoken = dockets.spoken(docket)
    text = {
        "spoken": spoken,
        "stored": docket,
        "spaces": f"  {spoken.replace('-', ' ')} ",
        "hindi digits": spoken.translate(str.maketrans("0123456789", "०१२३४५६७८९")),
        "en dashes": spoken.replace("-", "\u2013"),
    }[typed]

    response = in_english().get(reverse("public:lookup"), {"docket": text})

    assert response.status_code == 302
    assert response["Location"] == reverse("public:status", args=[docket])


def test_a_misheard_digit_is_explained_not_looked_up(city, inspector, register, django_assert_num_queries):
    docket = register(city.garbage, city.wards[1]).docket
    typo = with_wrong_check_digit(docket)

    with django_assert_num_queries(0):
        response = in_english().get(reverse("public:lookup"), {"docket": dockets.spoken(typo)})

    assert response.status_code == 200
    page = response.content.decode()
    assert f"{dockets.spoken(typo)} is not a valid docket number: a digit is probably wrong" in page
    assert 'role="alert"' in page and 'aria-invalid="true"' in page
    assert f'value="{dockets.spoken(typo)}"' in page  # kept in the box, to correct


def test_the_lookup_form_says_when_the_text_is_not_a_docket_number_at_all(db):
    client = in_english()
    page = client.get(reverse("public:lookup"), {"docket": "my garbage"}).content.decode()
    assert "my garbage is not a docket number. A docket number has 10 to 12 digits" in page

    page = client.get(reverse("public:lookup"), {"docket": "   "}).content.decode()
    assert "Please enter your docket number." in page


def test_a_well_formed_number_goes_to_its_page_even_if_no_complaint_has_it(db):
    """The form does not look numbers up: whether a complaint exists is told by one page only."""
    response = in_english().get(reverse("public:lookup"), {"docket": dockets.spoken(missing_docket())})

    assert response.status_code == 302
    assert in_english().get(response["Location"]).status_code == 404


# --- language ----------------------------------------------------------------------------------------------

def test_the_page_is_in_hindi_by_default_even_when_the_browser_asks_for_english(city, inspector, register):
    complaint = register(city.garbage, city.wards[1])

    response = page_of(complaint, citizen())

    page = response.content.decode()
    assert '<html lang="hi">' in page
    assert "कूड़ा नहीं उठा" in page and "कर्नलगंज" in page and "स्वच्छता" in page
    assert "सौंपी गई" in page  # the status
    assert "सफ़ाई निरीक्षक" in page and "Sanitary Inspector" not in page
    assert "Garbage not lifted" not in page and "Colonelganj" not in page
    assert response["Content-Language"] == "hi"
    assert f'href="{reverse("public:status", args=[complaint.docket])}?lang=en"' in page
    assert ">English</a>" in page


def test_the_switch_shows_english_and_remembers_the_choice(city, inspector, register):
    complaint = register(city.garbage, city.wards[1])
    client = citizen()

    switched = client.get(reverse("public:status", args=[complaint.docket]), {"lang": "en"})

    page = switched.content.decode()
    assert '<html lang="en">' in page
    assert "Garbage not lifted" in page and "Colonelganj" in page and "Sanitary Inspector" in page
    assert "कूड़ा नहीं उठा" not in page
    assert f'href="{reverse("public:status", args=[complaint.docket])}?lang=hi"' in page
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    # The next visit, without ?lang, is in English too (the language cookie, as the middleware reads it).
    assert '<html lang="en">' in client.get(reverse("public:status", args=[complaint.docket])).content.decode()
    # And back.
    back = client.get(reverse("public:status", args=[complaint.docket]), {"lang": "hi"}).content.decode()
    assert '<html lang="hi">' in back and "कूड़ा नहीं उठा" in back


def test_the_lookup_form_keeps_the_chosen_language_through_the_redirect(city, inspector, register):
    docket = register(city.garbage, city.wards[1]).docket
    client = Client()
    client.cookies.clear()

    form = client.get(reverse("public:lookup"), {"lang": "en"}).content.decode()
    assert '<input type="hidden" name="lang" value="en">' in form
    response = client.get(reverse("public:lookup"), {"docket": docket, "lang": "en"})

    assert response["Location"] == f'{reverse("public:status", args=[docket])}?lang=en'


def test_an_unknown_language_is_ignored(city, inspector, register):
    complaint = register(city.garbage, city.wards[1])

    response = citizen().get(reverse("public:status", args=[complaint.docket]), {"lang": "xx"})

    assert '<html lang="hi">' in response.content.decode()
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


# --- cost and headers ---------------------------------------------------------------------------------------

def test_the_page_costs_two_queries_however_long_the_history(
    city, inspector, head, agent, garbage_in_24_hours, register, django_assert_max_num_queries
):
    fresh = register(city.sweeping, city.wards[1])
    busy = register(city.sweeping, city.wards[2], **CITIZEN)
    do_start_work(busy, actor=inspector.user)
    for round_ in range(5):
        do_put_on_hold(busy, actor=inspector.user, reason=f"Waiting, round {round_}")
        do_resume(busy, actor=inspector.user)
        do_add_note(busy, actor=agent, note=f"Caller rang, round {round_}")
    do_resolve(busy, actor=inspector.user, remarks="Done")
    do_reopen(busy, actor=agent, reason="Not done")
    do_resolve(busy, actor=inspector.user, remarks="Done again")
    client = in_english()

    for complaint in (fresh, busy):
        with django_assert_max_num_queries(2):
            response = page_of(complaint, client)
        assert response.status_code == 200
    assert response.content.decode().count("<li>") >= 16  # the whole public history was shown


def test_every_public_page_may_be_kept_a_minute_by_the_phone_only_and_is_never_indexed(city, inspector, register):
    complaint = register(city.garbage, city.wards[1])
    client = citizen()
    responses = {
        "status": client.get(reverse("public:status", args=[complaint.docket])),
        "not found": client.get(reverse("public:status", args=[missing_docket()])),
        "form": client.get(reverse("public:lookup")),
        "misheard": client.get(reverse("public:lookup"), {"docket": with_wrong_check_digit(complaint.docket)}),
        "redirect": client.get(reverse("public:lookup"), {"docket": complaint.docket}),
    }

    for name, response in responses.items():
        assert response["Cache-Control"] == "private, max-age=60", name
        assert response["X-Robots-Tag"] == "noindex", name
        assert "Cookie" in response["Vary"], name  # the language cookie chooses the words
        assert "script-src" not in response["Content-Security-Policy"], name  # default-src 'none' covers it


def test_the_pages_only_answer_reading(city, inspector, register):
    complaint = register(city.garbage, city.wards[1])

    assert citizen().post(reverse("public:status", args=[complaint.docket])).status_code == 405
    assert citizen().post(reverse("public:lookup"), {"docket": complaint.docket}).status_code == 405
