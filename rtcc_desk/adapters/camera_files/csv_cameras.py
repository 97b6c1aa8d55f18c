"""Cameras from a CSV file: columns mapped or detected, bad rows reported, the rest imported."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path

from rtcc_desk.adapters.camera_files.rows import CameraRows
from rtcc_desk.adapters.tabular import AxisOrder, TabularError, location_from_row, open_csv
from rtcc_desk.core.cameras import Camera, CameraKind
from rtcc_desk.core.rejections import ImportReport, Rejection


def import_cameras_csv(
    path: Path,
    *,
    kind: CameraKind | None = None,
    kind_column: str | None = None,
    columns: Mapping[str, str] | None = None,
    axis_order: AxisOrder = AxisOrder.LON_LAT,
    id_prefix: str | None = None,
) -> ImportReport[Camera]:
    """Import cameras from ``path``; raises TabularError when the whole file is unusable.

    ``kind`` is the kind of every camera in the file; ``kind_column`` names a column saying
    the kind per row (its value wins; ``kind`` then fills empty cells). ``columns`` maps our
    field names (see ``fields.FIELD_NAMES``) to the file's columns; fields left out are
    detected from common spellings. Explicit latitude/longitude columns win over a WKT
    column; ``axis_order`` says how that WKT column writes its POINTs. Camera ids are the
    id column (else the row number) behind ``id_prefix`` (default: the file name's stem).
    Row numbers count the header as row 1, as a spreadsheet shows them.
    """
    path = Path(path)
    source = str(path)
    # A CLI passes the text "latlon"; tabular compares members by identity.
    axis_order = AxisOrder(axis_order)
    with open_csv(path) as (header, rows):
        builder = CameraRows(
            source=source,
            header=header,
            kind=kind,
            kind_column=kind_column,
            columns=columns,
            id_prefix=path.stem if id_prefix is None else id_prefix,
            locations=True,
        )
        if columns and ("lat" in columns) != ("lon" in columns):
            raise TabularError(f"{source}: map both lat and lon, or neither")
        lat_column, lon_column, wkt_column = _location_columns(builder.columns, source, header)
        location_field = "/".join(c for c in (lat_column, lon_column, wkt_column) if c)
        for row, values in rows:
            if "__error__" in values:
                builder.report.rejected.append(_unreadable(source, row, values["__error__"]))
                continue
            builder.add(
                row,
                values,
                partial(
                    location_from_row,
                    values,
                    lat_column=lat_column,
                    lon_column=lon_column,
                    wkt_column=wkt_column,
                    axis_order=axis_order,
                ),
                location_field=location_field,
            )
    return builder.report


def _location_columns(
    columns: dict[str, str], source: str, header: list[str]
) -> tuple[str | None, str | None, str | None]:
    """The latitude, longitude and WKT columns; the file is unusable without a pair or a WKT."""
    lat, lon, wkt = columns.get("lat"), columns.get("lon"), columns.get("wkt")
    if (lat is None) != (lon is None):
        # A lone latitude or longitude column cannot place anything.
        lat = lon = None
    if lat is None and wkt is None:
        raise TabularError(
            f"{source}: no coordinate columns found or mapped (lat and lon, or wkt); "
            f"its columns are {header}"
        )
    return lat, lon, wkt


def _unreadable(source: str, row: int, reason: str) -> Rejection:
    return Rejection(source, row, "", f"the line cannot be read: {reason}")
