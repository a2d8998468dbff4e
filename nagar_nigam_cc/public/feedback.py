"""The citizen's word on a resolution, from the tracking page: "Solved" closes the complaint
(`do_confirm`), "Not solved" reopens it and escalates it one level (`do_dispute`), as the SMS replies
"1" and "2" do (messaging.replies).

Anyone may open a tracking page, so the answer counts only from the complaint's own mobile: a code goes
to it by SMS (the page shows at most its last two digits) and must be typed back. The tracking page
itself stays GET-only and cacheable; its two buttons are links to `ask`, a page of its own.
"""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.models import Complaint
from nagar_nigam_cc.public import actions, verification
from nagar_nigam_cc.public import status as public_status
from nagar_nigam_cc.public.complain import (
    see_other, code_error, code_page, gone, send_again, token_from, too_many,
)
from nagar_nigam_cc.public.forms import CodeForm, FeedbackForm
from nagar_nigam_cc.public.models import PhoneVerification, Purpose
from nagar_nigam_cc.public.views import keeping_language, page, public_form

State = PhoneVerification.State


def _complaint(docket: str) -> Complaint | None:
    number = dockets.normalise(public_status.clean_input(docket))
    if not dockets.is_valid(number):
        return None
    return (Complaint.objects.select_related("citizen").only("docket", "status", "closed_at", "citizen__mobile",
                                                             "citizen__language")
            .filter(docket=number).first())


def _row(docket: str, token: str) -> PhoneVerification | None:
    token = token_from(token)
    if not token:
        return None
    return (PhoneVerification.objects.select_related("complaint")
            .filter(token=token, purpose=Purpose.FEEDBACK, complaint__docket=dockets.normalise(docket)).first())


def _not_found(request, docket: str):
    return page(request, "public/not_found.html", {"typed": docket[:40]}, status=404)


@public_form
def ask(request, docket: str):
    """Which answer, and (optionally) what is still wrong; then a code to the complaint's mobile."""
    now = timezone.now()
    complaint = _complaint(docket)
    if complaint is None:
        return _not_found(request, docket)
    found = public_status.find(complaint.docket, now)
    answers = public_status.feedback_answers(complaint.status, complaint.closed_at, now)
    status_url = keeping_language(request, reverse("public:status", args=[complaint.docket]))
    if not answers:
        return page(request, "public/feedback.html", {"c": found, "closed_to_answers": True, "status_url": status_url})
    asked = request.GET.get("answer")
    form = FeedbackForm(request.POST or None, answers=answers,
                        initial={"answer": asked if asked in answers else (answers[0] if len(answers) == 1 else None)})
    token = token_from(request.POST.get("form_token")) or verification.new_token()
    if request.method == "POST" and form.is_valid():
        response = _send_code(request, complaint, form, token, now)
        if response is not None:
            return response
        return see_other(request, reverse("public:feedback_code", args=[complaint.docket, token]))
    return page(request, "public/feedback.html", {
        "c": found, "form": form, "form_token": token, "status_url": status_url,
        "masked": verification.masked_mobile(complaint.citizen.mobile),
        "selected": form["answer"].value() or "",
    }, status=400 if form.errors else 200)


def _send_code(request, complaint: Complaint, form: FeedbackForm, token: str, now):
    """Send the code (or find it already sent for this form); a response only when refused or done."""
    data = {"answer": form.cleaned_data["answer"], "note": form.cleaned_data["note"]}
    with transaction.atomic():
        row = (PhoneVerification.objects.select_for_update()
               .filter(token=token, purpose=Purpose.FEEDBACK, complaint=complaint).first())
        if row is not None and row.state == State.DONE:
            return see_other(request, reverse("public:feedback_code", args=[complaint.docket, token]))
        if row is not None and row.code_usable(now):
            row.data = data
            row.save(update_fields=["data"])
            return None
        refused = verification.refusal(request, complaint.citizen.mobile, now)
        if refused is not None:
            return too_many(request, refused, now)
        if row is None:
            try:
                with transaction.atomic():
                    row = PhoneVerification.objects.create(
                        token=token, purpose=Purpose.FEEDBACK, complaint=complaint, mobile=complaint.citizen.mobile,
                        language=complaint.citizen.language, created_at=now, data=data)
            except IntegrityError:  # the same form, sent twice at once: the other request sends the code
                return None
        row.data = data
        verification.send_code(row, now)
    return None


@public_form
def enter_code(request, docket: str, token: str):
    row = _row(docket, token)
    if row is None:
        return gone(request)
    complaint = row.complaint
    status_url = keeping_language(request, reverse("public:status", args=[complaint.docket]))
    if row.state == State.DONE:
        return page(request, "public/feedback_done.html", {
            "outcome": row.outcome, "answer": row.data.get("answer"), "status_url": status_url,
            "c": public_status.find(complaint.docket, timezone.now()),
        })
    form = CodeForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        result = actions.do_verify_feedback(row.token, complaint.docket, form.cleaned_data["code"], now=timezone.now())
        if result.verdict == actions.DONE:
            return see_other(request, reverse("public:feedback_code", args=[complaint.docket, row.token]))
        row, error, status = result.verification, code_error(result), 400
    elif request.method == "POST":
        status = 400
    return code_page(request, row, form, error, status=status, docket=dockets.spoken(complaint.docket),
                     answer=row.data.get("answer"), status_url=status_url,
                     resend_url=reverse("public:feedback_resend", args=[complaint.docket, row.token]))


@public_form
def resend(request, docket: str, token: str):
    row = _row(docket, token)
    if row is None:
        return gone(request)
    code_url = reverse("public:feedback_code", args=[row.complaint.docket, row.token])
    if request.method != "POST":
        return see_other(request, code_url)
    return send_again(request, row, code_url, done_url=code_url)
