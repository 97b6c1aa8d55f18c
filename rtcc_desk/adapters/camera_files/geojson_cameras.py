"""Cameras from a GeoJSON FeatureCollection of Points, properties mapped like CSV columns."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import partial
from pathlib import Path

from rtcc_desk.adapters.camera_files.formats import brief, read_json
from rtcc_desk.adapters.camera_files.rows import CameraRows
from rtcc_desk.adapters.tabular import TabularError, make_latlon
from rtcc_desk.core.cameras import Camera, CameraKind
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.rejections import ImportReport, Rejection, RowError


def import_cameras_geojson(
    path: Path,
    *,
    kind: CameraKind | None = None,
    kind_property: str | None = None,
    properties: Mapping[str, str] | None = None,
    id_prefix: str | None = None,
) -> ImportReport[Camera]:
    """Import Point features as cameras; raises TabularError when the whole file is unusable.

    Positions come from each feature's geometry, ``[lon, lat]`` as RFC 7946 requires.
    ``kind``, ``kind_property``, ``properties`` and ``id_prefix`` work like the CSV
    importer's ``kind``, ``kind_column``, ``columns`` and ``id_prefix``; without an id
    property the feature's own ``id`` is used, else its index. Row numbers in rejections
    are 1-based feature indexes; a feature that is not a Point is refused on "geometry".
    """
    path = Path(path)
    source = str(path)
    features = _features(path)
    property_rows = [_property_texts(feature) for feature in features]
    # Property names act as the header; the first feature to use a name decides its spelling.
    header = list(dict.fromkeys(name for props in property_rows for name in props))
    builder = CameraRows(
        source=source,
        header=header,
        kind=kind,
        kind_column=kind_property,
        columns=properties,
        id_prefix=path.stem if id_prefix is None else id_prefix,
        locations=False,
    )
    for index, (feature, values) in enumerate(zip(features, property_rows, strict=True), 1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            builder.report.rejected.append(Rejection(source, index, "type", "not a Feature"))
            continue
        feature_id = feature.get("id")
        builder.add(
            index,
            values,
            partial(_point, feature.get("geometry")),
            location_field="geometry",
            fallback_id=None if feature_id in (None, "") else str(feature_id),
        )
    return builder.report


def _features(path: Path) -> list[object]:
    document = read_json(path)
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise TabularError(f"{path}: not a GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list):
        raise TabularError(f"{path}: the FeatureCollection has no features list")
    return features


def _property_texts(feature: object) -> dict[str, str]:
    """Properties as text, so the CSV rules apply unchanged (null becomes an empty cell)."""
    props = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(props, dict):
        return {}
    texts = {}
    for name, value in props.items():
        if value is None:
            texts[str(name)] = ""
        elif isinstance(value, str):
            texts[str(name)] = value
        else:
            # Numbers keep JSON's spelling (1, 2.5); nested values stay readable in reasons.
            texts[str(name)] = json.dumps(value)
    return texts


def _point(geometry: object) -> LatLon:
    if not isinstance(geometry, dict):
        raise RowError("geometry", "missing (null)")
    if geometry.get("type") != "Point":
        raise RowError("geometry", f"{geometry.get('type')!r} is not a Point")
    coordinates = geometry.get("coordinates")
    if (
        not isinstance(coordinates, list)
        or len(coordinates) < 2
        or not all(
            isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates[:2]
        )
    ):
        raise RowError("geometry", f"coordinates {brief(coordinates)} are not [lon, lat]")
    try:
        lat, lon = float(coordinates[1]), float(coordinates[0])
    except OverflowError:
        # A JSON integer literal hundreds of digits long is beyond any float: refuse the row.
        shown = ", ".join(brief(c) for c in coordinates[:2])
        raise RowError("geometry", f"coordinates [{shown}] are too large") from None
    return make_latlon("geometry", lat, lon)
