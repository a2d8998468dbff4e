"""An Indian SMS gateway over HTTP, with TRAI's DLT fields (NNC_SMS_GATEWAY=dlt).

Every commercial SMS to an Indian mobile carries the sender's registered 6-character header, the
principal entity id and the id of the registered template its text matches; operators silently drop
anything else. So this gateway refuses, before any call, a message without a DLT template id and a
number outside India.

One class, three request styles (NNC_DLT_STYLE), the configuration in settings.NNC_DLT_*:

- generic: POST NNC_DLT_URL, JSON {to, text, sender, entity_id, template_id, unicode, reference},
  `Authorization: Bearer NNC_DLT_API_KEY`; answers {"id": …}. `reference` is the outbox key: a gateway
  that deduplicates on it makes a resend after a lost answer harmless (the fake gateway does).
- gupshup: Gupshup's enterprise SMS HTTP API (GatewayAPI/rest), form-encoded. Parameter names as
  documented at https://docs.gupshup.io/docs/send-message-to-single-number and
  https://docs.gupshup.io/docs/sms-api-doc-overview (method=SendMessage, send_to, msg, msg_type,
  userid, password, auth_scheme=plain, v=1.1, format=json, mask, principalEntityId, dltTemplateId).
  It answers HTTP 200 even for errors: {"response": {"id", "phone", "details", "status": "success" |
  "error"}}, where an error's id is its code (https://docs.gupshup.io/docs/error-codes: 105 invalid
  phone, 102 authentication failed, 100 unknown error …).
- msg91: MSG91's sendhttp API (api/sendhttp.php), form-encoded: authkey, mobiles (with 91), message,
  sender, route=4 (transactional), country=91, DLT_TE_ID, unicode=1, response=json — the names used by
  MSG91's own client (https://github.com/MSG91/MSG91-node, README: DLT_TE_ID, route 4 transactional);
  answers {"type": "success", "message": "<request id>"} or {"type": "error", "message": …}.

Gupshup's and MSG91's send calls take no client reference, so for those two a worker that dies between
the gateway's answer and our write sends the message once more when its lease ends (messaging.delivery).

Errors: 4xx (but 408 and 429) and an error in the body are permanent — the gateway's own words are
kept; 5xx, 408, 429, timeouts and broken connections are temporary (tried again with backoff), as is a
gateway that is not configured yet and Gupshup's "unknown error" (100).
"""
from __future__ import annotations

import os
import re

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from nagar_nigam_cc.messaging import templating
from nagar_nigam_cc.messaging.gateways import Gateway, Outgoing, PermanentError, TemporaryError

STYLES = ("generic", "gupshup", "msg91")
_INDIAN_MOBILE = re.compile(r"^\+91(\d{10})$")
#: Gupshup error codes worth trying again (https://docs.gupshup.io/docs/error-codes): "unknown error".
_GUPSHUP_TEMPORARY = {"100"}


class DltGateway(Gateway):
    name = "dlt"

    def __init__(self) -> None:
        self.style = (settings.NNC_DLT_STYLE or "generic").strip().lower()
        self.url = settings.NNC_DLT_URL
        self.timeout = settings.NNC_GATEWAY_TIMEOUT_SECONDS
        # One session per gateway instance (one per process): the connection to the gateway stays open.
        self.session = requests.Session()
        # requests reads proxies and CA bundles from the environment on every call (~1 ms of os.environ
        # scanning here); read them once instead.
        if self.url:
            self.session.proxies.update(requests.utils.get_environ_proxies(self.url))
            self.session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        self.session.trust_env = False

    def send(self, message: Outgoing) -> str:
        if message.channel != "sms":
            raise PermanentError(_("The DLT gateway sends SMS only, not %(channel)s.") % {"channel": message.channel},
                                 "not_sms")
        if self.style not in STYLES:
            raise TemporaryError(_("NNC_DLT_STYLE must be one of %(styles)s, not “%(style)s”.")
                                 % {"styles": ", ".join(STYLES), "style": self.style}, "not_configured")
        match = _INDIAN_MOBILE.match(message.to or "")
        if not match:
            raise PermanentError(_("%(to)s: DLT gateways reach Indian (+91) mobiles only.") % {"to": message.to},
                                 "not_indian")
        if not message.dlt_template_id:
            # Operators silently drop a message whose template is not registered: better failed in the desk.
            raise PermanentError(_("The message's template has no DLT template id: register it on the DLT platform "
                                   "and enter its id in the desk."), "no_dlt_template")
        if not self.url:
            raise TemporaryError(_("The DLT SMS gateway is not configured: set NNC_DLT_URL (and NNC_DLT_STYLE, "
                                   "NNC_DLT_API_KEY, NNC_DLT_SENDER, NNC_DLT_ENTITY_ID)."), "not_configured")
        unicode = templating.sms_size(message.body).encoding == "UCS-2"
        return getattr(self, f"_send_{self.style}")(message, match[1], unicode)

    # --- the styles -----------------------------------------------------------------------------------------

    def _send_generic(self, message: Outgoing, national: str, unicode: bool) -> str:
        response = self._post(json={
            "to": message.to, "text": message.body, "sender": settings.NNC_DLT_SENDER,
            "entity_id": settings.NNC_DLT_ENTITY_ID, "template_id": message.dlt_template_id, "unicode": unicode,
            "reference": message.reference,
        }, headers={"Authorization": f"Bearer {settings.NNC_DLT_API_KEY}"})
        data = self._json(response)
        provider_id = data.get("id")
        if not provider_id:
            raise TemporaryError(_("The gateway's answer has no message id: %(text)s") % {"text": response.text[:200]},
                                 "no_id")
        return str(provider_id)

    def _send_gupshup(self, message: Outgoing, national: str, unicode: bool) -> str:
        response = self._post(data={
            "method": "SendMessage", "send_to": "91" + national, "msg": message.body,
            "msg_type": "Unicode_text" if unicode else "TEXT", "userid": settings.NNC_DLT_USER,
            "password": settings.NNC_DLT_API_KEY, "auth_scheme": "plain", "v": "1.1", "format": "json",
            "mask": settings.NNC_DLT_SENDER, "principalEntityId": settings.NNC_DLT_ENTITY_ID,
            "dltTemplateId": message.dlt_template_id,
        })
        answer = self._json(response).get("response") or {}
        if isinstance(answer, list):  # several numbers give a list; we send to one
            answer = answer[0] if answer else {}
        status, code = str(answer.get("status", "")).lower(), str(answer.get("id", ""))
        if status == "success" and code:
            return code
        text = _("Gupshup: %(details)s (error %(code)s)") % {"details": answer.get("details") or response.text[:200],
                                                             "code": code or "?"}
        if status == "error" and code not in _GUPSHUP_TEMPORARY:
            raise PermanentError(text, code or "gupshup")
        raise TemporaryError(text, code or "gupshup")

    def _send_msg91(self, message: Outgoing, national: str, unicode: bool) -> str:
        # The principal entity is tied to the sender header in the MSG91 account; the call carries the
        # template id only.
        fields = {
            "authkey": settings.NNC_DLT_API_KEY, "mobiles": "91" + national, "message": message.body,
            "sender": settings.NNC_DLT_SENDER, "route": "4", "country": "91", "DLT_TE_ID": message.dlt_template_id,
            "response": "json",
        }
        if unicode:
            fields["unicode"] = "1"
        data = self._json(self._post(data=fields))
        if str(data.get("type", "")).lower() == "success" and data.get("message"):
            return str(data["message"])
        raise PermanentError(_("MSG91: %(message)s") % {"message": data.get("message") or data},
                             str(data.get("code") or "msg91"))

    # --- HTTP ---------------------------------------------------------------------------------------------

    def _post(self, **kwargs) -> requests.Response:
        try:
            response = self.session.post(self.url, timeout=self.timeout, **kwargs)
        except requests.Timeout as exc:
            raise TemporaryError(_("The SMS gateway did not answer in time: %(error)s") % {"error": exc}, "timeout") from exc
        except requests.RequestException as exc:  # refused, reset, DNS …
            raise TemporaryError(_("The SMS gateway could not be reached: %(error)s") % {"error": exc},
                                 "connection") from exc
        status = response.status_code
        if status in (408, 429) or status >= 500:
            raise TemporaryError(_("The SMS gateway answered %(status)d: %(text)s")
                                 % {"status": status, "text": response.text[:200]}, str(status))
        if status >= 400:
            code, text = _error_of(response)
            raise PermanentError(_("The SMS gateway refused the message (%(status)d): %(text)s")
                                 % {"status": status, "text": text}, code or str(status))
        return response

    @staticmethod
    def _json(response: requests.Response) -> dict:
        try:
            data = response.json()
        except ValueError:
            raise TemporaryError(_("The SMS gateway's answer is not JSON: %(text)s") % {"text": response.text[:200]},
                                 "bad_answer") from None
        if not isinstance(data, dict):
            raise TemporaryError(_("Unexpected answer from the SMS gateway: %(text)s") % {"text": response.text[:200]},
                                 "bad_answer")
        return data


def _error_of(response: requests.Response) -> tuple[str, str]:
    """(code, text) of an error answer: {"error": {"code", "message"}}, {"error": "…"}, {"code", "message"},
    MSG91's {"type": "error", "message", "code"}, or plain text."""
    try:
        data = response.json()
    except ValueError:
        return "", response.text[:200]
    if isinstance(data, dict):
        error = data.get("error", data)
        if isinstance(error, dict):
            return str(error.get("code") or ""), str(error.get("message") or error.get("details") or data)[:200]
        return str(data.get("code") or ""), str(error)[:200]
    return "", str(data)[:200]
