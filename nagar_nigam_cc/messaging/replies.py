"""Citizens' replies by SMS/WhatsApp (being written: see issue 4)."""
from __future__ import annotations


def receive(*, channel: str, gateway: str, provider_id: str, mobile: str, text: str, now=None):
    raise NotImplementedError
