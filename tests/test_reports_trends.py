"""Weekly trends: complaints per category per Monday-start week in the city's time zone, exact at the
weeks' edges (Sunday 23:59 and Monday 00:00), every cell clicked through, the chart, scoping, exports."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from nagar_nigam_cc.reports import trends
from nagar_nigam_cc.reports.counting import DIMENSIONS
from nagar_nigam_cc.reports.filters import day_start
from tests.test_reports_sla import _form, _login

pytestmark = pytest.mark.django_db


def test_weeks_start_on_monday_and_are_cut_to_the_period():
    got = trends.weeks(date(2026, 3, 4), date(2026, 3, 17))  # a Wednesday to a Tuesday
    assert [(w.monday, w.first, w.last) for w in got] == [
        (date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 8)),
        (date(2026, 3, 9), date(2026, 3, 9), date(2026, 3, 15)),
        (date(2026, 3, 16), date(2026, 3, 16), date(2026, 3, 17)),
    ]


@pytest.fixture
def weekly(city, officer, outsider, register):
    start = timezone.localdate() - timedelta(days=27)
    monday = start + timedelta(days=7 - start.weekday() + 7)  # a Monday with its previous week in the period
    edge = day_start(monday)
    made = {
        "sunday_night": register(city.garbage, city.wards[1], now=edge - timedelta(minutes=1)),
        "monday_midnight": register(city.garbage, city.wards[1], now=edge),
        "thursday": register(city.garbage, city.wards[2], now=edge + timedelta(days=3)),
        "sewer": register(city.sewer, city.wards[4], now=edge + timedelta(hours=1)),
        "before": register(city.garbage, city.wards[1], now=day_start(start) - timedelta(minutes=1)),
    }
    period = {"r-date_from": start.isoformat(), "r-date_to": timezone.localdate().isoformat()}
    return type("Weekly", (), {"monday": monday, "start": start, "period": period, "made": made})


def test_exact_weeks_per_category(weekly, commissioner, city):
    table = trends.report(_form(commissioner, **weekly.period), DIMENSIONS["category"])
    keys = [column.key for column in table.columns]
    assert keys[0] == "name" and keys[-1] == "all" and len(keys) in (6, 7)  # 4–5 weeks in 28 days
    before, this = f"w{weekly.monday - timedelta(days=7):%Y%m%d}", f"w{weekly.monday:%Y%m%d}"
    rows = {row[0].value: dict(zip(keys, (cell.value for cell in row))) for row in table.rows}
    garbage, sewer = rows[str(city.garbage)], rows[str(city.sewer)]
    assert garbage[before] == 1 and garbage[this] == 2 and garbage["all"] == 3
    assert sewer[this] == 1 and sewer["all"] == 1
    assert sum(v for k, v in garbage.items() if k.startswith("w")) == 3
    assert [row[0].value for row in table.rows] == [str(city.garbage), str(city.sewer)]  # busiest first
    assert table.total[-1].value == 4


def test_every_cell_clicks_through_to_exactly_its_complaints(weekly, commissioner, client):
    _login(client, commissioner)
    table = trends.report(_form(commissioner, **weekly.period), DIMENSIONS["category"])
    checked = 0
    for row in [*table.rows, table.total]:
        for cell in row[1:]:
            if cell.link:
                assert client.get(cell.link).context["cl"].queryset.count() == cell.value
                checked += 1
    assert checked >= 7
    keys = [column.key for column in table.columns]
    link = table.total[keys.index(f"w{weekly.monday - timedelta(days=7):%Y%m%d}")].link  # Monday to Sunday
    sunday = weekly.monday - timedelta(days=1)
    assert f"r-date_from={weekly.monday - timedelta(days=7):%Y-%m-%d}&r-date_to={sunday:%Y-%m-%d}" in link


def test_page_chart_scoping_and_exports(weekly, commissioner, head, agent, city, client):
    _login(client, commissioner)
    response = client.get("/desk/reports/trends/", weekly.period)
    assert response.status_code == 200
    chart = response.context["chart"]
    assert chart.kind == "line" and [d["label"] for d in chart.datasets] == [str(city.garbage), str(city.sewer)]
    assert 'data-type="line"' in response.content.decode()
    response = client.get("/desk/reports/trends/", {**weekly.period, "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "Category" and rows[0][-1] == "registered" and rows[-1][0] == "All" and rows[-1][-1] == "4"
    response = client.get("/desk/reports/trends/", {**weekly.period, "format": "xlsx", "by": "ward"})
    assert b"".join(response.streaming_content)[:2] == b"PK"
    table = trends.report(_form(head.user, **weekly.period), DIMENSIONS["category"])
    assert [row[0].value for row in table.rows] == [str(city.garbage)]
    _login(client, head.user)
    assert client.get("/desk/reports/trends/", {**weekly.period, "r-category": city.sewer.pk}).status_code == 403
    _login(client, agent)
    assert client.get("/desk/reports/trends/", {**weekly.period, "format": "csv"}).status_code == 403


def test_the_sla_report_has_a_stacked_chart(weekly, commissioner, client):
    _login(client, commissioner)
    response = client.get("/desk/reports/sla/", weekly.period)
    chart = response.context["chart"]
    assert chart.kind == "bar" and chart.stacked and len(chart.datasets) == 4
    assert '"stacked": true' in chart.options_json()
