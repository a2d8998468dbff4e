"""Who sees which complaint and may do what to it, as one table per person.

Three complaints, registered by the agent:
- A: garbage in ward 1 (Katra), routed to `officer`, the sanitary inspector;
- B: garbage in ward 4 (Naini), nobody covers it, so the sanitation `head` holds it (unrouted);
- C: sewer in ward 1 (Katra), routed to `outsider`, the Jal Kal engineer.

The tables are the specification, written out by hand. Each person is checked three ways: the list
(visible_complaints), the question (may), and the deed (every do_* the table forbids raises
PermissionDenied and changes nothing).
"""
from __future__ import annotations

import pytest
from conftest import make_officer, make_user, photo_upload
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from nagar_nigam_cc.complaints import access
from nagar_nigam_cc.complaints.actions import (
    NewComplaint,
    do_add_note,
    do_assign,
    do_close,
    do_confirm,
    do_dispute,
    do_mark_duplicate,
    do_put_on_hold,
    do_register,
    do_reject,
    do_reopen,
    do_resolve,
    do_resume,
    do_start_work,
)
from nagar_nigam_cc.complaints.models import Complaint, ComplaintEvent, Status
from nagar_nigam_cc.directory import roles

ACTIONS = ("assign", "start", "hold", "resume", "resolve", "close", "reopen", "reject", "mark_duplicate", "confirm",
           "dispute")
EVERYTHING = frozenset(ACTIONS)
WORK = frozenset({"start", "hold", "resume", "resolve"})  # what the assigned officer does
SUPERVISE = frozenset({"assign", "close", "reopen", "reject", "mark_duplicate", "confirm", "dispute"})  # zonal
ON_THE_PHONE = frozenset({"close", "reopen", "confirm", "dispute"})  # an agent, on the citizen's word

PEOPLE = ("agent", "officer", "head", "zonal", "outsider", "commissioner", "auditor", "anonymous", "nobody")

# person → {complaint: actions they may take on it}; a complaint in the dict is one they see.
MATRIX: dict[str, dict[str, frozenset[str]]] = {
    "agent": {"A": ON_THE_PHONE, "B": ON_THE_PHONE, "C": ON_THE_PHONE},
    "officer": {"A": WORK},
    "head": {"A": EVERYTHING, "B": EVERYTHING},
    "zonal": {"A": SUPERVISE, "C": SUPERVISE},  # Katra, every department (zonal.department is None)
    "outsider": {"C": WORK},
    "commissioner": {"A": EVERYTHING, "B": EVERYTHING, "C": EVERYTHING},
    "auditor": {"A": frozenset(), "B": frozenset(), "C": frozenset()},  # sees all, may nothing
    "anonymous": {},
    "nobody": {},  # a staff login with no role
}
MAY_REGISTER = {"agent", "commissioner"}


@pytest.fixture
def world(city, agent, officer, head, zonal, outsider, commissioner, auditor):
    def register(category, ward, n):
        new = NewComplaint(mobile=f"+9194150{n:05d}", category=category, ward=ward, description=f"Complaint {n}")
        return do_register(new, actor=agent)

    complaints = {"A": register(city.garbage, city.wards[1], 1), "B": register(city.garbage, city.wards[4], 2),
                  "C": register(city.sewer, city.wards[1], 3)}
    assert (complaints["A"].assigned_to, complaints["B"].assigned_to, complaints["C"].assigned_to) == (
        officer, head, outsider)
    people = {"agent": agent, "officer": officer.user, "head": head.user, "zonal": zonal.user,
              "outsider": outsider.user, "commissioner": commissioner, "auditor": auditor,
              "anonymous": AnonymousUser(), "nobody": make_user("nobody")}
    relief = {"sanitation": make_officer("relief", roles.FIELD_OFFICER, city.sanitation),
              "jalkal": make_officer("relief-jk", roles.FIELD_OFFICER, city.jalkal)}
    return type("World", (), dict(complaints=complaints, people=people, relief=relief, city=city, agent=agent))


def fresh(user):
    """access caches roles on the user object; ask about a freshly loaded user each time."""
    return type(user).objects.get(pk=user.pk) if user.is_authenticated else AnonymousUser()


def attempt(world, action: str, complaint: Complaint, actor):
    """Call the do_* for `action` with arguments that are otherwise valid."""
    relief = world.relief["sanitation" if complaint.department_id == world.city.sanitation.pk else "jalkal"]
    other = next(c for key, c in world.complaints.items() if c.pk != complaint.pk)
    return {
        "assign": lambda: do_assign(complaint, relief, actor=actor, reason="Rebalancing the work"),
        "start": lambda: do_start_work(complaint, actor=actor),
        "hold": lambda: do_put_on_hold(complaint, actor=actor, reason="Waiting for material"),
        "resume": lambda: do_resume(complaint, actor=actor),
        "resolve": lambda: do_resolve(complaint, actor=actor, remarks="Done", photo=photo_upload()),
        "close": lambda: do_close(complaint, actor=actor),
        "reopen": lambda: do_reopen(complaint, actor=actor, reason="Citizen says not done"),
        "reject": lambda: do_reject(complaint, actor=actor, reason="Not municipal"),
        "mark_duplicate": lambda: do_mark_duplicate(complaint, original=other, actor=actor),
        "confirm": lambda: do_confirm(complaint, actor=actor),
        "dispute": lambda: do_dispute(complaint, actor=actor),
    }[action]()


def state():
    return (sorted(Complaint.objects.values_list("id", "status", "assigned_to_id", "updated_at")),
            ComplaintEvent.objects.count())


# --- the table ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("person", PEOPLE)
def test_each_person_sees_exactly_their_complaints(world, person):
    user = world.people[person]
    seen = {key for key, c in world.complaints.items() if c in access.visible_complaints(fresh(user))}
    assert seen == set(MATRIX[person])
    assert {key for key, c in world.complaints.items() if access.can_see(fresh(user), c)} == seen


@pytest.mark.parametrize("person", PEOPLE)
def test_each_person_may_take_exactly_the_actions_in_the_table(world, person):
    user = fresh(world.people[person])
    allowed = {(key, action) for key, c in world.complaints.items() for action in ACTIONS
               if access.may(user, action, c)}
    assert allowed == {(key, action) for key, actions in MATRIX[person].items() for action in actions}


@pytest.mark.parametrize("person", PEOPLE)
def test_only_agents_and_the_commissioner_may_register(world, person):
    assert access.may(fresh(world.people[person]), "register") == (person in MAY_REGISTER)


@pytest.mark.parametrize("person", PEOPLE)
def test_every_action_the_table_forbids_is_refused_and_changes_nothing(world, person):
    user = world.people[person]
    forbidden = [(key, action) for key in world.complaints for action in ACTIONS
                 if action not in MATRIX[person].get(key, ())]
    before = state()
    for key, action in forbidden:
        with pytest.raises(PermissionDenied):
            attempt(world, action, world.complaints[key], fresh(user))
    assert state() == before


@pytest.mark.parametrize("person", sorted(set(PEOPLE) - MAY_REGISTER))
def test_registering_is_refused_to_those_who_may_not(world, person):
    before = state()
    new = NewComplaint(mobile="+919839099999", category=world.city.garbage, ward=world.city.wards[1],
                       description="Garbage heap")
    with pytest.raises(PermissionDenied):
        do_register(new, actor=fresh(world.people[person]))
    assert state() == before


def test_an_unknown_action_is_a_programming_error_not_a_no(world):
    with pytest.raises(KeyError):
        access.may(world.agent, "delete", world.complaints["A"])


# --- the deeds the table allows, done ------------------------------------------------------------------------

def test_the_assigned_officer_works_their_complaint_from_start_to_resolution(world):
    a, user = world.complaints["A"], world.people["officer"]
    do_start_work(a, actor=fresh(user))
    do_put_on_hold(a, actor=fresh(user), reason="Waiting for the tractor")
    do_resume(a, actor=fresh(user))
    do_resolve(a, actor=fresh(user), remarks="Heap lifted", photo=photo_upload())
    assert Complaint.objects.get(pk=a.pk).status == Status.RESOLVED


def test_the_agent_closes_and_reopens_on_the_citizens_word(world):
    a = world.complaints["A"]
    do_resolve(a, actor=fresh(world.people["officer"]), remarks="Heap lifted", photo=photo_upload())
    do_close(a, actor=fresh(world.agent), remarks="Citizen confirmed on the phone")
    do_reopen(a, actor=fresh(world.agent), reason="Citizen rang: the heap is back")
    assert Complaint.objects.get(pk=a.pk).status == Status.REOPENED


def test_the_zonal_officer_may_reject_a_jal_kal_complaint_in_katra(world):
    do_reject(world.complaints["C"], actor=fresh(world.people["zonal"]), reason="Private connection")
    assert Complaint.objects.get(pk=world.complaints["C"].pk).status == Status.REJECTED


def test_the_head_assigns_an_unrouted_complaint(world):
    b, naini = world.complaints["B"], world.relief["sanitation"]
    do_assign(b, naini, actor=fresh(world.people["head"]), reason="New inspector for Naini")
    assert Complaint.objects.get(pk=b.pk).assigned_to == naini


# --- particular people ------------------------------------------------------------------------------------------

def test_the_outsider_never_sees_a_sanitation_complaint_in_any_ward(world, register):
    garbage = [register(world.city.garbage, ward) for ward in world.city.wards.values()]
    outsider = fresh(world.people["outsider"])
    assert not access.visible_complaints(outsider).filter(department=world.city.sanitation).exists()
    for complaint in garbage:
        assert not access.can_see(outsider, complaint)
        assert not any(access.may(outsider, action, complaint) for action in ACTIONS)
        with pytest.raises(PermissionDenied):
            do_add_note(complaint, actor=outsider, note="Looking around")


def test_a_zonal_officer_of_one_department_sees_only_that_department_in_their_zone(world):
    jalkal_zonal = make_officer("jk-zonal", roles.ZONAL_OFFICER, world.city.jalkal, level=2,
                                zones=[world.city.katra], designation="Executive Engineer")
    seen = set(access.visible_complaints(fresh(jalkal_zonal.user)))
    assert seen == {world.complaints["C"]}


def test_the_substitute_sees_and_works_the_complaints_of_the_officer_on_leave(world):
    a = world.complaints["A"]
    officer = a.assigned_to
    substitute = make_officer("substitute", roles.FIELD_OFFICER, world.city.sanitation)
    assert not access.can_see(fresh(substitute.user), a)
    officer.on_leave, officer.substitute = True, substitute
    officer.save()
    user = fresh(substitute.user)
    assert set(access.visible_complaints(user)) == {a}
    assert {action for action in ACTIONS if access.may(user, action, a)} == WORK
    do_start_work(a, actor=user)
    # Back from leave: the complaint is theirs alone again.
    officer.on_leave = False
    officer.save()
    assert not access.visible_complaints(fresh(substitute.user)).exists()


def test_the_substitutes_substitute_sees_it_when_both_are_on_leave(world):
    """BUG (access.visibility): routing follows the whole substitute chain (officer → first → second),
    but visibility looks one link only, so `second` — who gets the ward's *new* complaints — cannot see
    or work the ones already with `officer`. Fix: resolve the chain in Python for the field officer
    (officers whose stand-in is me) and filter assigned_to__in=that set."""
    a = world.complaints["A"]
    second = make_officer("second", roles.FIELD_OFFICER, world.city.sanitation)
    first = make_officer("first", roles.FIELD_OFFICER, world.city.sanitation, on_leave=True, substitute=second)
    a.assigned_to.on_leave, a.assigned_to.substitute = True, first
    a.assigned_to.save()
    assert access.can_see(fresh(second.user), a)


def test_a_deactivated_login_sees_nothing_whatever_its_role(world):
    head = world.people["head"]
    head.is_active = False
    head.save()
    assert not access.visible_complaints(fresh(head)).exists()


def test_an_officer_record_made_inactive_sees_nothing_even_with_an_active_login(world):
    officer = world.complaints["A"].assigned_to
    officer.is_active = False
    officer.save()
    user = fresh(officer.user)
    assert not access.visible_complaints(user).exists()
    with pytest.raises(PermissionDenied):
        do_start_work(world.complaints["A"], actor=user)


def test_the_auditor_may_not_write_notes_on_the_timeline(world):
    """BUG (actions.do_add_note): it checks only that the actor can *see* the complaint, so the
    read-only auditor writes to the timeline. Fix: give notes an entry in access.ACTION_ROLES (every
    role but the auditor, plus the assignee) and check access.may(actor, "note", complaint)."""
    before = state()
    with pytest.raises(PermissionDenied):
        do_add_note(world.complaints["A"], actor=fresh(world.people["auditor"]), note="Audited")
    assert state() == before


@pytest.mark.parametrize("person", ["agent", "officer", "head", "zonal", "commissioner"])
def test_those_who_work_a_complaint_may_write_a_note_on_it(world, person):
    event = do_add_note(world.complaints["A"], actor=fresh(world.people[person]), note="Caller rang again")
    assert event.actor == world.people[person]
