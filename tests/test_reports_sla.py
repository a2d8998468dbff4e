"""The SLA compliance report on a small city with known outcomes: exact numbers, each one clicked
through to the desk's list of exactly those complaints, and the bad-input rules of issue 6."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from nagar_nigam_cc.complaints.actions import do_put_on_hold, do_reject, do_resolve, do_start_work
from nagar_nigam_cc.reports import sla
from nagar_nigam_cc.reports.counting import DIMENSIONS
from nagar_nigam_cc.reports.filters import ReportFilter
from nagar_nigam_cc.sla.models import SLAPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def outcomes(city, officer, outsider, register, commissioner):
    """Sanitation: 2 resolved within time, 1 resolved late, 1 open within time, 2 open overdue (one of
    them on hold after its time ran out), 1 on hold before its time ran out (within time), 1 rejected.
    Jal Kal: 1 open overdue. Plus one complaint registered before the period (not counted)."""
    for category in (city.garbage, city.sweeping, city.sewer):
        SLAPolicy.objects.create(name_hi=category.name_hi, name_en=f"{category.name_en} 24 h", category=category,
                                 resolution_hours=24)
    now = timezone.now()
    long_ago, recent = now - timedelta(days=12), now - timedelta(hours=1)
    made = {}

    def make(name, category, when, ward=1):
        made[name] = register(category, city.wards[ward], now=when)
        return made[name]

    for name in ("on_time_1", "on_time_2"):
        c = make(name, city.garbage, long_ago)
        do_resolve(c, actor=commissioner, remarks="Lifted", photo=_photo(), now=long_ago + timedelta(hours=2))
    late = make("late", city.sweeping, long_ago)
    do_resolve(late, actor=commissioner, remarks="Swept", now=late.due_at + timedelta(hours=1))
    make("within", city.garbage, recent)
    make("overdue", city.garbage, long_ago, ward=2)
    held_late = make("held_late", city.sweeping, long_ago)
    do_put_on_hold(held_late, actor=commissioner, reason="Material awaited", now=held_late.due_at + timedelta(hours=1))
    held_early = make("held_early", city.sweeping, long_ago)
    do_put_on_hold(held_early, actor=commissioner, reason="Material awaited", now=long_ago + timedelta(minutes=30))
    rejected = make("rejected", city.garbage, long_ago)
    do_reject(rejected, actor=commissioner, reason="Not a municipal matter", now=long_ago + timedelta(hours=1))
    make("jalkal_overdue", city.sewer, long_ago)
    make("before_period", city.garbage, now - timedelta(days=40))
    return made


def _login(client, user):
    """Desk pages in English (the city's language, Hindi, is the default), logged in as `user`."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)


def _photo():
    from tests.conftest import photo_upload

    return photo_upload()


def _period(days=20):
    today = timezone.localdate()
    return {"r-date_from": (today - timedelta(days=days)).isoformat(), "r-date_to": today.isoformat()}


def _form(user, **data):
    form = ReportFilter({**_period(), **data}, user=user, default_period=True)
    assert form.is_valid(), form.errors
    return form


def _cells(table, row):
    return {column.key: cell for column, cell in zip(table.columns, row)}


def test_exact_outcomes_by_department(outcomes, commissioner, city):
    table = sla.report(_form(commissioner), DIMENSIONS["department"])
    rows = {row[0].value: _cells(table, row) for row in table.rows}
    sanitation, jalkal = rows[str(city.sanitation)], rows[str(city.jalkal)]
    assert {k: sanitation[k].value for k in sla.FIGURES} == {
        "all": 8, "on_time": 2, "late": 1, "within_time": 2, "overdue": 2, "not_counted": 1}
    assert sanitation["compliance"].value == pytest.approx(2 / 5)
    assert {k: jalkal[k].value for k in sla.FIGURES} == {
        "all": 1, "on_time": 0, "late": 0, "within_time": 0, "overdue": 1, "not_counted": 0}
    total = _cells(table, table.total)
    assert total["all"].value == 9 and total["overdue"].value == 3
    # Worst first: Jal Kal (0 %) above Sanitation (40 %).
    assert [row[0].value for row in table.rows] == [str(city.jalkal), str(city.sanitation)]


def test_every_number_clicks_through_to_exactly_its_complaints(outcomes, commissioner, client):
    _login(client, commissioner)
    table = sla.report(_form(commissioner), DIMENSIONS["department"])
    checked = 0
    for row in [*table.rows, table.total]:
        for cell in row[1:]:
            if cell.link is None:
                continue
            response = client.get(cell.link)
            assert response.status_code == 200
            assert response.context["cl"].queryset.count() == cell.value
            assert response.context["report_figure_count"] == cell.value
            checked += 1
    assert checked >= 10


def test_the_list_names_the_overdue_complaints(outcomes, commissioner, client):
    _login(client, commissioner)
    table = sla.report(_form(commissioner), DIMENSIONS["department"])
    link = _cells(table, table.total)["overdue"].link
    listed = set(client.get(link).context["cl"].queryset.values_list("docket", flat=True))
    assert listed == {outcomes[name].docket for name in ("overdue", "held_late", "jalkal_overdue")}


def test_a_head_sees_only_their_department(outcomes, head, city):
    table = sla.report(_form(head.user), DIMENSIONS["department"])
    assert [row[0].value for row in table.rows] == [str(city.sanitation)]
    assert _cells(table, table.total)["all"].value == 8


def test_a_filter_on_another_department_is_refused_not_empty(outcomes, head, city, client):
    form = ReportFilter({**_period(), "r-department": city.jalkal.pk}, user=head.user)
    assert not form.is_valid() and form.refused
    _login(client, head.user)
    response = client.get("/desk/reports/sla/", {**_period(), "r-category": city.sewer.pk})
    assert response.status_code == 403
    assert "may not see reports" in response.content.decode()
    # The same filter smuggled into a click-through link.
    response = client.get("/desk/complaints/complaint/", {"r-department": city.jalkal.pk, "r-figure": "all"})
    assert response.status_code == 403


def test_an_officer_may_not_report_on_a_colleague(outcomes, officer, head, city):
    assert not ReportFilter({"r-officer": head.pk}, user=officer.user).is_valid()
    assert ReportFilter({"r-officer": officer.pk}, user=officer.user).is_valid()


@pytest.mark.parametrize("period, message", [
    ({"r-date_from": "2026-10-10", "r-date_to": "2026-10-01"}, "ends before it starts"),
    ({"r-date_from": "2024-01-01", "r-date_to": "2026-01-01"}, "at most 366 days"),
    ({"r-date_from": "2026-10-10"}, "both dates"),
    ({"r-date_from": "yesterday", "r-date_to": "2026-10-01"}, "valid date"),
])
def test_bad_periods_are_refused_with_a_reason(commissioner, client, period, message):
    _login(client, commissioner)
    response = client.get("/desk/reports/sla/", period)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_stale_or_forged_instant_is_refused(commissioner):
    long_ago = (timezone.now() - timedelta(days=90)).isoformat()
    form = ReportFilter({"r-figure": "overdue", "r-at": long_ago}, user=commissioner)
    assert not form.is_valid()


def test_export_needs_the_export_permission(outcomes, agent, commissioner, client):
    _login(client, agent)
    assert client.get("/desk/reports/sla/", {**_period(), "format": "csv"}).status_code == 403
    assert client.get("/desk/reports/complaints/", {**_period(), "format": "csv"}).status_code == 403
    assert client.get("/desk/reports/sla/", _period()).status_code == 200  # the page itself is theirs to see
    _login(client, commissioner)
    response = client.get("/desk/reports/sla/", {**_period(), "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][1] == "registered" and rows[-1][1] == "9"
    response = client.get("/desk/reports/sla/", {**_period(), "format": "xlsx", "by": "ward"})
    assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"PK"


def test_the_complaints_behind_a_figure_export_exactly(outcomes, commissioner, client):
    _login(client, commissioner)
    response = client.get("/desk/reports/complaints/", {**_period(), "r-figure": "overdue", "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert sorted(r[0] for r in rows[1:]) == sorted(
        outcomes[n].docket for n in ("overdue", "held_late", "jalkal_overdue"))


def test_time_to_resolve_is_recorded_on_the_sla_clock(outcomes):
    on_time = outcomes["on_time_1"]
    on_time.refresh_from_db()
    assert on_time.resolution_seconds is not None and 0 < on_time.resolution_seconds <= 2 * 3600


def test_the_report_page_renders_with_links(outcomes, commissioner, client):
    _login(client, commissioner)
    response = client.get("/desk/reports/sla/", {**_period(), "by": "ward"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "report-table" in html and "r-figure=overdue" in html


def test_the_filter_bar_offers_a_head_only_their_department(outcomes, head, outsider, city, client):
    _login(client, head.user)
    form = client.get("/desk/reports/sla/", _period()).context["form"]
    offered = lambda name: {value for value, _label in form.fields[name].widget.choices if value != ""}
    assert offered("department") == {city.sanitation.pk}
    assert offered("category") == {city.garbage.pk, city.sweeping.pk}
    assert outsider.pk not in offered("officer") and head.pk in offered("officer")
    assert offered("ward") == {w.pk for w in city.wards.values()}  # every ward: their department works in all
