"""The city's categories and wards as the APIs' registrations look them up: read once per process and
kept for CACHE_SECONDS, like the SLA policies (`sla.policies`), and forgotten at once in the process
that saves one.

A registration through the API would otherwise spend two of its ~18 database round trips finding the
category by its code and the ward by its number, in tables that change a few times a year. The rows
handed out are shared between requests: callers read them and never change them.
"""
from __future__ import annotations

import threading
import time

from django.db.models.signals import post_delete, post_save

from nagar_nigam_cc.directory.models import Category, Department, Ward, Zone

CACHE_SECONDS = 30.0

_lock = threading.Lock()
_read_at = float("-inf")
_categories: dict[str, Category] = {}
_wards: dict[int, Ward] = {}


def _fresh() -> tuple[dict[str, Category], dict[int, Ward]]:
    global _read_at, _categories, _wards
    if time.monotonic() - _read_at > CACHE_SECONDS:
        with _lock:
            if time.monotonic() - _read_at > CACHE_SECONDS:
                _categories = {c.code: c for c in Category.objects.select_related("department")}
                _wards = {w.number: w for w in Ward.objects.select_related("zone")}
                _read_at = time.monotonic()
    return _categories, _wards


def category(code: str) -> Category | None:
    """The category with this code (active or not), or None."""
    return _fresh()[0].get(code)


def ward(number: int) -> Ward | None:
    return _fresh()[1].get(number)


def wards() -> list[Ward]:
    return list(_fresh()[1].values())


def forget(**_kwargs) -> None:
    global _read_at
    _read_at = float("-inf")


for _model in (Category, Department, Ward, Zone):
    post_save.connect(forget, sender=_model, dispatch_uid=f"api-directory-cache-{_model.__name__}-save")
    post_delete.connect(forget, sender=_model, dispatch_uid=f"api-directory-cache-{_model.__name__}-delete")
