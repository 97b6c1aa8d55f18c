"""Reading camera JSON files, and telling CSV, GeoJSON and OpenStreetMap camera files apart."""

from __future__ import annotations

import json
from pathlib import Path

from rtcc_desk.adapters.tabular import TabularError

#: Name endings that decide the format without opening the file.
_BY_SUFFIX = {".csv": "csv", ".txt": "csv", ".geojson": "geojson"}


def read_json(path: Path) -> object:
    """The parsed document; TabularError for a file that is missing or not JSON Python can read."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise TabularError(f"{path}: cannot open: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise TabularError(f"{path}: not a JSON file: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TabularError(f"{path}: not a JSON file: {exc}") from None
    except ValueError:
        # Past JSONDecodeError, json raises ValueError only for an integer literal longer
        # than Python will convert (4300 digits); its advice to raise the limit is no use here.
        raise TabularError(f"{path}: a number in the file is thousands of digits long") from None
    except RecursionError:
        raise TabularError(f"{path}: the JSON is nested too deeply to read") from None


def detect_camera_file_format(path: Path) -> str:
    """A camera file's format, ``csv``, ``geojson`` or ``osm``: from its name, or its JSON.

    A ``.json`` file is GeoJSON when it is a FeatureCollection object and OpenStreetMap when
    it is a list of elements or an Overpass answer ``{"elements": [...]}``. The whole file is
    parsed, not a first few kilobytes: a writer may put "type" after the features. Anything
    else raises TabularError naming the file and what it holds.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if suffix != ".json":
        raise TabularError(
            f"{path}: cannot tell the format from the name (.csv, .txt, .geojson or .json); "
            "give the format"
        )
    document = read_json(path)
    if isinstance(document, list):
        return "osm"
    if isinstance(document, dict):
        if document.get("type") == "FeatureCollection":
            return "geojson"
        if isinstance(document.get("elements"), list):
            return "osm"
        raise TabularError(f"{path}: neither GeoJSON nor OpenStreetMap: {_described(document)}")
    raise TabularError(
        f"{path}: neither GeoJSON nor OpenStreetMap: the file holds {_described(document)}"
    )


def _described(document: object) -> str:
    """What a JSON document is, in words a user can check against the file."""
    if isinstance(document, dict):
        if "elements" in document:
            return f"its elements are a JSON {_json_type(document['elements'])}, not a list"
        if "type" in document:
            return f"a JSON object with type {brief(document['type'])}, not a FeatureCollection"
        keys = sorted(str(k) for k in document)
        shown = keys[:8] + (["..."] if len(keys) > 8 else [])
        return f"a JSON object with keys {shown}"
    return f"a JSON {_json_type(document)} {brief(document)}"


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def brief(value: object, limit: int = 40) -> str:
    """``repr(value)`` cut to about ``limit`` characters, for reasons a person reads."""
    text = repr(value)
    if isinstance(value, int) and len(text) > limit:
        # A 401-digit integer says more as its length than as its first digits.
        return f"an integer of {len(text.lstrip('-'))} digits"
    return text if len(text) <= limit else f"{text[: limit - 3]}..."
