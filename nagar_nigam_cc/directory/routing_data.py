"""Loads from the database exactly the officers that routing one complaint needs, as OfficerCards (and
as the Officer rows, so the officer chosen is not read again).

This runs inside every registration, so it is one hand-written query (portable SQL: SQLite and
MariaDB) rather than an ORM expression whose compilation alone cost more than the query (about 5 ms
per registration, measured with bench/register_throughput.py).
"""
from __future__ import annotations

from django.db import connection

from nagar_nigam_cc.directory.models import Department, Officer, Ward
from nagar_nigam_cc.directory.routing import OfficerCard

_MAX_SUBSTITUTE_HOPS = 8


def _tables() -> dict[str, str]:
    qn = connection.ops.quote_name
    return {
        "officer": qn(Officer._meta.db_table),
        "wards": qn(Officer.wards.through._meta.db_table),
        "zones": qn(Officer.zones.through._meta.db_table),
    }


def _columns() -> str:
    # Every column of the officer's row, so the officer routing picks is a whole Officer: registration
    # hands it to the complaint (its message and the API's answer name the officer) without reading it again.
    return ", ".join(f"o.{connection.ops.quote_name(f.column)}" for f in Officer._meta.concrete_fields)


_NAMES = [f.attname for f in Officer._meta.concrete_fields]
_converters: dict[str, list] = {}  # by database vendor: each column's converters, as the ORM applies them


def _officer(row) -> Officer:
    """An Officer from the first columns of a row, converted as the ORM converts them (booleans arrive
    as 0/1 from both databases)."""
    converters = _converters.get(connection.vendor)
    if converters is None:
        converters = _converters[connection.vendor] = [
            (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
            for col in (field.get_col("o") for field in Officer._meta.concrete_fields)
        ]
    values = []
    for (col, convert_all), value in zip(converters, row):
        for convert in convert_all:
            value = convert(value, col, connection)
        values.append(value)
    return Officer.from_db(connection.alias, _NAMES, values)


def _card(officer: Officer, ward: Ward, *, has_ward=False, has_zone=False) -> OfficerCard:
    return OfficerCard(
        id=officer.pk,
        department_id=officer.department_id,
        level=officer.level,
        ward_ids=frozenset({ward.pk}) if has_ward else frozenset(),
        zone_ids=frozenset({ward.zone_id}) if has_zone else frozenset(),
        covers_department=bool(officer.covers_department),
        active=bool(officer.is_active),
        on_leave=bool(officer.on_leave),
        substitute_id=officer.substitute_id,
    )


def officers_for(department: Department, ward: Ward) -> tuple[dict[int, OfficerCard], dict[int, Officer]]:
    """The department's officers whose jurisdiction touches this ward, its head, and the substitutes
    of any of them who are on leave (following the chain a few hops): as routing's cards, and as the
    Officer rows they were read from, both by id."""
    t = _tables()
    columns, width = _columns(), len(_NAMES)
    # Outer joins on the (officer, ward) and (officer, zone) pairs, each unique: at most one row per
    # officer. (The same test as EXISTS subqueries, which MariaDB ran in twice the time.)
    sql = (
        f"SELECT {columns}, w.officer_id IS NOT NULL, z.officer_id IS NOT NULL FROM {t['officer']} o "
        f"LEFT JOIN {t['wards']} w ON w.officer_id = o.id AND w.ward_id = %s "
        f"LEFT JOIN {t['zones']} z ON z.officer_id = o.id AND z.zone_id = %s "
        f"WHERE (o.department_id = %s AND (o.covers_department OR w.officer_id IS NOT NULL OR z.officer_id IS NOT NULL)) "
        f"OR o.id = %s"
    )
    params = [ward.pk, ward.zone_id, department.pk, department.head_id or 0]
    rows: dict[int, Officer] = {}
    cards: dict[int, OfficerCard] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            officer = _officer(row)
            rows[officer.pk] = officer
            cards[officer.pk] = _card(officer, ward, has_ward=bool(row[width]), has_zone=bool(row[width + 1]))
        for _hop in range(_MAX_SUBSTITUTE_HOPS):
            wanted = sorted({c.substitute_id for c in cards.values() if c.on_leave and c.substitute_id} - cards.keys())
            if not wanted:
                break
            marks = ", ".join(["%s"] * len(wanted))
            cursor.execute(f"SELECT {columns} FROM {t['officer']} o WHERE o.id IN ({marks})", wanted)
            for row in cursor.fetchall():
                officer = _officer(row)
                rows[officer.pk] = officer
                cards[officer.pk] = _card(officer, ward)
    return cards, rows


def officer_cards_for(department: Department, ward: Ward) -> dict[int, OfficerCard]:
    """officers_for's cards alone, for callers that only route."""
    return officers_for(department, ward)[0]
