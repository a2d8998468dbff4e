"""`synth_complaints`: bulk synthetic complaints for benchmarks that still look like the product made them."""
from __future__ import annotations

import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F
from django.utils import timezone

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.actions import NewComplaint, do_register
from nagar_nigam_cc.complaints.models import (
    OPEN_STATUSES,
    Citizen,
    Complaint,
    ComplaintEvent,
    EventKind,
    Status,
)
from nagar_nigam_cc.complaints.phones import normalise_mobile
from nagar_nigam_cc.demo.loader import mobile_blocks
from nagar_nigam_cc.directory.models import Category, Officer, Ward


@pytest.fixture
def demo(db, settings, django_user_model):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo_city", complaints=5, verbosity=0, stdout=StringIO(), stderr=StringIO())
    return django_user_model.objects.get(username="agent")


def synth(**options) -> str:
    out = StringIO()
    call_command("synth_complaints", stdout=out, stderr=StringIO(), **{"count": 2000, "batch": 500, **options})
    return out.getvalue()


def test_2000_synthetic_complaints_get_valid_unique_docket_numbers(demo):
    before = Complaint.objects.count()
    assert "2000 complaints" in synth()
    numbers = list(Complaint.objects.values_list("docket", flat=True))
    assert len(numbers) == before + 2000 == len(set(numbers))
    assert all(dockets.is_valid(number) for number in numbers)
    for number, registered_at in Complaint.objects.values_list("docket", "registered_at"):
        assert number[:4] == timezone.localtime(registered_at).strftime("%y%m")  # the month's own counter


def test_a_registration_after_the_synthetic_load_gets_the_next_docket_of_the_month(demo):
    synth(days=20)
    period = dockets.period_of(timezone.localtime())
    taken = [int(n[4:-1]) for n in Complaint.objects.filter(docket__startswith=period).values_list("docket", flat=True)]
    new = do_register(
        NewComplaint(mobile="+919839012345", category=Category.objects.get(code="garbage"),
                     ward=Ward.objects.get(number=12), description="Kooda nahin utha"),
        actor=demo,
    )
    assert dockets.is_valid(new.docket) and new.docket[:4] == period
    assert int(new.docket[4:-1]) == max(taken) + 1


def test_synthetic_complaints_are_routed_and_denormalised_as_registration_would(demo):
    synth()
    synthetic = Complaint.objects.filter(registered_by=demo).exclude(events__kind=EventKind.ASSIGNED)
    assert synthetic.count() == 2000
    assert not synthetic.exclude(department=F("category__department")).exists()
    assert not synthetic.exclude(zone=F("ward__zone")).exists()
    assert not synthetic.exclude(assigned_to__department=F("department")).exists()
    assert not synthetic.filter(unrouted=True).exclude(assigned_to=F("department__head")).exists()
    substitute = Officer.objects.get(user__username="officer")
    away = Officer.objects.get(on_leave=True)
    in_wards_away = synthetic.filter(department=away.department, ward__in=away.wards.all())
    assert in_wards_away.exists() and not in_wards_away.exclude(assigned_to=substitute).exists()


def test_most_are_closed_and_about_a_tenth_are_open(demo):
    synth()
    synthetic = Complaint.objects.filter(registered_by=demo).exclude(events__kind=EventKind.ASSIGNED)
    statuses = dict(synthetic.values_list("status").annotate(n=Count("id")))
    assert statuses[Status.CLOSED] > 1200
    assert 100 <= sum(statuses.get(s, 0) for s in OPEN_STATUSES) <= 400
    assert not synthetic.filter(closed_at__lt=F("registered_at")).exists()
    assert not synthetic.filter(updated_at__lt=F("registered_at")).exists()
    assert not synthetic.filter(status=Status.CLOSED, resolved_at__isnull=True).exists()
    for duplicate in synthetic.filter(status=Status.DUPLICATE).select_related("duplicate_of"):
        original = duplicate.duplicate_of
        assert (original.ward_id, original.category_id) == (duplicate.ward_id, duplicate.category_id)
        assert original.registered_at <= duplicate.registered_at


def test_every_synthetic_complaint_has_its_registered_event(demo):
    synth()
    synthetic = Complaint.objects.filter(registered_by=demo).exclude(events__kind=EventKind.ASSIGNED)
    events = ComplaintEvent.objects.filter(complaint__in=synthetic, kind=EventKind.REGISTERED)
    assert events.count() == 2000 == events.values("complaint").distinct().count()
    assert not events.exclude(at=F("complaint__registered_at")).exists()
    # The rest of the timeline (resolutions, escalations, …): tests/test_synth_timelines.py.


def test_no_events_leaves_the_timeline_empty(demo):
    events_before = ComplaintEvent.objects.count()
    synth(count=300, no_events=True)
    assert ComplaintEvent.objects.count() == events_before


def test_citizens_get_valid_unique_mobiles_and_some_call_more_than_once(demo):
    before = Citizen.objects.count()
    synth()
    assert Citizen.objects.count() == before + 1200
    for mobile in Citizen.objects.order_by("?").values_list("mobile", flat=True)[:300]:
        assert normalise_mobile(mobile) == mobile
    assert Citizen.objects.annotate(n=Count("complaints")).filter(n__gt=1).exists()


def test_a_mobile_block_valid_at_both_ends_is_valid_throughout():
    rng = random.Random(3)
    blocks = mobile_blocks(rng, 40)
    for _ in range(2000):
        mobile = f"+91{rng.choice(blocks)}{rng.randrange(100_000):05d}"
        assert normalise_mobile(mobile) == mobile


def test_it_refuses_when_there_is_no_city(db):
    with pytest.raises(CommandError, match="load_demo_city"):
        synth()
