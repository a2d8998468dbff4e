"""Loads from the database exactly the officers that routing one complaint needs, as OfficerCards.

This runs inside every registration, so it is one hand-written query (portable SQL: SQLite and
MariaDB) rather than an ORM expression whose compilation alone cost more than the query (about 5 ms
per registration, measured with bench/register_throughput.py).
"""
from __future__ import annotations

from django.db import connection

from nagar_nigam_cc.directory.models import Department, Officer, Ward
from nagar_nigam_cc.directory.routing import OfficerCard

_MAX_SUBSTITUTE_HOPS = 8
_COLUMNS = "o.id, o.department_id, o.level, o.covers_department, o.is_active, o.on_leave, o.substitute_id"


def _tables() -> dict[str, str]:
    qn = connection.ops.quote_name
    return {
        "officer": qn(Officer._meta.db_table),
        "wards": qn(Officer.wards.through._meta.db_table),
        "zones": qn(Officer.zones.through._meta.db_table),
    }


def _card(row, ward: Ward, *, has_ward=False, has_zone=False) -> OfficerCard:
    officer_id, department_id, level, covers_department, is_active, on_leave, substitute_id = row[:7]
    return OfficerCard(
        id=officer_id,
        department_id=department_id,
        level=level,
        ward_ids=frozenset({ward.pk}) if has_ward else frozenset(),
        zone_ids=frozenset({ward.zone_id}) if has_zone else frozenset(),
        covers_department=bool(covers_department),
        active=bool(is_active),
        on_leave=bool(on_leave),
        substitute_id=substitute_id,
    )


def officer_cards_for(department: Department, ward: Ward) -> dict[int, OfficerCard]:
    """The department's officers whose jurisdiction touches this ward, its head, and the substitutes
    of any of them who are on leave (following the chain a few hops)."""
    t = _tables()
    covers_ward = f"EXISTS (SELECT 1 FROM {t['wards']} w WHERE w.officer_id = o.id AND w.ward_id = %s)"
    covers_zone = f"EXISTS (SELECT 1 FROM {t['zones']} z WHERE z.officer_id = o.id AND z.zone_id = %s)"
    sql = (
        f"SELECT {_COLUMNS}, {covers_ward}, {covers_zone} FROM {t['officer']} o "
        f"WHERE (o.department_id = %s AND (o.covers_department OR {covers_ward} OR {covers_zone})) OR o.id = %s"
    )
    params = [ward.pk, ward.zone_id, department.pk, ward.pk, ward.zone_id, department.head_id or 0]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cards = {row[0]: _card(row, ward, has_ward=bool(row[7]), has_zone=bool(row[8])) for row in cursor.fetchall()}
        for _hop in range(_MAX_SUBSTITUTE_HOPS):
            wanted = sorted({c.substitute_id for c in cards.values() if c.on_leave and c.substitute_id} - cards.keys())
            if not wanted:
                break
            marks = ", ".join(["%s"] * len(wanted))
            cursor.execute(f"SELECT {_COLUMNS} FROM {t['officer']} o WHERE o.id IN ({marks})", wanted)
            cards.update({row[0]: _card(row, ward) for row in cursor.fetchall()})
    return cards
