"""The citizen's tracking pages at /t/: a lookup form, and one complaint's public status (see `status`
for what may be shown).

No login, no JavaScript, no external CSS or fonts. Hindi unless the person chose otherwise
(CityLanguageMiddleware). The language switch is a plain link (?lang=en), not the officer pages' POST
to set_language: it needs no CSRF cookie, works with cookies off, and gives each language its own
URL, so the browser's 60-second copy of the page in one language is never shown after switching to
the other. The choice is remembered in the language cookie, as set_language would remember it.

A docket that is malformed, fails its check digit or belongs to no complaint gets one and the same
404 page (with the lookup form); only the lookup form, where a person is typing, says that a digit
is probably wrong.

The pages that take a form — a new complaint (`complain`), a citizen's answer to a resolution
(`feedback`) — are separate views at their own URLs: these pages stay GET-only and cacheable.
"""
from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.public import status as public_status

LANGUAGE_PARAMETER = "lang"
#: Long enough for the next status change to show soon, short enough to absorb a citizen's repeated
#: reloads and a shared link's burst; private: the language (a cookie) decides the words.
CACHE_CONTROL = "private, max-age=60"
#: Pages with a form: a CSRF token and what the citizen typed; never kept, not even by the browser.
FORM_CACHE_CONTROL = "no-store"
#: The pages need nothing but themselves: inline CSS, no scripts, forms that go only here.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
_ECHO_MAX = 40  # characters of what was typed that a message repeats back


def _language_asked(request) -> str:
    code = request.GET.get(LANGUAGE_PARAMETER, "")
    return code if code in dict(settings.LANGUAGES) else ""


def _apply_language(request) -> str:
    asked = _language_asked(request)
    if asked:
        translation.activate(asked)
        request.LANGUAGE_CODE = asked
    return asked


def _finish(request, response, asked: str, *, cache_control: str, csp: str):
    """The language cookie (if ?lang chose one) and the headers every public page carries."""
    if asked and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != asked:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, asked, max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    response["Cache-Control"] = cache_control
    response["X-Robots-Tag"] = "noindex"
    response["Content-Security-Policy"] = csp
    patch_vary_headers(response, ("Cookie",))  # without ?lang the language cookie chose the words
    return response


def public_page(view):
    """GET/HEAD only; ?lang=… chooses the language (and remembers it); the headers every public page
    carries: cacheable for a minute by the browser only, never indexed, nothing loaded from elsewhere."""

    @require_safe
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        asked = _apply_language(request)
        response = view(request, *args, **kwargs)
        return _finish(request, response, asked, cache_control=CACHE_CONTROL, csp=CONTENT_SECURITY_POLICY)

    return wrapper


def public_form(view=None, *, script_hash: str = ""):
    """Like `public_page`, for the pages that take a form (GET, HEAD and POST): never stored anywhere
    (they carry a CSRF token and what the citizen typed), and allowed the one inline script whose
    SHA-256 is `script_hash`, if any. The wrapped view must not read request.POST before the body is
    parsed its way (the complaint form sets its upload handler first): nothing here reads it."""

    def decorate(view):
        csp = CONTENT_SECURITY_POLICY + (f"; script-src '{script_hash}'" if script_hash else "")

        @require_http_methods(["GET", "HEAD", "POST"])
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            asked = _apply_language(request)
            response = view(request, *args, **kwargs)
            return _finish(request, response, asked, cache_control=FORM_CACHE_CONTROL, csp=csp)

        return wrapper

    return decorate(view) if view is not None else decorate


def page(request, template: str, context: dict, *, status: int = 200):
    current = translation.get_language() or settings.LANGUAGE_CODE
    other = "en" if current.startswith("hi") else "hi"
    query = request.GET.copy()
    query[LANGUAGE_PARAMETER] = other
    return render(request, template, {
        **context,
        "switch_url": f"{request.path}?{query.urlencode()}",
        "switch_language": other,
        "switch_label": dict(settings.LANGUAGES)[other],
        "asked_language": _language_asked(request),
    }, status=status)


def keeping_language(request, url: str) -> str:
    """`url` with this request's ?lang=… (if it asked for one), after any query the url has."""
    asked = _language_asked(request)
    if not asked:
        return url
    return f"{url}{'&' if '?' in url else '?'}{LANGUAGE_PARAMETER}={asked}"


@public_page
def lookup(request):
    """The form: a docket number as the citizen has it (2611-00042-7, spaces, Hindi digits) → its page."""
    typed = request.GET.get("docket")
    error = ""
    if typed is not None:
        shown = typed.strip()[:_ECHO_MAX]
        number = dockets.normalise(public_status.clean_input(typed))
        if not shown:
            error = _("Please enter your docket number.")
        elif not number:
            error = _("%(number)s is not a docket number. A docket number has 10 to 12 digits, like 2611-00042-7.") % {
                "number": shown}
        elif not dockets.is_valid(number):
            # The check digit caught a wrong or swapped digit: say so instead of "not found".
            error = _("%(number)s is not a valid docket number: a digit is probably wrong. "
                      "Please check the number in your SMS.") % {"number": dockets.spoken(number)}
        else:
            return redirect(keeping_language(request, reverse("public:status", args=[number])))
    return page(request, "public/lookup.html", {"typed": (typed or "").strip()[:_ECHO_MAX], "error": error})


@public_page
def status(request, docket: str):
    now = timezone.now()
    found = public_status.find(docket, now)
    if found is None:
        return page(request, "public/not_found.html", {"typed": docket[:_ECHO_MAX]}, status=404)
    return page(request, "public/status.html", {"c": found, "now": now})
