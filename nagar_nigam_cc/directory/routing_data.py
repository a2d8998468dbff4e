"""Loads from the database exactly the officers that routing one complaint needs, as OfficerCards."""
from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from nagar_nigam_cc.directory.models import Department, Officer, Ward
from nagar_nigam_cc.directory.routing import OfficerCard

_FIELDS = ("id", "department_id", "level", "covers_department", "is_active", "on_leave", "substitute_id")
_MAX_SUBSTITUTE_HOPS = 8


def _card(row: dict, ward: Ward) -> OfficerCard:
    return OfficerCard(
        id=row["id"],
        department_id=row["department_id"],
        level=row["level"],
        ward_ids=frozenset({ward.pk}) if row.get("has_ward") else frozenset(),
        zone_ids=frozenset({ward.zone_id}) if row.get("has_zone") else frozenset(),
        covers_department=row["covers_department"],
        active=row["is_active"],
        on_leave=row["on_leave"],
        substitute_id=row["substitute_id"],
    )


def officer_cards_for(department: Department, ward: Ward) -> dict[int, OfficerCard]:
    """The department's officers whose jurisdiction touches this ward, its head, and the substitutes
    of any of them who are on leave (following the chain a few hops)."""
    covers_ward = Officer.wards.through.objects.filter(officer_id=OuterRef("pk"), ward_id=ward.pk)
    covers_zone = Officer.zones.through.objects.filter(officer_id=OuterRef("pk"), zone_id=ward.zone_id)
    rows = (
        Officer.objects.annotate(has_ward=Exists(covers_ward), has_zone=Exists(covers_zone))
        .filter(
            Q(department=department, has_ward=True)
            | Q(department=department, has_zone=True)
            | Q(department=department, covers_department=True)
            | Q(pk=department.head_id)
        )
        .values(*_FIELDS, "has_ward", "has_zone")
    )
    cards = {row["id"]: _card(row, ward) for row in rows}
    for _hop in range(_MAX_SUBSTITUTE_HOPS):
        wanted = {c.substitute_id for c in cards.values() if c.on_leave and c.substitute_id} - cards.keys()
        if not wanted:
            break
        cards.update({row["id"]: _card(row, ward) for row in Officer.objects.filter(pk__in=wanted).values(*_FIELDS)})
    return cards
