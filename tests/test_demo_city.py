"""The demo city: what `load_demo_city` promises someone about to show the product."""
from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.models import (
    Attachment,
    Citizen,
    Complaint,
    ComplaintEvent,
    EventKind,
    Status,
)
from nagar_nigam_cc.complaints.phones import normalise_mobile
from nagar_nigam_cc.directory import roles
from nagar_nigam_cc.directory.models import Category, Department, Officer, Ward, Zone


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The demo hashes its password once; the slow production hasher would make every test wait for it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load(*args, **options) -> str:
    out = StringIO()
    call_command("load_demo_city", *args, stdout=out, stderr=StringIO(), **{"complaints": 40, **options})
    return out.getvalue()


@pytest.fixture
def demo(db) -> str:
    return load()


def test_the_city_has_four_zones_a_hundred_wards_and_five_departments(demo):
    assert sorted(Zone.objects.values_list("name_en", flat=True)) == ["Allapur", "Katra", "Khuldabad", "Naini"]
    assert list(Ward.objects.order_by("number").values_list("number", flat=True)) == list(range(1, 101))
    per_zone = Zone.objects.annotate(n=Count("wards")).values_list("n", flat=True)
    assert all(25 <= n <= 31 for n in per_zone)
    assert Department.objects.count() == 5
    assert not Ward.objects.filter(name_hi="").exists() and not Ward.objects.filter(localities="").exists()
    needed = ["garbage", "sweeping", "dead-animal", "sewer-choked", "no-water", "streetlight", "pothole", "stray-dogs"]
    assert Category.objects.filter(code__in=needed).count() == len(needed)


def test_each_department_has_a_head_and_officers_on_three_levels(demo):
    for department in Department.objects.all():
        assert department.head is not None and department.head.department == department
    assert set(Officer.objects.values_list("level", flat=True)) >= {1, 2, 3}
    inspector = Officer.objects.get(user__username="officer")
    chain = []
    while inspector.reports_to_id:
        inspector = inspector.reports_to
        chain.append(inspector.level)
    assert chain == [2, 3, 4]  # zonal sanitary officer → head → commissioner


def test_every_role_has_its_login_in_the_right_group(demo):
    expected = {
        "agent": roles.AGENT, "officer": roles.FIELD_OFFICER, "head": roles.DEPARTMENT_HEAD,
        "zonal": roles.ZONAL_OFFICER, "commissioner": roles.COMMISSIONER, "auditor": roles.AUDITOR,
        "outsider": roles.FIELD_OFFICER,
    }
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role], username
        assert user.is_staff and user.check_password("demo12345"), username
    assert User.objects.get(username="commissioner").is_superuser
    assert Officer.objects.get(user__username="officer").department.code == "sanitation"
    assert Officer.objects.get(user__username="head") == Department.objects.get(code="sanitation").head
    assert Officer.objects.get(user__username="outsider").department.code == "jalkal"
    zonal = Officer.objects.get(user__username="zonal")
    assert zonal.department is None and list(zonal.zones.values_list("code", flat=True)) == ["katra"]


def test_the_logins_table_is_printed_with_the_password(db):
    output = load(password="another-pass-1")
    for username in ("agent", "officer", "head", "zonal", "commissioner", "auditor", "outsider"):
        assert f"\n{username} " in output
    assert "another-pass-1" in output
    assert User.objects.get(username="si-03").check_password("another-pass-1")


def test_loading_again_changes_nothing(demo):
    before = (Complaint.objects.count(), Officer.objects.count(), User.objects.count())
    assert "already loaded" in load()
    assert (Complaint.objects.count(), Officer.objects.count(), User.objects.count()) == before


def test_reset_loads_the_city_afresh_with_new_docket_numbers(demo):
    old_dockets = set(Complaint.objects.values_list("docket", flat=True))
    load("--reset", complaints=12)
    assert Complaint.objects.count() == 12 and Zone.objects.count() == 4 and Department.objects.count() == 5
    assert old_dockets.isdisjoint(Complaint.objects.values_list("docket", flat=True))  # numbers are never reused
    assert not Citizen.objects.filter(complaints__isnull=True).exists()


def test_the_same_seed_tells_the_same_stories(demo):
    first = list(Complaint.objects.order_by("registered_at").values_list("category__code", "ward__number", "status"))
    load("--reset", seed=2025)
    again = list(Complaint.objects.order_by("registered_at").values_list("category__code", "ward__number", "status"))
    assert first == again


def test_there_is_an_unrouted_complaint_waiting_with_the_department_head(demo):
    unrouted = Complaint.objects.filter(unrouted=True, status=Status.ASSIGNED)
    assert unrouted.exists()
    for complaint in unrouted:
        assert complaint.assigned_to == complaint.department.head


def test_complaints_are_in_at_least_six_statuses(demo):
    assert Complaint.objects.count() == 40
    assert len(set(Complaint.objects.values_list("status", flat=True))) >= 6


def test_every_complaint_has_a_timeline_that_starts_with_its_registration(demo):
    now = timezone.now()
    for complaint in Complaint.objects.prefetch_related("events"):
        kinds = [event.kind for event in complaint.events.all()]
        assert kinds[:2] == [EventKind.REGISTERED, EventKind.ASSIGNED], complaint.docket
        assert all(complaint.registered_at <= event.at <= now for event in complaint.events.all())
        assert now - timedelta(days=31) < complaint.registered_at
        assert dockets.is_valid(complaint.docket)
    last_status = {c.pk: c.status for c in Complaint.objects.all()}
    for complaint_id, status in last_status.items():
        final = ComplaintEvent.objects.filter(complaint_id=complaint_id).exclude(to_status="").last()
        assert final.to_status == status


def test_resolved_work_that_needs_proof_has_a_photo(demo):
    resolutions = ComplaintEvent.objects.filter(kind=EventKind.RESOLVED, complaint__category__proof_photo_required=True)
    assert resolutions.exists()
    for event in resolutions:
        assert Attachment.objects.filter(event=event, content_type="image/jpeg").exists()


def test_a_complaint_in_the_ward_of_an_officer_on_leave_goes_to_the_substitute(demo):
    away = Officer.objects.get(on_leave=True)
    assert away.substitute.user.username == "officer"
    complaint = Complaint.objects.get(department=away.department, ward__in=away.wards.all(),
                                      category__code="drain-blocked")
    assert complaint.assigned_to == away.substitute
    assert complaint.events.get(kind=EventKind.ASSIGNED).data["skipped_on_leave"] == [away.pk]


def test_citizens_have_valid_indian_mobile_numbers(demo):
    for mobile in Citizen.objects.values_list("mobile", flat=True):
        assert normalise_mobile(mobile) == mobile and mobile[3] in "6789"
