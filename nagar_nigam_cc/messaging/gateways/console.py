"""The default gateway: writes each message to the log instead of sending it. `make demo` uses it;
the desk's outbox shows every message with the text that would have gone out."""
from __future__ import annotations

import itertools
import logging
import os

from nagar_nigam_cc.messaging.gateways import Gateway, Outgoing

log = logging.getLogger("nagar_nigam_cc.messages")


class ConsoleGateway(Gateway):
    name = "console"

    def __init__(self) -> None:
        self._ids = itertools.count(1)

    def send(self, message: Outgoing) -> str:
        log.info("%s to %s: %s", message.channel, message.to, message.body)
        return f"console-{os.getpid()}-{next(self._ids)}"
