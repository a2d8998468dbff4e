"""Routing as a pure function: properties over generated org charts, plus the rules as plain examples.

No database here: `route` takes OfficerCards, so hundreds of org charts are checked in well under a
second. The DB-backed path (do_register → officer_cards_for → route) is in test_routing.py.
"""
from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nagar_nigam_cc.directory.routing import OfficerCard, Route, route

CI = settings(max_examples=200, deadline=None)

DEPT, OTHER_DEPT = 1, 2
WARDS = {1: 10, 2: 10, 3: 11}  # ward → its zone
MISSING = 999  # an id no card carries (a substitute or head deleted since)


# --- the spec, in plain words -------------------------------------------------------------------------------

def stand_in(officers: dict[int, OfficerCard], start: int | None, department: int | None) -> int | None:
    """Who acts for `start`: follow the substitute links through officers on leave; the first officer
    not on leave acts. Every officer on the way must be an active officer of `department`; a missing,
    inactive or foreign link, or a loop, means nobody."""
    seen = set()
    current = officers.get(start) if start is not None else None
    while current is not None and current.id not in seen:
        if not current.active or current.department_id != department:
            return None
        if not current.on_leave:
            return current.id
        seen.add(current.id)
        current = officers.get(current.substitute_id) if current.substitute_id is not None else None
    return None


def tiers(officers: dict[int, OfficerCard], ward: int) -> list[tuple[str, list[OfficerCard]]]:
    """The candidates of each tier, most specific first, each in the order they are tried."""
    mine = [o for o in officers.values() if o.department_id == DEPT]
    order = lambda o: (o.level, o.id)  # noqa: E731
    return [
        ("ward", sorted((o for o in mine if ward in o.ward_ids), key=order)),
        ("zone", sorted((o for o in mine if WARDS[ward] in o.zone_ids), key=order)),
        ("department", sorted((o for o in mine if o.covers_department), key=order)),
    ]


def reachable(officers, candidates) -> set[int]:
    return {who for who in (stand_in(officers, c.id, DEPT) for c in candidates) if who is not None}


def decide(officers, ward, head_id) -> Route:
    return route(department_id=DEPT, ward_id=ward, zone_id=WARDS[ward], head_id=head_id, officers=officers)


# --- generated org charts -------------------------------------------------------------------------------------

_card_fields = st.tuples(
    st.integers(1, 60),  # id
    st.sampled_from([DEPT, DEPT, DEPT, OTHER_DEPT, None]),
    st.integers(1, 3),  # level
    st.frozensets(st.sampled_from(sorted(WARDS))),
    st.frozensets(st.sampled_from([10, 11])),
    st.booleans(),  # covers the department
    st.sampled_from([True, True, True, False]),  # active
    st.booleans(),  # on leave
    st.integers(0, 12),  # substitute: an index into the officers; past the end, MISSING or none
)


def _chart(rows) -> dict[int, OfficerCard]:
    ids = [row[0] for row in rows]
    pick = lambda k: ids[k] if k < len(ids) else (MISSING if k == len(ids) else None)  # noqa: E731
    return {
        i: OfficerCard(id=i, department_id=d, level=lv, ward_ids=w, zone_ids=z, covers_department=c,
                       active=a, on_leave=leave, substitute_id=pick(k))
        for i, d, lv, w, z, c, a, leave, k in rows
    }


# Built from constant strategies only (no strategy made per draw), which keeps 200 examples fast.
org_charts = st.lists(_card_fields, max_size=9, unique_by=lambda row: row[0]).map(_chart)


@st.composite
def cases(draw):
    officers = draw(org_charts)
    ward = draw(st.sampled_from(sorted(WARDS)))
    k = draw(st.integers(0, 10))
    ids = sorted(officers)
    head_id = ids[k] if k < len(ids) else (MISSING if k == len(ids) else None)
    return officers, ward, head_id


# --- properties -------------------------------------------------------------------------------------------------

@CI
@given(cases())
def test_the_chosen_officer_is_always_available(case):
    officers, ward, head_id = case
    decision = decide(officers, ward, head_id)
    if decision.officer_id is not None:
        chosen = officers[decision.officer_id]
        assert chosen.active and not chosen.on_leave


@CI
@given(cases())
def test_the_chosen_officer_is_of_the_department_or_stands_in_for_the_head(case):
    officers, ward, head_id = case
    decision = decide(officers, ward, head_id)
    if decision.matched_by in ("ward", "zone", "department"):
        assert officers[decision.officer_id].department_id == DEPT
    elif decision.matched_by == "head":
        head = officers[head_id]
        assert decision.officer_id == stand_in(officers, head_id, head.department_id)
    else:
        assert decision.matched_by == "nobody" and decision.officer_id is None


@CI
@given(cases())
def test_ward_beats_zone_beats_department_default(case):
    """The first tier in which anyone can act wins, and the officer comes from that tier."""
    officers, ward, head_id = case
    decision = decide(officers, ward, head_id)
    for tier, candidates in tiers(officers, ward):
        can_act = reachable(officers, candidates)
        if can_act:
            assert decision.matched_by == tier
            assert decision.officer_id in can_act
            return
    assert decision.matched_by in ("head", "nobody")


@CI
@given(cases())
def test_within_a_tier_the_most_junior_then_lowest_id_acts(case):
    officers, ward, head_id = case
    decision = decide(officers, ward, head_id)
    for tier, candidates in tiers(officers, ward):
        if tier == decision.matched_by:
            first = next(who for who in (stand_in(officers, c.id, DEPT) for c in candidates) if who is not None)
            assert decision.officer_id == first


@CI
@given(cases(), st.randoms(use_true_random=False))
def test_the_decision_never_depends_on_the_order_officers_were_loaded_in(case, rnd):
    officers, ward, head_id = case
    shuffled = list(officers.items())
    rnd.shuffle(shuffled)
    assert decide(dict(shuffled), ward, head_id) == decide(officers, ward, head_id)


@CI
@given(cases())
def test_unrouted_exactly_when_no_tier_has_anyone_who_can_act(case):
    officers, ward, head_id = case
    decision = decide(officers, ward, head_id)
    nobody_in_tiers = not any(reachable(officers, candidates) for _tier, candidates in tiers(officers, ward))
    assert decision.unrouted == nobody_in_tiers
    if nobody_in_tiers:
        head = officers.get(head_id) if head_id is not None else None
        expected = stand_in(officers, head_id, head.department_id) if head else None
        assert decision.officer_id == expected
        assert decision.matched_by == ("head" if expected is not None else "nobody")


@CI
@given(cases())
def test_officers_passed_over_were_on_leave(case):
    officers, ward, head_id = case
    decision = decide(officers, ward, head_id)
    assert len(set(decision.skipped_on_leave)) == len(decision.skipped_on_leave)
    assert all(officers[i].on_leave for i in decision.skipped_on_leave)
    assert decision.officer_id not in decision.skipped_on_leave


@CI
@given(st.integers(1, 7), st.integers(0, 7))
def test_an_officer_on_leave_hands_over_along_the_whole_substitute_chain(length, junk):
    """Ward officer 1 is on leave, substitute 2 too, ..., until `length` links later someone is at work."""
    chain = list(range(1, length + 2))
    officers = {
        i: OfficerCard(id=i, department_id=DEPT, ward_ids=frozenset({1}) if i == 1 else frozenset(),
                       on_leave=i != chain[-1], substitute_id=i + 1 if i != chain[-1] else None)
        for i in chain
    }
    # Officers of another department in the ward, who must never be handed it.
    officers |= {100 + j: OfficerCard(id=100 + j, department_id=OTHER_DEPT, ward_ids=frozenset({1})) for j in range(junk)}
    decision = decide(officers, 1, None)
    assert decision == Route(chain[-1], "ward", unrouted=False, skipped_on_leave=tuple(chain[:-1]))


@CI
@given(st.permutations(list(range(1, 7))), st.integers(2, 6))
def test_a_loop_of_substitutes_all_on_leave_ends_and_falls_back_to_the_head(order, size):
    """1 → 2 → … → 1, every one on leave: routing must stop going round and give it to the head."""
    loop = order[:size]
    officers = {
        officer_id: OfficerCard(id=officer_id, department_id=DEPT, ward_ids=frozenset({1}), on_leave=True,
                                substitute_id=loop[(k + 1) % size])
        for k, officer_id in enumerate(loop)
    }
    officers[50] = OfficerCard(id=50, department_id=DEPT, level=3)
    decision = decide(officers, 1, 50)
    assert decision.officer_id == 50
    assert decision.matched_by == "head" and decision.unrouted
    assert set(decision.skipped_on_leave) == set(loop)


# --- the rules as examples (what a reader checks first) --------------------------------------------------------

def card(officer_id, **fields) -> OfficerCard:
    fields.setdefault("department_id", DEPT)
    for key in ("ward_ids", "zone_ids"):
        fields[key] = frozenset(fields.get(key, ()))
    return OfficerCard(id=officer_id, **fields)


def as_map(*cards) -> dict[int, OfficerCard]:
    return {c.id: c for c in cards}


def test_ward_officer_beats_zone_officer_and_default_officer():
    officers = as_map(card(1, covers_department=True), card(2, zone_ids={10}), card(3, ward_ids={1}))
    assert decide(officers, 1, None) == Route(3, "ward", unrouted=False)
    assert decide(officers, 2, None) == Route(2, "zone", unrouted=False)
    assert decide(officers, 3, None) == Route(1, "department", unrouted=False)


def test_field_staff_act_before_their_seniors_of_the_same_ward():
    officers = as_map(card(1, level=2, ward_ids={1}), card(9, level=1, ward_ids={1}), card(5, level=1, ward_ids={1}))
    assert decide(officers, 1, None).officer_id == 5


def test_inactive_officer_is_passed_over_and_their_substitute_is_not_used():
    officers = as_map(card(1, ward_ids={1}, active=False, substitute_id=2), card(2), card(3, zone_ids={10}))
    assert decide(officers, 1, None) == Route(3, "zone", unrouted=False)


def test_substitute_from_another_department_is_never_handed_the_complaint():
    officers = as_map(card(1, ward_ids={1}, on_leave=True, substitute_id=2), card(2, department_id=OTHER_DEPT),
                      card(7, level=3))
    assert decide(officers, 1, 7) == Route(7, "head", unrouted=True, skipped_on_leave=(1,))


def test_officer_on_leave_without_substitute_is_passed_over_to_the_next_tier():
    officers = as_map(card(1, ward_ids={1}, on_leave=True), card(2, covers_department=True))
    assert decide(officers, 1, None) == Route(2, "department", unrouted=False, skipped_on_leave=(1,))


def test_head_on_leave_hands_over_to_the_heads_substitute():
    officers = as_map(card(7, level=3, on_leave=True, substitute_id=8), card(8, level=3))
    decision = decide(officers, 1, 7)
    assert decision == Route(8, "head", unrouted=True, skipped_on_leave=(7,))
    assert "head of department" in decision.reason


def test_head_above_departments_is_followed_by_a_substitute_also_above_departments():
    """An additional commissioner (no department) heads the department; their stand-in is another one."""
    officers = as_map(card(7, department_id=None, on_leave=True, substitute_id=8), card(8, department_id=None))
    assert decide(officers, 1, 7).officer_id == 8


def test_no_head_and_nobody_in_jurisdiction_leaves_the_complaint_with_nobody():
    officers = as_map(card(1, department_id=OTHER_DEPT, ward_ids={1}))
    assert decide(officers, 1, None) == Route(None, "nobody", unrouted=True)
    assert decide({}, 1, MISSING) == Route(None, "nobody", unrouted=True)


@pytest.mark.parametrize("seed", range(5))
def test_shuffling_a_crowded_ward_gives_the_same_officer(seed):
    officers = as_map(*(card(i, level=1 + i % 3, ward_ids={1}, on_leave=i % 4 == 0, substitute_id=i + 1)
                        for i in range(1, 30)))
    items = list(officers.items())
    random.Random(seed).shuffle(items)
    assert decide(dict(items), 1, None) == decide(officers, 1, None)
