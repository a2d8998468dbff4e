"""E-mail through Django's own EMAIL_BACKEND (for officers and report recipients with an address)."""
from __future__ import annotations

import smtplib

from django.core.mail import EmailMessage

from nagar_nigam_cc.messaging.gateways import Gateway, Outgoing, PermanentError, TemporaryError


class EmailGateway(Gateway):
    name = "email"

    def send(self, message: Outgoing) -> str:
        mail = EmailMessage(subject=message.subject or message.body[:60], body=message.body, to=[message.to],
                            headers={"X-NNC-Reference": message.reference})
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(f"address refused: {exc}", "recipient") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TemporaryError(f"mail server: {exc}", "smtp") from exc
        return mail.extra_headers.get("Message-ID", "") or message.reference
