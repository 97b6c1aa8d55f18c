"""Writes the map page (an HTML file naming local assets) into a folder the view loads from.

The page is written to a file and loaded, never passed to ``setHtml`` (capped at 2 MB), and
every script and stylesheet it names is a local file or a Qt resource. Its configuration
(base map, view, outlines) is inlined as JSON.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from string import Template
from typing import Any

import xstatic.pkg.leaflet as xstatic_leaflet

from rtcc_desk.adapters.map_tiles import MapTilesError, MBTilesPackage
from rtcc_desk.ui.map.config import MapConfig
from rtcc_desk.ui.map.tiles import TileSchemeHandler

log = logging.getLogger("rtcc.desk.map")

PAGE_DIR = Path(__file__).resolve().parent / "page"
LEAFLET_DIR = Path(xstatic_leaflet.BASE_DIR)


def write_page(folder: Path | str, config: dict[str, Any]) -> Path:
    """Write ``index.html`` with its configuration into ``folder``; returns its path."""
    template = Template((PAGE_DIR / "index.html").read_text(encoding="utf-8"))
    # "</" inside the inline config must not end the <script> element early
    inline = json.dumps(config).replace("</", "<\\/")
    html = template.substitute(
        leaflet_css=(LEAFLET_DIR / "leaflet.css").as_uri(),
        leaflet_js=(LEAFLET_DIR / "leaflet.js").as_uri(),
        page_dir=PAGE_DIR.as_uri(),
        config=inline,
    )
    path = Path(folder) / "index.html"
    path.write_text(html, encoding="utf-8")
    return path


def page_config(
    config: MapConfig, tiles: TileSchemeHandler | None, package_name: str
) -> dict[str, Any]:
    """The page's configuration; an MBTiles package is opened and handed to ``tiles``.

    A package that cannot be read leaves the plain base map and a notice on the map.
    """
    base: dict[str, Any] = {"kind": "plain"}
    notice = None
    if config.tile_url:
        base = {"kind": "tiles", "url": config.tile_url, "attribution": config.attribution,
                "maxNativeZoom": config.max_zoom}
    elif config.mbtiles and tiles is not None:
        try:
            package = MBTilesPackage(config.mbtiles)
        except MapTilesError as exc:
            log.error("map: %s; showing the plain map", exc)
            notice = f"Tile package not usable ({exc}): plain map shown"
        else:
            info = package.info
            bounds = None
            if info.bounds:
                west, south, east, north = info.bounds
                bounds = [[south, west], [north, east]]
            base = {"kind": "mbtiles", "url": tiles.add(package_name, package),
                    "attribution": config.attribution or info.attribution,
                    "minNativeZoom": info.min_zoom, "maxNativeZoom": info.max_zoom,
                    "bounds": bounds}
    return {
        "base": base, "centre": list(config.centre) if config.centre else None,
        "zoom": config.zoom, "minZoom": config.min_zoom, "maxZoom": config.max_zoom,
        "outline": config.outline, "context": config.context,
        "wedgeMinZoom": config.wedge_min_zoom, "darkenTiles": config.darken_tiles,
        "notice": notice,
    }
