"""Citizen satisfaction on the `served` city (tests/test_reports_scorecard.py): resolutions split by the
citizen's last answer, the reopen rate, every count clicked through, scoping and exports."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from nagar_nigam_cc.complaints.actions import do_confirm, do_resolve
from nagar_nigam_cc.reports import satisfaction
from nagar_nigam_cc.reports.counting import DIMENSIONS
from tests.test_reports_scorecard import served  # noqa: F401 (the fixture)
from tests.test_reports_sla import _cells, _form, _login, _period, _photo

pytestmark = pytest.mark.django_db

FIGURES = ("resolved_ever", "confirmed", "disputed_last", "no_answer", "reopened")


def test_exact_numbers_by_department(served, commissioner, city):
    table = satisfaction.report(_form(commissioner), DIMENSIONS["department"])
    # Jal Kal resolved nothing: no row.
    assert [row[0].value for row in table.rows] == [str(city.sanitation)]
    row = _cells(table, table.rows[0])
    assert {k: row[k].value for k in FIGURES} == {
        "resolved_ever": 6, "confirmed": 1, "disputed_last": 1, "no_answer": 4, "reopened": 2}
    assert row["confirmed_share"].value == pytest.approx(1 / 6)
    assert row["reopen_rate"].value == pytest.approx(2 / 6)


def test_the_last_answer_counts(served, commissioner, agent):
    """a5 was disputed; resolved again and confirmed, it counts as confirmed (and still as reopened)."""
    a5 = served["a5"]
    when = timezone.now() - timedelta(hours=2)
    do_resolve(a5, actor=commissioner, remarks="Lifted now", photo=_photo(), now=when)
    do_confirm(a5, actor=agent, now=when + timedelta(minutes=5))
    total = _cells(*(lambda t: (t, t.total))(satisfaction.report(_form(commissioner), DIMENSIONS["department"])))
    assert {k: total[k].value for k in FIGURES} == {
        "resolved_ever": 6, "confirmed": 2, "disputed_last": 0, "no_answer": 4, "reopened": 2}


def test_every_count_clicks_through_to_exactly_its_complaints(served, commissioner, client):
    _login(client, commissioner)
    for key in ("department", "officer", "ward"):
        table = satisfaction.report(_form(commissioner), DIMENSIONS[key])
        for row in [*table.rows, table.total]:
            for cell in row[1:]:
                if cell.link:
                    assert client.get(cell.link).context["cl"].queryset.count() == cell.value
    table = satisfaction.report(_form(commissioner), DIMENSIONS["department"])
    total = _cells(table, table.total)
    listed = lambda key: set(client.get(total[key].link).context["cl"].queryset.values_list("docket", flat=True))
    assert listed("confirmed") == {served["a6"].docket}
    assert listed("disputed_last") == {served["a5"].docket}
    assert listed("no_answer") == {served[n].docket for n in ("a1", "a2", "a3", "a4")}


def test_scoping_and_exports(served, head, agent, commissioner, city, client):
    table = satisfaction.report(_form(head.user), DIMENSIONS["department"])
    assert _cells(table, table.total)["resolved_ever"].value == 6
    _login(client, head.user)
    assert client.get("/desk/reports/satisfaction/", {**_period(), "r-department": city.jalkal.pk}).status_code == 403
    _login(client, agent)
    assert client.get("/desk/reports/satisfaction/", {**_period(), "format": "csv"}).status_code == 403
    _login(client, commissioner)
    response = client.get("/desk/reports/satisfaction/", {**_period(), "format": "csv", "by": "ward"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][1:5] == ["resolutions", "confirmed", "disputed", "no answer"]
    assert rows[-1][:6] == ["All", "6", "1", "1", "4", "16.7"]
    response = client.get("/desk/reports/satisfaction/", {**_period(), "format": "xlsx"})
    assert b"".join(response.streaming_content)[:2] == b"PK"
    assert client.get("/desk/reports/satisfaction/", _period()).status_code == 200
