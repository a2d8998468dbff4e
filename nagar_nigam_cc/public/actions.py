"""What the public pages do once a citizen has typed the right code: register the complaint kept in
the PhoneVerification row, or record their answer to a resolution. One transaction each, holding the
row's lock, so a form sent twice (double click, back button, two tabs) acts once: the second finds the
row DONE and is shown the first one's result.

The complaint's own actions do the work (`do_register`, `do_confirm`, `do_dispute`, with `actor=None`:
the citizen, not a desk user).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from nagar_nigam_cc.complaints.actions import (
    IllegalTransition,
    NewComplaint,
    PossibleDuplicate,
    do_add_note,
    do_confirm,
    do_dispute,
    do_register,
)
from nagar_nigam_cc.complaints.models import (
    Attachment,
    AttachmentKind,
    Channel,
    Citizen,
    Complaint,
    ComplaintEvent,
    EventKind,
    Status,
)
from nagar_nigam_cc.directory.models import Category, Ward
from nagar_nigam_cc.public import verification
from nagar_nigam_cc.public.forms import coordinates
from nagar_nigam_cc.public.models import Answer, PhoneVerification, Purpose, Verdict
from nagar_nigam_cc.public.status import feedback_answers

#: PhoneVerification.outcome
REGISTERED, DUPLICATE = "registered", "duplicate"
CONFIRMED, DISPUTED, ALREADY, NOT_POSSIBLE = "confirmed", "disputed", "already", "not_possible"

#: What `verify` can answer besides a Verdict: already done, the monthly limit, or a refusal by the
#: complaint's own rules (its messages in `Result.messages`).
DONE, MONTH_LIMIT, REFUSED = "done", "month_limit", "refused"


@dataclass
class Result:
    verdict: str
    verification: PhoneVerification
    messages: list[str] = field(default_factory=list)


def do_verify_registration(token: str, code: str, *, now: datetime) -> Result:
    """The code typed for a complaint waiting in row `token`: register it if the code is right.
    Raises PhoneVerification.DoesNotExist for an unknown token."""
    with transaction.atomic():
        v = PhoneVerification.objects.select_for_update().get(token=token, purpose=Purpose.REGISTER)
        if v.state == PhoneVerification.State.DONE:
            return Result(DONE, v)
        verdict = v.check_code(code, now)
        if verdict != Verdict.RIGHT:
            if verdict == Verdict.WRONG:
                v.save(update_fields=["attempts"])
            return Result(verdict, v)
        # Counted again under the citizen's row lock: two complaints waiting for codes on one mobile
        # cannot both pass the limit.
        list(Citizen.objects.select_for_update().filter(mobile=v.mobile).values_list("pk", flat=True))
        if verification.month_limit_reached(v.mobile, now):
            return Result(MONTH_LIMIT, v)
        try:
            with transaction.atomic():
                complaint, outcome = _register(v, now)
        except ValidationError as error:
            return Result(REFUSED, v, list(error.messages))
        v.state, v.done_at, v.complaint, v.outcome, v.photo = PhoneVerification.State.DONE, now, complaint, outcome, ""
        v.save(update_fields=["state", "done_at", "complaint", "outcome", "photo"])
        return Result(DONE, v)


def _register(v: PhoneVerification, now: datetime) -> tuple[Complaint, str]:
    data = v.data
    category = Category.objects.select_related("department").filter(pk=data.get("category")).first()
    ward = Ward.objects.filter(pk=data.get("ward")).first()
    if category is None or ward is None:
        raise ValidationError(_("The kind of problem or the ward you chose is no longer in the list. "
                                "Change the details and send them again."), code="gone")
    address, landmark = data.get("address", ""), data.get("landmark", "")
    place = data.get("place", "")
    if place and place.casefold() not in f"{address} {landmark}".casefold():
        # What the citizen called the place helps the officer find it (as the WhatsApp channel keeps it).
        address = f"{address}, {place}"[:255] if address else place[:255]
    latitude, longitude = coordinates(data)
    new = NewComplaint(
        mobile=v.mobile, category=category, ward=ward, description=data.get("description", ""),
        name=data.get("name", ""), language=data.get("language", ""), address=address, landmark=landmark,
        channel=Channel.WEB, latitude=latitude, longitude=longitude,
    )
    try:
        complaint = do_register(new, actor=None, now=now)
    except PossibleDuplicate as duplicate:
        complaint, event, outcome = duplicate.existing, None, DUPLICATE
        text = " ".join((data.get("description") or "").split())
        if text and text != " ".join(complaint.description.split()):
            do_add_note(complaint, actor=None, note=_("Reported again on the website: %(text)s") % {"text": text},
                        now=now)
    else:
        outcome = REGISTERED
        event = ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.REGISTERED).first()
    if v.photo:
        # The photo was checked (complaints.photos.check_photo) when the form was sent, and stored then.
        Attachment.objects.create(
            complaint=complaint, event=event, kind=AttachmentKind.CITIZEN_PHOTO, file=v.photo,
            content_type=v.photo_type, size=v.photo_size, uploaded_by=None, uploaded_at=now,
        )
    return complaint, outcome


def do_verify_feedback(token: str, docket: str, code: str, *, now: datetime) -> Result:
    """The code typed to confirm or dispute complaint `docket`'s resolution: record the answer if the
    code is right and the complaint still takes it. Raises PhoneVerification.DoesNotExist."""
    with transaction.atomic():
        v = (PhoneVerification.objects.select_for_update()
             .get(token=token, purpose=Purpose.FEEDBACK, complaint__docket=docket))
        if v.state == PhoneVerification.State.DONE:
            return Result(DONE, v)
        verdict = v.check_code(code, now)
        if verdict != Verdict.RIGHT:
            if verdict == Verdict.WRONG:
                v.save(update_fields=["attempts"])
            return Result(verdict, v)
        v.outcome = _answer(v, now)
        v.state, v.done_at = PhoneVerification.State.DONE, now
        v.save(update_fields=["state", "done_at", "outcome"])
        return Result(DONE, v)


def _answer(v: PhoneVerification, now: datetime) -> str:
    complaint = Complaint.objects.get(pk=v.complaint_id)
    answer, note = v.data.get("answer"), v.data.get("note", "")
    details = {"channel": Channel.WEB, "verification": v.pk}
    if answer not in feedback_answers(complaint.status, complaint.closed_at, now):
        if (answer == Answer.CONFIRM and complaint.status == Status.CLOSED) or (
                answer == Answer.DISPUTE and complaint.status == Status.REOPENED):
            return ALREADY  # said again, or by SMS meanwhile
        return NOT_POSSIBLE
    try:
        with transaction.atomic():
            if answer == Answer.CONFIRM:
                do_confirm(complaint, actor=None, note=note, details=details, now=now)
                return CONFIRMED
            do_dispute(complaint, actor=None, note=note, details=details, now=now)
            return DISPUTED
    except IllegalTransition:  # changed between our read and the action's lock
        return NOT_POSSIBLE
