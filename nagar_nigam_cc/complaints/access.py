"""Who may see and do what. The one place that decides it: the desk, the officer pages, exports and
(later) the API and reports all ask these functions, so the list and the detail can never disagree.

Visibility, by role (a user with several roles sees the union):
- commissioner / administrator, auditor, call-centre agent: every complaint (agents answer any caller);
- department head: their department's complaints;
- zonal officer: complaints in their zones (only their department's, if they have one);
- field officer: complaints assigned to them, and to officers on leave whose substitute they are.
An officer never sees another department's complaints, whatever URL or id they try.
"""
from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from nagar_nigam_cc.complaints.models import Complaint
from nagar_nigam_cc.directory import roles
from nagar_nigam_cc.directory.models import Officer

_NOTHING = Q(pk__in=[])


def roles_of(user: User | AnonymousUser) -> frozenset[str]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_nnc_roles", None)
    if cached is None:
        cached = remember_roles(user, user.groups.values_list("name", flat=True))
    return cached


def remember_roles(user: User, group_names) -> frozenset[str]:
    """Keep the user's roles on the user object (for this request) from the names of their groups, for
    roles_of. The API's token authentication reads the names with the token and calls this itself."""
    held = frozenset(group_names)
    if user.is_superuser:
        held |= {roles.COMMISSIONER}
    user._nnc_roles = held
    return held


def officer_of(user: User | AnonymousUser) -> Officer | None:
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_nnc_officer"):
        user._nnc_officer = Officer.objects.filter(user=user, is_active=True).first()
    return user._nnc_officer


def sees_everything(user: User | AnonymousUser) -> bool:
    """The commissioner's office, auditors and agents (who answer any caller) see every complaint."""
    return bool(roles_of(user) & {roles.COMMISSIONER, roles.AUDITOR, roles.AGENT})


def visibility(user: User | AnonymousUser) -> Q:
    """A filter on Complaint selecting exactly what the user may see."""
    held = roles_of(user)
    if sees_everything(user):
        return Q()
    officer = officer_of(user)
    if officer is None:
        return _NOTHING
    q = _NOTHING
    if roles.DEPARTMENT_HEAD in held and officer.department_id:
        q |= Q(department_id=officer.department_id)
    if roles.ZONAL_OFFICER in held:
        # A list, not a subquery: MariaDB turns `IN (SELECT …)` into a semi-join and sorts the whole
        # table instead of walking the (zone, registered_at) index.
        in_zones = Q(zone_id__in=list(officer.zones.values_list("id", flat=True)))
        q |= in_zones & Q(department_id=officer.department_id) if officer.department_id else in_zones
    if roles.FIELD_OFFICER in held:
        q |= Q(assigned_to_id__in=sorted(acting_for(user)))
    return q


_SUBSTITUTE_HOPS = 4


def acting_for(user: User | AnonymousUser) -> frozenset[int]:
    """The officers whose complaints this user's officer works on now: themself, and anyone on leave
    whose substitute they are, following the chain (A on leave → B on leave → C) as routing does."""
    officer = officer_of(user)
    if officer is None:
        return frozenset()
    cached = getattr(user, "_nnc_acting_for", None)
    if cached is None:
        ids = {officer.pk}
        for _hop in range(_SUBSTITUTE_HOPS):
            more = set(
                Officer.objects.filter(on_leave=True, substitute_id__in=ids).exclude(pk__in=ids).values_list("id", flat=True)
            )
            if not more:
                break
            ids |= more
        cached = user._nnc_acting_for = frozenset(ids)
    return cached


def visible_complaints(user: User | AnonymousUser, queryset: QuerySet[Complaint] | None = None) -> QuerySet[Complaint]:
    queryset = Complaint.objects.all() if queryset is None else queryset
    return queryset.filter(visibility(user))


def can_see(user: User | AnonymousUser, complaint: Complaint) -> bool:
    return visible_complaints(user).filter(pk=complaint.pk).exists()


# Which roles may take which action (on a complaint they can see). The assigned officer may also
# work on their own complaint whatever their role; see `allowed_actions`.
ACTION_ROLES: dict[str, frozenset[str]] = {
    "register": frozenset({roles.AGENT, roles.COMMISSIONER}),
    "assign": frozenset({roles.DEPARTMENT_HEAD, roles.ZONAL_OFFICER, roles.COMMISSIONER}),
    "start": frozenset({roles.DEPARTMENT_HEAD, roles.COMMISSIONER}),
    "hold": frozenset({roles.DEPARTMENT_HEAD, roles.COMMISSIONER}),
    "resume": frozenset({roles.DEPARTMENT_HEAD, roles.COMMISSIONER}),
    "resolve": frozenset({roles.DEPARTMENT_HEAD, roles.COMMISSIONER}),
    # Agents close or reopen on the citizen's word over the phone.
    "close": frozenset({roles.AGENT, roles.DEPARTMENT_HEAD, roles.ZONAL_OFFICER, roles.COMMISSIONER}),
    "reopen": frozenset({roles.AGENT, roles.DEPARTMENT_HEAD, roles.ZONAL_OFFICER, roles.COMMISSIONER}),
    # The citizen's own verdict on a resolution: by SMS reply (the system, actor None), or told to an
    # agent on the phone or to a supervisor, who records it.
    "confirm": frozenset({roles.AGENT, roles.DEPARTMENT_HEAD, roles.ZONAL_OFFICER, roles.COMMISSIONER}),
    "dispute": frozenset({roles.AGENT, roles.DEPARTMENT_HEAD, roles.ZONAL_OFFICER, roles.COMMISSIONER}),
    # Refusing a complaint needs a senior's authority (the most abused shortcut in the field).
    "reject": frozenset({roles.DEPARTMENT_HEAD, roles.ZONAL_OFFICER, roles.COMMISSIONER}),
    "mark_duplicate": frozenset({roles.DEPARTMENT_HEAD, roles.ZONAL_OFFICER, roles.COMMISSIONER}),
    # Re-planning deadlines after a policy change is the administrator's decision.
    "reapply_policy": frozenset({roles.COMMISSIONER}),
    # A remark on the timeline: anyone who handles complaints, not the read-only auditor.
    "note": frozenset({roles.AGENT, roles.DEPARTMENT_HEAD, roles.ZONAL_OFFICER, roles.COMMISSIONER}),
}
#: What the officer a complaint is assigned to (or their substitute) may do on it, whatever their role.
ASSIGNEE_ACTIONS = frozenset({"start", "hold", "resume", "resolve", "note"})


def may(user: User | AnonymousUser, action: str, complaint: Complaint | None = None) -> bool:
    """May this user take this action (on this complaint)? Does not check the complaint's status."""
    if action not in ACTION_ROLES:
        raise KeyError(action)
    held = roles_of(user)
    if complaint is None:
        return bool(held & ACTION_ROLES[action])
    if not can_see(user, complaint):
        return False
    if held & ACTION_ROLES[action]:
        return True
    return action in ASSIGNEE_ACTIONS and complaint.assigned_to_id in acting_for(user)


def may_see_mobile(user: User | AnonymousUser, complaint: Complaint) -> bool:
    """The citizen's full number is for those who call them back: agents and the commissioner's office,
    the officer who must do the work (or their substitute while on leave) and the department's head.
    Everyone else (auditors, zonal officers, other officers) sees it masked."""
    held = roles_of(user)
    if held & {roles.AGENT, roles.COMMISSIONER}:
        return True
    if complaint.assigned_to_id in acting_for(user):
        return True
    officer = officer_of(user)
    return (
        officer is not None
        and roles.DEPARTMENT_HEAD in held
        and officer.department_id == complaint.department_id
    )


def may_report_on(user: User | AnonymousUser, obj) -> bool:
    """May this user ask for a report narrowed to `obj` (a Zone, Ward, Department, Category or Officer)?

    Reports are scoped by `visibility` whatever the filter says; this decides whether the filter itself
    is allowed, so that naming another department's category or officer is refused, not answered with
    a silently empty (or, worse, revealing) report. The same roles as `visibility`, the union of them.
    """
    from nagar_nigam_cc.directory.models import Category, Department, Ward, Zone

    held = roles_of(user)
    if sees_everything(user):
        return True
    officer = officer_of(user)
    if officer is None:
        return False
    department = {Department: lambda: obj.pk, Category: lambda: obj.department_id,
                  Officer: lambda: obj.department_id}.get(type(obj), lambda: None)()
    zone = {Zone: lambda: obj.pk, Ward: lambda: obj.zone_id}.get(type(obj), lambda: None)()
    own_department = department is None or department == officer.department_id
    if roles.DEPARTMENT_HEAD in held and officer.department_id and own_department:
        return True
    if roles.ZONAL_OFFICER in held:
        # Their zones (only their department's complaints there, if they have a department).
        in_zones = zone is None or zone in _zones_of(user, officer)
        if in_zones and (officer.department_id is None or own_department):
            return True
    if roles.FIELD_OFFICER in held:
        if isinstance(obj, Officer):
            return obj.pk in acting_for(user)
        return own_department
    return False


def _zones_of(user: User | AnonymousUser, officer: Officer) -> frozenset[int]:
    """The zonal officer's zones, read once per request (a report's filter bar asks for every ward)."""
    cached = getattr(user, "_nnc_zones", None)
    if cached is None:
        cached = user._nnc_zones = frozenset(officer.zones.values_list("id", flat=True))
    return cached
