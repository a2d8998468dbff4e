"""Departments and wards ranked worst first by SLA compliance, on the `served` city
(tests/test_reports_scorecard.py): exact numbers, competition ranks, every count clicked through,
scoping, exports and the chart."""
from __future__ import annotations

import csv
import io

import pytest

from nagar_nigam_cc.reports import rankings
from tests.test_reports_scorecard import served  # noqa: F401 (the fixture)
from tests.test_reports_sla import _cells, _form, _login, _period

pytestmark = pytest.mark.django_db

FIGURES = ("all", "on_time", "late", "overdue")


def test_departments_worst_first_with_exact_numbers(served, commissioner, city):
    table = rankings.departments(_form(commissioner))
    assert [(row[0].value, row[1].value) for row in table.rows] == [(1, str(city.jalkal)), (2, str(city.sanitation))]
    jalkal, sanitation = (_cells(table, row) for row in table.rows)
    assert {k: sanitation[k].value for k in FIGURES} == {"all": 7, "on_time": 3, "late": 1, "overdue": 3}
    assert sanitation["compliance"].value == pytest.approx(3 / 7)
    assert {k: jalkal[k].value for k in FIGURES} == {"all": 2, "on_time": 0, "late": 0, "overdue": 1}
    assert jalkal["compliance"].value == 0 and jalkal["avg_hours"].value is None
    seconds = [served[n].resolution_seconds for n in ("a1", "a2", "a3", "a6")]
    assert sanitation["avg_hours"].value == pytest.approx(sum(seconds) / 4 / 3600)
    total = _cells(table, table.total)
    assert {k: total[k].value for k in FIGURES} == {"all": 9, "on_time": 3, "late": 1, "overdue": 4}
    assert total["rank"].value is None


def test_wards_share_a_rank_when_tied(served, commissioner, city):
    table = rankings.wards(_form(commissioner))
    ranked = [(row[0].value, row[1].value) for row in table.rows]
    # Wards 2 and 4 both at 0 % (ties listed by name), ward 1 at 50 %: ranks 1, 1, 3.
    assert ranked == [(1, str(city.wards[2])), (1, str(city.wards[4])), (3, str(city.wards[1]))]
    assert _cells(table, table.rows[2])["compliance"].value == pytest.approx(3 / 6)


def test_every_count_clicks_through(served, commissioner, client):
    _login(client, commissioner)
    checked = 0
    for build in (rankings.departments, rankings.wards):
        table = build(_form(commissioner))
        for row in [*table.rows, table.total]:
            for cell in row[2:]:
                if cell.link:
                    response = client.get(cell.link)
                    assert response.context["cl"].queryset.count() == cell.value
                    checked += 1
    assert checked >= 20


def test_a_head_ranks_their_department_only(served, head, city, client):
    table = rankings.departments(_form(head.user))
    assert [row[1].value for row in table.rows] == [str(city.sanitation)]
    _login(client, head.user)
    assert client.get("/desk/reports/wards/", {**_period(), "r-category": city.sewer.pk}).status_code == 403


@pytest.mark.parametrize("slug", ["departments", "wards"])
def test_exports_and_page(served, agent, commissioner, client, slug):
    _login(client, agent)
    assert client.get(f"/desk/reports/{slug}/", {**_period(), "format": "xlsx"}).status_code == 403
    _login(client, commissioner)
    response = client.get(f"/desk/reports/{slug}/", {**_period(), "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "Rank" and rows[0][2] == "registered"
    assert rows[-1][1] == "All" and rows[-1][2] == "9"
    response = client.get(f"/desk/reports/{slug}/", {**_period(), "format": "xlsx"})
    assert b"".join(response.streaming_content)[:2] == b"PK"
    response = client.get(f"/desk/reports/{slug}/", _period())
    assert response.status_code == 200
    chart = response.context["chart"]
    assert chart.kind == "bar" and chart.labels == [row[1].value for row in response.context["table"].rows]
    assert 'class="chart"' in response.content.decode()
