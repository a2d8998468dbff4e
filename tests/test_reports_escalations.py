"""The escalation register on the `served` city (tests/test_reports_scorecard.py): every escalation in the
period by the escalation's time, newest first, scoped by what the viewer may see; pages of PER_PAGE; the
exports stream every row in keyset chunks."""
from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone

from nagar_nigam_cc.complaints.models import ComplaintEvent, EventKind
from nagar_nigam_cc.reports import escalations
from tests.test_reports_scorecard import served  # noqa: F401 (the fixture)
from tests.test_reports_sla import _form, _login, _period

pytestmark = pytest.mark.django_db


def test_the_register_lists_the_periods_escalations_newest_first(served, commissioner, officer, head, client):
    table = escalations.report(_form(commissioner))
    assert [row[0].value for row in table.rows] == [served["old"].docket, served["a5"].docket]
    first = {column.key: cell.value for column, cell in zip(table.columns, table.rows[0])}
    assert first["level"] == 1 and first["from_officer"] == officer.name and first["to_officer"] == head.name
    assert first["reason"] == "citizen disputed the resolution"
    assert table.extra["register_count"] == 2 and not table.extra["has_next"]
    _login(client, commissioner)
    response = client.get(table.rows[0][0].link)  # the docket opens the complaint
    assert response.status_code == 200 and served["old"].docket in response.content.decode()


def test_filters_select_the_complaints_and_the_period_the_events(served, commissioner, head, city):
    assert escalations.report(_form(commissioner, **{"r-officer": head.pk})).extra["register_count"] == 2
    assert escalations.report(_form(commissioner, **{"r-ward": city.wards[1].pk})).extra["register_count"] == 1
    assert escalations.report(_form(commissioner, **{"r-department": city.jalkal.pk})).extra["register_count"] == 0
    # A period covering only the older dispute's day (30 days ago).
    day = (timezone.localdate() - timezone.timedelta(days=30)).isoformat()
    form = _form(commissioner, **{"r-date_from": day, "r-date_to": day})
    assert [row[0].value for row in escalations.report(form).rows] == [served["older"].docket]


def test_scoped_by_visibility(served, head, officer, outsider, client):
    assert escalations.report(_form(head.user)).extra["register_count"] == 2
    # Both complaints went to the head with the dispute: the officer no longer sees them.
    assert escalations.report(_form(officer.user)).extra["register_count"] == 0
    _login(client, head.user)
    assert client.get("/desk/reports/escalations/", {**_period(), "r-officer": outsider.pk}).status_code == 403


def test_pages_and_a_full_streamed_export(served, commissioner, client, monkeypatch):
    monkeypatch.setattr(escalations, "PER_PAGE", 1)
    _login(client, commissioner)
    response = client.get("/desk/reports/escalations/", _period())
    assert response.status_code == 200 and response.context["has_next"]
    assert [row[0].value for row in response.context["table"].rows] == [served["old"].docket]
    assert 'rel="next"' in response.content.decode()
    response = client.get("/desk/reports/escalations/", {**_period(), "page": 2})
    assert [row[0].value for row in response.context["table"].rows] == [served["a5"].docket]
    assert not response.context["has_next"] and response.context["has_previous"]
    response = client.get("/desk/reports/escalations/", {**_period(), "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["docket number", "level", "from officer", "to officer"]
    assert [r[0] for r in rows[1:]] == [served["old"].docket, served["a5"].docket]  # every row, not the page's
    response = client.get("/desk/reports/escalations/", {**_period(), "format": "xlsx"})
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_keyset_chunks_neither_skip_nor_repeat_rows_at_the_same_instant(served, commissioner, head):
    at = timezone.now() - timezone.timedelta(hours=3)
    for level in range(2, 7):
        ComplaintEvent.objects.create(complaint=served["a7"], kind=EventKind.ESCALATED, at=at, officer=head,
                                      data={"level": level, "step": f"escalate:{level}"})
    queryset = escalations.events(_form(commissioner))
    rows = list(escalations.stream(queryset, chunk=2))
    assert len(rows) == 7 == queryset.count()
    # Newest first (the five at one instant: latest written first), then old's and a5's disputes.
    assert [r[1] for r in rows] == [6, 5, 4, 3, 2, 1, 1]
    assert [r[0] for r in rows[-2:]] == [served["old"].docket, served["a5"].docket]
    assert rows[0][5] == "time limit ran out (escalation ladder)"


def test_an_agent_may_see_but_not_export(served, agent, client):
    _login(client, agent)
    assert client.get("/desk/reports/escalations/", _period()).status_code == 200
    assert client.get("/desk/reports/escalations/", {**_period(), "format": "csv"}).status_code == 403
