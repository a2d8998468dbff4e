"""Rate limits for what anyone on the internet can call (token requests, Open311's public reads).

Counted in the cache (Redis in production) by django-ratelimit. A cache outage must not take the API
down with it, so a failure to count lets the request through (and is logged); limits protect against
abuse, they are not what keeps data right.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django_ratelimit.core import is_ratelimited

log = logging.getLogger(__name__)


def over_limit(request, group: str, rate: str, key: str = "ip") -> bool:
    """Count this request in `group` and say whether it is over `rate` ("10/m")."""
    if not rate:
        return False
    try:
        return is_ratelimited(request, group=group, key=key, rate=rate, increment=True)
    except Exception:  # noqa: BLE001 - any cache failure: let the request through
        log.warning("rate limit %s not counted (cache unavailable)", group, exc_info=True)
        return False


def anonymous_rate() -> str:
    return settings.NNC_API_ANONYMOUS_RATE
