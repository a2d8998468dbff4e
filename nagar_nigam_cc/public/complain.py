"""The citizen's complaint form at /t/new/: no login, Hindi first, works without JavaScript.

1. The form (`new_complaint`): the problem (category, description, an optional photo), the place (ward,
   or a locality the city lists for a ward; address, landmark; optionally a map position from the
   phone's location — the only script on the page fills two fields, nothing is loaded from elsewhere),
   and the citizen's mobile. What was typed is checked; errors are shown beside their fields with
   everything typed still there, and a photo that passed its check is kept on the server (a browser
   cannot put a file back in a form).
2. A 6-digit code goes by SMS to the mobile (the outbox, Event.OTP) and the complaint waits in a
   PhoneVerification row (`enter_code`); the row's token is also the form's one-time token, so the
   same form sent twice sends no second SMS and registers nothing twice.
3. The right code registers it (public.actions.do_verify_registration; `do_register`, channel "web",
   no desk user) and the docket number is shown large (`registered`), with its tracking link.

Limits (public.verification): NNC_COMPLAINTS_PER_MOBILE_PER_MONTH complaints a month per mobile
through the public channels, NNC_PUBLIC_CODES_PER_MOBILE_PER_HOUR codes an hour per mobile,
NNC_PUBLIC_RATE_PER_IP codes per address. Over a rate: 429, in Hindi and English.
"""
from __future__ import annotations

import hashlib
import re
from base64 import b64encode
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.directory.models import Category, Ward
from nagar_nigam_cc.public import actions, verification
from nagar_nigam_cc.public.forms import CodeForm, ComplaintForm
from nagar_nigam_cc.public.models import PhoneVerification, Purpose, Verdict
from nagar_nigam_cc.public.uploads import PhotoSizeLimit, body_too_large
from nagar_nigam_cc.public.views import keeping_language, page, public_form

SCRIPT = (Path(__file__).parent / "complain.js").read_text(encoding="utf-8")
SCRIPT_HASH = "sha256-" + b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()

_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
_PHOTO_SUFFIX = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heif": "heic",
                 "image/gif": "gif"}
State = PhoneVerification.State


def token_from(value: str | None) -> str:
    return value if value and _TOKEN.fullmatch(value) else ""


def _row(token: str, purpose: str = Purpose.REGISTER) -> PhoneVerification | None:
    return PhoneVerification.objects.filter(token=token_from(token) or "-", purpose=purpose).first()


def see_other(request, url: str) -> HttpResponseRedirect:
    # 303: after a POST the browser fetches the next page with GET (a reload does not send the form again).
    return HttpResponseRedirect(keeping_language(request, url), status=303)


# --- 1. the form ----------------------------------------------------------------------------------------

@csrf_exempt  # checked by _new_complaint, once the upload handler is in place (CsrfViewMiddleware reads the body)
@public_form(script_hash=SCRIPT_HASH)
def new_complaint(request):
    if request.method == "POST":
        if body_too_large(request):
            return page(request, "public/too_large.html", {"limit": _megabytes(settings.NNC_PHOTO_MAX_BYTES)},
                        status=413)
        request.upload_handlers.insert(0, PhotoSizeLimit(request))
    return _new_complaint(request)


@csrf_protect
def _new_complaint(request):
    now = timezone.now()
    if request.method != "POST":
        kept = _row(request.GET.get("draft", ""))
        if kept is not None and kept.state == State.DONE:
            return see_other(request, reverse("public:registered", args=[kept.token]))
        if kept is not None and kept.data:
            form = ComplaintForm(initial=ComplaintForm.initial_from(kept.data, kept.mobile))
        else:
            form = ComplaintForm(initial={"language": _current_language()})
        return _form_page(request, form, kept.token if kept else verification.new_token(), kept)

    token = token_from(request.POST.get("form_token")) or verification.new_token()
    kept = _row(token)
    if kept is None and PhoneVerification.objects.filter(token=token).exists():
        token = verification.new_token()  # another page's token (an answer to a resolution): not this form's
    if kept is not None and kept.state == State.DONE:
        # This form was sent and registered already (back button, a second tap): show that result.
        return see_other(request, reverse("public:registered", args=[token]) + "?again=1")
    form = ComplaintForm(request.POST, request.FILES)
    valid = form.is_valid()
    kept = _keep_photo(request, form, token, kept, now)
    if valid and verification.month_limit_reached(form.cleaned_data["mobile"], now):
        form.add_error("mobile", _month_limit_text())
        valid = False
    if not valid:
        return _form_page(request, form, token, kept)
    return _send_first_code(request, form, token, now)


def _form_page(request, form: ComplaintForm, token: str, kept: PhoneVerification | None):
    return page(request, "public/complain.html", {
        "form": form,
        "form_token": token,
        "category_groups": form.category_groups(),
        "selected_category": str(form["category"].value() or ""),
        "wards": [(w.pk, str(w)) for w in Ward.objects.order_by("number")],
        "selected_ward": str(form["ward"].value() or ""),
        "selected_language": form["language"].value() or _current_language(),
        "kept_photo": kept.photo_size if kept is not None and kept.photo else 0,
        "photo_limit": _megabytes(settings.NNC_PHOTO_MAX_BYTES),
        "description_limit": settings.NNC_DESCRIPTION_MAX_CHARS,
        "script": SCRIPT,
        "first_error": next((name for name in form.fields if name in form.errors), ""),
    }, status=400 if form.errors else 200)


def _keep_photo(request, form, token: str, kept: PhoneVerification | None, now) -> PhoneVerification | None:
    """A photo that passed its check is stored at once and kept with the row (made now if need be), even
    when other fields have errors; a newer photo replaces it, and the citizen may remove it."""
    upload = form.cleaned_data.get("photo") if "photo" not in form.errors else None
    drop = request.POST.get("drop_photo") == "1"
    if not upload and not (drop and kept is not None and kept.photo):
        return kept
    name = ""
    if upload:
        suffix = _PHOTO_SUFFIX.get(form.photo_type, "jpg")
        name = default_storage.save(f"complaints/{now:%Y/%m}/web-{verification.new_token()[:16]}.{suffix}", upload)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row, _created = PhoneVerification.objects.get_or_create(
                    token=token, defaults={"purpose": Purpose.REGISTER, "created_at": now})
        except IntegrityError:  # the same form, sent twice at once
            row = PhoneVerification.objects.get(token=token)
        row = PhoneVerification.objects.select_for_update().get(pk=row.pk)
        old = row.photo
        row.photo, row.photo_type, row.photo_size = name, form.photo_type if name else "", upload.size if name else 0
        row.save(update_fields=["photo", "photo_type", "photo_size"])
    if old and old != name:
        default_storage.delete(old)
    return row


def _send_first_code(request, form: ComplaintForm, token: str, now):
    mobile = form.cleaned_data["mobile"]
    with transaction.atomic():
        row = PhoneVerification.objects.select_for_update().filter(token=token, purpose=Purpose.REGISTER).first()
        if row is not None and row.state == State.DONE:
            return see_other(request, reverse("public:registered", args=[token]) + "?again=1")
        if row is not None and row.mobile == mobile and row.code_usable(now):
            # The same form again (a second tap, or changed details): the code already sent still serves.
            _fill(row, form)
            row.save()
            return see_other(request, reverse("public:code", args=[token]))
        refused = verification.refusal(request, mobile, now)
        if refused is not None and refused.by == "address" and row is None:
            return too_many(request, refused, now)
        if row is None:
            try:
                with transaction.atomic():
                    row = PhoneVerification.objects.create(token=token, purpose=Purpose.REGISTER, created_at=now)
            except IntegrityError:  # the same form, sent twice at once: the other request sends the code
                return see_other(request, reverse("public:code", args=[token]))
        if row.mobile != mobile:  # a code sent to another number must not verify this one
            row.mobile, row.state, row.code_hash = mobile, State.DRAFT, ""
        _fill(row, form)
        row.save()
        if refused is not None:
            return too_many(request, refused, now, draft=row)
        verification.send_code(row, now)
    return see_other(request, reverse("public:code", args=[token]))


def _fill(row: PhoneVerification, form: ComplaintForm) -> None:
    row.data = form.kept_data()
    row.language = form.cleaned_data["language"]


# --- 2. the code ----------------------------------------------------------------------------------------

@public_form
def enter_code(request, token: str):
    row = _row(token)
    if row is None:
        return gone(request)
    if row.state == State.DONE:
        return see_other(request, reverse("public:registered", args=[row.token]))
    if row.state == State.DRAFT:
        return see_other(request, reverse("public:new") + f"?draft={row.token}")
    form = CodeForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        result = actions.do_verify_registration(row.token, form.cleaned_data["code"], now=timezone.now())
        if result.verdict == actions.DONE:
            return see_other(request, reverse("public:registered", args=[row.token]))
        row, error, status = result.verification, code_error(result), 400
    elif request.method == "POST":
        status = 400
    return code_page(request, row, form, error, status=status, summary=_summary(row),
                     resend_url=reverse("public:resend", args=[row.token]),
                     change_url=keeping_language(request, reverse("public:new") + f"?draft={row.token}"))


@public_form
def resend(request, token: str):
    row = _row(token)
    if row is None:
        return gone(request)
    if request.method != "POST":
        return see_other(request, reverse("public:code", args=[row.token]))
    return send_again(request, row, reverse("public:code", args=[row.token]),
                      done_url=reverse("public:registered", args=[row.token]))


def send_again(request, row: PhoneVerification, code_url: str, *, done_url: str):
    """A new code for a row waiting for one (the old one expired, was used up, or never arrived)."""
    now = timezone.now()
    with transaction.atomic():
        row = PhoneVerification.objects.select_for_update().get(pk=row.pk)
        if row.state == State.DONE:
            return see_other(request, done_url)
        if not row.mobile:
            return see_other(request, reverse("public:new") + f"?draft={row.token}")
        refused = verification.refusal(request, row.mobile, now)
        if refused is not None:
            return too_many(request, refused, now, draft=row if row.purpose == Purpose.REGISTER else None)
        verification.send_code(row, now)
    return see_other(request, code_url + "?sent=1")


def code_page(request, row: PhoneVerification, form: CodeForm, error: str, *, status: int = 200, **context):
    if not error and row.state == State.SENT:
        # Say so before the citizen types a code that cannot work.
        if row.tries_left() == 0:
            error = code_error(actions.Result(Verdict.NO_TRIES_LEFT, row))
        elif timezone.now() >= row.expires_at():
            error = code_error(actions.Result(Verdict.EXPIRED, row))
    return page(request, "public/code.html", {
        "row": row, "form": form, "error": error, "masked": verification.masked_mobile(row.mobile),
        "minutes": settings.NNC_PUBLIC_CODE_MINUTES, "sent_again": request.GET.get("sent") == "1", **context,
    }, status=status)


def code_error(result: actions.Result) -> str:
    row = result.verification
    if result.verdict == Verdict.WRONG:
        left = row.tries_left()
        if left == 0:
            return _("That code is not right, and that was the last try. Send a new code.")
        return ngettext("That code is not right. You may try %(n)d more time.",
                        "That code is not right. You may try %(n)d more times.", left) % {"n": left}
    if result.verdict == Verdict.NO_TRIES_LEFT:
        return _("Too many wrong codes. Send a new code.")
    if result.verdict == Verdict.EXPIRED:
        return _("The code has expired: a code is valid for %(minutes)d minutes. Send a new code.") % {
            "minutes": settings.NNC_PUBLIC_CODE_MINUTES}
    if result.verdict == actions.MONTH_LIMIT:
        return _month_limit_text()
    if result.verdict == actions.REFUSED:
        return " ".join(result.messages)
    return _("No code has been sent yet. Send a code.")


def _summary(row: PhoneVerification) -> dict:
    data = row.data or {}
    category = Category.objects.filter(pk=data.get("category")).first()
    ward = Ward.objects.filter(pk=data.get("ward")).first()
    description = data.get("description", "")
    return {"category": category.name if category else "", "ward": str(ward) if ward else "",
            "description": description if len(description) <= 160 else description[:157] + "…",
            "photo": bool(row.photo)}


# --- 3. registered ------------------------------------------------------------------------------------

@public_form
def registered(request, token: str):
    row = _row(token)
    if row is None:
        return gone(request)
    if row.state != State.DONE or row.complaint_id is None:
        return see_other(request, reverse("public:code", args=[row.token]))
    complaint = row.complaint
    return page(request, "public/registered.html", {
        "docket": complaint.docket, "spoken_docket": dockets.spoken(complaint.docket),
        "duplicate": row.outcome == actions.DUPLICATE, "again": request.GET.get("again") == "1",
        "due_at": complaint.due_at if complaint.is_open else None,
        "status_url": keeping_language(request, reverse("public:status", args=[complaint.docket])),
        "new_url": keeping_language(request, reverse("public:new")),
    })


# --- shared pages ---------------------------------------------------------------------------------------

def too_many(request, refused: verification.Refusal, now, *, draft: PhoneVerification | None = None):
    """429, in both languages: this may be the first page of ours the citizen sees, and the one that
    matters most to understand."""
    retry_at = timezone.localtime(now + timedelta(seconds=refused.retry_after))
    response = page(request, "public/too_many.html", {
        "by_mobile": refused.by == "mobile", "retry_at": retry_at,
        "languages_both": ("hi", "en") if _current_language() == "hi" else ("en", "hi"),
        "per_hour": settings.NNC_PUBLIC_CODES_PER_MOBILE_PER_HOUR,
        "draft_url": (keeping_language(request, reverse("public:new") + f"?draft={draft.token}")
                      if draft is not None else ""),
    }, status=429)
    response["Retry-After"] = str(refused.retry_after)
    return response


def gone(request):
    """An unknown or forgotten token: the link is old (rows are kept NNC_PUBLIC_DRAFT_HOURS)."""
    return page(request, "public/gone.html", {"hours": settings.NNC_PUBLIC_DRAFT_HOURS,
                                              "new_url": keeping_language(request, reverse("public:new"))},
                status=404)


def _month_limit_text() -> str:
    limit = settings.NNC_COMPLAINTS_PER_MOBILE_PER_MONTH
    return ngettext(
        "This mobile number has already registered %(n)d complaint this month on the website, WhatsApp or apps: "
        "that is the most allowed. Please call the Nagar Nigam call centre.",
        "This mobile number has already registered %(n)d complaints this month on the website, WhatsApp or apps: "
        "that is the most allowed. Please call the Nagar Nigam call centre.", limit) % {"n": limit}


def _megabytes(size: int) -> int:
    return round(size / 1_048_576)



def _current_language() -> str:
    return "en" if (translation.get_language() or "hi").startswith("en") else "hi"
