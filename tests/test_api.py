"""The REST API (/api/v1/): registering, listing, reading and acting on complaints, as each person's token
allows — exactly what the desk allows them (`complaints.access`), no more.

People come from tests/conftest.py: the agent, the sanitation officer of wards 1–2, its head, the Katra
zonal officer, the Jal Kal outsider, the commissioner and the auditor.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from nagar_nigam_cc.api.models import IdempotencyKey
from nagar_nigam_cc.complaints.actions import do_resolve, do_start_work
from nagar_nigam_cc.complaints.models import Channel, Complaint, EventKind, Status
from nagar_nigam_cc.sla.models import SLAPolicy
from tests.conftest import photo_upload

COMPLAINTS = "/api/v1/complaints/"


@pytest.fixture(autouse=True)
def _fresh_directory_cache():
    """Each test's rows are rolled back without signals: forget categories and wards read in earlier tests."""
    from nagar_nigam_cc.api import directory_cache

    directory_cache.forget()
    yield
    directory_cache.forget()


def client_for(user, language: str = "en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def account(person):
    """The login of a fixture person (officers are Officer rows, the others Users)."""
    return getattr(person, "user", person)


def act(person, complaint, action, data=None, **kwargs):
    return client_for(account(person)).post(f"{COMPLAINTS}{complaint.docket}/actions/{action}/", data or {}, **kwargs)


@pytest.fixture
def garbage_in_24_hours(city):
    return SLAPolicy.objects.create(name_hi="कूड़ा", name_en="Garbage 24 h", category=city.garbage, resolution_hours=24)


def new_complaint(**overrides):
    data = {"mobile": "9839012345", "category": "garbage", "ward": 1, "description": "कूड़ा तीन दिन से नहीं उठा",
            "name": "Ramesh", "address": "12 Katra Road"}
    data.update(overrides)
    return data


# --- registering ------------------------------------------------------------------------------------------


def test_an_agent_registers_a_complaint_and_hears_its_docket_due_time_and_status(agent, officer, garbage_in_24_hours):
    response = client_for(agent).post(COMPLAINTS, new_complaint(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    complaint = Complaint.objects.get()
    assert body["docket"] == complaint.docket and len(body["docket"]) == 10
    assert body["status"] == "assigned"
    assert body["due_at"] is not None and body["due_at"] == response.data["due_at"]
    assert complaint.due_at == complaint.registered_at + timedelta(hours=24)
    assert body["assigned_to"]["id"] == officer.pk
    assert complaint.channel == Channel.API and complaint.registered_by == agent
    assert body["citizen"]["mobile"] == "+919839012345"  # agents call citizens back: the whole number
    assert response["Location"].endswith(f"{COMPLAINTS}{complaint.docket}/")
    assert complaint.events.filter(kind=EventKind.REGISTERED, data__channel="api").exists()


def test_coordinates_inside_the_city_are_kept_and_outside_are_refused(agent, officer):
    outside = client_for(agent).post(COMPLAINTS, new_complaint(latitude="28.6139", longitude="77.2090"), format="json")
    assert outside.status_code == 400
    assert "latitude" in outside.json()["errors"]
    assert "outside the city" in outside.json()["detail"]
    assert not Complaint.objects.exists()

    half = client_for(agent).post(COMPLAINTS, new_complaint(latitude="25.43"), format="json")
    assert half.status_code == 400 and "both latitude and longitude" in half.json()["detail"]

    inside = client_for(agent).post(COMPLAINTS, new_complaint(latitude="25.435801", longitude="81.846311"), format="json")
    assert inside.status_code == 201
    assert inside.json()["latitude"] == 25.435801 and inside.json()["longitude"] == 81.846311
    stored = Complaint.objects.get()
    assert (str(stored.latitude), str(stored.longitude)) == ("25.435801", "81.846311")


def test_only_those_with_the_register_right_may_register(officer, auditor, head):
    for person in (officer, auditor, head):
        response = client_for(account(person)).post(COMPLAINTS, new_complaint(), format="json")
        assert response.status_code == 403, person
        assert response.json()["code"] == "permission_denied"
    assert not Complaint.objects.exists()


def test_no_token_no_entry(city):
    response = APIClient().get(COMPLAINTS)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    wrong = APIClient(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567").get(COMPLAINTS)
    assert wrong.status_code == 401


@pytest.mark.parametrize("change, field, words", [
    ({"category": "fireworks"}, "category", "There is no category “fireworks”."),
    ({"ward": 99}, "ward", "There is no ward number 99."),
    ({"mobile": "12345"}, "mobile", "is not a valid phone number"),
    ({"mobile": "0532 2460000"}, "mobile", "not a mobile number"),  # a Prayagraj landline: no SMS
    ({"description": "   "}, "description", "may not be blank"),
    ({"description": "x" * 4001}, "description", "4000"),
    ({"priority": 9}, "priority", "not a valid choice"),
])
def test_bad_input_is_a_400_naming_the_field(agent, city, change, field, words):
    response = client_for(agent).post(COMPLAINTS, new_complaint(**change), format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert field in body.get("errors", {}) or field in body["detail"] or words in body["detail"], body
    assert words in str(body)
    assert not Complaint.objects.exists()


def test_messages_come_in_hindi_unless_the_client_asks_for_english(agent, city):
    hindi = client_for(agent, language="hi").post(COMPLAINTS, new_complaint(ward=99), format="json")
    english = client_for(agent, language="en").post(COMPLAINTS, new_complaint(ward=99), format="json")
    assert english.json()["detail"] == "There is no ward number 99."
    assert hindi.json()["code"] == english.json()["code"] == "not_found"
    # Without the header: the city's language (Hindi), whatever is translated so far.
    assert hindi.status_code == english.status_code == 400


def test_the_same_caller_again_is_a_possible_duplicate_with_the_existing_docket(agent, officer):
    first = client_for(agent).post(COMPLAINTS, new_complaint(), format="json").json()
    again = client_for(agent).post(COMPLAINTS, new_complaint(description="still not lifted"), format="json")

    assert again.status_code == 409
    assert again.json()["code"] == "possible_duplicate"
    assert again.json()["existing"]["docket"] == first["docket"]
    assert Complaint.objects.count() == 1

    allowed = client_for(agent).post(COMPLAINTS, new_complaint(description="another heap", allow_duplicate=True),
                                     format="json")
    assert allowed.status_code == 201 and Complaint.objects.count() == 2


def test_a_retried_post_with_its_idempotency_key_returns_the_first_complaint(agent, officer):
    client = client_for(agent)
    first = client.post(COMPLAINTS, new_complaint(), format="json", HTTP_IDEMPOTENCY_KEY="call-7f3a")
    retry = client.post(COMPLAINTS, new_complaint(), format="json", HTTP_IDEMPOTENCY_KEY="call-7f3a")

    assert first.status_code == retry.status_code == 201
    assert retry.json()["docket"] == first.json()["docket"]
    assert retry["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Complaint.objects.count() == 1 and IdempotencyKey.objects.count() == 1


def test_an_idempotency_key_reused_for_a_different_complaint_is_refused(agent, officer):
    client = client_for(agent)
    client.post(COMPLAINTS, new_complaint(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    other = client.post(COMPLAINTS, new_complaint(mobile="9839000001"), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Complaint.objects.count() == 1


def test_idempotency_keys_belong_to_one_user(agent, commissioner, officer):
    client_for(agent).post(COMPLAINTS, new_complaint(), format="json", HTTP_IDEMPOTENCY_KEY="1")
    theirs = client_for(commissioner).post(COMPLAINTS, new_complaint(mobile="9839000002"), format="json",
                                           HTTP_IDEMPOTENCY_KEY="1")
    assert theirs.status_code == 201 and Complaint.objects.count() == 2


def test_a_failed_post_leaves_its_key_unused(agent, officer):
    client = client_for(agent)
    assert client.post(COMPLAINTS, new_complaint(ward=99), format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    assert client.post(COMPLAINTS, new_complaint(), format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201


# --- reading ----------------------------------------------------------------------------------------------


@pytest.fixture
def complaints(city, officer, outsider, register):
    """Two sanitation complaints in wards 1 and 4 (Naini: no officer, so the head), a Jal Kal one in ward 1."""
    return {
        "ward1": register(city.garbage, city.wards[1]),
        "naini": register(city.sweeping, city.wards[4]),
        "sewer": register(city.sewer, city.wards[1]),
    }


def dockets_listed(person, query: str = "") -> set[str]:
    response = client_for(account(person)).get(f"{COMPLAINTS}?{query}")
    assert response.status_code == 200, response.json()
    return {row["docket"] for row in response.json()["results"]}


def test_each_token_lists_what_its_person_sees_in_the_desk(complaints, agent, officer, head, zonal, outsider,
                                                           commissioner, auditor):
    every = {c.docket for c in complaints.values()}
    assert dockets_listed(agent) == dockets_listed(commissioner) == dockets_listed(auditor) == every
    assert dockets_listed(officer) == {complaints["ward1"].docket}
    assert dockets_listed(head) == {complaints["ward1"].docket, complaints["naini"].docket}
    assert dockets_listed(zonal) == {complaints["ward1"].docket, complaints["sewer"].docket}  # Katra only
    assert dockets_listed(outsider) == {complaints["sewer"].docket}


def test_an_outsider_gets_not_found_for_another_departments_complaint(complaints, outsider):
    response = client_for(outsider.user).get(f"{COMPLAINTS}{complaints['ward1'].docket}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    mine = client_for(outsider.user).get(f"{COMPLAINTS}{complaints['sewer'].docket}/")
    assert mine.status_code == 200


def test_a_complaint_reads_with_its_timeline(complaints, officer):
    body = client_for(officer.user).get(f"{COMPLAINTS}{complaints['ward1'].docket}/").json()
    assert [e["kind"] for e in body["events"]] == ["registered", "assigned"]
    assert body["category"]["code"] == "garbage" and body["ward"]["number"] == 1
    assert body["zone"]["code"] == "katra" and body["department"]["code"] == "sanitation"


def test_mobiles_are_masked_for_those_who_do_not_call_back(complaints, zonal, auditor, officer):
    complaint = complaints["ward1"]
    full = complaint.citizen.mobile
    for person in (zonal, auditor):
        body = client_for(account(person)).get(f"{COMPLAINTS}{complaint.docket}/").json()
        assert body["citizen"]["mobile"] == "******" + full[-4:]
        assert full not in str(body)
    assert client_for(officer.user).get(f"{COMPLAINTS}{complaint.docket}/").json()["citizen"]["mobile"] == full


def test_filters_narrow_the_list(complaints, commissioner, city):
    assert dockets_listed(commissioner, "department=jalkal") == {complaints["sewer"].docket}
    assert dockets_listed(commissioner, "zone=naini") == {complaints["naini"].docket}
    assert dockets_listed(commissioner, "ward=1&category=garbage") == {complaints["ward1"].docket}
    assert dockets_listed(commissioner, "status=open") == {c.docket for c in complaints.values()}
    assert dockets_listed(commissioner, "status=resolved") == set()
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert dockets_listed(commissioner, f"registered_after={later.replace('+', '%2B')}") == set()
    assert len(dockets_listed(commissioner, f"registered_before={later.replace('+', '%2B')}")) == 3


def test_overdue_means_open_running_and_past_its_time(city, officer, commissioner, register, garbage_in_24_hours):
    late = register(city.garbage, city.wards[1])
    Complaint.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    on_time = register(city.garbage, city.wards[2])
    assert dockets_listed(commissioner, "overdue=true") == {late.docket}
    assert dockets_listed(commissioner, "overdue=false") == {on_time.docket}


@pytest.mark.parametrize("query, field", [
    ("status=lost", "status"), ("category=fireworks", "category"), ("ward=99", "ward"), ("ward=abc", "ward"),
    ("zone=atlantis", "zone"), ("registered_after=yesterday", "registered_after"), ("page_size=x", None),
])
def test_unknown_filter_values_are_a_clear_400(complaints, commissioner, query, field):
    response = client_for(commissioner).get(f"{COMPLAINTS}?{query}")
    if field is None:  # a bad page size falls back to the default, as DRF does
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_pages_follow_a_cursor_newest_first_without_counting(city, officer, commissioner, register):
    made = [register(city.garbage, city.wards[1]) for _ in range(5)]
    client = client_for(commissioner)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(f"{COMPLAINTS}?page_size=2").json()
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    assert [row["docket"] for row in first["results"]] == [made[4].docket, made[3].docket]
    seen = [row["docket"] for row in first["results"]]
    page = first
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [row["docket"] for row in page["results"]]
    assert seen == [c.docket for c in reversed(made)]


def test_a_page_costs_the_same_queries_for_one_complaint_or_twenty(city, officer, commissioner, register):
    register(city.garbage, city.wards[1])
    client = client_for(commissioner)
    client.get(COMPLAINTS)  # the token's first use
    with CaptureQueriesContext(connection) as one:
        client.get(COMPLAINTS)
    for i in range(19):
        register(city.garbage, city.wards[1 + i % 2])
    with CaptureQueriesContext(connection) as twenty:
        assert len(client.get(COMPLAINTS).json()["results"]) == 20
    assert len(twenty) == len(one)


# --- acting -----------------------------------------------------------------------------------------------


def test_the_officer_works_a_complaint_through_to_resolved(garbage_in_24_hours, complaints, officer):
    complaint = complaints["ward1"]
    assert act(officer, complaint, "start").json()["status"] == "in_progress"
    held = act(officer, complaint, "hold", {"reason": "waiting for the JCB"})
    assert held.json()["status"] == "on_hold" and held.json()["paused"] is True
    assert act(officer, complaint, "resume").json()["status"] == "in_progress"
    resolved = act(officer, complaint, "resolve", {"remarks": "Lifted, area cleaned", "photo": photo_upload()},
                   format="multipart")
    assert resolved.status_code == 200, resolved.json()
    body = resolved.json()
    assert body["status"] == "resolved"
    proof = body["events"][-1]["attachments"][0]
    assert proof["kind"] == "proof" and proof["content_type"] == "image/jpeg"
    photo = client_for(officer.user).get(proof["url"])
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"


def test_resolving_without_the_required_photo_is_a_400(complaints, officer):
    response = act(officer, complaints["ward1"], "resolve", {"remarks": "done"})
    assert response.status_code == 400
    assert "photo" in response.json()["errors"]
    assert Complaint.objects.get(pk=complaints["ward1"].pk).status == Status.ASSIGNED


def test_the_auditor_reads_but_cannot_act(complaints, auditor):
    for action, data in (("start", {}), ("note", {"note": "seen"}), ("reject", {"reason": "no"})):
        response = act(auditor, complaints["ward1"], action, data)
        assert response.status_code == 403, action
        assert response.json()["detail"] == "You may not do that to this complaint."
    assert Complaint.objects.get(pk=complaints["ward1"].pk).events.count() == 2


def test_an_outsider_cannot_act_on_what_it_cannot_see(complaints, outsider):
    assert act(outsider, complaints["ward1"], "start").status_code == 404


def test_a_step_the_status_does_not_allow_is_a_409(complaints, agent):
    response = act(agent, complaints["ward1"], "close")
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert "cannot be done now" in response.json()["detail"]


def test_a_missing_reason_is_a_400(complaints, head):
    response = act(head, complaints["ward1"], "reject", {})
    assert response.status_code == 400 and "reason" in response.json()["errors"]


def test_supervisors_reject_reassign_and_mark_duplicates(complaints, head, officer, city):
    from tests.conftest import make_officer
    from nagar_nigam_cc.directory import roles

    other = make_officer("other", roles.FIELD_OFFICER, city.sanitation, wards=[city.wards[3]])
    assigned = act(head, complaints["ward1"], "assign", {"officer": other.pk, "reason": "Officer on survey duty"})
    assert assigned.status_code == 200 and assigned.json()["assigned_to"]["id"] == other.pk
    wrong = act(head, complaints["naini"], "assign", {"officer": 999999, "reason": "x"})
    assert wrong.status_code == 400 and "officer" in wrong.json()["errors"]
    dup = act(head, complaints["naini"], "mark_duplicate", {"original": complaints["ward1"].docket})
    assert dup.json()["status"] == "duplicate" and dup.json()["duplicate_of"] == complaints["ward1"].docket
    rejected = act(head, complaints["ward1"], "reject", {"reason": "Private property"})
    assert rejected.json()["status"] == "rejected"


def test_agents_note_close_and_reopen_on_the_citizens_word(complaints, agent, officer):
    complaint = complaints["naini"]  # sweeping: no photo needed
    noted = act(agent, complaint, "note", {"note": "Caller rang again"})
    assert noted.json()["events"][-1]["note"] == "Caller rang again"
    do_resolve(complaint, actor=None, remarks="Swept")
    assert act(agent, complaint, "close", {"remarks": "Citizen satisfied"}).json()["status"] == "closed"
    assert act(agent, complaint, "reopen", {"reason": "Dirty again"}).json()["status"] == "reopened"


def test_the_citizens_verdict_is_recorded_by_an_agent(complaints, agent, head):
    complaint = complaints["naini"]
    do_start_work(complaint, actor=None)
    do_resolve(complaint, actor=None, remarks="Swept")
    disputed = act(agent, complaint, "dispute", {"note": "Still dirty"})
    assert disputed.json()["status"] == "reopened" and disputed.json()["escalation_level"] == 1


# --- the rest ---------------------------------------------------------------------------------------------


def test_the_directory_lists_categories_wards_departments_zones_and_officers(city, agent, officer):
    client = client_for(agent)
    categories = client.get("/api/v1/categories/").json()
    assert {c["code"] for c in categories} == {"garbage", "sweeping", "sewer"}
    assert client.get("/api/v1/categories/sewer/").json()["department"] == "jalkal"
    wards = client.get("/api/v1/wards/").json()
    assert [w["number"] for w in wards] == [1, 2, 3, 4] and wards[0]["zone"] == "katra"
    assert {d["code"] for d in client.get("/api/v1/departments/").json()} == {"sanitation", "jalkal"}
    assert {z["code"] for z in client.get("/api/v1/zones/").json()} == {"katra", "naini"}
    officers = client.get("/api/v1/officers/?department=sanitation").json()
    assert {o["name"] for o in officers} == {"Officer", "Head"}
    assert "mobile" not in officers[0]


def test_an_app_gets_its_token_with_username_and_password(officer):
    from tests.conftest import PASSWORD

    response = APIClient().post("/api/v1/auth/token/", {"username": "officer", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert APIClient(HTTP_AUTHORIZATION=f"Token {token}").get(COMPLAINTS).status_code == 200
    wrong = APIClient().post("/api/v1/auth/token/", {"username": "officer", "password": "guess"}, format="json")
    assert wrong.status_code == 400


def test_guessing_passwords_is_slowed_down(officer, settings):
    settings.NNC_API_TOKEN_RATE = "3/m"
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    codes = [client.post("/api/v1/auth/token/", {"username": "officer", "password": f"guess{i}"}, format="json")
             .status_code for i in range(5)]
    assert codes[:3] == [400, 400, 400] and codes[3:] == [429, 429]


def test_the_schema_and_its_docs_are_served_from_this_server(db):
    client = APIClient()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/complaints/" in paths and "/open311/v2/requests.xml" in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/redoc/").status_code == 200


# --- the same key from several connections at once (MariaDB) ---------------------------------------------


@pytest.mark.mariadb
@pytest.mark.skipif(connection.vendor != "mysql", reason=(
    "needs a database several connections share (MariaDB: DATABASE_URL=mysql://…); SQLite's writers take the "
    "database lock at BEGIN IMMEDIATE and never overlap"))
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_key_sent_six_times_at_once_registers_one_complaint(city, officer, agent):
    """A phone app on a bad connection fires its POST again and again before the first answer arrives:
    six requests with one Idempotency-Key at the same instant. One complaint; all six get its docket."""
    import threading

    from django.contrib.auth.models import Group
    from django.db import connections

    from nagar_nigam_cc.directory import roles

    for name in roles.ALL:  # a transactional test's flush may have removed the role groups
        Group.objects.get_or_create(name=name)
    agent.groups.set(Group.objects.filter(name=roles.AGENT))
    token = Token.objects.create(user=agent).key
    barrier, results, errors = threading.Barrier(6, timeout=30), [], []

    def send():
        try:
            client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
            barrier.wait()
            response = client.post(COMPLAINTS, new_complaint(), format="json", HTTP_IDEMPOTENCY_KEY="retry-storm")
            results.append((response.status_code, response.json().get("docket")))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert Complaint.objects.count() == 1
    docket = Complaint.objects.get().docket
    assert results == [(201, docket)] * 6


def test_the_schema_describes_exactly_what_a_complaint_looks_like(complaints, commissioner):
    """ComplaintSerializer writes its output by hand (speed); its declared fields are the schema."""
    from nagar_nigam_cc.api.serializers import ComplaintDetailSerializer, ComplaintSerializer

    listed = client_for(commissioner).get(COMPLAINTS).json()["results"][0]
    assert set(listed) == set(ComplaintSerializer().fields)
    detail = client_for(commissioner).get(f"{COMPLAINTS}{listed['docket']}/").json()
    assert set(detail) == set(ComplaintDetailSerializer().fields)
    assert listed["registered_at"].endswith("+05:30")


def test_a_remembered_token_is_refused_within_seconds_of_its_user_leaving(agent, settings, time_machine):
    """The API remembers a token's user for NNC_API_TOKEN_CACHE_SECONDS; after that a deactivated user is
    refused, and with the setting at 0 at once."""
    from rest_framework.authtoken.models import Token

    settings.NNC_API_TOKEN_CACHE_SECONDS = 5
    time_machine.move_to("2026-11-20 10:00:00+05:30", tick=False)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=agent).key}")
    assert client.get("/api/v1/categories/").status_code == 200
    agent.is_active = False
    agent.save()
    assert client.get("/api/v1/categories/").status_code == 200  # remembered
    time_machine.move_to("2026-11-20 10:00:06+05:30", tick=False)
    assert client.get("/api/v1/categories/").status_code == 401
    settings.NNC_API_TOKEN_CACHE_SECONDS = 0
    agent.is_active = True
    agent.save()
    assert client.get("/api/v1/categories/").status_code == 200
    agent.is_active = False
    agent.save()
    assert client.get("/api/v1/categories/").status_code == 401
