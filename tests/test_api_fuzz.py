"""Fuzzing the REST and Open311 APIs from their own OpenAPI schema (schemathesis): whatever a client
sends — wrong types, huge numbers, odd Unicode, missing fields, unknown codes — the answer is never a
server error (5xx).

In-process against the WSGI app, inside one test's database transaction, with a small city: the
commissioner's token for the REST API (every action is allowed, so requests get past the permission
checks to the validation and the actions), a real Open311 key put into every api_key field, and real
docket numbers put into every {docket} path (a random one is only a 404). A few examples per operation,
so the whole run stays well under a minute.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token

from nagar_nigam_cc.open311.models import ApiKey
from nagar_nigam_cc.wsgi import application

EXAMPLES_PER_OPERATION = 8


@pytest.fixture(autouse=True)
def _fresh_directory_cache():
    """Each test's rows are rolled back without signals: forget categories and wards read in earlier tests."""
    from nagar_nigam_cc.api import directory_cache

    directory_cache.forget()
    yield
    directory_cache.forget()


@pytest.fixture
def _connection_kept_open():
    """Django closes the database connection at the start and end of each request; inside a test's
    transaction that loses the test's data on MariaDB. Django's own test client disconnects the signal
    while it calls the app; schemathesis's WSGI client does not, so do it here."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_city(_connection_kept_open, city, officer, head, commissioner, register, settings):
    settings.NNC_API_ANONYMOUS_RATE = ""  # no 429s for the fuzzer's bursts
    settings.NNC_API_TOKEN_RATE = ""
    token, _ = Token.objects.get_or_create(user=commissioner)
    _key, secret = ApiKey.issue("Fuzzer")
    complaints = [register(city.sweeping, city.wards[1]), register(city.garbage, city.wards[2])]
    return {"token": token.key, "api_key": secret, "dockets": [c.docket for c in complaints]}


# Loaded when the module is collected: generating the schema reads no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck), derandomize=True)
@pytest.mark.django_db
def test_no_request_makes_the_server_fail(case, fuzz_city):
    if case.path_parameters and "docket" in case.path_parameters:
        dockets = fuzz_city["dockets"]
        case.path_parameters["docket"] = dockets[len(str(case.path_parameters["docket"])) % len(dockets)]
    if isinstance(case.body, dict) and "api_key" in case.body:
        case.body["api_key"] = fuzz_city["api_key"]
    response = case.call(headers={"Authorization": f"Token {fuzz_city['token']}"})
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} → {response.status_code}\n{case.as_curl_command()}\n"
        f"{response.text[:2000]}"
    )
