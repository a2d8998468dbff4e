"""The field officer's phone pages: queue, complaint detail with its actions, and protected photos."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.actions import do_resolve
from nagar_nigam_cc.complaints.models import Complaint, ComplaintEvent, Status
from nagar_nigam_cc.directory import roles
from tests.conftest import PASSWORD, make_officer, photo_upload


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The fixtures make several users; the production hasher would spend seconds on each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_for(user, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def detail_url(complaint: Complaint) -> str:
    return reverse("officer:detail", args=[complaint.docket])


def action_url(complaint: Complaint, action: str) -> str:
    return reverse(f"officer:{action}", args=[complaint.docket])


def kinds(complaint: Complaint) -> list[str]:
    return list(ComplaintEvent.objects.filter(complaint=complaint).values_list("kind", flat=True))


# --- the queue ------------------------------------------------------------------------------------------

def test_officer_sees_their_open_complaints_oldest_first_and_not_another_departments(
    city, officer, outsider, register
):
    first = register(city.garbage, city.wards[1], address="12 Tagore Road")
    second = register(city.sweeping, city.wards[2])
    sewer = register(city.sewer, city.wards[1])
    assert sewer.assigned_to == outsider

    response = client_for(officer.user).get(reverse("officer:queue"))

    assert response.status_code == 200
    page = response.content.decode()
    assert dockets.spoken(first.docket) in page
    assert dockets.spoken(second.docket) in page
    assert dockets.spoken(sewer.docket) not in page
    assert "12 Tagore Road" in page
    assert "Garbage not lifted" in page
    assert page.index(dockets.spoken(first.docket)) < page.index(dockets.spoken(second.docket))
    assert [c.pk for c in response.context["page"].object_list] == [first.pk, second.pk]
    assert "2 open complaints" in page


def test_resolved_complaints_leave_the_queue(city, officer, register):
    complaint = register(city.sweeping, city.wards[1])
    do_resolve(complaint, actor=officer.user, remarks="Swept")

    response = client_for(officer.user).get(reverse("officer:queue"))

    assert dockets.spoken(complaint.docket) not in response.content.decode()


def test_substitute_sees_the_queue_of_an_officer_on_leave(city, officer, head, register):
    stand_in = make_officer("standin", roles.FIELD_OFFICER, city.sanitation, wards=[city.wards[3]])
    complaint = register(city.garbage, city.wards[1])
    officer.on_leave, officer.substitute = True, stand_in
    officer.save()

    response = client_for(stand_in.user).get(reverse("officer:queue"))

    assert [c.pk for c in response.context["page"].object_list] == [complaint.pk]


def test_a_login_without_an_officer_gets_a_friendly_message(agent):
    response = client_for(agent).get(reverse("officer:queue"))

    assert response.status_code == 200
    assert "not linked to an officer" in response.content.decode()


def test_anonymous_visitor_is_sent_to_the_login_page():
    response = Client().get(reverse("officer:queue"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next=/officer/"


def test_the_queue_has_a_language_switch_and_a_phone_viewport(officer):
    page = client_for(officer.user).get(reverse("officer:queue")).content.decode()

    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert f'action="{reverse("set_language")}"' in page
    assert 'name="language" value="hi"' in page


# --- the detail page ------------------------------------------------------------------------------------------

def test_officer_sees_the_complaint_with_a_call_button(city, officer, register):
    complaint = register(city.garbage, city.wards[1], mobile="+919839012345", name="Ramesh", landmark="Near the temple")

    response = client_for(officer.user).get(detail_url(complaint))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="tel:+919839012345"' in page
    assert "Ramesh" in page and "Near the temple" in page
    assert "registered" in page  # the timeline
    assert 'action="%s#actions"' % action_url(complaint, "start") in page
    assert action_url(complaint, "resume") not in page  # not on hold, so no Resume button


def test_a_zonal_officer_sees_the_complaint_but_not_the_citizens_number(city, officer, zonal, register):
    complaint = register(city.garbage, city.wards[1], mobile="+919839012345")

    page = client_for(zonal.user).get(detail_url(complaint)).content.decode()

    assert "tel:" not in page
    assert "9839012345" not in page
    assert "******2345" in page
    assert action_url(complaint, "start") not in page  # they may look, not work on it


def test_outsider_gets_404_for_a_sanitation_docket_and_its_photo(city, officer, outsider, register):
    complaint = register(city.sweeping, city.wards[1])
    do_resolve(complaint, actor=officer.user, remarks="Swept", photo=photo_upload())
    photo = complaint.attachments.get()
    client = client_for(outsider.user)

    assert client.get(detail_url(complaint)).status_code == 404
    assert client.get(reverse("officer:attachment", args=[photo.pk])).status_code == 404
    assert client.post(action_url(complaint, "start")).status_code == 404


def test_a_mistyped_docket_is_not_found(officer):
    client = client_for(officer.user)

    assert client.get(reverse("officer:detail", args=["2611000420"])).status_code == 404
    assert client.get(reverse("officer:detail", args=["abc"])).status_code == 404


def test_html_in_the_description_is_shown_as_text(city, officer, register):
    complaint = register(city.garbage, city.wards[1], description='<script>alert("x")</script> <b>bold</b>')

    page = client_for(officer.user).get(detail_url(complaint)).content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


def test_the_page_is_in_hindi_when_the_language_cookie_says_so(city, officer, register):
    complaint = register(city.garbage, city.wards[1])

    hindi = client_for(officer.user, language="hi").get(detail_url(complaint)).content.decode()
    english = client_for(officer.user, language="en").get(detail_url(complaint)).content.decode()

    assert "कूड़ा नहीं उठा" in hindi and "कर्नलगंज" in hindi and '<html lang="hi">' in hindi
    assert "Garbage not lifted" in english and "कूड़ा नहीं उठा" not in english


# --- the actions ------------------------------------------------------------------------------------------------

def test_officer_starts_holds_resumes_and_resolves_with_a_photo(city, officer, register):
    complaint = register(city.garbage, city.wards[1])
    client = client_for(officer.user)

    response = client.post(action_url(complaint, "start"), follow=True)
    assert response.redirect_chain == [(reverse("officer:queue"), 302)]
    assert "Work started" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS

    response = client.post(action_url(complaint, "hold"), {"hold-reason": "Waiting for the JCB"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.status, complaint.hold_reason) == (Status.ON_HOLD, "Waiting for the JCB")

    page = client.get(detail_url(complaint)).content.decode()
    assert "Waiting for the JCB" in page
    assert action_url(complaint, "resume") in page and action_url(complaint, "start") not in page

    assert client.post(action_url(complaint, "resume")).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS

    response = client.post(
        action_url(complaint, "resolve"), {"resolve-remarks": "Lifted and area cleaned", "resolve-photo": photo_upload()}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED
    assert complaint.resolution_remarks == "Lifted and area cleaned"
    assert kinds(complaint) == ["registered", "assigned", "started", "on_hold", "resumed", "resolved"]
    proof = complaint.attachments.get()
    assert proof.content_type == "image/jpeg"
    assert proof.uploaded_by == officer.user


def test_resolving_without_a_required_photo_is_refused_and_changes_nothing(city, officer, register):
    complaint = register(city.garbage, city.wards[1])

    response = client_for(officer.user).post(action_url(complaint, "resolve"), {"resolve-remarks": "Done"})

    assert response.status_code == 200
    assert "needs a photo of the work done" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == Status.ASSIGNED
    assert kinds(complaint) == ["registered", "assigned"]


def test_resolving_without_a_photo_is_fine_where_none_is_required(city, officer, register):
    complaint = register(city.sweeping, city.wards[1])

    response = client_for(officer.user).post(action_url(complaint, "resolve"), {"resolve-remarks": "Swept"})

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED


def test_a_file_that_is_not_a_photo_is_refused_with_a_clear_message(city, officer, register):
    complaint = register(city.garbage, city.wards[1])
    fake = SimpleUploadedFile("proof.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")

    response = client_for(officer.user).post(
        action_url(complaint, "resolve"), {"resolve-remarks": "Done", "resolve-photo": fake}
    )

    assert response.status_code == 200
    assert "That file is not a photo (JPEG, PNG or WebP)." in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == Status.ASSIGNED
    assert not complaint.attachments.exists()


def test_hold_needs_a_reason(city, officer, register):
    complaint = register(city.garbage, city.wards[1])

    response = client_for(officer.user).post(action_url(complaint, "hold"), {"hold-reason": "   "})

    assert response.status_code == 200
    assert "<details open>" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == Status.ASSIGNED


def test_an_action_the_status_does_not_allow_is_explained(city, officer, register):
    complaint = register(city.garbage, city.wards[1])

    response = client_for(officer.user).post(action_url(complaint, "resume"))

    assert response.status_code == 200
    assert "that cannot be done now" in response.content.decode()


def test_a_zonal_officer_cannot_start_work_on_it(city, officer, zonal, register):
    complaint = register(city.garbage, city.wards[1])

    response = client_for(zonal.user).post(action_url(complaint, "start"), follow=True)

    assert "You can no longer act on" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == Status.ASSIGNED


def test_actions_need_post_and_a_csrf_token(city, officer, register):
    complaint = register(city.garbage, city.wards[1])
    client = Client(enforce_csrf_checks=True)
    client.login(username="officer", password=PASSWORD)

    assert client.get(action_url(complaint, "start")).status_code == 405
    assert client.post(action_url(complaint, "start")).status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == Status.ASSIGNED


# --- photos -----------------------------------------------------------------------------------------------------

def test_the_officer_downloads_the_proof_photo_privately(city, officer, head, register):
    complaint = register(city.sweeping, city.wards[1])
    do_resolve(complaint, actor=officer.user, remarks="Swept", photo=photo_upload())
    photo = complaint.attachments.get()
    url = reverse("officer:attachment", args=[photo.pk])

    assert url in client_for(officer.user).get(detail_url(complaint)).content.decode()
    for user in (officer.user, head.user):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "private" in response["Cache-Control"]
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert not photo.file.url.startswith("/officer/")  # the storage URL is never linked


def test_an_anonymous_visitor_cannot_fetch_a_photo(city, officer, register):
    complaint = register(city.sweeping, city.wards[1])
    do_resolve(complaint, actor=officer.user, remarks="Swept", photo=photo_upload())

    response = Client().get(reverse("officer:attachment", args=[complaint.attachments.get().pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("pk", [999_999])
def test_a_missing_photo_is_not_found(officer, pk):
    assert client_for(officer.user).get(reverse("officer:attachment", args=[pk])).status_code == 404


def test_a_user_who_is_switched_off_is_not_served(city, officer, register):
    complaint = register(city.sweeping, city.wards[1])
    do_resolve(complaint, actor=officer.user, remarks="Swept", photo=photo_upload())
    client = client_for(officer.user)
    User.objects.filter(pk=officer.user.pk).update(is_active=False)

    response = client.get(reverse("officer:attachment", args=[complaint.attachments.get().pk]))

    assert response.status_code in (302, 404)
