"""Routing through the real path: do_register reads the org chart from the database and files the complaint.

The city (see conftest): wards 1–3 in Katra, ward 4 in Naini; `officer` is the sanitary inspector of
wards 1 and 2, `head` heads Sanitation; Jal Kal has no head. The pure rules are property-tested in
test_routing_properties.py; these tests prove the database hands routing the right officers.
"""
from __future__ import annotations

from conftest import make_officer

from nagar_nigam_cc.complaints.models import ComplaintEvent, EventKind
from nagar_nigam_cc.directory import roles


def assignment_event(complaint) -> ComplaintEvent:
    return ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.ASSIGNED)


def sanitation_officer(city, username, **extra):
    return make_officer(username, roles.FIELD_OFFICER, city.sanitation, **extra)


def test_garbage_complaint_in_ward_2_goes_to_its_sanitary_inspector(city, officer, register):
    complaint = register(city.garbage, city.wards[2])
    assert complaint.assigned_to == officer
    assert not complaint.unrouted
    event = assignment_event(complaint)
    assert event.officer == officer
    assert event.data == {"matched_by": "ward", "unrouted": False, "skipped_on_leave": []}
    assert event.note == "ward officer"


def test_ward_without_a_ward_officer_goes_to_the_zone_officer(city, officer, register):
    naini_inspector = sanitation_officer(city, "naini", zones=[city.naini])
    complaint = register(city.garbage, city.wards[4])
    assert complaint.assigned_to == naini_inspector
    assert assignment_event(complaint).data["matched_by"] == "zone"


def test_ward_officer_beats_the_zone_officer_of_the_same_zone(city, officer, register):
    sanitation_officer(city, "katra-zone", zones=[city.katra])
    assert register(city.garbage, city.wards[1]).assigned_to == officer


def test_zone_officer_beats_the_department_default_officer(city, officer, register):
    katra_zone = sanitation_officer(city, "katra-zone", zones=[city.katra])
    sanitation_officer(city, "default", covers_department=True)
    assert register(city.garbage, city.wards[3]).assigned_to == katra_zone


def test_ward_nobody_covers_goes_to_the_department_default_officer(city, officer, register):
    default = sanitation_officer(city, "default", covers_department=True)
    complaint = register(city.garbage, city.wards[3])
    assert complaint.assigned_to == default
    assert not complaint.unrouted
    assert assignment_event(complaint).data["matched_by"] == "department"


def test_junior_officer_of_the_ward_acts_before_a_senior_one(city, officer, register):
    sanitation_officer(city, "senior", level=2, wards=[city.wards[1]])
    assert register(city.garbage, city.wards[1]).assigned_to == officer


def test_officer_on_leave_hands_the_complaint_to_their_substitute(city, officer, register):
    substitute = sanitation_officer(city, "substitute")
    officer.on_leave, officer.substitute = True, substitute
    officer.save()
    complaint = register(city.garbage, city.wards[1])
    assert complaint.assigned_to == substitute
    assert not complaint.unrouted
    assert assignment_event(complaint).data == {"matched_by": "ward", "unrouted": False, "skipped_on_leave": [officer.pk]}


def test_substitute_chain_is_followed_past_a_substitute_also_on_leave(city, officer, register):
    second = sanitation_officer(city, "second")
    first = sanitation_officer(city, "first", on_leave=True, substitute=second)
    officer.on_leave, officer.substitute = True, first
    officer.save()
    complaint = register(city.garbage, city.wards[2])
    assert complaint.assigned_to == second
    assert assignment_event(complaint).data["skipped_on_leave"] == [officer.pk, first.pk]


def test_ward_nobody_covers_goes_to_the_head_flagged_unrouted(city, officer, head, register):
    """Ward 4 (Naini) has no sanitation officer of ward, zone or department: the head gets it, and the
    flag tells a supervisor to assign it by hand."""
    complaint = register(city.garbage, city.wards[4])
    assert complaint.assigned_to == head
    assert complaint.unrouted
    event = assignment_event(complaint)
    assert event.officer == head
    assert event.data == {"matched_by": "head", "unrouted": True, "skipped_on_leave": []}
    assert "head of department" in event.note


def test_head_on_leave_hands_unrouted_complaints_to_the_heads_substitute(city, officer, head, register):
    acting_head = make_officer("acting-head", roles.DEPARTMENT_HEAD, city.sanitation, level=3)
    head.on_leave, head.substitute = True, acting_head
    head.save()
    complaint = register(city.garbage, city.wards[4])
    assert complaint.assigned_to == acting_head
    assert complaint.unrouted
    assert assignment_event(complaint).data["skipped_on_leave"] == [head.pk]


def test_department_without_a_head_leaves_an_uncovered_complaint_with_nobody(city, register):
    """Jal Kal has no head and (without the `outsider` fixture) no officers at all."""
    complaint = register(city.sewer, city.wards[1])
    assert complaint.assigned_to is None
    assert complaint.unrouted
    event = assignment_event(complaint)
    assert event.officer is None
    assert event.data == {"matched_by": "nobody", "unrouted": True, "skipped_on_leave": []}


def test_inactive_ward_officer_is_skipped(city, officer, head, register):
    officer.is_active = False
    officer.save()
    katra_zone = sanitation_officer(city, "katra-zone", zones=[city.katra])
    assert register(city.garbage, city.wards[1]).assigned_to == katra_zone


def test_inactive_ward_officer_with_nobody_else_leaves_it_to_the_head(city, officer, head, register):
    officer.is_active = False
    officer.save()
    complaint = register(city.garbage, city.wards[1])
    assert complaint.assigned_to == head
    assert complaint.unrouted


def test_officer_of_another_department_never_gets_the_complaint(city, outsider, head, register):
    """The Jal Kal engineer covers every ward, but a garbage complaint is Sanitation's."""
    complaint = register(city.garbage, city.wards[4])
    assert complaint.assigned_to == head


def test_category_decides_the_department(city, officer, outsider, register):
    assert register(city.sewer, city.wards[1]).assigned_to == outsider
    assert register(city.garbage, city.wards[1]).assigned_to == officer


def test_zonal_officer_over_all_departments_is_not_routed_complaints(city, zonal, head, register):
    """The zonal officer supervises Katra; they are not anybody's field officer."""
    assert register(city.garbage, city.wards[3]).assigned_to == head


def test_substitute_from_another_department_is_not_used(city, officer, outsider, head, register):
    """A misconfigured substitute (Officer.clean refuses it in the desk) must still not leak the complaint."""
    officer.on_leave, officer.substitute = True, outsider
    officer.save()
    complaint = register(city.garbage, city.wards[1])
    assert complaint.assigned_to == head
    assert complaint.unrouted


def test_complaints_already_routed_stay_with_their_officer_when_the_officer_goes_on_leave(city, officer, register):
    before = register(city.garbage, city.wards[1])
    substitute = sanitation_officer(city, "substitute")
    officer.on_leave, officer.substitute = True, substitute
    officer.save()
    after = register(city.garbage, city.wards[1])
    before.refresh_from_db()
    assert (before.assigned_to, after.assigned_to) == (officer, substitute)
