"""A local HTTP listener that takes NENA EIDO JSON documents by POST and feeds their calls."""

from __future__ import annotations

import itertools
import json
import logging
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from rtcc_desk.adapters.cad import EidoError, parse_eido
from rtcc_desk.adapters.cad.eido import decode_eido
from rtcc_desk.adapters.feeds.base import RAW_LIMIT, ThreadedFeed
from rtcc_desk.adapters.feeds.clock import FeedClock
from rtcc_desk.adapters.feeds.errors import FeedError
from rtcc_desk.core.call_types import CallTypeNormaliser
from rtcc_desk.core.calls import Call

log = logging.getLogger("rtcc.feeds")

#: A body up to this many times the limit is read and dropped so the sender gets the 413;
#: a larger one is cut off with the connection.
_DRAIN_FACTOR = 16


class EidoHttpListener(ThreadedFeed):
    """POST EIDO JSON (one document, or a JSON list of them) to ``http://host:port/eido``.

    Answers 202 ``{"request_id", "accepted": [call ids]}`` once every call has reached the
    sink; 400 when the body is not JSON text, 422 when it is JSON but not a valid EIDO (a
    list is taken whole or not at all), 411 without a Content-Length, 413 over ``max_bytes``,
    404 for another path. Every refusal is also a FeedProblem (``where`` = ``HTTP <request
    id>``) and the body says why: ``{"request_id", "error", "field"}``. ``GET /health`` returns
    the source's health. Binds 127.0.0.1 by default; ``port=0`` picks a free port, readable
    from ``port`` and ``url`` once ``start`` has returned. Sink calls come from the request
    threads, one at a time.
    """

    kind = "eido-http"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, path: str = "/eido",
                 name: str = "eido-http", max_bytes: int = 1_000_000,
                 request_timeout_s: float = 10.0, normaliser: CallTypeNormaliser | None = None,
                 clock: FeedClock | None = None) -> None:
        super().__init__(name, clock)
        if not 0 <= port <= 65535:
            raise FeedError(f"port {port} must be 0..65535 (0 picks a free one)")
        if max_bytes < 1 or request_timeout_s <= 0:
            raise FeedError("max_bytes and request_timeout_s must be positive")
        self.host, self._port, self.path = host, port, "/" + path.strip("/")
        self.max_bytes, self.request_timeout_s = max_bytes, request_timeout_s
        self.normaliser = normaliser
        self._server: _Server | None = None
        self._requests = itertools.count(1)
        self._detail(f"http://{host}:{port}{self.path} (not started)")

    @property
    def port(self) -> int:
        """The bound port once started (the chosen one when asked for 0)."""
        server = self._server
        return server.server_address[1] if server is not None else self._port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{self.path}"

    def _prepare(self) -> None:
        server_class = _Server6 if ":" in self.host else _Server
        try:
            self._server = server_class((self.host, self._port), _EidoHandler)
        except OSError as exc:
            self._server = None
            self._detail(f"http://{self.host}:{self._port}{self.path}")
            raise OSError(f"cannot listen on {self.host}:{self._port}: "
                          f"{exc.strerror or exc}") from None
        self._server.listener = self
        self._detail(f"listening on {self.url}")

    def _run(self) -> None:
        server = self._server
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            server.server_close()  # joins the request threads

    def _interrupt(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None or not thread.is_alive():
            return
        server.close_connections()
        server.shutdown()

    # --- one request (on its own thread) ----------------------------------------------------

    def handle_post(self, request: _EidoHandler) -> None:
        request_id = f"req-{next(self._requests):06d}"
        where = f"HTTP {request_id}"
        if urlsplit(request.path).path.rstrip("/") != self.path.rstrip("/"):
            self._refuse(request, request_id, HTTPStatus.NOT_FOUND,
                         f"POST {request.path}: EIDO documents go to {self.path}")
            return
        length_text = request.headers.get("Content-Length")
        if length_text is None:
            self._refuse(request, request_id, HTTPStatus.LENGTH_REQUIRED,
                         "a Content-Length header is required (chunked bodies are not taken)")
            return
        try:
            length = int(length_text)
            if length < 0:
                raise ValueError
        except ValueError:
            self._refuse(request, request_id, HTTPStatus.BAD_REQUEST,
                         f"Content-Length {length_text!r} is not a size in bytes")
            return
        if length > self.max_bytes:
            head = self._drain(request, length)
            self._refuse(request, request_id, HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                         f"the document is {length} bytes; the limit is {self.max_bytes}",
                         raw=head)
            return
        try:
            body = request.rfile.read(length)
        except OSError as exc:  # a timeout, or stop() closing a quiet connection
            self._problem(where, f"the body could not be read: {exc}")
            return
        raw = body[: RAW_LIMIT + 1].decode("utf-8", errors="replace")
        if len(body) < length:
            self._problem(where, f"the sender stopped after {len(body)} of {length} bytes",
                          raw=raw)
            return
        try:
            loaded = decode_eido(body, want_object=False)
        except EidoError as exc:
            self._refuse(request, request_id, HTTPStatus.BAD_REQUEST, exc.reason,
                         raw=raw, field=exc.field)
            return
        try:
            calls = self._read_calls(loaded, request_id)
        except EidoError as exc:
            self._refuse(request, request_id, HTTPStatus.UNPROCESSABLE_ENTITY, exc.reason,
                         raw=raw, field=exc.field)
            return
        for call in calls:
            if not self._deliver(call):
                _answer(request, request_id, HTTPStatus.INTERNAL_SERVER_ERROR,
                        {"error": f"the desk could not take call {call.call_id}"})
                return
        _answer(request, request_id, HTTPStatus.ACCEPTED,
                {"accepted": [call.call_id for call in calls]})

    def _read_calls(self, loaded: object, request_id: str) -> list[Call]:
        """Every document's call, or EidoError (saying which document in a list) for the lot."""
        if loaded == []:
            raise EidoError("an empty list: no EIDO documents")
        many = isinstance(loaded, list)
        calls = []
        for number, document in enumerate(loaded if many else [loaded], start=1):
            try:
                if not isinstance(document, dict):
                    # parse_eido would read a JSON string as JSON text a second time
                    kind = type(document).__name__ if document is not None else "null"
                    raise EidoError(f"an EIDO must be a JSON object, got {kind}", field="document")
                source = f"http:{request_id}" + (f"#{number}" if many else "")
                calls.append(parse_eido(document, source=source, normaliser=self.normaliser))
            except EidoError as exc:
                raise EidoError(f"document {number}: {exc.reason}" if many else exc.reason,
                                field=exc.field) from None
        return calls

    def _refuse(self, request: _EidoHandler, request_id: str, status: HTTPStatus, reason: str,
                *, raw: str = "", field: str = "") -> None:
        self._problem(f"HTTP {request_id}", f"{status.value} {status.phrase}: {reason}",
                      raw=raw, field=field)
        _answer(request, request_id, status, {"error": reason, "field": field})

    def _drain(self, request: _EidoHandler, length: int) -> str:
        """Read and drop an oversized body (so the sender sees the answer); keep its start."""
        if length > _DRAIN_FACTOR * self.max_bytes:
            request.close_connection = True
            return ""
        head, left = b"", length
        while left > 0:
            chunk = request.rfile.read(min(left, 65536))
            if not chunk:
                break
            head = head or chunk[: RAW_LIMIT + 1]
            left -= len(chunk)
        return head.decode("utf-8", errors="replace")


def _answer(request: _EidoHandler, request_id: str, status: HTTPStatus, body: dict) -> None:
    data = json.dumps({"request_id": request_id, **body}, ensure_ascii=False).encode("utf-8")
    try:
        request.send_response(status.value)
        request.send_header("Content-Type", "application/json; charset=utf-8")
        request.send_header("Content-Length", str(len(data)))
        request.send_header("X-Request-Id", request_id)
        request.end_headers()
        request.wfile.write(data)
    except OSError as exc:  # the sender hung up; what it sent has been handled already
        log.info("eido listener: could not answer %s: %s", request_id, exc)


class _Server(ThreadingHTTPServer):
    # Request threads are joined on close, so stop() leaves none behind.
    daemon_threads = False
    block_on_close = True
    listener: EidoHttpListener

    def __init__(self, *args, **kwargs) -> None:
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def track(self, connection: socket.socket, is_open: bool) -> None:
        with self._open_lock:
            (self._open.add if is_open else self._open.discard)(connection)

    def close_connections(self) -> None:
        """Wake request threads waiting on slow senders, so stop() does not wait for them."""
        with self._open_lock:
            for connection in self._open:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def handle_error(self, request, client_address) -> None:
        log.exception("eido listener: error while serving %s", client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _EidoHandler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "rtcc-desk-eido/1"
    protocol_version = "HTTP/1.0"  # one request per connection: nothing idles on stop()

    def setup(self) -> None:
        self.timeout = self.server.listener.request_timeout_s
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        try:
            self.server.listener.handle_post(self)
        except Exception as exc:  # the listener keeps running whatever is sent
            log.exception("eido listener: unexpected error")
            self.server.listener._problem("HTTP", f"unexpected error: {exc}")
            _answer(self, "-", HTTPStatus.INTERNAL_SERVER_ERROR, {"error": str(exc)})

    def do_GET(self) -> None:  # noqa: N802
        if urlsplit(self.path).path.rstrip("/") != "/health":
            _answer(self, "-", HTTPStatus.NOT_FOUND, {"error": "POST EIDO documents; GET /health"})
            return
        health = self.server.listener.health()
        _answer(self, "-", HTTPStatus.OK, {
            "name": health.name, "state": health.state.value, "reason": health.reason,
            "accepted": health.accepted, "rejected": health.rejected,
            "last_message_at": health.last_message_at.isoformat()
            if health.last_message_at else None,
        })

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        log.debug("eido listener %s: " + format, self.address_string(), *args)
