"""The desk's home page, the dashboard: a small city with known outcomes on a known Wednesday, the exact
number of each panel for the commissioner and for the sanitation head (scoped to their department),
every number clicked through to the desk's list of exactly those complaints, the page for every role,
and the number of queries it costs."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from nagar_nigam_cc.complaints.actions import do_put_on_hold, do_reject, do_resolve
from nagar_nigam_cc.complaints.models import Complaint
from nagar_nigam_cc.reports import dashboard
from nagar_nigam_cc.reports.views import REPORTS
from nagar_nigam_cc.sla.models import SLAPolicy
from tests.conftest import photo_upload

pytestmark = pytest.mark.django_db

CITY = ZoneInfo("Asia/Kolkata")
#: A Wednesday noon in the city: this week is Mon 9 – Wed 11 March, last week Mon 2 – Sun 8 March.
NOW = datetime(2026, 3, 11, 12, 0, tzinfo=CITY)


def at(day, hour, minute=0, month=3):
    return datetime(2026, month, day, hour, minute, tzinfo=CITY)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def known(clock, city, officer, outsider, head, register, commissioner):
    """Every complaint has a 24-hour limit (round the clock). Sanitation: garbage and sweeping in wards
    1–3; Jal Kal: sewer in ward 4. Names: T = today, Y = late last night, W = earlier this week,
    L = last week, O = older."""
    for category in (city.garbage, city.sweeping, city.sewer):
        SLAPolicy.objects.create(name_hi=category.name_hi, name_en=f"{category.name_en} 24 h", category=category,
                                 resolution_hours=24)
    made = {}

    def make(name, category, ward, when, **fields):
        made[name] = register(category, city.wards[ward], now=when, **fields)
        return made[name]

    g, s, j = city.garbage, city.sweeping, city.sewer
    # Today (Wednesday): four, one of them ten minutes after the city's midnight; all open within time.
    make("T0", g, 3, at(11, 0, 10), channel="web")
    make("T1", g, 1, at(11, 9))
    make("T2", s, 2, at(11, 10), channel="whatsapp")
    make("T3", j, 4, at(11, 11))
    # Yesterday one minute before midnight: this week, not today; open within time.
    make("Y", g, 1, at(10, 23, 59))
    # This week.
    w1 = make("W1", g, 1, at(9, 10))
    do_resolve(w1, actor=commissioner, remarks="Lifted", photo=photo_upload(), now=at(9, 12))  # on time
    w2 = make("W2", s, 1, at(9, 9))
    do_resolve(w2, actor=commissioner, remarks="Swept", now=at(10, 10))  # late: due Tue 09:00
    make("W3", g, 2, at(9, 8))  # overdue since Tue 08:00
    make("W4", j, 4, at(10, 14))  # due today 14:00: within time
    make("W5", s, 3, at(9, 0, 5))  # five minutes into the week; overdue, escalated
    # Last week.
    for name, ward, day in (("L1", 1, 2), ("L2", 2, 3)):
        c = make(name, g, ward, at(day, 10))
        do_resolve(c, actor=commissioner, remarks="Lifted", photo=photo_upload(), now=at(day, 12))
    l3 = make("L3", s, 1, at(4, 10))
    do_resolve(l3, actor=commissioner, remarks="Swept", now=at(6, 10))
    make("L4", s, 2, at(5, 10))  # overdue, escalated
    make("L5", j, 4, at(8, 23, 30))  # Sunday night: last week; overdue
    l6 = make("L6", g, 1, at(6, 10))
    do_put_on_hold(l6, actor=commissioner, reason="Material awaited", now=at(6, 11))  # clock stopped in time
    l7 = make("L7", g, 2, at(7, 10))
    do_reject(l7, actor=commissioner, reason="Not a municipal matter", now=at(7, 11))
    # Older: within the last 30 days, and not.
    make("O1", g, 1, at(20, 10, month=2))  # overdue, escalated twice
    make("O2", j, 4, at(1, 10, month=2))  # overdue, 38 days old
    for name, level in (("W5", 1), ("L4", 1), ("O1", 2)):
        Complaint.objects.filter(pk=made[name].pk).update(escalation_level=level)
    return made


def _login(client, user):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)


def _numbers(d):
    """Every number on the dashboard as {(panel, key): Number}."""
    out = {("today", n.key): n for n in d["channels"]}
    out[("today", "total")] = d["today_total"]
    out.update({("now", n.key): n for n in d["open_big"] + d["ages"]})
    for index, week in enumerate(d["weeks"]):
        out.update({(f"week{index}", key): n for key, n in week.numbers.items()})
    for panel in d["tops"]:
        for r in panel["rows"]:
            out[(panel["key"], r.name, "all")] = r.registered
            out[(panel["key"], r.name, "overdue")] = r.overdue
    return out


def _values(numbers):
    return {n.key: n.value for n in numbers}


def _tops(d):
    return {panel["key"]: [(r.name, r.registered.value, r.overdue.value) for r in panel["rows"]]
            for panel in d["tops"]}


def test_the_commissioner_sees_the_whole_city(known, commissioner, city):
    d = dashboard.dashboard(commissioner)
    assert _values(d["channels"]) == {"phone": 2, "whatsapp": 1, "igrs": 0, "web": 1, "api": 0, "walk_in": 0}
    assert d["today_total"].value == 4
    assert _values(d["open_big"]) == {"open": 13, "overdue": 6, "escalated": 3}
    assert _values(d["ages"]) == {"age_0_1": 6, "age_1_3": 3, "age_3_7": 2, "age_7": 2}
    this, last = d["weeks"]
    assert (this.start.isoformat(), this.end.isoformat()) == ("2026-03-09", "2026-03-11")
    assert (last.start.isoformat(), last.end.isoformat()) == ("2026-03-02", "2026-03-08")
    assert _values(this.numbers.values()) == {
        "all": 10, "on_time": 1, "late": 1, "within_time": 6, "overdue": 2, "not_counted": 0}
    assert this.compliance == pytest.approx(1 / 4)
    assert _values(last.numbers.values()) == {
        "all": 7, "on_time": 2, "late": 1, "within_time": 1, "overdue": 2, "not_counted": 1}
    assert last.compliance == pytest.approx(2 / 5)
    tops = _tops(d)
    assert tops["category"] == [(str(city.garbage), 10, 2), (str(city.sweeping), 5, 2), (str(city.sewer), 3, 1)]
    assert tops["ward"] == [(str(city.wards[1]), 8, 1), (str(city.wards[2]), 5, 2), (str(city.wards[4]), 3, 1),
                            (str(city.wards[3]), 2, 1)]


def test_a_head_sees_only_their_department(known, head, city):
    d = dashboard.dashboard(head.user)
    assert _values(d["channels"]) == {"phone": 1, "whatsapp": 1, "igrs": 0, "web": 1, "api": 0, "walk_in": 0}
    assert _values(d["open_big"]) == {"open": 9, "overdue": 4, "escalated": 3}
    assert _values(d["ages"]) == {"age_0_1": 4, "age_1_3": 2, "age_3_7": 2, "age_7": 1}
    this, last = d["weeks"]
    assert _values(this.numbers.values()) == {
        "all": 8, "on_time": 1, "late": 1, "within_time": 4, "overdue": 2, "not_counted": 0}
    assert _values(last.numbers.values()) == {
        "all": 6, "on_time": 2, "late": 1, "within_time": 1, "overdue": 1, "not_counted": 1}
    assert last.compliance == pytest.approx(2 / 4)
    tops = _tops(d)
    assert tops["category"] == [(str(city.garbage), 10, 2), (str(city.sweeping), 5, 2)]
    assert [name for name, *_ in tops["ward"]] == [str(city.wards[1]), str(city.wards[2]), str(city.wards[3])]


def test_top_lists_stop_at_ten(clock, city, register, commissioner):
    from nagar_nigam_cc.directory.models import Ward

    for n in range(12):
        ward = Ward.objects.create(number=100 + n, zone=city.naini, name_en=f"W{n}", name_hi=f"W{n}")
        for _ in range(1 + n % 3):
            register(city.garbage, ward, now=NOW - timedelta(hours=1))
    rows = _tops(dashboard.dashboard(commissioner))["ward"]
    assert len(rows) == 10 and [r[1] for r in rows] == sorted((r[1] for r in rows), reverse=True)


def test_the_weeks_turn_on_monday_at_the_citys_midnight(known, commissioner):
    # Sunday 23:59 in the city (18:29 UTC): still the week of 2 March.
    with time_machine.travel(at(15, 23, 59), tick=False):
        this, last = dashboard.dashboard(commissioner)["weeks"]
        assert this.start.isoformat() == "2026-03-09" and this.numbers["all"].value == 10
    # One minute later (Monday in the city, still Sunday in UTC): a new, empty week.
    with time_machine.travel(at(16, 0, 0), tick=False):
        this, last = dashboard.dashboard(commissioner)["weeks"]
        assert this.start.isoformat() == "2026-03-16" and this.numbers["all"].value == 0
        assert last.start.isoformat() == "2026-03-09" and last.numbers["all"].value == 10


@pytest.mark.parametrize("who", ["commissioner", "head"])
def test_every_number_clicks_through_to_exactly_its_complaints(known, request, client, who):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    _login(client, user)
    response = client.get("/desk/")
    assert response.status_code == 200
    numbers = _numbers(response.context["dashboard"])
    html = response.content.decode()
    for name, number in numbers.items():
        assert unescape_href(number.link) in html, name  # shown on the page, as a link
        listed = client.get(number.link)
        assert listed.status_code == 200, name
        assert listed.context["cl"].queryset.count() == number.value, name
    assert len(numbers) >= 30


def unescape_href(link):
    return link.replace("&", "&amp;")


def test_the_overdue_link_names_the_overdue_complaints(known, commissioner, client):
    _login(client, commissioner)
    overdue = client.get("/desk/").context["dashboard"]["open_big"][1]
    assert "r-figure=overdue" in overdue.link and "r-date_from" not in overdue.link
    listed = set(client.get(overdue.link).context["cl"].queryset.values_list("docket", flat=True))
    assert listed == {known[n].docket for n in ("W3", "W5", "L4", "L5", "O1", "O2")}


def test_todays_phone_calls_link(known, commissioner):
    phone = dashboard.dashboard(commissioner)["channels"][0]
    assert phone.key == "phone"
    for part in ("r-date_from=2026-03-11", "r-date_to=2026-03-11", "r-channel=phone", "r-figure=all"):
        assert part in phone.link


@pytest.mark.parametrize("who", ["commissioner", "auditor", "agent", "head", "zonal", "officer", "outsider"])
def test_the_page_renders_for_every_role(known, request, client, who):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    _login(client, user)
    response = client.get("/desk/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="dashboard"' in html and 'class="chart"' in html
    assert "Top wards" in html and "SLA compliance" in html
    # The rest of the index is still there: the app list.
    assert "/desk/complaints/complaint/" in html
    # Links to every report in the registry, and to the daily MIS.
    for report in REPORTS.values():
        assert f'href="/desk/reports/{report.slug}/"' in html
    assert 'href="/desk/reports/mis/"' in html
    # Scoped: the page never counts more than the viewer may see.
    d = response.context["dashboard"]
    from nagar_nigam_cc.complaints.access import visible_complaints

    assert d["open_big"][0].value == visible_complaints(user).filter(
        status__in=("assigned", "in_progress", "on_hold", "reopened")).count()


def test_a_field_officer_counts_only_their_own(known, officer, client):
    _login(client, officer.user)
    d = client.get("/desk/").context["dashboard"]
    mine = Complaint.objects.filter(assigned_to=officer)
    assert sum(n.value for n in d["ages"]) == d["open_big"][0].value == mine.filter(
        status__in=("assigned", "in_progress", "on_hold", "reopened")).count()
    for number in _numbers(d).values():
        assert client.get(number.link).context["cl"].queryset.count() == number.value


def test_charts_use_unfold_and_no_outside_resource(known, commissioner, client):
    _login(client, commissioner)
    html = client.get("/desk/").content.decode()
    assert "unfold/js/chart/chart.js" in html
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', html)
    charts = re.findall(r'data-value="([^"]+)"', html)
    assert len(charts) == 2
    assert '"data": [2, 1, 0, 1, 0, 0]' in unescape(charts[0])  # today's channels, numbers as in the list


def test_hindi_by_default(known, commissioner, client):
    client.force_login(commissioner)
    response = client.get("/desk/")
    assert response.status_code == 200 and 'id="dashboard"' in response.content.decode()


def test_the_dashboard_costs_a_fixed_number_of_queries(known, commissioner, head, django_assert_max_num_queries):
    from nagar_nigam_cc.complaints.access import roles_of

    roles_of(commissioner), roles_of(head.user)  # the request has them already (the desk's login)
    # 5 panels (today's channels, open now, both weeks, top categories, top wards) + 2 name look-ups.
    with django_assert_max_num_queries(7):
        dashboard.dashboard(commissioner)
    with django_assert_max_num_queries(8):  # + the head's officer record, for the scope
        dashboard.dashboard(head.user)


def test_the_page_costs_the_index_plus_the_dashboards_queries(known, commissioner, client, monkeypatch):
    """The rest of the index (login, permissions, the app list, recent actions) is other apps' business;
    the dashboard adds its 7 queries to it, whatever the city's size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _login(client, commissioner)
    client.get("/desk/")
    with CaptureQueriesContext(connection) as with_dashboard:
        assert client.get("/desk/").status_code == 200
    monkeypatch.setattr(dashboard, "dashboard", lambda user, now=None: None)
    with CaptureQueriesContext(connection) as without:
        assert 'id="dashboard"' not in client.get("/desk/").content.decode()
    assert len(with_dashboard) - len(without) <= 7


def test_it_is_the_desks_index(known, commissioner, client):
    _login(client, commissioner)
    response = client.get("/desk/")
    assert "reports/dashboard.html" in [t.name for t in response.templates]
    assert timezone.now() == NOW
