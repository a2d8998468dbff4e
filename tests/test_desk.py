"""The desk (Django admin): the agent's registration form, the scoped list, search and the action buttons."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from nagar_nigam_cc.complaints.models import Complaint, EventKind, Status
from tests.conftest import PASSWORD, photo_upload

ADD = "/desk/complaints/complaint/add/"
LIST = "/desk/complaints/complaint/"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    return client


def change_url(complaint):
    return reverse("admin:complaints_complaint_change", args=[complaint.pk])


def action_url(complaint, path):
    return f"{LIST}{complaint.pk}/{path}/"


def form_data(city, **overrides):
    data = {
        "mobile": "98390 12345", "name": "Ramesh Kumar", "language": "hi", "category": city.garbage.pk,
        "ward": city.wards[1].pk, "address": "12 Katra Road", "landmark": "near the temple",
        "description": "Garbage has not been lifted for three days", "channel": "phone",
    }
    return {**data, **overrides}


def test_agent_registers_a_complaint_and_sees_its_docket_number(client, city, officer, agent):
    login(client, agent)
    response = client.post(ADD, form_data(city), follow=True)
    complaint = Complaint.objects.get()
    assert complaint.assigned_to == officer
    assert complaint.citizen.mobile == "+919839012345"
    html = response.content.decode()
    assert "docket-number" in html
    assert re.search(r"\d{4}-\d{5,}-\d", html)
    assert complaint.docket[:4] in html


def test_a_second_identical_call_is_offered_as_a_duplicate_not_created(client, city, officer, agent):
    login(client, agent)
    client.post(ADD, form_data(city))
    response = client.post(ADD, form_data(city))
    assert response.status_code == 200
    assert "Possible duplicate" in response.content.decode()
    assert Complaint.objects.count() == 1
    client.post(ADD, form_data(city, allow_duplicate="on"))
    assert Complaint.objects.count() == 2


@pytest.mark.parametrize("mobile", ["12345", "0532 2400000", "not a number", "9" * 40])
def test_a_bad_mobile_number_is_refused_with_a_message(client, city, officer, agent, mobile):
    login(client, agent)
    response = client.post(ADD, form_data(city, mobile=mobile))
    assert response.status_code == 200
    assert response.context["form"].errors["mobile"]
    assert not Complaint.objects.exists()


def test_script_in_the_description_is_shown_escaped(client, city, officer, agent):
    login(client, agent)
    response = client.post(ADD, form_data(city, description="<script>alert(1)</script>"), follow=True)
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_officers_cannot_register_complaints(client, city, officer):
    login(client, officer.user)
    assert client.get(ADD).status_code == 403


def test_the_list_shows_only_what_the_user_may_see(client, city, officer, outsider, register):
    mine = register(city.garbage, city.wards[1])
    theirs = register(city.sewer, city.wards[1])
    login(client, outsider.user)
    response = client.get(LIST)
    assert response.status_code == 200
    shown = {c.pk for c in response.context["cl"].result_list}
    assert shown == {theirs.pk}
    assert client.get(change_url(mine)).status_code == 404
    assert client.get(action_url(mine, "start")).status_code in (403, 404)
    assert mine.status == Status.ASSIGNED


def test_search_by_docket_and_by_mobile(client, city, officer, agent, register):
    first = register(city.garbage, city.wards[1], mobile="9839011111")
    register(city.garbage, city.wards[2], mobile="9839022222")
    login(client, agent)
    for term in (first.docket, f"{first.docket[:4]}-{first.docket[4:-1]}-{first.docket[-1]}", "98390 11111"):
        result = client.get(LIST, {"q": term}).context["cl"].result_list
        assert [c.pk for c in result] == [first.pk], term
    wrong_check_digit = first.docket[:-1] + str((int(first.docket[-1]) + 1) % 10)
    response = client.get(LIST, {"q": wrong_check_digit})
    assert list(response.context["cl"].result_list) == []
    assert "misheard" in response.content.decode()


def test_officer_works_a_complaint_through_the_desk_buttons(client, city, officer, register):
    complaint = register(city.garbage, city.wards[1])
    login(client, officer.user)
    page = client.get(change_url(complaint)).content.decode()
    assert "Start work" in page and "Reject" not in page
    client.post(action_url(complaint, "start"))
    client.post(action_url(complaint, "resolve"), {"remarks": "Lifted", "photo": photo_upload()})
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED
    assert complaint.attachments.count() == 1


def test_head_reassigns_with_a_reason_and_the_timeline_shows_it(client, city, officer, head, register):
    other = type(officer).objects.create(user=type(officer.user).objects.create_user("other"), name="Other",
                                         department=city.sanitation, designation_en="SI", designation_hi="SI")
    complaint = register(city.garbage, city.wards[1])
    login(client, head.user)
    response = client.post(action_url(complaint, "assign"), {"officer": other.pk, "reason": "Officer is in court"},
                           follow=True)
    complaint.refresh_from_db()
    assert complaint.assigned_to == other
    event = complaint.events.get(kind=EventKind.REASSIGNED)
    assert event.actor == head.user and event.note == "Officer is in court"
    assert "Officer is in court" in response.content.decode()


def test_an_illegal_action_url_is_refused(client, city, officer, head, register):
    complaint = register(city.garbage, city.wards[1])
    login(client, head.user)
    assert client.post(action_url(complaint, "close"), {"remarks": "x"}).status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == Status.ASSIGNED


def test_export_is_scoped_and_neutralises_formulas(client, city, officer, head, register):
    register(city.garbage, city.wards[1], description="=HYPERLINK(\"http://x\")")
    register(city.sewer, city.wards[1])
    login(client, head.user)
    ids = list(Complaint.objects.values_list("pk", flat=True))
    response = client.post(LIST, {"action": "export_csv", "_selected_action": ids})
    body = b"".join(response.streaming_content).decode()
    assert body.count("\n") == 2  # header + the one sanitation complaint
    assert "'=HYPERLINK" in body
