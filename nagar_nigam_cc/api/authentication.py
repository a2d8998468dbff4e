"""DRF's token authentication, reading the token, its user and the user's roles in one query.

Every API request authenticates, and `complaints.access` asks for the user's roles on almost every one
(may they register? see this complaint?): DRF's class reads the token with its user, then roles_of read
the user's groups, two round trips before the view starts. Here one query joins the groups too and
hands them to `access.remember_roles`, so the request never reads them again. Anything else is DRF's:
the header's parsing, and an unknown token or an inactive user refused with DRF's own answer.
"""
from __future__ import annotations

from django.db.models import F
from rest_framework import authentication

from nagar_nigam_cc.complaints import access


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        # One row per group the user is in (one row with group None when in none).
        rows = list(
            self.get_model().objects.select_related("user").filter(key=key).annotate(group=F("user__groups__name"))
        )
        if not rows or not rows[0].user.is_active:
            return super().authenticate_credentials(key)  # refuses with DRF's message
        token = rows[0]
        access.remember_roles(token.user, (row.group for row in rows if row.group is not None))
        return token.user, token

