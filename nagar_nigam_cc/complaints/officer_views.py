"""The field officer's phone pages: their queue, one complaint with the actions allowed now, and the
complaint's photos (served only to people who may see the complaint; never from a public URL).

Thin on purpose: visibility comes from `access`, every change from a `do_*` action.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from nagar_nigam_cc.complaints import access, actions, dockets
from nagar_nigam_cc.sla.display import time_left, time_left_text
from nagar_nigam_cc.complaints.models import OPEN_STATUSES, Attachment, Complaint, EventKind
from nagar_nigam_cc.complaints.action_forms import ActionForm, add_action_error
from nagar_nigam_cc.complaints.officer_forms import FORMS
from nagar_nigam_cc.complaints.phones import masked

QUEUE_PAGE_SIZE = 25

# The officer's buttons, in the order they are offered: the step forward first.
ACTION_ORDER = ("start", "resume", "resolve", "hold")

DONE_MESSAGES = {
    "start": lambda d: _("Work started on %(docket)s.") % {"docket": d},
    "hold": lambda d: _("%(docket)s is on hold.") % {"docket": d},
    "resume": lambda d: _("Work resumed on %(docket)s.") % {"docket": d},
    "resolve": lambda d: _("%(docket)s is marked resolved. The citizen will be asked to confirm.") % {"docket": d},
}


@require_safe
@login_required
def queue(request):
    officer = access.officer_of(request.user)
    page = None
    if officer is not None:
        mine = Q(assigned_to=officer) | Q(assigned_to__on_leave=True, assigned_to__substitute=officer)
        complaints = (
            access.visible_complaints(request.user)
            .filter(mine, status__in=OPEN_STATUSES)
            .select_related("category", "ward")
            # What the officer must do next: the most overdue first; complaints without a time limit last.
            .order_by(F("due_at").asc(nulls_last=True), "registered_at", "id")
        )
        page = Paginator(complaints, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
        now = timezone.now()
        for complaint in page.object_list:
            complaint.spoken_docket = dockets.spoken(complaint.docket)
            complaint.sla = time_left(complaint, now)
            complaint.sla_text = time_left_text(complaint.sla) if complaint.sla is not None else ""
    return render(request, "officer/queue.html", {"officer": officer, "page": page})


def _complaint_or_404(user, docket: str) -> Complaint:
    """The complaint with this docket, if the user may see it. Anyone else's docket is simply not found."""
    number = dockets.normalise(docket)
    if not number:
        raise Http404
    return get_object_or_404(
        access.visible_complaints(user).select_related(
            "category", "ward", "citizen", "assigned_to", "assigned_to__substitute"
        ),
        docket=number,
    )


def _actor_label(user) -> str:
    if user is None:
        return _("System")
    officer = getattr(user, "officer", None)  # select_related("actor__officer"); None when not an officer
    return officer.name if officer is not None else (user.get_full_name() or user.get_username())


def _available_actions(user, complaint: Complaint) -> list[str]:
    return [
        action
        for action in ACTION_ORDER
        if actions.allowed_transition(action, complaint.status) and access.may(user, action, complaint)
    ]


def _render_detail(request, complaint: Complaint, *, failed: ActionForm | None = None, failed_action: str = ""):
    events = list(
        complaint.events.select_related("actor", "actor__officer", "officer").order_by("at", "id")
    )
    for event in events:
        event.actor_label = _actor_label(event.actor)
        event.shows_officer = event.kind in (EventKind.ASSIGNED, EventKind.REASSIGNED) and event.officer_id
    forms = {
        action: failed if action == failed_action else FORMS[action](complaint=complaint, prefix=action)
        for action in _available_actions(request.user, complaint)
    }
    # An action that is no longer offered (someone else moved the complaint on) still says why it failed.
    stale_errors = failed.non_field_errors() if failed is not None and failed_action not in forms else []
    may_call = access.may_see_mobile(request.user, complaint)
    sla = time_left(complaint, timezone.now())
    return render(
        request,
        "officer/detail.html",
        {
            "complaint": complaint,
            "spoken_docket": dockets.spoken(complaint.docket),
            "events": events,
            "attachments": complaint.attachments.order_by("uploaded_at", "id"),
            "forms": forms,
            "failed_action": failed_action,
            "stale_errors": stale_errors,
            "may_call": may_call,
            "masked_mobile": masked(complaint.citizen.mobile),
            "sla": sla,
            "sla_text": time_left_text(sla) if sla is not None else "",
        },
    )


@require_safe
@login_required
def detail(request, docket: str):
    return _render_detail(request, _complaint_or_404(request.user, docket))


@require_POST
@login_required
def act(request, docket: str, action: str):
    complaint = _complaint_or_404(request.user, docket)
    form = FORMS[action](request.POST, request.FILES, complaint=complaint, prefix=action)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "start":
                actions.do_start_work(complaint, actor=request.user)
            elif action == "hold":
                actions.do_put_on_hold(complaint, actor=request.user, reason=data["reason"])
            elif action == "resume":
                actions.do_resume(complaint, actor=request.user)
            elif action == "resolve":
                actions.do_resolve(complaint, actor=request.user, remarks=data["remarks"], photo=data["photo"])
        except PermissionDenied:
            # Typically: reassigned to someone else since the page was opened.
            messages.error(request, _("You can no longer act on %(docket)s.") % {"docket": dockets.spoken(complaint.docket)})
            return redirect("officer:queue")
        except ValidationError as error:  # includes IllegalTransition (someone else changed it first)
            add_action_error(form, error)
        else:
            messages.success(request, DONE_MESSAGES[action](dockets.spoken(complaint.docket)))
            return redirect("officer:queue")
        complaint.refresh_from_db()
    return _render_detail(request, complaint, failed=form, failed_action=action)


@require_safe
@login_required
def attachment(request, pk: int):
    """A complaint's photo, to those who may see the complaint; 404 for everyone else (not 403: that
    would confirm the photo exists)."""
    item = get_object_or_404(Attachment.objects.select_related("complaint"), pk=pk)
    if not access.can_see(request.user, item.complaint):
        raise Http404
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404
    response = FileResponse(handle, content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # Citizens' photos: the phone may keep its copy (slow data), shared caches may not.
    response["Cache-Control"] = "private, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response
