"""The officer scorecard on a small city with known outcomes: exact numbers per officer, each count clicked
through to exactly its complaints (or, for escalations received, to exactly its escalations), the
nearest-rank percentile, scoping and exports.

The `served` city (also used by the ranking, satisfaction and escalation tests), registered 12 days ago
unless said otherwise, all with a 24-hour limit:
- the sanitation officer (wards 1 and 2): a1, a2 resolved within time; a3 resolved late; a4 resolved
  within time, then reopened by the desk (open overdue now); a6 resolved within time and confirmed by
  the citizen; a7 open overdue (ward 2);
- a5 (ward 1) resolved within time, then disputed by the citizen: reopened, escalated to the head, who
  now holds it (open overdue);
- old: registered 40 days ago, resolved, disputed 2 days ago: escalated to the head inside the period,
  though the complaint is outside it;
- older: registered 40 days ago, disputed 30 days ago: its escalation is outside the period;
- Jal Kal (the outsider): b1 open within time (registered an hour ago), b3 open overdue (ward 4).
"""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from nagar_nigam_cc.complaints.actions import do_confirm, do_dispute, do_reopen, do_resolve
from nagar_nigam_cc.reports import escalations, scorecard
from nagar_nigam_cc.sla.models import SLAPolicy
from tests.test_reports_sla import _cells, _form, _login, _period, _photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(city, officer, head, outsider, register, commissioner, agent):
    for category in (city.garbage, city.sweeping, city.sewer):
        SLAPolicy.objects.create(name_hi=category.name_hi, name_en=f"{category.name_en} 24 h", category=category,
                                 resolution_hours=24)
    now = timezone.now()
    long_ago = now - timedelta(days=12)
    made = {}

    def make(name, category, when=long_ago, ward=1):
        made[name] = register(category, city.wards[ward], now=when)
        return made[name]

    def resolve(c, when):
        photo = _photo() if c.category.proof_photo_required else None
        return do_resolve(c, actor=commissioner, remarks="Done", photo=photo, now=when)

    for name in ("a1", "a2", "a4", "a5", "a6"):
        resolve(make(name, city.garbage), long_ago + timedelta(hours=2))
    late = make("a3", city.sweeping)
    resolve(late, late.due_at + timedelta(hours=1))
    do_reopen(made["a4"], actor=agent, reason="Still lying there", now=long_ago + timedelta(days=1))
    do_dispute(made["a5"], actor=agent, note="Not lifted", now=long_ago + timedelta(days=1))
    do_confirm(made["a6"], actor=agent, now=long_ago + timedelta(days=1))
    make("a7", city.garbage, ward=2)
    old = make("old", city.garbage, now - timedelta(days=40), ward=2)
    resolve(old, old.registered_at + timedelta(hours=3))
    do_dispute(old, actor=agent, note="Not lifted", now=now - timedelta(days=2))
    older = make("older", city.garbage, now - timedelta(days=40), ward=2)
    resolve(older, older.registered_at + timedelta(hours=3))
    do_dispute(older, actor=agent, note="Not lifted", now=now - timedelta(days=30))
    make("b1", city.sewer, now - timedelta(hours=1), ward=4)
    make("b3", city.sewer, ward=4)
    for c in made.values():
        c.refresh_from_db()
    return made


def _rows(table):
    return {row[0].value: _cells(table, row) for row in table.rows}


COUNTS = ("all", "done", "on_time", "late", "overdue", "resolved_ever", "reopened", "resolutions", "disputed",
          "escalations")


def test_exact_numbers_per_officer(served, commissioner, officer, head, outsider):
    assert served["a5"].assigned_to_id == head.pk  # the dispute handed it to the head
    table = scorecard.report(_form(commissioner))
    rows = _rows(table)
    mine = rows[str(officer)]
    assert {k: mine[k].value for k in COUNTS} == {
        "all": 6, "done": 4, "on_time": 3, "late": 1, "overdue": 2, "resolved_ever": 5, "reopened": 1,
        "resolutions": 6, "disputed": 1, "escalations": 0}  # a5: their resolution, disputed, now the head's
    assert mine["on_time_share"].value == pytest.approx(3 / 4)
    assert mine["compliance"].value == pytest.approx(3 / 6)
    assert mine["reopened_share"].value == pytest.approx(1 / 5)
    assert mine["disputed_share"].value == pytest.approx(1 / 6)
    seconds = [served[n].resolution_seconds for n in ("a1", "a2", "a3", "a6")]
    assert mine["avg_hours"].value == pytest.approx(sum(seconds) / 4 / 3600)
    assert mine["p90_hours"].value == pytest.approx(max(seconds) / 3600)  # ⌈0.9·4⌉ = 4th of 4
    theirs = rows[str(head)]
    assert {k: theirs[k].value for k in COUNTS} == {
        "all": 1, "done": 0, "on_time": 0, "late": 0, "overdue": 1, "resolved_ever": 1, "reopened": 1,
        "resolutions": 0, "disputed": 0, "escalations": 2}  # a5's and old's escalations; older's was before
    assert theirs["avg_hours"].value is None and theirs["on_time_share"].value is None
    assert {k: rows[str(outsider)][k].value for k in ("all", "overdue", "escalations")} == {
        "all": 2, "overdue": 1, "escalations": 0}
    total = _cells(table, table.total)
    assert {k: total[k].value for k in COUNTS} == {
        "all": 9, "done": 4, "on_time": 3, "late": 1, "overdue": 4, "resolved_ever": 6, "reopened": 2,
        "resolutions": None, "disputed": None, "escalations": 2}


@pytest.mark.parametrize("values, expected", [
    ([], None), ([7], 7), ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 9), ([5, 1, 3], 5),
    (list(range(1, 12)), 10), (list(range(1, 101)), 90), (list(range(1, 102)), 91),
])
def test_the_90th_percentile_is_nearest_rank(values, expected):
    assert scorecard.percentile(values) == expected


def test_every_count_clicks_through_to_exactly_its_complaints(served, commissioner, client):
    _login(client, commissioner)
    table = scorecard.report(_form(commissioner))
    checked = 0
    for row in [*table.rows, table.total]:
        for column, cell in zip(table.columns[1:], row[1:]):
            if cell.link is None or column.key == "escalations":
                continue
            response = client.get(cell.link)
            assert response.status_code == 200, cell.link
            assert response.context["cl"].queryset.count() == cell.value, (column.key, row[0].value)
            checked += 1
    assert checked >= 20


def test_the_reopened_and_disputed_lists_name_their_complaints(served, commissioner, officer, client):
    _login(client, commissioner)
    total = _cells(*(lambda t: (t, t.total))(scorecard.report(_form(commissioner))))
    listed = lambda key: set(client.get(total[key].link).context["cl"].queryset.values_list("docket", flat=True))
    assert listed("reopened") == {served["a4"].docket, served["a5"].docket}
    mine = _rows(scorecard.report(_form(commissioner)))[str(officer)]
    assert set(client.get(mine["disputed"].link).context["cl"].queryset.values_list("docket", flat=True)) == {
        served["a5"].docket}
    assert client.get(mine["resolutions"].link).context["cl"].queryset.count() == 6


def test_escalations_received_link_to_exactly_those_escalations(served, commissioner, head, client):
    _login(client, commissioner)
    table = scorecard.report(_form(commissioner))
    for row in (_rows(table)[str(head)], _cells(table, table.total)):
        response = client.get(row["escalations"].link)
        assert response.status_code == 200
        assert response.context["register_count"] == row["escalations"].value == 2
        dockets = {r[0].value for r in response.context["table"].rows}
        assert dockets == {served["a5"].docket, served["old"].docket}


def test_a_head_sees_their_department_only(served, head, officer, outsider, client):
    table = scorecard.report(_form(head.user))
    assert set(_rows(table)) == {str(officer), str(head)}
    assert _cells(table, table.total)["all"].value == 7
    _login(client, head.user)
    response = client.get("/desk/reports/officers/", {**_period(), "r-officer": outsider.pk})
    assert response.status_code == 403 and "may not see reports" in response.content.decode()
    assert client.get("/desk/reports/escalations/", {**_period(), "to": outsider.pk}).status_code == 403


def test_an_officer_filter_narrows_to_their_row(served, commissioner, head):
    table = scorecard.report(_form(commissioner, **{"r-officer": head.pk}))
    assert [row[0].value for row in table.rows] == [str(head)]
    total = _cells(table, table.total)
    assert total["all"].value == 1 and total["escalations"].value == 2


def test_exports(served, agent, commissioner, client):
    _login(client, agent)
    assert client.get("/desk/reports/officers/", {**_period(), "format": "csv"}).status_code == 403
    assert client.get("/desk/reports/officers/", _period()).status_code == 200
    _login(client, commissioner)
    response = client.get("/desk/reports/officers/", {**_period(), "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Officer", "assigned", "resolved or closed"]
    assert rows[-1][0] == "All" and rows[-1][1] == "9" and rows[-1][-1] == "2"
    response = client.get("/desk/reports/officers/", {**_period(), "format": "xlsx"})
    assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"PK"


def test_the_page_renders(served, commissioner, client):
    _login(client, commissioner)
    response = client.get("/desk/reports/officers/", _period())
    assert response.status_code == 200
    html = response.content.decode()
    assert "report-table" in html and "r-figure=reopened" in html and escalations.SLUG in html
