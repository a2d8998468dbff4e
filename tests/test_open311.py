"""Open311 GeoReport v2 at /open311/v2/: the spec's resources, field names, XML elements and errors, so an
existing Open311 app or client (FixMyStreet, a city's citizen app) works unchanged.

Field names are the spec's (wiki.open311.org/GeoReport_v2) and, for servicerequestupdates, mySociety's
extension as FixMyStreet reads it.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from defusedxml import ElementTree as SafeET
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from nagar_nigam_cc.complaints.actions import do_reject, do_resolve, do_start_work
from nagar_nigam_cc.complaints.models import Channel, Complaint, EventKind
from nagar_nigam_cc.open311.models import ApiKey, Open311Request, hash_key
from nagar_nigam_cc.sla.models import SLAPolicy

BASE = "/open311/v2/"


@pytest.fixture(autouse=True)
def _fresh_directory_cache():
    """Each test's rows are rolled back without signals: forget categories and wards read in earlier tests."""
    from nagar_nigam_cc.api import directory_cache

    directory_cache.forget()
    yield
    directory_cache.forget()
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def fixmystreet(city):
    """The key the commissioner issued to FixMyStreet Prayagraj: (the row, the secret)."""
    return ApiKey.issue("FixMyStreet Prayagraj")


@pytest.fixture
def garbage_in_24_hours(city):
    return SLAPolicy.objects.create(name_hi="कूड़ा", name_en="Garbage 24 h", category=city.garbage, resolution_hours=24)


@pytest.fixture
def localities(city):
    city.wards[2].localities = "Katra Bazar\nलक्ष्मी टॉकीज"
    city.wards[2].save()
    city.wards[3].localities = "Allahabad University"
    city.wards[3].save()


def report(**overrides):
    data = {"service_code": "garbage", "address_id": "1", "phone": "9839012345",
            "description": "Garbage not lifted for three days", "first_name": "Ramesh", "last_name": "Kumar",
            "lat": "25.4358", "long": "81.8463"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(client, key_secret, fmt="json", **overrides):
    return client.post(f"{BASE}requests.{fmt}", {"api_key": key_secret, **report(**overrides)})


def xml(response):
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    return SafeET.fromstring(response.content)


def assert_spec_error(response, status_code: int, words: str = ""):
    assert response.status_code == status_code, response.content
    body = response.json()
    assert isinstance(body, list) and body and set(body[0]) == {"code", "description"}
    assert body[0]["code"] == status_code
    assert words in " ".join(e["description"] for e in body), body


# --- services ---------------------------------------------------------------------------------------------


def test_services_are_the_active_categories(client, city):
    city.sewer.is_active = False
    city.sewer.save()
    services = client.get(f"{BASE}services.json").json()
    assert [s["service_code"] for s in services] == ["garbage", "sweeping"]
    assert set(services[0]) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
    assert services[0]["metadata"] is False and services[0]["type"] == "realtime"
    assert services[0]["service_name"] == "Garbage not lifted" and services[0]["group"] == "Sanitation"


def test_services_in_xml_use_the_specs_elements(client, city):
    root = xml(client.get(f"{BASE}services.xml"))
    assert root.tag == "services"
    first = root.findall("service")[0]
    assert first.findtext("service_code") == "garbage"
    assert first.findtext("metadata") == "false"


def test_services_speak_hindi_by_default(city):
    services = Client().get(f"{BASE}services.json").json()
    assert services[0]["service_name"] == "कूड़ा नहीं उठा"


def test_a_service_definition_has_no_attributes_and_an_unknown_code_is_a_404(client, city):
    assert client.get(f"{BASE}services/garbage.json").json() == {"service_code": "garbage", "attributes": []}
    root = xml(client.get(f"{BASE}services/garbage.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "garbage"
    assert_spec_error(client.get(f"{BASE}services/fireworks.json"), 404, "service_code “fireworks” not found")
    missing = client.get(f"{BASE}services/fireworks.xml")
    assert missing.status_code == 404
    error = xml(missing)
    assert error.tag == "errors" and error.find("error").findtext("code") == "404"


# --- POST requests ----------------------------------------------------------------------------------------


def test_a_client_posts_a_request_and_a_complaint_is_registered(client, fixmystreet, officer, garbage_in_24_hours):
    key, secret = fixmystreet
    response = post(client, secret)

    assert response.status_code == 201, response.content
    [created] = response.json()
    complaint = Complaint.objects.get()
    assert created["service_request_id"] == complaint.docket
    assert created["token"] and "account_id" in created and created["service_notice"]
    assert complaint.channel == Channel.API and complaint.registered_by == key.user
    assert complaint.ward.number == 1 and complaint.assigned_to == officer
    assert complaint.citizen.mobile == "+919839012345" and complaint.citizen.name == "Ramesh Kumar"
    assert (str(complaint.latitude), str(complaint.longitude)) == ("25.435800", "81.846300")
    received = Open311Request.objects.get()
    assert received.api_key == key and received.complaint == complaint and received.token == created["token"]
    # The complaint is this client's: it reads back in full, with its due time as expected_datetime.
    [row] = client.get(f"{BASE}requests/{complaint.docket}.json", {"api_key": secret}).json()
    assert set(row) == REQUEST_FIELDS
    assert row["status"] == "open" and row["service_code"] == "garbage"
    assert row["description"] == "Garbage not lifted for three days"
    assert row["expected_datetime"] == timezone.localtime(complaint.due_at).isoformat(timespec="seconds")
    assert row["expected_datetime"].endswith("+05:30")
    assert row["lat"] == pytest.approx(25.4358) and row["long"] == pytest.approx(81.8463)
    assert row["address_id"] == "1"


def test_the_post_answers_in_xml_when_asked_at_the_xml_url(client, fixmystreet, officer):
    root = xml(post(client, fixmystreet[1], fmt="xml"))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request.findtext("service_request_id") == Complaint.objects.get().docket
    assert request.findtext("token")


def test_a_post_needs_a_valid_api_key(client, fixmystreet, officer):
    assert_spec_error(client.post(f"{BASE}requests.json", report()), 403, "api_key is required")
    assert_spec_error(post(client, "not-a-key"), 403, "api_key is not valid")
    key, secret = fixmystreet
    key.active = False
    key.save()
    assert not User.objects.get(pk=key.user_id).is_active  # its login goes with it
    assert_spec_error(post(client, secret), 403, "api_key is not valid")
    assert not Complaint.objects.exists()
    error = xml(client.post(f"{BASE}requests.xml", report()))
    assert error.tag == "errors" and error.find("error").findtext("code") == "403"


def test_only_a_hash_of_the_key_is_kept(fixmystreet):
    key, secret = fixmystreet
    assert key.key_hash == hash_key(secret) and secret not in key.key_hash and key.prefix == secret[:8]
    assert ApiKey.find(secret) == key and ApiKey.find(secret + "x") is None


@pytest.mark.parametrize("overrides, status_code, words", [
    ({"service_code": "fireworks"}, 404, "service_code “fireworks” not found"),
    ({"service_code": None}, 400, "service_code"),
    ({"phone": None}, 400, "phone is required"),
    ({"phone": "0532 2460000"}, 400, "not a mobile number"),
    ({"lat": "28.6139", "long": "77.2090"}, 400, "outside the city"),
    ({"lat": "25.43", "long": None}, 400, "lat and long must both be given"),
    ({"lat": "north", "long": "81.8"}, 400, "lat and long must both be given"),
    ({"address_id": None}, 400, "Coordinates alone cannot be placed in a ward"),
    ({"address_id": None, "lat": None, "long": None}, 400, "A location is required"),
    ({"address_id": "77"}, 400, "address_id “77” is not a ward number"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url must be an http or https address"),
    ({"description": "x" * 4001}, 400, "description"),
])
def test_bad_requests_get_the_specs_errors_and_register_nothing(client, fixmystreet, officer, overrides,
                                                                status_code, words):
    assert_spec_error(post(client, fixmystreet[1], **overrides), status_code, words)
    assert not Complaint.objects.exists() and not Open311Request.objects.exists()


def test_the_ward_can_be_named_in_the_address(client, fixmystreet, officer, localities):
    response = post(client, fixmystreet[1], address_id=None, address_string="Near Laxmi, Katra Bazar")
    assert response.status_code == 201, response.content
    assert Complaint.objects.get().ward.number == 2
    hindi = post(client, fixmystreet[1], address_id=None, address_string="लक्ष्मी टॉकीज के पास", phone="9839000001")
    assert hindi.status_code == 201
    assert Complaint.objects.get(docket=hindi.json()[0]["service_request_id"]).ward.number == 2


def test_an_address_naming_two_wards_or_none_is_refused(client, fixmystreet, officer, localities):
    assert_spec_error(post(client, fixmystreet[1], address_id=None, address_string="Katra or Naini"), 400,
                      "more than one ward (2, 4)")
    assert_spec_error(post(client, fixmystreet[1], address_id=None, address_string="Civil Lines"), 400,
                      "No ward of this city could be found")


def test_a_retry_with_the_clients_own_id_returns_the_first_request(client, fixmystreet, officer):
    first = post(client, fixmystreet[1], **{"attribute[fixmystreet_id]": "4321"})
    again = post(client, fixmystreet[1], description="resent after a timeout", **{"attribute[fixmystreet_id]": "4321"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()[0]["service_request_id"] == first.json()[0]["service_request_id"]
    assert again.json()[0]["token"] == first.json()[0]["token"]
    assert Complaint.objects.count() == 1
    received = Open311Request.objects.get()
    assert received.client_ref == "fixmystreet:4321"
    assert received.details["attributes"] == {"fixmystreet_id": "4321"}


def test_the_idempotency_key_header_works_too(client, fixmystreet, officer):
    first = client.post(f"{BASE}requests.json", {"api_key": fixmystreet[1], **report()}, HTTP_IDEMPOTENCY_KEY="abc")
    again = client.post(f"{BASE}requests.json", {"api_key": fixmystreet[1], **report()}, HTTP_IDEMPOTENCY_KEY="abc")
    assert again.json()[0]["service_request_id"] == first.json()[0]["service_request_id"]
    assert Complaint.objects.count() == 1


def test_the_same_phone_reporting_the_same_problem_gets_the_same_request_and_its_words_are_kept(
        client, fixmystreet, officer):
    first = post(client, fixmystreet[1]).json()[0]
    again = post(client, fixmystreet[1], description="Now the dogs are spreading it")
    assert again.status_code == 200
    assert again.json()[0]["service_request_id"] == first["service_request_id"]
    assert "already reported" in again.json()[0]["service_notice"]
    complaint = Complaint.objects.get()
    note = complaint.events.get(kind=EventKind.NOTE)
    assert "Now the dogs are spreading it" in note.note and note.actor == fixmystreet[0].user


def test_a_request_without_a_description_takes_its_services_name(client, fixmystreet, officer):
    assert post(client, fixmystreet[1], description=None).status_code == 201
    assert Complaint.objects.get().description == "कूड़ा नहीं उठा / Garbage not lifted"


def test_media_urls_are_kept_and_returned_to_their_client(client, fixmystreet, officer):
    post(client, fixmystreet[1], media_url="https://fms.example.org/photo/1.jpeg")
    docket = Complaint.objects.get().docket
    [row] = client.get(f"{BASE}requests/{docket}.json", {"api_key": fixmystreet[1]}).json()
    assert row["media_url"] == "https://fms.example.org/photo/1.jpeg"


# --- GET requests -----------------------------------------------------------------------------------------


def test_strangers_read_only_what_the_public_tracking_page_shows(client, fixmystreet, officer, register, city):
    post(client, fixmystreet[1], address_string="14 Lal Bahadur Shastri Marg")
    by_phone = register(city.garbage, city.wards[2], description="Heap outside Sunita Devi's house",
                        address="7 Hewett Road")
    other_key, other_secret = ApiKey.issue("Another app")
    for params in ({}, {"api_key": other_secret}):
        rows = client.get(f"{BASE}requests.json", params).json()
        text = str(rows)
        assert len(rows) == 2
        for private in ("Garbage not lifted for three days", "Lal Bahadur", "Sunita", "Hewett", "25.4358",
                        "9839012345", "Ramesh"):
            assert private not in text, private
    mine = {row["service_request_id"]: row for row in client.get(f"{BASE}requests.json",
                                                                  {"api_key": fixmystreet[1]}).json()}
    assert mine[by_phone.docket]["description"] == ""  # not this client's complaint
    assert mine[Open311Request.objects.get().complaint.docket]["address"] == "14 Lal Bahadur Shastri Marg"


def test_the_list_filters_by_code_status_and_dates(client, city, officer, register):
    garbage = register(city.garbage, city.wards[1])
    sweeping = register(city.sweeping, city.wards[2])
    do_resolve(sweeping, actor=None, remarks="Swept clean")

    def ids(**params):
        return [row["service_request_id"] for row in client.get(f"{BASE}requests.json", params).json()]

    assert ids() == [sweeping.docket, garbage.docket]  # newest first
    assert ids(service_code="garbage") == [garbage.docket]
    assert ids(status="open") == [garbage.docket]
    assert ids(status="closed") == [sweeping.docket]
    assert ids(service_request_id=f"{garbage.docket},{sweeping.docket}") == [sweeping.docket, garbage.docket]
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert ids(start_date=future, end_date=(timezone.now() + timedelta(days=2)).isoformat()) == []
    [closed] = client.get(f"{BASE}requests.json", {"status": "closed"}).json()
    assert closed["status_notes"] == "resolved: Swept clean"
    assert_spec_error(client.get(f"{BASE}requests.json", {"status": "lost"}), 400, "status must be open or closed")
    assert_spec_error(client.get(f"{BASE}requests.json", {"service_code": "fireworks"}), 404)
    assert_spec_error(client.get(f"{BASE}requests.json", {"start_date": "last week"}), 400, "start_date")
    long_ago = (timezone.now() - timedelta(days=200)).isoformat()
    assert_spec_error(client.get(f"{BASE}requests.json", {"start_date": long_ago}), 400, "at most 90 days")


def test_requests_in_xml_use_the_specs_elements(client, city, officer, register, garbage_in_24_hours):
    complaint = register(city.garbage, city.wards[1])
    root = xml(client.get(f"{BASE}requests.xml"))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert {child.tag for child in request} == REQUEST_FIELDS
    assert request.findtext("service_request_id") == complaint.docket
    assert request.findtext("expected_datetime") == timezone.localtime(complaint.due_at).isoformat(timespec="seconds")
    assert request.findtext("status") == "open"


def test_one_request_comes_as_an_array_of_one_and_an_unknown_one_is_a_404(client, city, officer, register):
    complaint = register(city.garbage, city.wards[1])
    rows = client.get(f"{BASE}requests/{complaint.docket}.json").json()
    assert isinstance(rows, list) and len(rows) == 1
    assert_spec_error(client.get(f"{BASE}requests/2611000010.json"), 404, "not found")
    assert_spec_error(client.get(f"{BASE}requests/abc.json"), 404)


def test_a_token_leads_to_its_request(client, fixmystreet, officer):
    created = post(client, fixmystreet[1]).json()[0]
    assert client.get(f"{BASE}tokens/{created['token']}.json").json() == [
        {"service_request_id": created["service_request_id"], "token": created["token"]}]
    assert xml(client.get(f"{BASE}tokens/{created['token']}.xml")).find("request").findtext("service_request_id") \
        == created["service_request_id"]
    assert_spec_error(client.get(f"{BASE}tokens/nonsense.json"), 404)


# --- updates, discovery, the rest ---------------------------------------------------------------------------


def test_status_updates_are_listed_for_fixmystreet_to_poll(client, city, officer, head, register):
    start = timezone.now() - timedelta(seconds=1)
    complaint = register(city.sweeping, city.wards[1])
    do_start_work(complaint, actor=None)
    do_resolve(complaint, actor=None, remarks="Swept clean")
    rejected = register(city.garbage, city.wards[2])
    do_reject(rejected, actor=head.user, reason="Private plot: the owner must clean it")

    root = xml(client.get(f"{BASE}servicerequestupdates.xml", {"start_date": start.isoformat()}))
    assert root.tag == "service_request_updates"
    updates = root.findall("request_update")
    fields = {"update_id", "service_request_id", "status", "external_status_code", "updated_datetime",
              "description", "media_url"}
    assert all({child.tag for child in u} == fields for u in updates)
    mine = [(u.findtext("status"), u.findtext("external_status_code"), u.findtext("description"))
            for u in updates if u.findtext("service_request_id") == complaint.docket]
    assert mine == [("open", "assigned", "registered"), ("open", "in_progress", "work started"),
                    ("closed", "resolved", "resolved: Swept clean")]
    [refusal] = [u for u in updates if u.findtext("service_request_id") == rejected.docket
                 and u.findtext("status") == "closed"]
    assert refusal.findtext("description") == "rejected: Private plot: the owner must clean it"
    assert client.get(f"{BASE}servicerequestupdates.json", {"start_date": timezone.now().isoformat()}).json() == []
    assert_spec_error(client.get(f"{BASE}servicerequestupdates.json",
                                 {"start_date": (timezone.now() + timedelta(days=1)).isoformat()}), 400,
                      "start_date is after end_date")


def test_discovery_points_at_this_endpoint(client, db):
    discovery = client.get(f"{BASE}discovery.json").json()
    [endpoint] = discovery["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    assert xml(client.get(f"{BASE}discovery.xml")).find("endpoints/endpoint/formats/format") is not None


def test_unknown_resources_and_methods_get_the_specs_errors(client, db):
    assert_spec_error(client.get(f"{BASE}reports.json"), 404)
    assert_spec_error(client.get(f"{BASE}requests.csv"), 404)
    assert_spec_error(client.delete(f"{BASE}services.json"), 405)


def test_a_jurisdiction_other_than_ours_is_not_found(client, city, settings):
    settings.NNC_OPEN311_JURISDICTION = "prayagraj.nic.in"
    assert client.get(f"{BASE}services.json", {"jurisdiction_id": "prayagraj.nic.in"}).status_code == 200
    assert_spec_error(client.get(f"{BASE}services.json", {"jurisdiction_id": "lucknow"}), 404, "not served here")


def test_anonymous_reads_are_rate_limited_per_address(city, settings):
    settings.NNC_API_ANONYMOUS_RATE = "2/m"
    client = Client(REMOTE_ADDR="198.51.100.7")
    codes = [client.get(f"{BASE}services.json").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get(f"{BASE}services.json").json()[0]["code"] == 429


def test_a_cache_outage_does_not_stop_the_api(city, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens there
    assert Client().get(f"{BASE}services.json").status_code == 200


def test_the_commissioner_issues_a_key_in_the_desk_and_sees_it_once(commissioner, agent):
    from tests.conftest import PASSWORD

    desk = Client()
    desk.login(username="commissioner", password=PASSWORD)
    response = desk.post("/desk/open311/apikey/add/", {"name": "Prayagraj Seva app"}, follow=True)
    assert response.status_code == 200
    key = ApiKey.objects.get(name="Prayagraj Seva app")
    page = response.content.decode()
    secret = page.split('<code style="user-select:all">')[1].split("</code>")[0]
    assert hash_key(secret) == key.key_hash and ApiKey.find(secret) == key
    assert key.created_by == commissioner and key.user.groups.filter(name="Call-centre agent").exists()
    assert not key.user.has_usable_password() and not key.user.is_staff
    page = desk.get(f"/desk/open311/apikey/{key.pk}/change/").content.decode()
    assert secret not in page and key.prefix in page

    agents_desk = Client()
    agents_desk.login(username="agent", password=PASSWORD)
    assert agents_desk.get("/desk/open311/apikey/").status_code == 403


# --- the ward from an address (pure) ------------------------------------------------------------------------


def test_a_ward_is_found_by_its_names_and_localities_as_whole_words():
    from nagar_nigam_cc.directory.places import WardNames, wards_named_in

    wards = [WardNames(1, 1, ("कर्नलगंज", "Colonelganj", "Allahabad University")),
             WardNames(2, 2, ("कटरा", "Katra", "Katra Bazar", "लक्ष्मी टॉकीज")),
             WardNames(4, 4, ("नैनी", "Naini"))]
    assert wards_named_in("12, Katra Bazar, near the tank", wards) == [2]
    assert wards_named_in("KATRA BAZAR", wards) == [2]
    assert wards_named_in("लक्ष्मी टॉकीज के सामने", wards) == [2]
    assert wards_named_in("कटराघाट", wards) == []  # a longer word is another place
    assert wards_named_in("Katrakhana Road", wards) == []
    # The longer name wins: "Allahabad University" (ward 1) over "Katra" (ward 2).
    assert wards_named_in("Allahabad University gate, Katra side", wards) == [1]
    assert wards_named_in("Naini, towards Katra", wards) == [2, 4]


def test_coordinates_are_numbers_in_range():
    from decimal import Decimal

    from nagar_nigam_cc.directory.places import inside_city, parse_coordinate

    assert parse_coordinate("25.4358", -90, 90) == Decimal("25.435800")
    for bad in ("NaN", "Infinity", "1e400", "91", "north", ""):
        assert parse_coordinate(bad, -90, 90) is None, bad
    assert inside_city(25.4358, 81.8463) and not inside_city(28.6139, 77.2090)


def test_photos_sent_with_a_repeat_report_are_kept_on_the_complaint(client, fixmystreet, officer):
    first = post(client, fixmystreet[1]).json()[0]
    again = post(client, fixmystreet[1], media_url="https://fms.example.org/photo/2.jpeg")
    assert again.json()[0]["service_request_id"] == first["service_request_id"]
    assert again.json()[0]["token"] == first["token"]
    note = Complaint.objects.get().events.get(kind=EventKind.NOTE).note
    assert "https://fms.example.org/photo/2.jpeg" in note


def test_the_auditor_reads_what_clients_sent_but_issues_no_keys(client, fixmystreet, officer, auditor):
    from tests.conftest import PASSWORD

    post(client, fixmystreet[1], **{"attribute[fixmystreet_id]": "77"})
    desk = Client()
    desk.login(username="auditor", password=PASSWORD)
    page = desk.get("/desk/open311/open311request/")
    assert page.status_code == 200 and "fixmystreet:77" in page.content.decode()
    assert desk.get("/desk/open311/apikey/").status_code == 200
    assert desk.get("/desk/open311/apikey/add/").status_code == 403
