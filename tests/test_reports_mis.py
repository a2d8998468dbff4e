"""The daily MIS (issue 6, part 3): the exact numbers of a small city with known outcomes, one A4 page in
Hindi and English without citizens' numbers, the desk's download scoped by the viewer, and the morning
e-mail sent exactly once per day, not before its hour, again after a failure."""
from __future__ import annotations

import io
import re
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.db import connection

from nagar_nigam_cc.complaints.actions import do_close, do_put_on_hold, do_reject, do_resolve
from nagar_nigam_cc.complaints.models import Channel, Complaint
from nagar_nigam_cc.directory.models import Category, Department
from nagar_nigam_cc.reports import mis
from nagar_nigam_cc.reports.models import MisDelivery, ReportSettings, split_addresses
from nagar_nigam_cc.sla.models import SLAPolicy

IST = ZoneInfo("Asia/Kolkata")
#: "Now" in these tests: Tuesday 10 March 2026, 09:00 in the city. The MIS is of Monday the 9th.
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=IST)
DAY = date(2026, 3, 9)
CITIZEN_NAME = "Ramprasad Citizenname"
H = timedelta(hours=1)


def at(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=IST)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def outcomes(frozen, city, officer, outsider, register, commissioner):
    """Every sanitation and Jal Kal category has a 24-hour limit (wall clock).

    Sanitation:
      A  registered on the day 10:00 by phone, resolved on the day 12:00 (within time);
      B  registered on the day 11:00 by WhatsApp, open within time (due tomorrow 11:00);
      C  registered 5 March, open overdue, escalated;
      D  registered 2 March, put on hold an hour after its time ran out (overdue, clock stopped);
      E  registered 4 March, resolved late on 8 March, closed on the day 15:00;
      F  registered 20 February (last month), open overdue;
      J  registered today 08:00 (not the day's), open within time.
    Jal Kal:
      G  registered on the day 09:30 on the web, open within time (due today 09:30);
      H  registered 1 March, open overdue;
      I  registered on the day 20:00 by phone, rejected the same evening.
    """
    for category in (city.garbage, city.sweeping, city.sewer):
        SLAPolicy.objects.create(name_hi=category.name_hi, name_en=f"{category.name_en} 24 h", category=category,
                                 resolution_hours=24)
    made = {}

    def make(name, category, when, ward=1, **fields):
        made[name] = register(category, city.wards[ward], now=when, name=CITIZEN_NAME, **fields)
        return made[name]

    a = make("A", city.sweeping, at(3, 9, 10))
    do_resolve(a, actor=commissioner, remarks="Swept", now=at(3, 9, 12))
    make("B", city.sweeping, at(3, 9, 11), channel=Channel.WHATSAPP)
    c = make("C", city.garbage, at(3, 5, 10), ward=2)
    # Escalation is the sweep's business (tested there); here only its result on the row matters.
    Complaint.objects.filter(pk=c.pk).update(escalation_level=1)
    d = make("D", city.sweeping, at(3, 2, 10))
    do_put_on_hold(d, actor=commissioner, reason="Material awaited", now=d.due_at + H)
    e = make("E", city.sweeping, at(3, 4, 10))
    do_resolve(e, actor=commissioner, remarks="Swept", now=at(3, 8, 10))
    do_close(e, actor=commissioner, remarks="Citizen satisfied", now=at(3, 9, 15))
    make("F", city.garbage, at(2, 20, 10))
    make("J", city.garbage, at(3, 10, 8))
    make("G", city.sewer, at(3, 9, 9, 30), ward=4, channel=Channel.WEB)
    make("H", city.sewer, at(3, 1, 10), ward=4)
    i = make("I", city.sewer, at(3, 9, 20), ward=4)
    do_reject(i, actor=commissioner, reason="Private property", now=at(3, 9, 21))
    for c in made.values():
        c.refresh_from_db()
    return made


def _login(client, user):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)


def _pdf_text(pdf: bytes) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def _mobiles(outcomes) -> set[str]:
    numbers = set()
    for c in outcomes.values():
        mobile = c.citizen.mobile
        numbers |= {mobile, mobile[-10:]}
    return numbers


# --- the figures ------------------------------------------------------------------------------------------

def test_the_days_figures_are_exact(outcomes, city):
    ctx = mis.mis_context(DAY)
    assert ctx["day"] == DAY and ctx["now"] == NOW and ctx["whole_city"]
    assert (ctx["registered"], ctx["resolved"], ctx["closed"]) == (4, 1, 1)
    assert {c["key"]: c["count"] for c in ctx["by_channel"] if c["count"]} == {
        Channel.PHONE: 2, Channel.WHATSAPP: 1, Channel.WEB: 1}
    assert (ctx["open"], ctx["overdue"], ctx["escalated"]) == (7, 4, 1)


def test_compliance_over_the_last_7_days_and_the_month(outcomes):
    ctx = mis.mis_context(DAY)
    week, month = ctx["week"], ctx["month"]
    assert (week["start"], week["end"]) == (date(2026, 3, 3), DAY)
    assert {k: week[k] for k in ("all", "on_time", "late", "within_time", "overdue", "not_counted")} == {
        "all": 6, "on_time": 1, "late": 1, "within_time": 2, "overdue": 1, "not_counted": 1}
    assert week["compliance"] == pytest.approx(1 / 3)
    assert (month["start"], month["on_time"], month["late"], month["overdue"]) == (date(2026, 3, 1), 1, 1, 3)
    assert month["compliance"] == pytest.approx(1 / 5)


def test_departments_worst_first(outcomes, city):
    rows = mis.mis_context(DAY)["departments"]
    assert [r["name"] for r in rows] == ["स्वच्छता / Sanitation", "जलकल / Jal Kal"]
    sanitation, jalkal = rows
    assert (sanitation["registered"], sanitation["open"], sanitation["overdue"]) == (2, 5, 3)
    assert sanitation["compliance"] == pytest.approx(1 / 4)
    assert (jalkal["registered"], jalkal["open"], jalkal["overdue"], jalkal["compliance"]) == (2, 2, 1, 0.0)


def test_the_worst_overdue_most_overdue_first_without_the_citizen(outcomes, city, officer):
    worst = mis.mis_context(DAY)["worst"]
    assert [row["docket"] for row in worst] == [outcomes[n].docket for n in ("F", "H", "C", "D")]
    f = worst[0]
    assert f["overdue_by"] == NOW - outcomes["F"].due_at
    assert f["overdue_by_text"] == "16 d 23 h"
    assert f["ward"].startswith("1 · ") and f["department"] == "स्वच्छता / Sanitation"
    assert f["officer"] == outcomes["F"].assigned_to.name
    d = worst[-1]
    assert d["on_hold"] and d["overdue_by"] == H  # its clock stopped an hour late
    flat = repr(worst)
    assert CITIZEN_NAME not in flat and not any(m in flat for m in _mobiles(outcomes))


def test_a_head_gets_their_departments_mis(outcomes, head):
    ctx = mis.mis_context(DAY, user=head.user)
    assert not ctx["whole_city"] and "Sanitation" in ctx["scope"]
    assert (ctx["registered"], ctx["resolved"], ctx["closed"], ctx["open"], ctx["overdue"]) == (2, 1, 1, 5, 3)
    assert [r["name"] for r in ctx["departments"]] == ["स्वच्छता / Sanitation"]
    assert outcomes["H"].docket not in {row["docket"] for row in ctx["worst"]}


# --- the page ---------------------------------------------------------------------------------------------

def test_one_a4_page_in_hindi_and_english_without_citizens(outcomes):
    context = mis.mis_context(DAY)
    document = mis.render_document(context)
    assert len(document.pages) == 1
    width, height = document.pages[0].width, document.pages[0].height
    assert (round(width * 25.4 / 96), round(height * 25.4 / 96)) == (210, 297)  # CSS px → mm
    pdf = document.write_pdf()
    pages, text = _pdf_text(pdf)
    assert pages == 1
    assert re.search("[\u0900-\u097F]", text), "no Devanagari in the PDF"
    assert "Sanitation" in text and "09.03.2026" in text and outcomes["F"].docket in text
    html = mis.render_html(context)
    assert "जलकल / Jal Kal" in html and "Open now" in html
    for shown in (text, html):
        assert CITIZEN_NAME not in shown
        assert not any(m in shown for m in _mobiles(outcomes))


def test_many_departments_with_long_names_still_fit_one_page(frozen, register, city, commissioner):
    SLAPolicy.objects.create(name_hi="सब", name_en="All 1 h", resolution_hours=1)
    long = "Department of Extremely Long Names for Public Health, Sanitation and Solid Waste Management"
    for n in range(40):
        dept = Department.objects.create(code=f"d{n}", name_en=f"{long} {n}", name_hi=f"विभाग संख्या {n} " * 6)
        cat = Category.objects.create(code=f"c{n}", name_en=f"Category {n} " * 8, name_hi=f"श्रेणी {n} " * 8,
                                      department=dept)
        register(cat, city.wards[1 + n % 4], now=at(3, 9, 8) + n * timedelta(minutes=7))
    context = mis.mis_context(DAY)
    assert len(context["departments"]) == 40 and context["registered"] == 40 and len(context["worst"]) == 10
    document = mis.render_document(context)
    assert len(document.pages) == 1
    assert "Other departments" in mis.render_html(context)


def test_an_empty_city_makes_a_page_too(frozen, city):
    pages, text = _pdf_text(mis.render_pdf(DAY))
    assert pages == 1 and "Nothing is overdue" in text


# --- the desk's download ----------------------------------------------------------------------------------

def test_the_commissioner_downloads_the_citys_mis(outcomes, commissioner, client):
    _login(client, commissioner)
    response = client.get("/desk/reports/mis/")  # yesterday by default
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="mis-2026-03-09.pdf"' in response["Content-Disposition"]
    pages, text = _pdf_text(response.content)
    assert pages == 1 and "Jal Kal" in text and outcomes["H"].docket in text


def test_a_head_downloads_their_departments_numbers(outcomes, head, client):
    _login(client, head.user)
    response = client.get("/desk/reports/mis/", {"date": "2026-03-09"})
    assert response.status_code == 200
    _pages, text = _pdf_text(response.content)
    assert "Sanitation" in text and "Jal Kal" not in text and outcomes["H"].docket not in text


@pytest.mark.parametrize("raw, message", [
    ("yesterday", "YYYY-MM-DD"),
    ("2026-02-30", "YYYY-MM-DD"),
    ("09.03.2026", "YYYY-MM-DD"),
    ("2026-03-11", "future"),
])
def test_bad_or_future_dates_are_refused(frozen, commissioner, client, raw, message):
    _login(client, commissioner)
    response = client.get("/desk/reports/mis/", {"date": raw})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_download_needs_the_desk_login(frozen, client):
    response = client.get("/desk/reports/mis/")
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- the morning e-mail -----------------------------------------------------------------------------------

@pytest.fixture
def recipients(db):
    ReportSettings.objects.create(mis_recipients="commissioner@example.in,\n dm@example.in ; Commissioner@example.in")
    return ["commissioner@example.in", "dm@example.in"]


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


class SlowBackend(BaseEmailBackend):
    """Sends to the locmem outbox, slowly: two schedulers overlap while one is sending."""

    def send_messages(self, messages):
        import time

        from django.core.mail.backends.locmem import EmailBackend

        time.sleep(0.5)
        return EmailBackend().send_messages(messages)


def test_sent_once_after_the_hour(outcomes, recipients):
    with time_machine.travel(at(3, 10, 6, 59), tick=False):
        assert mis.send_daily_mis().outcome == "not_yet"
    assert mail.outbox == [] and not MisDelivery.objects.exists()
    with time_machine.travel(at(3, 10, 7, 0), tick=False):
        result = mis.send_daily_mis()
        assert result.outcome == "sent" and result.day == DAY
        assert mis.send_daily_mis().outcome == "already_sent"
    with time_machine.travel(at(3, 10, 23, 45), tick=False):
        assert mis.send_daily_mis().outcome == "already_sent"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == recipients
    assert "09.03.2026" in message.subject and "Daily MIS" in message.subject
    (name, content, mimetype), = message.attachments
    assert (name, mimetype) == ("mis-2026-03-09.pdf", "application/pdf") and content[:5] == b"%PDF-"
    assert _pdf_text(content)[0] == 1
    assert "Overdue now" in message.body and ": 4" in message.body
    delivery = MisDelivery.objects.get()
    assert delivery.day == DAY and delivery.sent_at is not None and delivery.attempts == 1
    assert delivery.recipients.splitlines() == recipients
    # The next morning is the next day's MIS.
    with time_machine.travel(at(3, 11, 7, 15), tick=False):
        assert mis.send_daily_mis().day == date(2026, 3, 10)
    assert len(mail.outbox) == 2


def test_the_hour_is_configurable_in_the_citys_time(frozen, recipients):
    ReportSettings.objects.filter(pk=1).update(mis_hour=10)
    with time_machine.travel(at(3, 10, 9, 59), tick=False):
        assert mis.send_daily_mis().outcome == "not_yet"
    with time_machine.travel(at(3, 10, 10, 0), tick=False):
        assert mis.send_daily_mis().outcome == "sent"


def test_nothing_without_recipients_or_when_switched_off(frozen, db):
    assert mis.send_daily_mis().outcome == "no_recipients"
    ReportSettings.objects.create(mis_recipients="a@example.in", mis_enabled=False)
    assert mis.send_daily_mis().outcome == "disabled"
    assert mail.outbox == []


def test_a_failed_email_is_tried_again_at_the_next_run(outcomes, recipients, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    result = mis.send_daily_mis()
    assert result.outcome == "failed" and "mail server down" in result.detail
    delivery = MisDelivery.objects.get(day=DAY)
    assert delivery.sent_at is None and delivery.attempts == 1 and "mail server down" in delivery.error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert mis.send_daily_mis().outcome == "sent"
    delivery.refresh_from_db()
    assert delivery.sent_at is not None and delivery.attempts == 2 and delivery.error == ""
    assert len(mail.outbox) == 1


def test_the_periodic_job_is_declared():
    from nagar_nigam_cc import scheduling

    job = scheduling.get_job("send-daily-mis")
    assert job.every_seconds <= 30 * 60 and job.resolve() is scheduling.send_daily_mis


def test_the_job_runs_by_name(frozen, recipients, city):
    from nagar_nigam_cc import scheduling

    scheduling.run_job_by_name("send-daily-mis")
    scheduling.run_job_by_name("send-daily-mis")
    assert len(mail.outbox) == 1


@pytest.mark.mariadb
@pytest.mark.skipif(connection.vendor != "mysql", reason=(
    "needs a database several connections share (MariaDB); SQLite's test database is one connection's memory"))
# serialized_rollback: the roles' groups (a data migration) come back for the tests that run after this one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_schedulers_at_once_send_one_email(settings):
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    ReportSettings.objects.create(mis_recipients="commissioner@example.in")
    barrier, results, errors = threading.Barrier(3), [], []

    def scheduler():
        from django.db import connections

        try:
            barrier.wait(30)
            with time_machine.travel(NOW, tick=False):
                results.append(mis.send_daily_mis().outcome)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scheduler) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    print("outcomes of the three schedulers:", results)
    assert sorted(results).count("sent") == 1 and set(results) <= {"sent", "busy", "already_sent"}
    assert len(mail.outbox) == 1
    assert MisDelivery.objects.get(day=DAY).attempts == 1


# --- the command ------------------------------------------------------------------------------------------

def test_the_command_sends_once_unless_forced(outcomes, recipients):
    out = io.StringIO()
    call_command("send_daily_mis", "--date", "2026-03-08", stdout=out)
    assert "Sent the MIS of 08.03.2026 to commissioner@example.in, dm@example.in" in out.getvalue()
    out = io.StringIO()
    call_command("send_daily_mis", "--date", "2026-03-08", stdout=out)
    assert "was sent already" in out.getvalue() and len(mail.outbox) == 1
    call_command("send_daily_mis", "--date", "2026-03-08", "--force", stdout=io.StringIO())
    assert len(mail.outbox) == 2
    call_command("send_daily_mis", stdout=io.StringIO())  # yesterday by default
    assert "09.03.2026" in mail.outbox[-1].subject


def test_the_command_refuses_bad_input(frozen, db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_daily_mis", "--date", "March 8")
    with pytest.raises(CommandError, match="No recipients"):
        call_command("send_daily_mis")


# --- the settings -----------------------------------------------------------------------------------------

def test_recipients_are_checked_and_split():
    assert split_addresses("a@x.in, b@y.in\nc@z.in;a@X.in") == ["a@x.in", "b@y.in", "c@z.in"]
    rules = ReportSettings(mis_recipients="a@x.in, not-an-address", mis_hour=7)
    with pytest.raises(ValidationError) as caught:
        rules.full_clean()
    assert "not-an-address" in str(caught.value)
    with pytest.raises(ValidationError):
        ReportSettings(mis_recipients="a@x.in", mis_hour=24).full_clean()


def test_the_commissioner_edits_the_settings_others_may_not(db, commissioner, head, auditor, client):
    _login(client, commissioner)
    response = client.post("/desk/reports/reportsettings/add/", {
        "mis_enabled": "on", "mis_recipients": "commissioner@example.in", "mis_hour": "8", "mis_title": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ReportSettings.current().recipients == ["commissioner@example.in"]
    response = client.post("/desk/reports/reportsettings/1/change/", {
        "mis_enabled": "on", "mis_recipients": "nobody-at-all", "mis_hour": "8", "mis_title": ""})
    assert response.status_code == 200 and "Not an e-mail address: nobody-at-all" in response.content.decode()
    assert client.get("/desk/reports/reportsettings/add/").status_code == 403  # one row only
    MisDelivery.objects.create(day=DAY, sent_at=NOW, recipients="commissioner@example.in", attempts=1)
    assert client.get(f"/desk/reports/misdelivery/{MisDelivery.objects.get().pk}/change/").status_code == 200
    _login(client, auditor)
    assert client.get("/desk/reports/reportsettings/1/change/").status_code == 200  # reads
    assert client.post("/desk/reports/reportsettings/1/change/", {
        "mis_recipients": "auditor@example.in", "mis_hour": "8"}).status_code == 403
    _login(client, head.user)
    assert client.get("/desk/reports/reportsettings/1/change/").status_code == 403
    assert client.get(f"/desk/reports/misdelivery/{MisDelivery.objects.get().pk}/change/").status_code == 403


def test_the_settings_and_deliveries_lists_open_from_the_menu(db, commissioner, client):
    _login(client, commissioner)
    response = client.get("/desk/reports/reportsettings/")
    assert response.status_code == 302 and response["Location"].endswith("/reportsettings/add/")
    assert client.get("/desk/reports/misdelivery/").status_code == 200
