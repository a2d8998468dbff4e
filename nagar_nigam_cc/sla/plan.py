"""A complaint's SLA plan: its time limit, reminders and escalation ladder, fixed at registration.

The plan is a pure value (JSON on the complaint), so deadlines never move when a policy is edited,
and every instant is computed by the same clock. Time is counted on the plan's clock — round the
clock, or the working time of a calendar — from the moment of registration, minus the time spent
paused (on hold), measured on the same clock (peers add hold time in wall-clock time onto business
deadlines and get them wrong).

A step happens when the complaint's clock reaches its offset:
- `remind:<p>` at p% of the time limit, to the officer;
- `breach` at 100%: the time has run out;
- `escalate:<k>` at the time limit plus the delays of levels 1..k.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from nagar_nigam_cc.sla import clock

REMIND, BREACH, ESCALATE = "remind", "breach", "escalate"


@dataclass(frozen=True)
class Rung:
    """One level of the escalation ladder."""

    level: int
    delay: timedelta
    target: str  # reports_to | department_head | zonal_officer | officer
    officer_id: int | None = None
    reassign: bool = False


@dataclass(frozen=True)
class Step:
    key: str
    kind: str
    offset: timedelta
    level: int = 0
    percent: int = 0


@dataclass(frozen=True)
class Plan:
    duration: timedelta
    calendar: clock.Calendar | None = None  # None: round-the-clock time
    reminders: tuple[int, ...] = ()
    remind_at_breach: bool = True
    ladder: tuple[Rung, ...] = ()
    pause_on_hold: bool = True
    auto_close_days: int = 0
    policy_id: int | None = None
    steps: tuple[Step, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        # The desk's validators refuse these too; a plan built without them (an import, a shell)
        # must not come out with steps out of order or sharing a key.
        if self.duration <= timedelta(0):
            raise ValueError("an SLA time limit must be more than zero")
        if any(not 1 <= p <= 99 for p in self.reminders) or len(set(self.reminders)) != len(self.reminders):
            raise ValueError("reminders are distinct whole percentages between 1 and 99")
        levels = [r.level for r in self.ladder]
        if any(level < 1 for level in levels) or len(set(levels)) != len(levels):
            raise ValueError("escalation levels are distinct numbers from 1")
        if any(r.delay < timedelta(0) for r in self.ladder):
            raise ValueError("an escalation cannot come before the step below it")
        steps = [Step(f"remind:{p}", REMIND, self.duration * p / 100, percent=p) for p in self.reminders]
        steps.append(Step("breach", BREACH, self.duration))
        offset = self.duration
        for rung in sorted(self.ladder, key=lambda r: r.level):
            offset += rung.delay
            steps.append(Step(f"escalate:{rung.level}", ESCALATE, offset, level=rung.level))
        object.__setattr__(self, "steps", tuple(sorted(steps, key=lambda s: (s.offset, s.kind != REMIND, s.level))))

    # --- the clock ---------------------------------------------------------------------------
    def add(self, start: datetime, amount: timedelta) -> datetime:
        if self.calendar is None:
            return start + amount
        return clock.add_business_time(start, amount, self.calendar)

    def between(self, a: datetime, b: datetime) -> timedelta:
        if self.calendar is None:
            return b - a
        return clock.business_time_between(a, b, self.calendar)

    def at(self, registered_at: datetime, paused: timedelta, offset: timedelta) -> datetime:
        """When the complaint's clock (started at registration, stopped for `paused`) reaches `offset`."""
        return self.add(registered_at, offset + paused)

    def due_at(self, registered_at: datetime, paused: timedelta) -> datetime:
        return self.at(registered_at, paused, self.duration)

    def pending(self, done: set[str] | frozenset[str]) -> list[Step]:
        return [s for s in self.steps if s.key not in done]

    def rung(self, level: int) -> Rung:
        return next(r for r in self.ladder if r.level == level)

    # --- JSON ---------------------------------------------------------------------------------
    def to_json(self) -> dict:
        """The plan as stored on a complaint. Computed once per plan (treat the result as read-only)."""
        cached = self.__dict__.get("_json")
        if cached is None:
            cached = self._to_json()
            object.__setattr__(self, "_json", cached)
        return cached

    def _to_json(self) -> dict:
        return {
            "duration_s": self.duration.total_seconds(),
            "calendar": self.calendar.as_dict() if self.calendar is not None else None,
            "reminders": list(self.reminders),
            "remind_at_breach": self.remind_at_breach,
            "ladder": [
                {"level": r.level, "delay_s": r.delay.total_seconds(), "target": r.target,
                 "officer": r.officer_id, "reassign": r.reassign}
                for r in self.ladder
            ],
            "pause_on_hold": self.pause_on_hold,
            "auto_close_days": self.auto_close_days,
            "policy": self.policy_id,
        }

    @classmethod
    def from_json(cls, data: dict) -> Plan:
        return _plan_from_json(json.dumps(data, sort_keys=True))


@lru_cache(maxsize=4096)
def _plan_from_json(text: str) -> Plan:
    # Cached: the sweep reads the same few plans thousands of times, and a calendar remembers the
    # working intervals it has computed.
    data = json.loads(text)
    return Plan(
        duration=timedelta(seconds=data["duration_s"]),
        calendar=_calendar(json.dumps(data["calendar"], sort_keys=True)) if data.get("calendar") else None,
        reminders=tuple(data.get("reminders", ())),
        remind_at_breach=data.get("remind_at_breach", True),
        ladder=tuple(
            Rung(r["level"], timedelta(seconds=r["delay_s"]), r["target"], r.get("officer"), r.get("reassign", False))
            for r in data.get("ladder", ())
        ),
        pause_on_hold=data.get("pause_on_hold", True),
        auto_close_days=data.get("auto_close_days", 0),
        policy_id=data.get("policy"),
    )


@lru_cache(maxsize=256)
def _calendar(text: str) -> clock.Calendar:
    return clock.Calendar.from_dict(json.loads(text))
