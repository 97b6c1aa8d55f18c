"""In-process wake-ups for boxes' long-polls and the fan-out of live streams to desks.

A box waiting for work is an ``asyncio.Event`` on the server's event loop, not a thread or a
database session: hundreds of boxes can wait at once. ``wake`` and ``LiveRelay.end`` may be
called from any thread (sync routes run in a worker pool); they hand over to the loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator

from server_stub.services import Services

#: Bytes a desk may fall behind a live stream before it is cut off (its player reconnects).
READER_BACKLOG_BYTES = 8 * 1024 * 1024


class _Waiter:
    def __init__(self, box_id: str) -> None:
        self.box_id = box_id
        self.loop = asyncio.get_running_loop()
        self.event = asyncio.Event()


class EdgeHub:
    """Which boxes are waiting in a long-poll right now, and the live relays in progress."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[str, set[_Waiter]] = {}
        self._relays: dict[str, LiveRelay] = {}

    # ----- long-polls -----------------------------------------------------------------------

    def waiter(self, box_id: str) -> _Waiter:
        """Register before looking for work, so a command queued meanwhile still wakes it."""
        waiter = _Waiter(box_id)
        with self._lock:
            self._waiters.setdefault(box_id, set()).add(waiter)
        return waiter

    def forget(self, waiter: _Waiter) -> None:
        with self._lock:
            waiting = self._waiters.get(waiter.box_id)
            if waiting is not None:
                waiting.discard(waiter)
                if not waiting:
                    del self._waiters[waiter.box_id]

    def waiting(self, box_id: str) -> bool:
        """The box is connected in a long-poll at this moment (so it is online)."""
        with self._lock:
            return bool(self._waiters.get(box_id))

    def wake(self, box_id: str) -> None:
        """New work for ``box_id``: its long-poll answers now. Safe from any thread."""
        with self._lock:
            waiting = list(self._waiters.get(box_id, ()))
        for waiter in waiting:
            waiter.loop.call_soon_threadsafe(waiter.event.set)

    # ----- live relays ----------------------------------------------------------------------

    def relay(self, session_id: str) -> LiveRelay:
        """The relay of a live session, made on first use; call from the event loop."""
        with self._lock:
            relay = self._relays.get(session_id)
            if relay is None:
                relay = self._relays[session_id] = LiveRelay()
            return relay

    def readers(self, session_id: str) -> int:
        """How many desks are reading a live session in this process right now."""
        with self._lock:
            relay = self._relays.get(session_id)
        return relay.readers if relay is not None else 0

    def end_relay(self, session_id: str, code: str, reason: str) -> None:
        """End a session's relay, if this process has one (safe from any thread)."""
        with self._lock:
            relay = self._relays.pop(session_id, None)
        if relay is not None:
            relay.end(code, reason)


def hub_of(services: Services) -> EdgeHub:
    return services.extra.setdefault("edge_hub", EdgeHub())


class _Reader:
    def __init__(self) -> None:
        self.chunks: deque[bytes] = deque()
        self.size = 0
        self.cut = False
        self.ready = asyncio.Event()


class LiveRelay:
    """One box's MPEG-TS fanned out to every desk reading it, as it arrives; nothing is stored.

    Each reader has its own bounded backlog: a slow desk is cut off (its player may reconnect)
    rather than slowing the box or the other desks down, and memory stays bounded.
    """

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.started = asyncio.Event()
        self.ended = asyncio.Event()
        self.end_code = ""
        self.end_reason = ""
        self._readers: set[_Reader] = set()

    def publish(self, chunk: bytes) -> None:
        """Bytes from the box (on the loop, from the ingest request)."""
        self.started.set()
        for reader in list(self._readers):
            if reader.size + len(chunk) > READER_BACKLOG_BYTES:
                reader.cut = True
                self._readers.discard(reader)
            else:
                reader.chunks.append(chunk)
                reader.size += len(chunk)
            reader.ready.set()

    def end(self, code: str, reason: str) -> None:
        """No more bytes: readers finish what they have, then their streams end. Any thread."""
        def finish() -> None:
            if not self.ended.is_set():
                self.end_code, self.end_reason = code, reason
                self.ended.set()
            for reader in self._readers:
                reader.ready.set()
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            finish()
        else:
            self.loop.call_soon_threadsafe(finish)

    def subscribe(self) -> _Reader:
        """Join before the first byte, so a reader gets the stream's start (its first keyframe)."""
        reader = _Reader()
        self._readers.add(reader)
        return reader

    def unsubscribe(self, reader: _Reader) -> None:
        self._readers.discard(reader)

    async def read(self, reader: _Reader) -> AsyncIterator[bytes]:
        try:
            while True:
                while reader.chunks:
                    chunk = reader.chunks.popleft()
                    reader.size -= len(chunk)
                    yield chunk
                if reader.cut or self.ended.is_set():
                    return
                reader.ready.clear()
                await reader.ready.wait()
        finally:
            self._readers.discard(reader)

    @property
    def readers(self) -> int:
        return len(self._readers)
