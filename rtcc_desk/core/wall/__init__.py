"""The video wall's model (pure Python): layouts, pages, walls per monitor, tours, pop cameras."""

from rtcc_desk.core.wall.errors import CameraRefused, LayoutError, WallError
from rtcc_desk.core.wall.events import Removal, WallChange, WallEvent
from rtcc_desk.core.wall.layout import MAX_GRID, PRESETS, TileLayout, TileSpan
from rtcc_desk.core.wall.page import TileAssignment, WallPage
from rtcc_desk.core.wall.placement import CameraDirectory, may_show, refusal, wall_camera
from rtcc_desk.core.wall.pole_tree import PoleNode, TreeCamera, pole_tree
from rtcc_desk.core.wall.pop import PopResult, cameras_seeing
from rtcc_desk.core.wall.saved import (
    FORMAT_VERSION,
    RestoredWalls,
    WallFileError,
    dump_walls,
    load_walls,
    walls_from_dict,
    walls_to_dict,
)
from rtcc_desk.core.wall.stream_urls import Stream, check_stream_url, redact_url, stream_url
from rtcc_desk.core.wall.tour import MIN_TOUR_SECONDS, Tour
from rtcc_desk.core.wall.wall import Wall
from rtcc_desk.core.wall.wall_set import WallSet

__all__ = [
    "FORMAT_VERSION", "MAX_GRID", "MIN_TOUR_SECONDS", "PRESETS", "CameraDirectory",
    "CameraRefused", "LayoutError", "PoleNode", "PopResult", "Removal", "RestoredWalls",
    "Stream", "TileAssignment", "TileLayout", "TileSpan", "Tour", "TreeCamera", "Wall",
    "WallChange", "WallError", "WallEvent", "WallFileError", "WallPage", "WallSet",
    "cameras_seeing", "check_stream_url", "dump_walls", "load_walls", "may_show", "pole_tree",
    "redact_url", "refusal", "stream_url", "wall_camera", "walls_from_dict", "walls_to_dict",
]
