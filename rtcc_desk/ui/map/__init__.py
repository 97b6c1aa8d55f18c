"""The map pane: cameras, calls and searches on a local Leaflet page in QtWebEngine.

Importing this package registers the ``rtcc-tiles`` URL scheme, which QtWebEngine accepts
only before its first object exists: import it before creating any web view.
"""

from rtcc_desk.core.map_payload import MapLayer
from rtcc_desk.ui.map.config import MapConfig
from rtcc_desk.ui.map.tiles import register_tile_scheme

register_tile_scheme()

from rtcc_desk.ui.map.pane import MapPane  # noqa: E402  (after the scheme is registered)

__all__ = ["MapConfig", "MapLayer", "MapPane"]
