"""Who gets a complaint: a pure decision over plain data, so it can be property-tested in microseconds.

The rule, as a municipal office states it:
1. The category names the department.
2. Within the department, the officer whose jurisdiction covers the ward, the most specific first:
   an officer of the ward, else of the ward's zone, else the department's default officer. Among
   equals the most junior level (field staff act; seniors supervise), then the lowest id, so the
   answer never depends on the order officers were loaded in.
3. An officer on leave hands over to their substitute (and theirs, following the chain); an inactive
   officer, or one whose chain ends nowhere, is passed over.
4. Nobody → the department head (or the head's substitute), and the complaint is flagged "unrouted" so
   a supervisor assigns it by hand.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class OfficerCard:
    """What routing needs to know about one officer."""

    id: int
    department_id: int | None
    level: int = 1
    ward_ids: frozenset[int] = frozenset()
    zone_ids: frozenset[int] = frozenset()
    covers_department: bool = False
    active: bool = True
    on_leave: bool = False
    substitute_id: int | None = None

    @property
    def available(self) -> bool:
        return self.active and not self.on_leave


@dataclass(frozen=True)
class Route:
    officer_id: int | None
    matched_by: str  # "ward" | "zone" | "department" | "head" | "nobody"
    unrouted: bool
    #: Officers passed over on the way (on leave), in order, for the timeline.
    skipped_on_leave: tuple[int, ...] = ()

    @property
    def reason(self) -> str:
        return {
            "ward": "ward officer",
            "zone": "zone officer",
            "department": "department default officer",
            "head": "no officer covers this ward: sent to the head of department",
            "nobody": "no officer covers this ward and the department has no head",
        }[self.matched_by]


def _stand_in(
    officer_id: int, department_id: int | None, officers: Mapping[int, OfficerCard]
) -> tuple[int | None, tuple[int, ...]]:
    """Follow the substitute chain from an officer to the first who can act, or None.

    Every link must stay in the same department: a substitute from elsewhere would be shown
    complaints the department's rules keep from them.
    """
    seen: list[int] = []
    current = officers.get(officer_id)
    while current is not None and current.id not in seen:
        if current.department_id != department_id or not current.active:
            return None, tuple(seen)
        if not current.on_leave:
            return current.id, tuple(seen)
        seen.append(current.id)
        current = officers.get(current.substitute_id) if current.substitute_id is not None else None
    return None, tuple(seen)


def route(
    *,
    department_id: int,
    ward_id: int,
    zone_id: int,
    head_id: int | None,
    officers: Mapping[int, OfficerCard],
) -> Route:
    in_department = [o for o in officers.values() if o.department_id == department_id]
    tiers = (
        ("ward", [o for o in in_department if ward_id in o.ward_ids]),
        ("zone", [o for o in in_department if zone_id in o.zone_ids]),
        ("department", [o for o in in_department if o.covers_department]),
    )
    skipped: list[int] = []
    for matched_by, candidates in tiers:
        for candidate in sorted(candidates, key=lambda o: (o.level, o.id)):
            chosen, on_leave = _stand_in(candidate.id, department_id, officers)
            skipped.extend(i for i in on_leave if i not in skipped)
            if chosen is not None:
                return Route(chosen, matched_by, unrouted=False, skipped_on_leave=tuple(skipped))
    head = officers.get(head_id) if head_id is not None else None
    if head is not None:
        # The head may sit above departments (an additional commissioner with no department).
        chosen, on_leave = _stand_in(head.id, head.department_id, officers)
        skipped.extend(i for i in on_leave if i not in skipped)
        if chosen is not None:
            return Route(chosen, "head", unrouted=True, skipped_on_leave=tuple(skipped))
    return Route(None, "nobody", unrouted=True, skipped_on_leave=tuple(skipped))
