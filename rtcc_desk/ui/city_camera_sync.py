"""Keeps the desk's city pole cameras as the server says: privacy review state and masks.

The server is the authority on which city cameras are approved and what their masks cover
(several workstations must agree). Every few seconds the changes since the last cursor are
pulled off the GUI thread; changed cameras replace the desk's copies in the camera index and
on the map, and ``changed`` tells the walls to drop any camera that is no longer approved.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from rtcc_desk.adapters.server_link.city_cameras_api import CityCameraSync, sync_city_cameras
from rtcc_desk.adapters.server_link.errors import ServerLinkError
from rtcc_desk.ui.background import run_in_background

log = logging.getLogger("rtcc.desk.city_cameras")


class CityCameraFollower(QObject):
    changed = Signal(list)  #: camera ids whose review state, masks or place changed

    def __init__(self, desk, every_s: float = 10.0) -> None:
        super().__init__(desk)
        self.desk = desk
        self.cursor = 0
        self._busy = False
        self._timer = QTimer(self, interval=int(every_s * 1000), timeout=self.pull)

    def start(self) -> None:
        self._timer.start()
        self.pull()

    def stop(self) -> None:
        self._timer.stop()

    def pull(self) -> None:
        client = self.desk.p.client
        if self._busy or client.session is None:
            return
        self._busy = True
        cursor = self.cursor
        run_in_background(lambda: sync_city_cameras(client, cursor), self._pulled, self._failed)

    def _pulled(self, sync: CityCameraSync) -> None:
        self._busy = False
        self.cursor = sync.cursor
        index, map_pane = self.desk.p.index, self.desk.p.map
        cameras = sync.pole_cameras
        for camera in cameras:
            index.put(camera)
        for camera_id in sync.removed:
            index.withdraw(camera_id)
        if cameras:
            map_pane.put_cameras(cameras)
        if sync.removed:
            map_pane.remove_cameras(list(sync.removed))
        if cameras or sync.removed:
            log.info("city cameras from the server: %d changed, %d withdrawn",
                     len(cameras), len(sync.removed))
            self.changed.emit([c.camera_id for c in cameras] + list(sync.removed))

    def _failed(self, exc: Exception) -> None:
        self._busy = False
        if not isinstance(exc, ServerLinkError):
            log.warning("city camera sync failed: %s", exc)
