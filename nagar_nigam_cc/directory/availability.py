"""Who can act right now: an officer, or their substitute while they are on leave; else the head of the
department. One set of rules for the SLA sweep's reminders and escalations and for a citizen's dispute."""
from __future__ import annotations

from django.utils.translation import gettext_noop

from nagar_nigam_cc.directory.models import Officer


def usable(officer: Officer | None) -> Officer | None:
    """The officer, or their substitute while they are on leave; None if neither can act."""
    if officer is not None and officer.is_active and officer.on_leave and officer.substitute_id:
        officer = officer.substitute
    return officer if officer is not None and officer.is_active and not officer.on_leave else None


def head_of(complaint, why: str) -> tuple[Officer | None, str]:
    """The complaint's department head (or their substitute) with `why` the step went to them."""
    head = usable(complaint.department.head)
    if head is None:
        return None, why + "; " + gettext_noop("the department has no head who can act")
    return head, why + "; " + gettext_noop("sent to the head of the department")
