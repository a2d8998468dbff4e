"""Builds the demo city in the database, plays a month of complaints through it, and bulk-loads
synthetic complaints for benchmarks.

The demo's complaints go through the real `do_*` actions with past `now=` times, so every timeline,
route and docket number is what the product itself would have written. Only `synthesise` writes rows
directly (bulk inserts for benchmarks); it reserves docket numbers from the same counters, so a later
registration never collides with a synthetic one.
"""
from __future__ import annotations

import io
import json
import logging
import queue
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from PIL import Image, ImageDraw

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.actions import (
    NewComplaint,
    PossibleDuplicate,
    do_assign,
    do_close,
    do_mark_duplicate,
    do_put_on_hold,
    do_register,
    do_reject,
    do_reopen,
    do_resolve,
    do_resume,
    do_start_work,
)
from nagar_nigam_cc.complaints.models import (
    OPEN_STATUSES,
    Attachment,
    Citizen,
    Complaint,
    ComplaintEvent,
    DocketCounter,
    EventKind,
    Status,
)
from nagar_nigam_cc.demo import city
from nagar_nigam_cc.directory.availability import head_of, usable
from nagar_nigam_cc.directory.models import Category, Department, Officer, Ward, Zone
from nagar_nigam_cc.directory.routing import route
from nagar_nigam_cc.directory.routing_data import officer_cards_for
from nagar_nigam_cc.sla.models import DAYS, ClockKind, EscalationStep, Holiday, SLAPolicy, WorkingCalendar
from nagar_nigam_cc.messaging.delivery import deliver_due
from nagar_nigam_cc.sla import clock
from nagar_nigam_cc.sla.plan import BREACH, ESCALATE
from nagar_nigam_cc.sla.policies import choose_policy, plan_for
from nagar_nigam_cc.sla.sweep import _escalation_target, sweep

DEFAULT_PASSWORD = "demo12345"
DEMO_DAYS = 30
_MOBILE = phonenumbers.PhoneNumberType.MOBILE


# --- Mobile numbers ------------------------------------------------------------------------------------------

def _is_indian_mobile(digits: str) -> bool:
    number = phonenumbers.parse("+91" + digits)
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) == _MOBILE


def random_mobile(rng: random.Random) -> str:
    """A valid Indian mobile number (+91, first digit 6–9) in E.164."""
    while True:
        digits = str(rng.randint(6, 9)) + f"{rng.randrange(10**9):09d}"
        if _is_indian_mobile(digits):
            return "+91" + digits


def mobile_blocks(rng: random.Random, how_many: int) -> list[int]:
    """Five-digit prefixes whose whole block of 100,000 numbers is valid mobile numbers.

    Checking every number with phonenumbers costs ~0.1 ms, too slow for a million citizens; India's
    numbering plan is decided within the first five digits, so a block valid at both ends is valid
    throughout (checked on samples in the tests).
    """
    blocks: set[int] = set()
    while len(blocks) < how_many:
        prefix = rng.randrange(60000, 100000)
        if prefix not in blocks and _is_indian_mobile(f"{prefix}00000") and _is_indian_mobile(f"{prefix}99999"):
            blocks.add(prefix)
    return sorted(blocks)


# --- The city ------------------------------------------------------------------------------------------------

def _demo_usernames() -> list[str]:
    return [post.username for post in city.posts()] + [username for username, *_ in city.STAFF]


def city_exists() -> bool:
    return Zone.objects.filter(code__in=[code for code, *_ in city.ZONES]).exists()


def delete_demo(*, batch: int = 2000) -> dict[str, int]:
    """Delete the demo city: its complaints (and their photos), citizens left without complaints,
    officers, logins, categories, departments, wards and zones. Docket counters stay: numbers once
    given out are never handed out again."""
    zones = Zone.objects.filter(code__in=[code for code, *_ in city.ZONES])
    departments = Department.objects.filter(code__in=[code for code, *_ in city.DEPARTMENTS])
    complaints = Complaint.objects.filter(Q(zone__in=zones) | Q(department__in=departments))
    deleted: Counter[str] = Counter()
    with transaction.atomic():
        for attachment in Attachment.objects.filter(complaint__in=complaints).only("file"):
            attachment.file.delete(save=False)
        # In slices: a synthetic load may have put millions of complaints in the demo city.
        while ids := list(complaints.values_list("pk", flat=True)[:batch]):
            deleted["complaints"] += Complaint.objects.filter(pk__in=ids).delete()[1].get("complaints.Complaint", 0)
        deleted["citizens"] = Citizen.objects.filter(complaints__isnull=True).delete()[1].get("complaints.Citizen", 0)
        usernames = _demo_usernames()
        departments.update(head=None)
        deleted["officers"] = Officer.objects.filter(
            Q(department__in=departments) | Q(user__username__in=usernames)
        ).delete()[1].get("directory.Officer", 0)
        calendars = WorkingCalendar.objects.filter(name_en__in=[spec.name_en for spec in city.CALENDARS])
        deleted["policies"] = SLAPolicy.objects.filter(
            Q(category__department__in=departments) | Q(calendar__in=calendars)
            | Q(category__isnull=True, name_en__in=[_policy_names(spec)[0] for spec in city.POLICIES])
        ).delete()[1].get("sla.SLAPolicy", 0)
        deleted["calendars"] = calendars.delete()[1].get("sla.WorkingCalendar", 0)
        Category.objects.filter(department__in=departments).delete()
        deleted["departments"] = departments.delete()[1].get("directory.Department", 0)
        deleted["wards"] = Ward.objects.filter(zone__in=zones).delete()[1].get("directory.Ward", 0)
        deleted["zones"] = zones.delete()[1].get("directory.Zone", 0)
        deleted["logins"] = User.objects.filter(username__in=usernames).delete()[1].get("auth.User", 0)
    return dict(deleted)


@dataclass
class Cast:
    """The demo's people and places, loaded once and reused (the users carry access's role caches)."""

    users: dict[str, User]
    officers: dict[str, Officer]
    zones: dict[str, Zone]
    wards: list[Ward]
    departments: dict[str, Department]
    categories: dict[str, Category]
    officer_user: dict[int, User] = field(default_factory=dict)

    def user_of(self, officer_id: int | None) -> User | None:
        return self.officer_user.get(officer_id) if officer_id else None

    def head_user(self, department_id: int) -> User:
        department = next(d for d in self.departments.values() if d.pk == department_id)
        return self.officer_user[department.head_id]

    def zonal_user(self, zone_id: int) -> User:
        return next(self.users[p.username] for p in city.posts()
                    if p.department is None and p.zones and self.zones[p.zones[0]].pk == zone_id)


def build_city(*, password: str = DEFAULT_PASSWORD) -> Cast:
    """Create zones, wards, departments, categories, officers and every login. Call inside a transaction."""
    rng = random.Random("nagar-nigam-demo-city")  # the same city whatever --seed the complaints use
    zones = {code: Zone.objects.create(code=code, name_en=en, name_hi=hi) for code, en, hi in city.ZONES}
    wards = [
        Ward.objects.create(number=number, zone=zones[zone_code], name_en=en, name_hi=hi,
                            localities=city.localities_text(en, hi, landmarks))
        for number, zone_code, en, hi, landmarks in city.wards()
    ]
    by_number = {ward.number: ward for ward in wards}
    departments = {code: Department.objects.create(code=code, name_en=en, name_hi=hi)
                   for code, en, hi in city.DEPARTMENTS}
    categories = {
        spec.code: Category.objects.create(
            code=spec.code, name_en=spec.name_en, name_hi=spec.name_hi, department=departments[spec.department],
            default_priority=spec.priority, proof_photo_required=spec.proof_photo_required, keywords=spec.keywords,
        )
        for spec in city.CATEGORIES
    }

    # One hash for every demo login: hashing is deliberately slow (~0.3 s), and they share a password.
    password_hash = make_password(password)
    groups = {group.name: group for group in Group.objects.all()}
    users: dict[str, User] = {}

    def make_user(username: str, full_name: str, role: str, *, superuser: bool = False) -> User:
        first, _space, last = full_name.partition(" ")
        user = User.objects.create(username=username, password=password_hash, first_name=first, last_name=last,
                                   is_staff=True, is_superuser=superuser)
        user.groups.add(groups[role])
        users[username] = user
        return user

    for username, _label, full_name, role in city.STAFF:
        make_user(username, full_name, role)
    officers: dict[str, Officer] = {}
    for post in city.posts():
        officer = Officer.objects.create(
            user=make_user(post.username, post.name, post.role, superuser=post.username == "commissioner"),
            name=post.name, department=departments[post.department] if post.department else None,
            designation_en=post.designation_en, designation_hi=post.designation_hi, level=post.level,
            mobile=random_mobile(rng), reports_to=officers[post.reports_to] if post.reports_to else None,
        )
        officer.wards.set([by_number[n] for n in post.wards])
        officer.zones.set([zones[code] for code in post.zones])
        officers[post.username] = officer
        if post.heads_department:
            departments[post.department].head = officer
            departments[post.department].save(update_fields=["head"])
    for post in city.posts():
        if post.on_leave:
            Officer.objects.filter(pk=officers[post.username].pk).update(
                on_leave=True, substitute=officers[post.substitute])
    cast = Cast(users=users, officers=officers, zones=zones, wards=wards, departments=departments,
                categories=categories)
    cast.officer_user = {officer.pk: users[username] for username, officer in officers.items()}
    return cast


# --- Time limits ------------------------------------------------------------------------------------------------

def _weekly_fields(weekly: dict[str, str]) -> dict[str, str]:
    """{"mon-sat": "10:00-17:00"} → the calendar's day fields, {"mon": "10:00-17:00", …, "sun": ""}."""
    fields = dict.fromkeys(DAYS, "")
    for key, windows in weekly.items():
        first, _dash, last = key.partition("-")
        for day in DAYS[DAYS.index(first):DAYS.index(last or first) + 1]:
            fields[day] = windows
    return fields


def _policy_names(spec: city.PolicySpec) -> tuple[str, str]:
    """(English, Hindi) name of a demo policy, e.g. "Pothole / road damaged: 72 working hours"."""
    if spec.category is None:
        days = spec.hours // 7
        return f"Other services: {days} working days", f"अन्य सेवाएँ: {days} कार्य दिवस"
    category = next(c for c in city.CATEGORIES if c.code == spec.category)
    if spec.calendar:
        return f"{category.name_en}: {spec.hours} working hours", f"{category.name_hi}: {spec.hours} कार्य-घंटे"
    return f"{category.name_en}: {spec.hours} h", f"{category.name_hi}: {spec.hours} घंटे"


def build_time_limits(cast: Cast, *, now: datetime | None = None) -> dict[str, WorkingCalendar]:
    """The working calendars and an SLA policy per category, each with the same escalation ladder.
    Before any complaint is registered, so every complaint gets its deadline."""
    calendars = {}
    year_start = timezone.localdate(now or timezone.now()).replace(month=1, day=1)
    for spec in city.CALENDARS:
        calendar = WorkingCalendar(name_en=spec.name_en, name_hi=spec.name_hi, timezone=settings.TIME_ZONE,
                                   **_weekly_fields(spec.weekly))
        calendar.full_clean()
        calendar.save()
        Holiday.objects.bulk_create([
            # Written in this year (a yearly holiday's year is not used).
            Holiday(calendar=calendar, date=year_start.replace(month=int(md[:2]), day=int(md[3:])),
                    name=f"{en} / {hi}", every_year=True)
            for md, en, hi in spec.yearly_holidays
        ])
        calendars[spec.key] = calendar
    for spec in city.POLICIES:
        name_en, name_hi = _policy_names(spec)
        policy = SLAPolicy.objects.create(
            name_en=name_en, name_hi=name_hi,
            category=cast.categories[spec.category] if spec.category else None,
            resolution_hours=spec.hours,
            clock=ClockKind.BUSINESS if spec.calendar else ClockKind.CALENDAR,
            calendar=calendars[spec.calendar] if spec.calendar else None,
            reminder_percents=city.REMINDER_PERCENTS, auto_close_days=city.AUTO_CLOSE_DAYS,
        )
        EscalationStep.objects.bulk_create([
            EscalationStep(policy=policy, level=level, delay_hours=hours, target=target, reassign=reassign)
            for level, hours, target, reassign in city.LADDER
        ])
    return calendars


# --- A month of complaints ----------------------------------------------------------------------------------

#: What happens after registration, step by step, for each way a complaint's story can end.
STORIES: dict[str, tuple[str, ...]] = {
    "assigned": (),
    "in_progress": ("start",),
    "resumed": ("start", "hold", "resume"),
    "on_hold": ("start", "hold"),
    "resolved": ("start", "resolve"),
    "closed": ("start", "resolve", "close"),
    "reopened": ("start", "resolve", "close", "reopen"),
    "closed_after_reopen": ("start", "resolve", "reopen", "start", "resolve", "close"),
    "rejected": ("reject",),
    "duplicate": ("duplicate",),
}
#: Hours from the previous step (uniform between the two).
STEP_HOURS = {
    "assign": (0.5, 6), "start": (1, 10), "hold": (2, 24), "resume": (12, 72), "resolve": (3, 48),
    "close": (3, 48), "reopen": (6, 48), "reject": (2, 24), "duplicate": (1, 12),
}
#: Older complaints have had time to be closed; the newest are still with the officer.
ENDINGS_BY_AGE = (
    (6, {"assigned": 55, "in_progress": 30, "on_hold": 5, "rejected": 4, "duplicate": 6}),
    (48, {"assigned": 15, "in_progress": 20, "on_hold": 8, "resolved": 25, "closed": 20, "reopened": 3,
          "rejected": 4, "duplicate": 5}),
    (None, {"assigned": 4, "in_progress": 4, "resumed": 2, "on_hold": 5, "resolved": 8, "closed": 56,
            "closed_after_reopen": 5, "reopened": 6, "rejected": 4, "duplicate": 6}),
)
AUTO_CLOSE_HOURS = 72


@dataclass
class Plan:
    """One complaint to play: when it is registered, what about, where, and how its story ends."""

    at: datetime
    ending: str
    category: str | None = None  # code; None = drawn by weight
    ward_number: int | None = None
    showcase: str = ""


def _showcases(now: datetime, rng: random.Random) -> list[Plan]:
    """Complaints every demo has, whatever the seed or size: each status, a route to a substitute, an
    unrouted complaint left with the head and one the head hands on."""
    naini = [n for n, zone, *_ in city.wards() if zone == "naini"]
    on_leave_wards = next(p.wards for p in city.posts() if p.on_leave)
    own_wards = next(p.wards for p in city.posts() if p.username == "officer")

    def days_ago(low: float, high: float) -> datetime:
        return now - timedelta(hours=rng.uniform(low * 24, high * 24))

    return [
        Plan(days_ago(0.1, 1), "assigned", "stray-dogs", rng.choice(naini), "unrouted, with the head"),
        Plan(days_ago(4, 20), "closed", "mosquito", rng.choice(naini), "unrouted, handed on by the head"),
        Plan(days_ago(0.2, 1), "assigned", "garbage", rng.choice(own_wards), "new for `officer`"),
        # Within its 48-hour limit, so the substitute still holds it (a breach reassigns it to the senior).
        Plan(days_ago(0.5, 1.5), "in_progress", "drain-blocked", rng.choice(on_leave_wards), "routed to a substitute"),
        Plan(days_ago(2, 6), "on_hold", "pipeline-leak", None, "on hold"),
        Plan(days_ago(2, 6), "resolved", "streetlight", None, "resolved, awaiting the citizen"),
        Plan(days_ago(5, 25), "closed", "garbage", rng.choice(own_wards), "closed"),
        Plan(days_ago(5, 25), "reopened", "sewer-choked", None, "reopened"),
        Plan(days_ago(3, 25), "rejected", "pothole", None, "rejected"),
        Plan(days_ago(3, 25), "duplicate", None, None, "duplicate"),
    ]


def plan_complaints(count: int, *, now: datetime, rng: random.Random, days: int = DEMO_DAYS) -> list[Plan]:
    """`count` complaints over the last `days` days, in order of registration."""
    plans = _showcases(now, rng)[:count]
    hours, hour_weights = zip(*city.HOUR_WEIGHTS.items())
    local_now = timezone.localtime(now)
    while len(plans) < count:
        day = local_now - timedelta(days=rng.randrange(days))
        at = day.replace(hour=rng.choices(hours, hour_weights)[0], minute=rng.randrange(60), second=rng.randrange(60))
        if at > now - timedelta(minutes=10):
            continue
        age_hours = (now - at).total_seconds() / 3600
        endings = next(table for limit, table in ENDINGS_BY_AGE if limit is None or age_hours < limit)
        plans.append(Plan(at, rng.choices(list(endings), list(endings.values()))[0]))
    plans.sort(key=lambda plan: plan.at)
    if plans and plans[0].ending == "duplicate" and len(plans) > 1:
        # A duplicate needs an earlier complaint to duplicate: swap it with the next one's story.
        first, second = plans[0], plans[1]
        plans[0] = Plan(first.at, second.ending, second.category, second.ward_number, second.showcase)
        plans[1] = Plan(second.at, first.ending, first.category, first.ward_number, first.showcase)
    return plans


def proof_photo(rng: random.Random) -> SimpleUploadedFile:
    """A small JPEG standing in for the officer's photo of the work done."""
    image = Image.new("RGB", (160, 120), tuple(rng.randrange(90, 200) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(4):
        x, y = rng.randrange(140), rng.randrange(100)
        draw.rectangle((x, y, x + rng.randrange(10, 60), y + rng.randrange(10, 40)),
                       fill=tuple(rng.randrange(256) for _ in range(3)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return SimpleUploadedFile("proof.jpg", buffer.getvalue(), content_type="image/jpeg")


class _Caller:
    """Who rings: mostly new callers, some who have called before (same mobile, same name)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.known: list[tuple[str, str, str]] = []
        self.mobiles: set[str] = set(Citizen.objects.values_list("mobile", flat=True))

    def next(self, *, new: bool = False) -> tuple[str, str, str]:
        if self.known and not new and self.rng.random() < 0.15:
            return self.rng.choice(self.known)
        mobile = random_mobile(self.rng)
        while mobile in self.mobiles:
            mobile = random_mobile(self.rng)
        self.mobiles.add(mobile)
        language = "hi" if self.rng.random() < city.HINDI_SHARE else "en"
        name_en, name_hi = self.rng.choice(city.CITIZEN_NAMES)
        caller = (mobile, name_hi if language == "hi" and self.rng.random() < 0.6 else name_en, language)
        self.known.append(caller)
        return caller


def _said(pairs: Iterable[tuple[str, str]], language: str, rng: random.Random) -> str:
    en, hi = rng.choice(tuple(pairs))
    return hi if language == "hi" else en


class _Player:
    """Registers each planned complaint and plays its story with the right person at each step."""

    def __init__(self, cast: Cast, rng: random.Random, now: datetime):
        self.cast, self.rng, self.now = cast, rng, now
        self.callers = _Caller(rng)
        self.agent = cast.users["agent"]
        self.specs = {spec.code: spec for spec in city.CATEGORIES}
        self.category_weights = [spec.weight for spec in city.CATEGORIES]
        # Some wards ring far more than others (dense old city against new colonies).
        self.ward_weights = [rng.choice((1, 1, 2, 2, 3, 5)) for _ in cast.wards]
        self.landmarks = {number: landmarks for number, _z, _en, _hi, landmarks in city.wards()}
        self.registered: list[Complaint] = []
        self.department_codes = {d.pk: code for code, d in cast.departments.items()}

    def play(self, plan: Plan) -> Complaint:
        original = self._original_for(plan) if plan.ending == "duplicate" else None
        if plan.ending == "duplicate" and original is None:
            plan.ending = "closed"
        complaint = self._register(plan, original)
        self.registered.append(complaint)
        self._live(complaint, plan, original)
        return complaint

    def _original_for(self, plan: Plan) -> Complaint | None:
        # Not a duplicate or a rejected complaint: do_mark_duplicate refuses those as originals.
        usable = [c for c in self.registered if c.status not in (Status.DUPLICATE, Status.REJECTED)]
        recent = [c for c in usable if plan.at - timedelta(days=3) <= c.registered_at < plan.at]
        earlier = recent or usable
        return self.rng.choice(earlier) if earlier else None

    def _register(self, plan: Plan, original: Complaint | None) -> Complaint:
        rng = self.rng
        if original is not None:
            category, ward = original.category, original.ward
        else:
            code = plan.category or rng.choices(city.CATEGORIES, self.category_weights)[0].code
            category = self.cast.categories[code]
            ward = (self.cast.wards[plan.ward_number - 1] if plan.ward_number
                    else rng.choices(self.cast.wards, self.ward_weights)[0])
        spec = self.specs.get(category.code)
        for attempt in range(5):
            mobile, name, language = self.callers.next(new=original is not None or attempt > 0)
            landmark = (original.landmark if original is not None
                        else _said(self.landmarks[ward.number], language, rng))
            said = (spec.said_hi if language == "hi" else spec.said_en) if spec else (category.name_en,)
            description = rng.choice(said).format(landmark=landmark, days=rng.randint(2, 6))
            address = rng.choice(city.ADDRESS_HI if language == "hi" else city.ADDRESS_EN).format(
                house=rng.randint(1, 450), lane=rng.randint(1, 12), landmark=landmark,
                ward=ward.name_hi if language == "hi" else ward.name_en,
            )
            channel = rng.choices(*zip(*city.CHANNEL_WEIGHTS))[0]
            new = NewComplaint(mobile=mobile, category=category, ward=ward, description=description, name=name,
                               language=language, address=address, landmark=landmark, channel=channel)
            try:
                return do_register(new, actor=self.agent, now=plan.at)
            except PossibleDuplicate:
                continue  # the same caller, same problem, an hour ago: the agent reads the docket back instead
        raise RuntimeError("could not find a caller without a recent identical complaint")

    def _timeline(self, at: datetime, steps: tuple[str, ...]) -> list[tuple[str, datetime]]:
        """Times for the steps, squeezed proportionally when the story would run past now."""
        gaps = []
        for step in steps:
            low, high = STEP_HOURS[step]
            if step == "close" and self.rng.random() < 0.25:
                low, high = AUTO_CLOSE_HOURS, AUTO_CLOSE_HOURS + 6  # nobody confirmed: the system closes it
            gaps.append(self.rng.uniform(low, high))
        room = (self.now - at).total_seconds() / 3600 - 0.1
        # A story that would run past now is squeezed to end somewhere before now (not all at one instant).
        scale = 1.0 if not gaps or sum(gaps) <= room else room * self.rng.uniform(0.3, 0.95) / sum(gaps)
        timeline, moment = [], at
        for step, gap in zip(steps, gaps):
            moment += timedelta(hours=gap * scale)
            timeline.append((step, moment))
        return timeline

    def _words(self, by_department: dict[str, tuple[tuple[str, str], ...]], complaint: Complaint):
        code = self.department_codes[complaint.department_id]
        return by_department.get(code) or next(iter(by_department.values()))

    def _live(self, complaint: Complaint, plan: Plan, original: Complaint | None) -> None:
        rng, cast = self.rng, self.cast
        steps = STORIES[plan.ending]
        if complaint.unrouted and steps and steps[0] == "start":
            steps = ("assign", *steps)  # the head first hands it to someone who can go
        language = complaint.citizen.language
        previous = complaint.registered_at
        c = complaint
        for step, at in self._timeline(complaint.registered_at, steps):
            worker = cast.user_of(c.assigned_to_id)
            if step == "assign":
                nearby = list(Officer.objects.filter(department=c.department, level=1, is_active=True,
                                                     on_leave=False).order_by("pk"))
                if not nearby:
                    continue
                stand_in = rng.choice(nearby)
                c = do_assign(c, stand_in, actor=cast.head_user(c.department_id), now=at,
                              reason=_said(city.REASSIGN_REASONS, language, rng))
            elif step == "start":
                c = do_start_work(c, actor=worker, now=at)
            elif step == "hold":
                reason = _said(self._words(city.HOLD_REASONS, c), language, rng)
                c = do_put_on_hold(c, actor=worker, now=at, reason=reason)
            elif step == "resume":
                c = do_resume(c, actor=worker, now=at)
            elif step == "resolve":
                photo = proof_photo(rng) if c.category.proof_photo_required or rng.random() < 0.3 else None
                remarks = _said(self._words(city.RESOLUTION_REMARKS, c), language, rng)
                c = do_resolve(c, actor=worker, now=at, photo=photo, remarks=remarks)
            elif step == "close":
                if at - previous >= timedelta(hours=AUTO_CLOSE_HOURS):
                    c = do_close(c, actor=None, now=at, remarks="Closed automatically: no reply from the citizen.")
                else:
                    c = do_close(c, actor=self.agent, now=at, remarks=_said(city.CLOSE_REMARKS, language, rng))
            elif step == "reopen":
                c = do_reopen(c, actor=self.agent, now=at, reason=_said(city.REOPEN_REASONS, language, rng))
            elif step == "reject":
                senior = cast.head_user(c.department_id) if rng.random() < 0.6 else cast.zonal_user(c.zone_id)
                c = do_reject(c, actor=senior, now=at, reason=_said(city.REJECT_REASONS, language, rng))
            elif step == "duplicate":
                c = do_mark_duplicate(c, original=original, actor=cast.head_user(c.department_id), now=at)
            previous = at
        complaint.status = c.status


@dataclass
class LoadResult:
    complaints: int
    by_status: dict[str, int]
    showcases: dict[str, str]  # what it shows → docket


def load_complaints(cast: Cast, count: int, *, seed: int, now: datetime | None = None,
                    progress: Callable[[int], None] | None = None) -> LoadResult:
    """Register `count` complaints over the last month and move each along its story."""
    now = now or timezone.now()
    rng = random.Random(seed)
    player = _Player(cast, rng, now)
    showcases = {}
    for plan in plan_complaints(count, now=now, rng=rng):
        complaint = player.play(plan)
        if plan.showcase:
            showcases[plan.showcase] = complaint.docket
        if progress:
            progress(1)
    by_status = Counter(Complaint.objects.filter(pk__in=[c.pk for c in player.registered])
                        .values_list("status", flat=True))
    return LoadResult(len(player.registered), dict(sorted(by_status.items())), showcases)


def load_demo_city(*, complaints: int = 300, seed: int = 2025, password: str = DEFAULT_PASSWORD,
                   progress: Callable[[int], None] | None = None, now: datetime | None = None) -> LoadResult:
    """The city, its people, its time limits and `complaints` complaints, all or nothing. Ends with one
    sweep at `now`, so the month's late complaints show their reminders, breaches and escalations."""
    now = now or timezone.now()
    with transaction.atomic():
        cast = build_city(password=password)
        build_time_limits(cast, now=now)
        result = load_complaints(cast, complaints, seed=seed, now=now, progress=progress)
        sweep(now)
        _deliver_quietly(now)
        # The sweep closes resolved complaints the citizens left unanswered: count the statuses after it.
        demo = Complaint.objects.filter(zone__in=cast.zones.values())
        result.by_status = dict(sorted(Counter(demo.values_list("status", flat=True)).items()))
        still_open = demo.filter(status__in=OPEN_STATUSES)
        top = still_open.filter(escalation_level__gt=0).order_by("-escalation_level", "due_at").first()
        if top is not None:
            result.showcases[f"escalated to level {top.escalation_level}"] = top.docket
        first_rung = still_open.filter(escalation_level=1).order_by("-due_at").first()
        if first_rung is not None:
            result.showcases["overdue, reassigned to the senior (level 1)"] = first_rung.docket
        return result


def _deliver_quietly(now: datetime) -> None:
    """Send the month's messages through the configured gateway (the console, in the demo) without
    printing hundreds of them: the desk's outbox shows each with its text."""
    console = logging.getLogger("nagar_nigam_cc.messages")
    level = console.level
    console.setLevel(logging.WARNING)
    try:
        deliver_due(now)
    finally:
        console.setLevel(level)


def logins() -> list[tuple[str, str, str]]:
    """(username, role, who) for the demo's showcase logins, in the order the table shows them."""
    rows = []
    users = {u.username: u for u in User.objects.filter(username__in=city.SHOWCASE_LOGINS).prefetch_related("groups")}
    officers = {o.user_id: o for o in Officer.objects.filter(user__in=users.values())}
    for username in city.SHOWCASE_LOGINS:
        user = users.get(username)
        if user is None:
            continue
        officer = officers.get(user.pk)
        who = f"{officer.name}, {officer.designation_en}" if officer else user.get_full_name()
        rows.append((username, ", ".join(g.name for g in user.groups.all()), who))
    return rows


# --- Synthetic bulk data for benchmarks ------------------------------------------------------------------------

#: Share of complaints still open: of those under 2 days old, under 14 days, and older (~10% in all
#: over a year: the newest mostly, a few old ones forgotten).
OPEN_SHARE_RECENT, OPEN_SHARE_FORTNIGHT, OPEN_SHARE_OLDER = 0.7, 0.3, 0.08
OPEN_MIX = {Status.ASSIGNED: 45, Status.IN_PROGRESS: 35, Status.ON_HOLD: 10, Status.REOPENED: 10}
#: Resolved and closed are one story here: whether it has been closed yet (and how) follows from its times.
DONE_MIX = {Status.CLOSED: 85, Status.RESOLVED: 6, Status.REJECTED: 5, Status.DUPLICATE: 4}
CITIZENS_PER_COMPLAINT = 0.6  # many people ring more than once
#: Resolutions after the time limit (disputed complaints resolved again add a few more: ~20% in all).
LATE_SHARE = 0.18
#: Resolutions the citizen disputes (reopened and escalated), and of those the share resolved again since.
DISPUTED_SHARE, RESOLVED_AGAIN_SHARE = 0.05, 0.6
#: How a resolution ends: the citizen confirms it, an agent closes it, else the sweep closes it after the
#: plan's auto_close_days.
CONFIRMED_SHARE, AGENT_CLOSE_SHARE = 0.31, 0.4

COMPLAINT_COLUMNS = (
    "docket", "citizen_id", "category_id", "department_id", "ward_id", "zone_id", "assigned_to_id", "status",
    "priority", "channel", "unrouted", "address", "landmark", "description", "registered_by_id", "registered_at",
    "updated_at", "resolved_at", "closed_at", "resolution_remarks", "hold_reason",
    "sla_policy_id", "sla_plan", "sla_done", "due_at", "paused_since", "breached_at", "escalation_level",
    "resolution_seconds", "next_action_at", "duplicate_of_id",  # the first and the last are filled in last
)
EVENT_COLUMNS = ("complaint_id", "kind", "at", "actor_id", "from_status", "to_status", "officer_id", "note", "data")
CITIZEN_COLUMNS = ("mobile", "name", "language", "created_at")


@dataclass
class SynthResult:
    complaints: int
    citizens: int
    events: int
    by_status: dict[str, int]


class BulkInsert:
    """Multi-row INSERTs of values already in database form, returning the new ids by a unique key.

    Django's bulk_create spends ~10 times more CPU per row (model instances, per-field preparation),
    which on a two-core machine is most of the time of a million-row load. Columns a caller does not
    give get the field's default, so a field added to the model later does not break the loader.
    """

    def __init__(self, model, columns: Iterable[str], key: str | None = None):
        fields = {f.attname: f for f in model._meta.concrete_fields}
        defaults = {}
        for f in fields.values():
            if f.primary_key or f.attname in columns:
                continue
            if f.has_default():
                defaults[f.column] = f.get_db_prep_save(f.get_default(), connection)
            elif not (f.null or f.has_db_default()):
                raise ValueError(f"{model.__name__}.{f.name} needs a value: teach the synthetic loader about it")
        self.table = model._meta.db_table
        self.columns = [fields[c].column for c in columns] + list(defaults)
        self.extra = tuple(defaults.values())
        self.key = fields[key].column if key else None
        self.pk = model._meta.pk.column
        self.per_statement = max(1, min(1000, _max_query_params() // len(self.columns)))
        #: On MariaDB, rows may come as SQL text already (see `literal`): the text of the defaults ends them.
        self.sql_text = _sql_text_ok()
        self.extra_sql = "".join(", " + _literal(value) for value in self.extra) + ")"

    def insert(self, rows: list[tuple | str], keys: list | None = None) -> dict:
        """Insert the rows (in the caller's transaction); return {key: id} if the inserter has a key.
        A row is a tuple of values, or (when `sql_text`) its SQL text without the defaults' part, e.g.
        "(1, 'x'" (then `keys` gives each row's key)."""
        quote = connection.ops.quote_name
        head = f"INSERT INTO {quote(self.table)} ({', '.join(map(quote, self.columns))}) VALUES "
        returning = self.key and connection.features.can_return_rows_from_bulk_insert
        tail = f" RETURNING {quote(self.key)}, {quote(self.pk)}" if returning else ""
        ids: dict = {}
        with connection.cursor() as cursor:
            for start in range(0, len(rows), self.per_statement):
                chunk = rows[start:start + self.per_statement]
                values, params = self._values(chunk)
                cursor.execute(head + values + tail, params)
                if returning:
                    ids.update(cursor.fetchall())
                elif self.key:  # MySQL has no RETURNING: read the ids back by their unique key
                    wanted = (keys[start:start + self.per_statement] if keys is not None
                              else [row[self.columns.index(self.key)] for row in chunk])
                    cursor.execute(
                        f"SELECT {quote(self.key)}, {quote(self.pk)} FROM {quote(self.table)} "
                        f"WHERE {quote(self.key)} IN ({', '.join(['%s'] * len(wanted))})", wanted)
                    ids.update(cursor.fetchall())
        return ids


    def _values(self, chunk: list[tuple]) -> tuple[str, list | None]:
        """The VALUES list and its parameters. MySQL's driver quotes each parameter in Python, the
        largest CPU cost of the whole load; there the values go into the SQL here, each string escaped
        by the driver's C function for the connection's character set."""
        if connection.vendor != "mysql":
            one = "(" + ", ".join(["%s"] * len(self.columns)) + ")"
            return ", ".join([one] * len(chunk)), [value for row in chunk for value in (*row, *self.extra)]
        if chunk and type(chunk[0]) is str:
            return ", ".join([row + self.extra_sql for row in chunk]), None
        escape = connection.connection.string_literal
        return ", ".join(
            "(" + ", ".join(
                "NULL" if value is None
                else str(int(value)) if type(value) in (int, bool)
                else escape(str(value).encode()).decode()
                for value in (*row, *self.extra)
            ) + ")"
            for row in chunk
        ), None


#: What mysql_real_escape_string escapes, for a utf8mb4 connection with backslash escapes on.
_MYSQL_ESCAPES = str.maketrans({"\0": "\\0", "\n": "\\n", "\r": "\\r", "\\": "\\\\", "'": "\\'", '"': '\\"',
                                "\x1a": "\\Z"})


def _literal(value) -> str:
    """A value as MariaDB SQL text, escaped as the driver's C function would for utf8mb4 (checked by
    `_sql_text_ok`). Pure Python, so the thread that builds the next batch can also write its SQL while
    the connection is busy with this one (the driver's function belongs to the connection)."""
    if value is None:
        return "NULL"
    if type(value) in (int, bool):
        return str(int(value))
    return "'" + str(value).translate(_MYSQL_ESCAPES) + "'"


def _sql_text_ok() -> bool:
    """Whether rows may be written as SQL text by `_literal`: MariaDB, utf8mb4, backslash escapes on."""
    if connection.vendor != "mysql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@SESSION.sql_mode, @@SESSION.character_set_connection")
        sql_mode, charset = cursor.fetchone()
    return "NO_BACKSLASH_ESCAPES" not in sql_mode.upper() and charset.startswith("utf8")


def _max_query_params() -> int:
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 65535


_DAYS: dict[int, str] = {}


def _db_time(ts: float) -> str:
    """A POSIX timestamp as Django writes a DateTimeField with USE_TZ: naive UTC text (whole seconds).
    Called ~5 times per synthetic complaint: the date part is worked out once per day."""
    day, second = divmod(int(ts), 86400)
    date_part = _DAYS.get(day)
    if date_part is None:
        date_part = _DAYS[day] = time.strftime("%Y-%m-%d ", time.gmtime(day * 86400))
    return f"{date_part}{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"


class _SynthPlan:
    """A category's SLA plan, with what every synthetic row of it needs worked out once.

    Times are whole POSIX seconds. Round-the-clock plans are plain additions; a plan on a working
    calendar asks the product's clock (sla/clock.py, ~80,000 calls a second), so every deadline,
    step time and working time below is exact, not approximated.
    """

    def __init__(self, policy_id: int | None, plan: Plan | None):
        self.policy_id, self.plan = policy_id, plan
        self.json = json.dumps(plan.to_json()) if plan is not None else "{}"
        self.calendar = plan.calendar if plan is not None else None
        self.duration = plan.duration.total_seconds() if plan is not None else 0.0
        self.steps = plan.steps if plan is not None else ()
        self.offsets = [step.offset.total_seconds() for step in self.steps]
        # sla_done is the sorted keys of the steps performed, always a prefix of the steps in time order.
        self.done_json = [json.dumps(sorted(step.key for step in self.steps[:n])) for n in range(len(self.steps) + 1)]
        self.auto_close = plan.auto_close_days * 86400 if plan is not None else 0
        self.rules = {rung.level: rung.target for rung in plan.ladder} if plan is not None else {}

    def add(self, ts: int, seconds: float) -> int:
        """The instant `seconds` of the plan's time after `ts`."""
        if self.calendar is None:
            return ts + int(seconds)
        return int(clock.add_business_time(datetime.fromtimestamp(ts, UTC), timedelta(seconds=int(seconds)),
                                           self.calendar).timestamp())

    def between(self, a: int, b: int) -> int:
        if self.calendar is None:
            return b - a
        return int(clock.business_time_between(datetime.fromtimestamp(a, UTC), datetime.fromtimestamp(b, UTC),
                                               self.calendar).total_seconds())

    def step_times(self, ts: int) -> list[int]:
        if self.calendar is None:
            return [ts + int(offset) for offset in self.offsets]
        return [self.add(ts, offset) for offset in self.offsets]


@dataclass(frozen=True)
class _People:
    """Who acts on a complaint of one department in one ward."""

    officer: int | None  # whom routing picks
    officer_user: int | None
    head_user: int | None  # who rejects and marks duplicates
    senior: int | None  # whom a citizen's dispute escalates to
    targets: dict[int, int | None]  # escalation level → officer, as the sweep picks them


class _SynthCity:
    """Everything a synthetic row needs, read from the database once."""

    def __init__(self, rng: random.Random):
        if not settings.USE_TZ:
            raise ValueError("The synthetic loader writes UTC times and needs USE_TZ = True.")
        ward_rows = list(Ward.objects.select_related("zone"))
        categories = list(Category.objects.filter(is_active=True).select_related("department"))
        if not ward_rows or not categories:
            raise ValueError("There is no city to put complaints in: run load_demo_city first.")
        self.wards = [(w.pk, w.zone_id, w.name_en, w.name_hi) for w in ward_rows]
        self.ward_weights = [rng.choice((1, 1, 2, 2, 3, 5)) for _ in ward_rows]
        specs = {spec.code: spec for spec in city.CATEGORIES}
        self.categories = [(c.pk, c.department_id, c.default_priority, c.code) for c in categories]
        self.category_weights = [specs[c.code].weight if c.code in specs else 1 for c in categories]
        self.said = {  # (Hindi, English) sentences per category
            c.code: (specs[c.code].said_hi, specs[c.code].said_en) if c.code in specs else ((c.name_hi,), (c.name_en,))
            for c in categories
        }
        # The plan of each category at its default priority, as registration would choose it today. A
        # policy of one ward only is not applied (the demo city has none).
        self.plans: dict[int, _SynthPlan] = {}
        for c in categories:
            policy = choose_policy(c.pk, None, c.default_priority)
            self.plans[c.pk] = _SynthPlan(policy.pk if policy else None, plan_for(policy) if policy else None)
        ladders = {plan.plan.ladder for plan in self.plans.values() if plan.plan is not None}
        officers = {o.pk: o for o in Officer.objects.select_related("reports_to__substitute", "substitute")}
        departments = {d.pk: d for d in Department.objects.select_related("head__substitute")}
        # Route every department × ward once, exactly as a registration would; and find whom each level
        # of each ladder escalates to, and whom a dispute goes to, exactly as the sweep and do_dispute do.
        self.routes: dict[tuple[int, int], tuple[int | None, bool]] = {}
        self.people: dict[tuple[int, int], _People] = {}
        for department in {c.department for c in categories}:
            department = departments[department.pk]
            head_user = officers[department.head_id].user_id if department.head_id else None
            for ward in ward_rows:
                decision = route(department_id=department.pk, ward_id=ward.pk, zone_id=ward.zone_id,
                                 head_id=department.head_id, officers=officer_cards_for(department, ward))
                self.routes[department.pk, ward.pk] = (decision.officer_id, decision.unrouted)
                holder = officers.get(decision.officer_id)
                c = Complaint(department=department, zone_id=ward.zone_id, ward_id=ward.pk, assigned_to=holder,
                              escalation_level=0)
                targets: dict[int, int | None] = {}
                for ladder in ladders:
                    climbed: list[ComplaintEvent] = []
                    for rung in sorted(ladder, key=lambda r: r.level):
                        target, _why = _escalation_target(c, rung, climbed)
                        climbed.append(ComplaintEvent(complaint=c, kind=EventKind.ESCALATED, officer=target))
                        targets.setdefault(rung.level, target.pk if target else None)
                senior = usable(holder.reports_to) if holder is not None and holder.reports_to_id else None
                if senior is None:
                    senior, _why = head_of(c, "")
                self.people[department.pk, ward.pk] = _People(
                    decision.officer_id, holder.user_id if holder else None, head_user,
                    senior.pk if senior else None, targets)
        self.agent_id = User.objects.filter(username="agent").values_list("pk", flat=True).first()


def _reserve_dockets(period: str, how_many: int) -> int:
    """Take `how_many` consecutive sequences of the month; return the first. Inside the batch's transaction,
    so a registration in the same month waits for the batch and then numbers after it."""
    counters = DocketCounter.objects.filter(period=period)
    if not counters.update(last=F("last") + how_many):
        try:
            with transaction.atomic():
                DocketCounter.objects.create(period=period, last=how_many)
            return 1
        except IntegrityError:  # a registration opened the month meanwhile
            counters.update(last=F("last") + how_many)
    return counters.values_list("last", flat=True).get() - how_many + 1


def _new_citizens(count: int, rng: random.Random, *, batch: int, first_seen: float, progress) -> list[int]:
    """Insert `count` citizens with fresh, valid mobile numbers; return their ids."""
    taken = set(Citizen.objects.values_list("mobile", flat=True))
    blocks = mobile_blocks(rng, max(50, count // 20_000))
    space = len(blocks) * 100_000
    wanted: set[str] = set()
    while len(wanted) < count:
        for index in rng.sample(range(space), min(space, count - len(wanted))):
            mobile = f"+91{blocks[index // 100_000]}{index % 100_000:05d}"
            if mobile not in taken:
                wanted.add(mobile)
    mobiles = sorted(wanted)  # sorted first: a set's order changes from run to run
    rng.shuffle(mobiles)
    created_at = _db_time(first_seen)
    inserter = BulkInsert(Citizen, CITIZEN_COLUMNS, key="mobile")
    ids: list[int] = []
    for start in range(0, count, batch):
        rows = []
        for mobile in mobiles[start:start + batch]:
            name_en, name_hi = rng.choice(city.CITIZEN_NAMES)
            hindi = rng.random() < city.HINDI_SHARE
            rows.append((mobile, name_hi if hindi and rng.random() < 0.5 else name_en, "hi" if hindi else "en",
                         created_at))
        with transaction.atomic():
            by_mobile = inserter.insert(rows)
        ids += [by_mobile[row[0]] for row in rows]
        if progress:
            progress(0, len(rows))
    return ids


def _registration_times(count: int, days: int, now: datetime, rng: random.Random) -> list[float]:
    """`count` POSIX times over the last `days` days, in call-centre hours, oldest first."""
    hours, hour_weights = zip(*city.HOUR_WEIGHTS.items())
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    now_ts = now.timestamp()
    starts = [(midnight - timedelta(days=day)).timestamp() for day in range(days + 1)]
    stamps = []
    for hour in rng.choices(hours, hour_weights, k=count):
        ts = starts[rng.randrange(days)] + hour * 3600 + rng.random() * 3600
        stamps.append(ts if ts < now_ts else ts - 86400)
    stamps.sort()
    return stamps


@dataclass
class _Batch:
    rows: list[list]  # COMPLAINT_COLUMNS, docket and duplicate_of still to fill in
    periods: list[str]
    places: list[tuple[int, int]]  # (ward, category)
    events: list[list[list]]  # per row: EVENT_COLUMNS after complaint_id, in time order ('registered' first)
    #: With `sql_text`: each row's SQL text between the docket and duplicate_of, and each event's after
    #: complaint_id (see BulkInsert.insert).
    row_sql: list[str] = field(default_factory=list)
    event_sql: list[list[str]] = field(default_factory=list)


def _iso(ts: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ts))


_AUTO_CLOSED = "Closed automatically: the citizen did not dispute the resolution in time."
_DONE_WORK = "Work done on site."
_HOLD = "Material awaited from the store."


def _life(status: str, ts: int, now: int, plan: _SynthPlan, people: _People, agent: int | None, random_) -> tuple:
    """What became of one complaint after its registration at `ts`, as the actions and the sweep would
    have left it by `now`: (status, updated_at, resolved_at, closed_at, paused_since, due_at, breached_at,
    escalation level, resolution_seconds, next_action_at, sla_done JSON, events).

    Each event is [kind, at, actor, from, to, officer, note, data JSON]. Performed SLA steps are recorded in
    sla_done; reminders get no event here (reports do not count them). Escalations do not reassign (the
    event says so): the complaint stays with the officer routing chose. An escalation step that would not
    raise the level (the citizen's dispute got there first) is recorded as done without an event, so a
    complaint has exactly one 'escalated' event per level.
    """
    events: list[list] = []
    due = plan.add(ts, plan.duration) if plan.plan is not None else None
    wall = (due - ts) if due is not None else 86400
    officer, user = people.officer, people.officer_user
    resolved_at = closed_at = paused_since = resolution_seconds = next_action = None
    spans: list[list] = []  # [start, end, events before which the span's steps go]: when the SLA clock runs
    level = 0
    dispute: list | None = None  # the escalation a citizen's dispute made

    def resolve(start: int, late: bool) -> int:
        """The instant of a resolution started from `start` (first: the registration), within time or late."""
        if plan.plan is None:
            at = start + int((3 + 69 * random_()) * 3600)
        elif start == ts:
            worked = plan.duration * (1.02 + 1.5 * random_() ** 2 if late else 0.15 + 0.83 * random_())
            at = plan.add(ts, worked)
        else:
            at = start + int((6 + 90 * random_()) * 3600)
        if at > now:  # a story that would run past now ends somewhere before it (not all at one instant)
            at = start + int((now - start) * (0.3 + 0.65 * random_()))
        return at

    if status in (Status.REJECTED, Status.DUPLICATE):
        acted = ts + int(wall * (0.05 + 0.85 * random_()))
        if acted > now:
            acted = ts + int((now - ts) * (0.1 + 0.8 * random_()))
        spans.append([ts, acted, 0])
        kind = EventKind.REJECTED if status == Status.REJECTED else EventKind.DUPLICATE
        note = "Private property: not a municipal matter." if status == Status.REJECTED else ""
        events.append([kind, acted, people.head_user, Status.ASSIGNED, status, None, note, "{}"])
        closed_at = acted
    elif status in (Status.ASSIGNED, Status.IN_PROGRESS, Status.ON_HOLD):
        end = now
        if status == Status.ON_HOLD:  # usually put on hold within a day or two; some only after the time ran out
            end = paused_since = ts + int(min((now - ts) * (0.1 + 0.8 * random_()), wall * (0.2 + 1.8 * random_())))
            spans.append([ts, end, 0])
            events.append([EventKind.ON_HOLD, end, user, Status.ASSIGNED, status, None, _HOLD, "{}"])
        else:
            spans.append([ts, now, 0])
    else:  # resolved at least once: resolved, closed, or reopened since
        first = resolve(ts, random_() < LATE_SHARE)
        spans.append([ts, first, 0])
        events.append([EventKind.RESOLVED, first, user, Status.ASSIGNED, Status.RESOLVED, officer, _DONE_WORK, "{}"])
        resolved_at = last = first
        by_agent = status == Status.REOPENED
        status = Status.RESOLVED
        if by_agent or random_() < DISPUTED_SHARE:
            reopened = first + int((2 + 70 * random_()) * 3600)
            if reopened > now:
                reopened = first + int((now - first) * (0.2 + 0.7 * random_()))
            if by_agent:  # the citizen rang again: do_reopen
                events.append([EventKind.REOPENED, reopened, agent, Status.RESOLVED, Status.REOPENED, None,
                               "Problem came back within two days.", "{}"])
            else:  # the citizen's reply: do_dispute reopens it and escalates it one level (its level: below)
                events.append([EventKind.DISPUTED, reopened, None, Status.RESOLVED, Status.REOPENED, officer, "", "{}"])
                dispute = [EventKind.ESCALATED, reopened, None, Status.REOPENED, Status.REOPENED, people.senior, "",
                           None]
                events.append(dispute)
            status = Status.REOPENED
            again = (resolve(reopened, True) if not by_agent and reopened < now and random_() < RESOLVED_AGAIN_SHARE
                     else None)
            spans.append([reopened, again if again is not None else now, len(events)])
            if again is not None:
                events.append([EventKind.RESOLVED, again, user, Status.REOPENED, Status.RESOLVED, officer, _DONE_WORK,
                               "{}"])
                resolved_at = last = again
                status = Status.RESOLVED
        if status == Status.RESOLVED:
            resolution_seconds = max(0, plan.between(ts, last)) if plan.plan is not None else last - ts
            pick = random_()
            if pick < CONFIRMED_SHARE:
                closed_at = last + int((0.5 + 47.5 * random_()) * 3600)
                closing = [EventKind.CONFIRMED, closed_at, None, Status.RESOLVED, Status.CLOSED, officer, "", "{}"]
            elif pick < CONFIRMED_SHARE + AGENT_CLOSE_SHARE or not plan.auto_close:
                closed_at = last + int((2 + 46 * random_()) * 3600)
                closing = [EventKind.CLOSED, closed_at, agent, Status.RESOLVED, Status.CLOSED, None, "", "{}"]
            else:
                closed_at = last + plan.auto_close
                closing = [EventKind.CLOSED, closed_at, None, Status.RESOLVED, Status.CLOSED, None, _AUTO_CLOSED,
                           json.dumps({"auto": True, "days": plan.auto_close // 86400})]
            if closed_at <= now:
                status = Status.CLOSED
                events.append(closing)
            else:  # not yet: awaiting the citizen, the agent or the sweep's auto-close
                closed_at = None
                next_action = last + plan.auto_close if plan.plan is not None and plan.auto_close else None

    # The SLA steps the sweep performed: each at its time if the clock was running then, else (it came due
    # while the complaint was resolved) at the reopening; none after the clock stopped for good.
    breached_at, done = None, 0
    if plan.plan is not None:
        times = plan.step_times(ts) if spans[-1][1] >= ts + plan.offsets[0] else ()
        inserts: list[tuple[int, list]] = []
        for step, at in zip(plan.steps, times):
            span = next((s for s in spans if at <= s[1]), None)
            if span is None:
                break
            if dispute is not None and dispute[7] is None and span is not spans[0]:
                level += 1  # the dispute came before the steps that came due after it
                dispute[7] = level
            done += 1
            performed = max(at, span[0])
            if step.kind == BREACH:
                breached_at = at
                data = {"step": step.key, "due_at": _iso(due), "scheduled_for": _iso(at)}
                inserts.append((span[2], [EventKind.BREACHED, performed, None, None, None, officer, "",
                                          json.dumps(data)]))
            elif step.kind == ESCALATE and step.level > level:
                level = step.level
                target = people.targets.get(level)
                inserts.append((span[2], [EventKind.ESCALATED, performed, None, None, None, target, "", json.dumps({
                    "step": step.key, "due_at": _iso(due), "scheduled_for": _iso(at), "level": level,
                    "from_officer": officer, "to_officer": target, "reassigned": False,
                    "target_rule": plan.rules.get(level)})]))
        if inserts:  # into the timeline at their place: before the span's first later event
            for position, event in reversed(inserts):
                events.insert(position, event)
        if status in (Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED) and done < len(times or plan.steps):
            next_action = (times[done] if times else plan.add(ts, plan.offsets[0]))
    if dispute is not None:
        if dispute[7] is None:
            level += 1
            dispute[7] = level
        dispute[7] = json.dumps({"level": dispute[7], "from_officer": officer, "to_officer": people.senior,
                                 "reassigned": False, "reason": "citizen disputed"})
    # The status an SLA event shows is the one the complaint had then.
    shown = Status.ASSIGNED
    for event in events:
        if event[3] is None:
            event[3] = event[4] = shown
        else:
            shown = event[4]
    updated = events[-1][1] if events else ts
    return (status, updated, resolved_at, closed_at, paused_since, due, breached_at, level, resolution_seconds,
            next_action, plan.done_json[done] if plan.plan is not None else "[]", events)


def _complaint_batches(synth: _SynthCity, stamps: list[float], citizen_ids: list[int], *, batch: int,
                       now: datetime, rng: random.Random, sql_text: bool = False) -> Iterator[_Batch]:
    """The rows of each batch, built without touching the database (so a thread can build them); with
    `sql_text`, their SQL text too."""
    now_ts = int(now.timestamp())
    local = ZoneInfo(settings.TIME_ZONE)
    period_of_hour: dict[int, str] = {}
    channels, channel_weights = zip(*city.CHANNEL_WEIGHTS)
    open_states, open_weights = zip(*((s.value, w) for s, w in OPEN_MIX.items()))
    done_states, done_weights = zip(*((s.value, w) for s, w in DONE_MIX.items()))
    on_hold = Status.ON_HOLD.value
    registered, assigned = EventKind.REGISTERED.value, Status.ASSIGNED.value
    channel_data = {channel: json.dumps({"channel": channel}) for channel in channels}
    literal = _literal
    agent, citizens = synth.agent_id, len(citizen_ids)
    db_time = _db_time
    random_ = rng.random  # the loop below runs a million times: plain random() and arithmetic, no randint
    for start in range(0, len(stamps), batch):
        chunk = stamps[start:start + batch]
        n = len(chunk)
        wards = rng.choices(synth.wards, synth.ward_weights, k=n)
        categories = rng.choices(synth.categories, synth.category_weights, k=n)
        picked_channels = rng.choices(channels, channel_weights, k=n)
        if_open = rng.choices(open_states, open_weights, k=n)
        if_done = rng.choices(done_states, done_weights, k=n)
        out = _Batch([], [], [], [])
        for i, stamp in enumerate(chunk):
            ts = int(stamp)
            ward_id, zone_id, ward_en, ward_hi = wards[i]
            category_id, department_id, priority, code = categories[i]
            age_days = (now_ts - ts) / 86400
            open_share = (OPEN_SHARE_RECENT if age_days < 2 else OPEN_SHARE_FORTNIGHT if age_days < 14
                          else OPEN_SHARE_OLDER)
            drawn = if_open[i] if random_() < open_share else if_done[i]
            officer_id, unrouted = synth.routes[department_id, ward_id]
            plan = synth.plans[category_id]
            (status, updated, resolved_at, closed_at, paused_since, due, breached_at, level, worked, next_action,
             done, events) = _life(drawn, ts, now_ts, plan, synth.people[department_id, ward_id], agent, random_)
            hindi = random_() < city.HINDI_SHARE
            landmark = ward_hi if hindi else ward_en
            said = synth.said[code][0 if hindi else 1]
            registered_at = db_time(ts)
            out.rows.append([
                None, citizen_ids[int(citizens * random_() ** 1.3)], category_id, department_id, ward_id,
                zone_id, officer_id, status, priority, picked_channels[i], unrouted,
                f"{1 + int(450 * random_())}/{1 + int(12 * random_())}, {landmark}", landmark,
                said[int(len(said) * random_())].format(landmark=landmark, days=2 + int(5 * random_())),
                agent, registered_at, db_time(updated),
                db_time(resolved_at) if resolved_at else None, db_time(closed_at) if closed_at else None,
                _DONE_WORK if resolved_at else "", _HOLD if status == on_hold else "",
                plan.policy_id, plan.json, done, db_time(due) if due else None,
                db_time(paused_since) if paused_since else None, db_time(breached_at) if breached_at else None,
                level, worked, db_time(next_action) if next_action else None, None,
            ])
            for event in events:
                event[1] = db_time(event[1])
            events.insert(0, [registered, registered_at, agent, "", assigned, None, "",
                              channel_data[picked_channels[i]]])
            out.events.append(events)
            if sql_text:
                out.row_sql.append(", ".join([literal(value) for value in out.rows[-1][1:-1]]))
                out.event_sql.append([", ".join([literal(value) for value in event]) for event in events])
            hour = ts // 3600
            if hour not in period_of_hour:
                period_of_hour[hour] = dockets.period_of(datetime.fromtimestamp(ts, local))
            out.periods.append(period_of_hour[hour])
            out.places.append((ward_id, category_id))
        yield out


_DONE = object()


def _ahead(items: Iterator, depth: int = 2) -> Iterator:
    """Run the iterator in a thread, up to `depth` items ahead: building the next batch in Python overlaps
    with the database writing this one (the driver lets go of the GIL while it waits)."""
    ready: queue.Queue = queue.Queue(maxsize=depth)

    def produce():
        try:
            for item in items:
                ready.put(item)
            ready.put(_DONE)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, raised there
            ready.put(error)

    threading.Thread(target=produce, name="synth-rows", daemon=True).start()
    while (item := ready.get()) is not _DONE:
        if isinstance(item, BaseException):
            raise item
        yield item


@contextmanager
def _without_foreign_key_checks():
    """MariaDB checks every foreign key of every row against its parent's index, a third of the load's
    time; the rows here point only at rows just read or inserted, so the checks are switched off for this
    session while it loads (as mysqldump's files do), and on again after, whatever happens."""
    if connection.vendor != "mysql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET SESSION foreign_key_checks = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION foreign_key_checks = 1")


def synthesise(count: int, *, batch: int = 5000, seed: int = 1, days: int = 365, events: bool = True,
               now: datetime | None = None, progress: Callable[[int, int], None] | None = None) -> SynthResult:
    """Bulk-insert `count` complaints over the last `days` days, their citizens and their timelines.

    Rows are as the product would leave them: department from the category, zone from the ward, the
    officer routing picks, docket numbers from the month's counter (reserved in the batch's
    transaction), duplicates pointing at an earlier complaint of the same kind in the same ward; the
    category's SLA plan with its deadline, the steps the sweep would have performed by `now` (breach,
    escalations by the plan's ladder), the working time to resolve, and the citizens' confirmations,
    disputes and the agents' reopenings (see `_life`). With `events`, each complaint's timeline
    ('registered', then what `_life` tells) goes in too.
    `progress(complaints, citizens)` is called after each batch.
    """
    rng = random.Random(seed)
    now = now or timezone.now()
    synth = _SynthCity(rng)
    stamps = _registration_times(count, days, now, rng)
    citizen_ids = _new_citizens(max(1, int(count * CITIZENS_PER_COMPLAINT)), rng, batch=batch,
                                first_seen=stamps[0] - 86400, progress=progress)
    complaints = BulkInsert(Complaint, COMPLAINT_COLUMNS, key="docket")
    timeline = BulkInsert(ComplaintEvent, EVENT_COLUMNS) if events else None
    # (ward, category) → (id, docket) of the latest complaint that can be an original (not a duplicate or
    # rejected one: do_mark_duplicate refuses those).
    last_in_place: dict[tuple[int, int], tuple[int, str]] = {}
    by_status: Counter[str] = Counter()
    made_events = 0
    duplicate, rejected = Status.DUPLICATE.value, Status.REJECTED.value
    with _without_foreign_key_checks():
        sql_text = complaints.sql_text and (timeline is None or timeline.sql_text)
        for work in _ahead(_complaint_batches(synth, stamps, citizen_ids, batch=batch, now=now, rng=rng,
                                              sql_text=sql_text)):
            with transaction.atomic():
                sequence = {period: _reserve_dockets(period, how_many)
                            for period, how_many in Counter(work.periods).items()}
                for row, period in zip(work.rows, work.periods):
                    row[0] = dockets.format_docket(period, sequence[period])
                    sequence[period] += 1
                for n, (row, place, story) in enumerate(zip(work.rows, work.places, work.events)):
                    if row[7] == duplicate:
                        original = last_in_place.get(place)
                        if original is None:  # nothing earlier to duplicate: it was rejected instead
                            row[7] = rejected
                            story[-1][0], story[-1][4] = EventKind.REJECTED.value, rejected
                            story[-1][6] = "Private property: not a municipal matter."
                        else:
                            row[-1] = original[0]
                            story[-1][6] = f"Same problem as {original[1]}"
                            story[-1][7] = json.dumps({"original": original[1]})
                        if sql_text:  # a rare row: written again
                            work.row_sql[n] = ", ".join([_literal(value) for value in row[1:-1]])
                            work.event_sql[n][-1] = ", ".join([_literal(value) for value in story[-1]])
                    by_status[row[7]] += 1
                if sql_text:
                    ids = complaints.insert([f"({_literal(row[0])}, {text}, {_literal(row[-1])}"
                                             for row, text in zip(work.rows, work.row_sql)],
                                            keys=[row[0] for row in work.rows])
                else:
                    ids = complaints.insert([tuple(row) for row in work.rows])
                if timeline is not None:
                    if sql_text:
                        rows = [f"({ids[row[0]]}, {text}"
                                for row, texts in zip(work.rows, work.event_sql) for text in texts]
                    else:
                        rows = [(ids[row[0]], *event) for row, story in zip(work.rows, work.events) for event in story]
                    timeline.insert(rows)
                    made_events += len(rows)
            for row, place in zip(work.rows, work.places):
                if row[7] not in (duplicate, rejected):
                    last_in_place[place] = (ids[row[0]], row[0])
            if progress:
                progress(len(work.rows), 0)
    return SynthResult(count, len(citizen_ids), made_events, dict(sorted(by_status.items())))
