"""DRF's token authentication, reading the token, its user and the user's roles in one query, and
remembering the answer for a few seconds.

Every API request authenticates, and `complaints.access` asks for the user's roles on almost every one
(may they register? see this complaint?): DRF's class reads the token with its user, then roles_of read
the user's groups, two round trips before the view starts. Here one query joins the groups too and
hands them to `access.remember_roles`, and each process keeps the answer for
NNC_API_TOKEN_CACHE_SECONDS (5 s by default; 0 turns it off): an app registering complaints back to back
authenticates once every few seconds, not on every request. The price, stated: a deleted token, a
deactivated user or a changed role takes effect within those seconds, not at once. Anything else is
DRF's: the header's parsing, and an unknown token or an inactive user refused with DRF's own answer.
"""
from __future__ import annotations

import copy
import threading
import time

from django.conf import settings
from django.db.models import F
from rest_framework import authentication

from nagar_nigam_cc.complaints import access

_remembered: dict[str, tuple[float, object, object]] = {}  # key → (until, user, token)
_lock = threading.Lock()
_MAX_REMEMBERED = 10_000


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        seconds = settings.NNC_API_TOKEN_CACHE_SECONDS
        now = time.time()
        hit = _remembered.get(key) if seconds > 0 else None
        if hit is not None and hit[0] > now:
            # A copy per request: what a request learns about its user (officer, acting for) stays its own.
            return copy.copy(hit[1]), hit[2]
        # One row per group the user is in (one row with group None when in none).
        rows = list(
            self.get_model().objects.select_related("user").filter(key=key).annotate(group=F("user__groups__name"))
        )
        if not rows or not rows[0].user.is_active:
            _remembered.pop(key, None)
            return super().authenticate_credentials(key)  # refuses with DRF's message
        token = rows[0]
        access.remember_roles(token.user, (row.group for row in rows if row.group is not None))
        if seconds > 0:
            with _lock:
                if len(_remembered) >= _MAX_REMEMBERED:
                    _remembered.clear()
                _remembered[key] = (now + seconds, copy.copy(token.user), token)
        return token.user, token


def forget_tokens() -> None:
    """Forget every remembered token (tests; or after revoking one, in this process)."""
    _remembered.clear()
