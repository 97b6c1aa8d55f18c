"""Serving the owner page with uvicorn inside the box's own event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import uvicorn

from rtcc_edge.owner_page.app import create_app

if TYPE_CHECKING:
    from rtcc_edge.box import EdgeBox

log = logging.getLogger(__name__)


class _QuietSignals(uvicorn.Server):
    # The box handles SIGTERM itself (recorders must close their segments first).
    @contextlib.contextmanager
    def capture_signals(self):
        yield


async def serve_owner_page(box: EdgeBox, stop: asyncio.Event) -> None:
    page = box.settings.owner_page
    config = uvicorn.Config(create_app(box), host=page.host, port=page.port, log_level="warning",
                            access_log=False, lifespan="off", proxy_headers=False)
    server = _QuietSignals(config)
    log.info("owner page on http://%s:%d/", page.host, page.port)
    serving = asyncio.create_task(server.serve())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    stopping.cancel()
    await serving
