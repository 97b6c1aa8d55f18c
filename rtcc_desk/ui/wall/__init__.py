"""The video wall windows: one per monitor, live pole cameras on tiles (docs/video-wall.md)."""

from rtcc_desk.ui.wall.feed import LiveStreamOpener, TileFeed, ViewSpan
from rtcc_desk.ui.wall.mime import CAMERA_MIME, camera_mime
from rtcc_desk.ui.wall.services import WallServices
from rtcc_desk.ui.wall.tile import WallTile
from rtcc_desk.ui.wall.wall_file import WallFile
from rtcc_desk.ui.wall.window import WallWindow

__all__ = ["CAMERA_MIME", "LiveStreamOpener", "TileFeed", "ViewSpan", "WallFile", "WallServices",
           "WallTile", "WallWindow", "camera_mime"]
