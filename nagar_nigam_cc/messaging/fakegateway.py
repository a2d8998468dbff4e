"""A fake SMS gateway on 127.0.0.1, for tests, benchmarks and demos: real HTTP, unreliable on purpose.

    python -m nagar_nigam_cc.messaging.fakegateway --port 8765 --fail-rate 0.3

It speaks the requests our gateways send (messaging.gateways.dlt and the Twilio SDK):

    POST /send                                     generic JSON {to, text, sender, entity_id, template_id,
                                                   unicode, reference} → {"id": …}
    GET|POST /GatewayAPI/rest                      Gupshup enterprise SMS (method=SendMessage, send_to, msg, …)
                                                   → {"response": {"id", "phone", "details", "status"}}
    GET|POST /api/sendhttp.php                     MSG91 sendhttp (authkey, mobiles, message, …)
                                                   → {"type": "success", "message": "<request id>"}
    POST /2010-04-01/Accounts/<sid>/Messages.json  Twilio (To, From, Body) → 201 {"sid": "SM…", …}

Any other path is recognised by its parameters (send_to: Gupshup, mobiles: MSG91, a JSON body: generic).

How it misbehaves:
- with probability `fail_rate` a call fails with 500 or 503 (`fail_statuses`). Of those failures a share
  (`ambiguous_share`) fail *after* the message was accepted: it is delivered, the answer is lost —
  the case that makes exactly-once hard. The others fail before anything happened.
- numbers in `permanent_numbers` are refused as invalid, the way each gateway says it (generic 400,
  Gupshup 200 with status "error" and code 105, MSG91 400 type "error", Twilio 400 code 21211).
- `latency` seconds of delay per call.

Like a real gateway given a client reference, it delivers a `reference` once: a repeated reference gets
the same id back and is not delivered again. Calls without one (Gupshup, MSG91, Twilio) are each a new
message. `.delivered` maps reference → (id, to, text, submissions); `.calls` counts the send calls that
passed the checks (credentials, required fields), `.failures` the failures by kind; `.requests` keeps
what each of those calls sent (path, fields, headers, JSON body). All are guarded by `.lock`.

If `receipt_url` is given, each delivered message is reported there as delivered, `receipt_delay`
seconds later, from a background thread, in its gateway's shape (Gupshup's GET externalId/status,
MSG91's `data` report, the generic id/status).

Standard library only, so benchmarks and worker processes can import it without Django.
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple

_TWILIO_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json$")


class Delivered(NamedTuple):
    id: str
    to: str
    text: str
    submissions: int  # accepted calls with this reference (the first delivered it, the rest were repeats)


@dataclass
class Request:
    style: str  # generic | gupshup | msg91 | twilio
    path: str
    params: dict[str, str]  # query and form fields
    headers: dict[str, str] = field(default_factory=dict)
    json: dict | None = None  # a JSON body, as sent


class _Answer(Exception):
    """Raised inside a handler to send this response."""

    def __init__(self, status: int, body: dict | str):
        super().__init__(status)
        self.status, self.body = status, body


def _digits(number: str) -> str:
    """A mobile number as the fake compares them: digits, Indian numbers with their 91."""
    digits = re.sub(r"\D", "", number or "")
    return "91" + digits if len(digits) == 10 else digits


class FakeGateway:
    """The fake gateway: start() it (or use it as a context manager), point a gateway at `.url`."""

    def __init__(self, fail_rate: float = 0.0, seed: int | None = None, ambiguous_share: float = 0.5,
                 permanent_numbers=(), latency: float = 0.0, *, host: str = "127.0.0.1", port: int = 0,
                 api_key: str | None = None, receipt_url: str | None = None, keep_requests: bool = True,
                 fail_statuses=(500, 503), receipt_delay: float = 0.2):
        if not 0 <= fail_rate <= 1 or not 0 <= ambiguous_share <= 1:
            raise ValueError("fail_rate and ambiguous_share are shares between 0 and 1")
        self.fail_rate, self.ambiguous_share, self.latency = fail_rate, ambiguous_share, latency
        #: The HTTP statuses a failing call answers with, one chosen at random (e.g. (429,) for a rate limit).
        self.fail_statuses = tuple(fail_statuses)
        self.permanent_numbers = {_digits(n) for n in permanent_numbers}
        #: When set, calls must carry it (Bearer token, Gupshup password, MSG91 authkey); else 401.
        self.api_key = api_key
        self.receipt_url, self.receipt_delay = receipt_url, receipt_delay
        self.keep_requests = keep_requests
        self.delivered: dict[str, Delivered] = {}
        self.calls = 0
        self.failures = {"before": 0, "after": 0, "permanent": 0}
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self._random = random.Random(seed)
        self._ids = itertools.count(1)
        self._address = (host, port)
        self._server: ThreadingHTTPServer | None = None
        self._url: str | None = None
        self._thread: threading.Thread | None = None

    # --- running -------------------------------------------------------------------------------------------

    def start(self) -> FakeGateway:
        handler = type("Handler", (_Handler,), {"gateway": self})
        self._server = _Server(self._address, handler)
        host, port = self._server.server_address[:2]
        self._url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="fake-sms-gateway", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeGateway:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("the fake gateway has not been started: start() it first")
        return self._url

    @property
    def send_url(self) -> str:
        return self.url + "/send"

    @property
    def gupshup_url(self) -> str:
        return self.url + "/GatewayAPI/rest"

    @property
    def msg91_url(self) -> str:
        return self.url + "/api/sendhttp.php"

    # --- what happened ----------------------------------------------------------------------------------------

    def submissions(self) -> int:
        """Accepted calls, repeats included (len(delivered) counts the messages)."""
        with self.lock:
            return sum(d.submissions for d in self.delivered.values())

    def reset(self) -> None:
        with self.lock:
            self.delivered.clear()
            self.requests.clear()
            self.calls = 0
            self.failures = dict.fromkeys(self.failures, 0)

    # --- the one decision every style shares ------------------------------------------------------------------

    def _accept(self, request: Request, to: str, text: str, reference: str | None, id_format) -> str:
        """Deliver (or recognise) one message and return its id, or raise _Answer for a failure.
        `id_format(n)` makes a new id in the style's shape."""
        with self.lock:
            self.calls += 1
            if self.keep_requests:
                self.requests.append(request)
            if _digits(to) in self.permanent_numbers:
                self.failures["permanent"] += 1
                raise _Invalid(to)
            roll = self._random.random()
            failing = roll < self.fail_rate
            ambiguous = failing and self._random.random() < self.ambiguous_share
            status = self._random.choice(self.fail_statuses)
            if failing and not ambiguous:
                self.failures["before"] += 1
                raise _Answer(status, {"error": "service unavailable, try again"})
            key = reference or f"call-{self.calls}"
            known = self.delivered.get(key)
            if known is None:
                known = Delivered(id_format(next(self._ids)), to, text, 1)
                new = True
            else:
                known = known._replace(submissions=known.submissions + 1)
                new = False
            self.delivered[key] = known
            if ambiguous:
                self.failures["after"] += 1
        if new and self.receipt_url:
            threading.Thread(target=self._report, args=(request.style, known.id, to), daemon=True).start()
        if ambiguous:  # it went out; the caller will never know
            raise _Answer(status, {"error": "internal error"})
        return known.id

    def _report(self, style: str, provider_id: str, to: str) -> None:
        """A delivery report in the style's own shape (Gupshup: a GET with externalId and status=SUCCESS;
        MSG91: a form field `data` holding its JSON report; generic: id and status)."""
        time.sleep(self.receipt_delay)  # real reports come seconds later, after the sender wrote its answer
        if style == "twilio":
            return  # Twilio's callbacks are signed with the account's token: not faked here
        if style == "gupshup":
            query = urllib.parse.urlencode({"externalId": provider_id, "deliveredTS": int(time.time() * 1000),
                                            "status": "SUCCESS", "cause": "SUCCESS", "phoneNo": _digits(to),
                                            "errCode": "000"})
            request = urllib.request.Request(f"{self.receipt_url}?{query}", method="GET")
        else:
            fields = {"id": provider_id, "status": "delivered"}
            if style == "msg91":
                fields = {"data": json.dumps([{"requestId": provider_id, "report": [
                    {"number": _digits(to), "status": "1", "desc": "DELIVERED", "failedReason": ""}]}])}
            request = urllib.request.Request(self.receipt_url, data=urllib.parse.urlencode(fields).encode(),
                                             method="POST")
        try:
            urllib.request.urlopen(request, timeout=5).close()
        except OSError:
            pass  # a lost delivery report is what real gateways do too


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that hangs up (a worker killed mid-call, a timeout) is part of the game, not news.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Invalid(Exception):
    def __init__(self, to: str):
        super().__init__(to)
        self.to = to


class _Handler(BaseHTTPRequestHandler):
    gateway: FakeGateway
    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse their connection, as with a real gateway
    # Headers and body leave in one write (flushed by handle_one_request), with no Nagle delay: otherwise
    # each answer waits ~40 ms for the client's delayed ACK.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler's signature
        pass

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def _handle(self) -> None:
        try:
            status, body = self._route()
        except _Answer as answer:
            status, body = answer.status, answer.body
        except Exception as exc:  # noqa: BLE001 - a bug in the fake must show, not hang the client
            status, body = 500, {"error": f"fake gateway bug: {exc!r}"}
        if self.gateway.latency:
            time.sleep(self.gateway.latency)
        payload = (body if isinstance(body, str) else json.dumps(body)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _route(self) -> tuple[int, dict | str]:
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        content_type = self.headers.get("Content-Type", "")
        params = {k: v for k, v in urllib.parse.parse_qsl(url.query, keep_blank_values=True)}
        data: dict = {}
        if raw and "json" in content_type:
            try:
                data = json.loads(raw)
            except ValueError:
                raise _Answer(400, {"error": "the body is not JSON"}) from None
            if not isinstance(data, dict):
                raise _Answer(400, {"error": "the body must be a JSON object"})
        elif raw:
            params.update(urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True))
        request = Request("", url.path, params, dict(self.headers), data if raw and "json" in content_type else None)
        twilio = _TWILIO_PATH.match(url.path)
        if twilio:
            request.style = "twilio"
            return self._twilio(request, twilio["sid"])
        if url.path.endswith("/GatewayAPI/rest") or "send_to" in params:
            request.style = "gupshup"
            return self._gupshup(request)
        if url.path.endswith("/sendhttp.php") or "mobiles" in params:
            request.style = "msg91"
            return self._msg91(request)
        if data or url.path == "/send":
            request.style = "generic"
            return self._generic(request, data)
        raise _Answer(404, {"error": f"no such API: {url.path}"})

    def _key_ok(self, given: str | None) -> bool:
        return self.gateway.api_key is None or given == self.gateway.api_key

    # --- the styles ----------------------------------------------------------------------------------------

    def _generic(self, request: Request, data: dict) -> tuple[int, dict]:
        if self.command != "POST":
            raise _Answer(405, {"error": "POST a JSON body"})
        if not self._key_ok(self.headers.get("Authorization", "").removeprefix("Bearer ")):
            raise _Answer(401, {"error": {"code": "unauthorised", "message": "bad API key"}})
        missing = [name for name in ("to", "text") if not data.get(name)]
        if missing:
            raise _Answer(400, {"error": {"code": "missing", "message": f"required: {', '.join(missing)}"}})
        try:
            provider_id = self.gateway._accept(request, str(data["to"]), str(data["text"]),
                                               str(data.get("reference") or "") or None, lambda n: f"fg-{n}")
        except _Invalid as bad:
            raise _Answer(400, {"error": {"code": "invalid_number", "message": f"invalid number: {bad.to}"}}) from None
        return 200, {"id": provider_id, "status": "accepted"}

    def _gupshup(self, request: Request) -> tuple[int, dict]:
        p = request.params
        phone = p.get("send_to", "")

        def error(code: str, details: str) -> _Answer:
            # Gupshup answers errors with HTTP 200 and status "error"; the id is the error code.
            return _Answer(200, {"response": {"id": code, "phone": phone, "details": details, "status": "error"}})

        if (p.get("method") or "").lower() != "sendmessage":
            raise error("106", "METHOD NOT SUPPORTED")
        if not self._key_ok(p.get("password")):
            raise error("102", "AUTH FAILED")
        missing = [n for n in ("userid", "send_to", "msg") if not p.get(n)]
        if missing:
            raise error("101", f"PARAMETER MISSING: {', '.join(missing)}")
        try:
            provider_id = self.gateway._accept(request, phone, p["msg"], None, lambda n: f"{4000000000000000000 + n}")
        except _Invalid:
            raise error("105", "INVALID PH") from None
        return 200, {"response": {"id": provider_id, "phone": phone, "details": "", "status": "success"}}

    def _msg91(self, request: Request) -> tuple[int, dict]:
        p = request.params
        if not self._key_ok(p.get("authkey")):
            raise _Answer(401, {"type": "error", "message": "Authentication failure", "code": "301"})
        missing = [n for n in ("mobiles", "message", "sender") if not p.get(n)]
        if missing:
            raise _Answer(400, {"type": "error", "message": f"Missing parameters: {', '.join(missing)}"})
        try:
            provider_id = self.gateway._accept(request, p["mobiles"], p["message"], None, lambda n: f"{n:024x}")
        except _Invalid:
            raise _Answer(400, {"type": "error", "message": "Mobile no. not valid", "code": "203"}) from None
        return 200, {"type": "success", "message": provider_id}

    def _twilio(self, request: Request, sid: str) -> tuple[int, dict]:
        p = request.params
        if self.command != "POST":
            raise _Answer(405, {"code": 20004, "message": "Method not allowed", "status": 405})
        to, sender = p.get("To", ""), p.get("From") or p.get("MessagingServiceSid", "")
        if not to or not p.get("Body") or not sender:
            raise _Answer(400, {"code": 21604, "message": "A 'To', 'From' and 'Body' are required.", "status": 400})
        channel = "whatsapp:" if to.startswith("whatsapp:") else ""
        try:
            provider_id = self.gateway._accept(request, to.removeprefix("whatsapp:"), p["Body"], None,
                                               lambda n: f"SM{n:032x}")
        except _Invalid:
            raise _Answer(400, {"code": 21211, "status": 400, "more_info": "https://www.twilio.com/docs/errors/21211",
                                "message": f"The 'To' number {to} is not a valid phone number."}) from None
        return 201, {
            "sid": provider_id, "account_sid": sid, "to": f"{channel}{to.removeprefix('whatsapp:')}", "from": sender,
            "body": p["Body"], "status": "queued", "num_segments": "1", "direction": "outbound-api",
            "uri": f"/2010-04-01/Accounts/{sid}/Messages/{provider_id}.json",
        }


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake SMS gateway (generic JSON, Gupshup, MSG91, Twilio) "
                                                 "on 127.0.0.1, for demos and manual tests.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--fail-rate", type=float, default=0.0, help="share of calls that fail with 500/503")
    parser.add_argument("--ambiguous-share", type=float, default=0.5,
                        help="of the failures, the share that fail after delivering the message")
    parser.add_argument("--invalid", action="append", default=[], metavar="NUMBER",
                        help="a number refused as invalid (repeatable)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds of delay per call")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--api-key", default=None, help="require this key (Bearer, Gupshup password, MSG91 authkey)")
    parser.add_argument("--receipt-url", default=None, help="POST a delivery report for each message here")
    args = parser.parse_args()
    gateway = FakeGateway(args.fail_rate, args.seed, args.ambiguous_share, args.invalid, args.latency,
                          host=args.host, port=args.port, api_key=args.api_key, receipt_url=args.receipt_url,
                          keep_requests=False)
    gateway.start()
    print(f"fake SMS gateway at {gateway.url}  (generic: {gateway.send_url}, Gupshup: {gateway.gupshup_url}, "
          f"MSG91: {gateway.msg91_url}, Twilio: TWILIO_API_BASE={gateway.url}); Ctrl+C stops it", flush=True)
    shown = 0
    try:
        while True:
            time.sleep(5)
            with gateway.lock:
                if gateway.calls != shown:
                    shown = gateway.calls
                    print(f"{gateway.calls} calls, {len(gateway.delivered)} messages delivered, "
                          f"failures {gateway.failures}", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        gateway.stop()


if __name__ == "__main__":
    main()
