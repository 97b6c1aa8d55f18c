"""Cameras from OpenStreetMap man_made=surveillance elements (a JSON list or Overpass output)."""

from __future__ import annotations

from pathlib import Path

from rtcc_desk.adapters.camera_files.formats import brief, read_json
from rtcc_desk.adapters.camera_files.views import parse_camera_direction, view_from_direction
from rtcc_desk.adapters.tabular import TabularError, is_sentinel, make_latlon
from rtcc_desk.core.cameras import Camera, CameraKind, RegisteredCamera, View
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.rejections import ImportReport, Rejection, RowError

_ALL_ROUND_TYPES = {"dome", "panning", "360"}
_CAMERA_TYPES = {"camera", "webcam", "alpr"}


def import_osm_cameras(path: Path, *, id_prefix: str = "osm") -> ImportReport[Camera]:
    """Cameras from an OSM JSON list of ``{type, id, lat, lon, tags}`` (or Overpass output).

    Row numbers are 1-based element indexes; the field of a rejection is the tag at fault.
    Decisions an analyst should know about:

    * Every OSM camera becomes a RegisteredCamera: the RTCC cannot open any of them and must
      ask. OSM cannot say who owns a camera, so it is a business camera (shops, banks,
      stations, public buildings make up nearly all of them) unless the tags say it is
      private (``surveillance=private``/``privat``) or a doorbell (``camera:mount=doorbell``):
      then residential.
    * ``surveillance=fake`` (a dummy) and ``surveillance:type=guard`` (a person) are
      rejected: neither records anything.
    * The direction comes from ``camera:direction``, else the older ``direction`` tag. A
      value the parser cannot read makes the direction unknown and adds a note; it never
      rejects the camera. ``camera:angle`` is a tilt, not a bearing, and is ignored.
    * A camera with no direction has an unknown direction (bearing None), whatever its type:
      a dome or panning camera may face anywhere, and a ``camera:type=360`` camera sees all
      round but from no known reference. Mappers write ``camera:direction=360`` on domes
      and panning cameras (all 47 such nodes in the Swiss extract) to mean "all round", so
      on those types and on 360 cameras it is no direction either; on a fixed camera 360 is
      north like 0.
    * A ``camera:type=360`` camera with a direction sees a full circle from that bearing;
      so does any camera tagged with a whole sweep such as ``0-360``.
    """
    source = str(path)
    document = read_json(Path(path))
    # Overpass API answers wrap the list as {"elements": [...]}.
    elements = document.get("elements") if isinstance(document, dict) else document
    if not isinstance(elements, list):
        raise TabularError(f"{path}: expected a JSON list of OSM elements")
    report: ImportReport[Camera] = ImportReport()
    first_row_of: dict[str, int] = {}
    for row, element in enumerate(elements, start=1):
        try:
            camera = _camera_from_element(element, id_prefix, source, row, report)
            if camera.camera_id in first_row_of:
                first = first_row_of[camera.camera_id]
                raise RowError("id", f"duplicate {camera.camera_id!r}, first seen on row {first}")
        except RowError as exc:
            report.rejected.append(Rejection(source, row, exc.field, exc.reason))
            continue
        first_row_of[camera.camera_id] = row
        report.accepted.append(camera)
    return report


def _camera_from_element(
    element: object, id_prefix: str, source: str, row: int, report: ImportReport[Camera]
) -> Camera:
    if not isinstance(element, dict):
        raise RowError("", "not an OSM element (a JSON object)")
    tags = element.get("tags") if isinstance(element.get("tags"), dict) else {}
    tags = {str(k): str(v).strip() for k, v in tags.items()}
    if tags.get("man_made") != "surveillance":
        raise RowError("man_made", f"{tags.get('man_made')!r} is not man_made=surveillance")
    if tags.get("surveillance", "").lower() == "fake":
        raise RowError("surveillance", "surveillance=fake: a dummy camera records nothing")
    kind_of_thing = tags.get("surveillance:type", "camera").lower()
    if kind_of_thing not in _CAMERA_TYPES:
        raise RowError("surveillance:type", f"{kind_of_thing!r} is not a camera")

    osm_type, osm_id = element.get("type", "node"), element.get("id")
    if osm_id is None or str(osm_id).strip() == "":
        raise RowError("id", "the element has no id")
    camera_id = f"{id_prefix}:{osm_type}/{osm_id}" if id_prefix else f"{osm_type}/{osm_id}"
    location = _element_location(element)

    residential = tags.get("surveillance", "").lower() in {"private", "privat"} or (
        tags.get("camera:mount", "").lower() == "doorbell"
    )
    kind = CameraKind.RESIDENTIAL if residential else CameraKind.BUSINESS
    view = _element_view(tags, kind, f"{source}:{row}", report)
    address = tags.get("addr:full") or " ".join(
        part for part in (tags.get("addr:street"), tags.get("addr:housenumber")) if part
    )
    return RegisteredCamera(
        camera_id=camera_id,
        name=tags.get("name", ""),
        location=location,
        view=view,
        owner_ref=tags.get("operator") or tags.get("owner") or address or camera_id,
        address=address,
        is_business=not residential,
    )


def _element_location(element: dict) -> LatLon:
    # Ways and relations exported with "out center" carry their position in "center".
    holder = element if "lat" in element or "lon" in element else element.get("center")
    lat, lon = (holder.get("lat"), holder.get("lon")) if isinstance(holder, dict) else (None, None)
    try:
        if isinstance(lat, bool) or isinstance(lon, bool):
            raise TypeError("a boolean is not a coordinate")
        lat_value, lon_value = float(lat), float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise RowError("lat/lon", f"missing or not a number ({brief(lat)}, {brief(lon)})") from None
    except OverflowError:
        # A JSON integer literal hundreds of digits long is beyond any float: refuse the row.
        reason = f"too large to be a coordinate ({brief(lat)}, {brief(lon)})"
        raise RowError("lat/lon", reason) from None
    point = make_latlon("lat/lon", lat_value, lon_value)
    if is_sentinel(point):
        raise RowError("lat/lon", f"placeholder coordinates ({lat}, {lon})")
    return point


def _element_view(tags: dict[str, str], kind: CameraKind, where: str, report: ImportReport) -> View:
    camera_type = tags.get("camera:type", "").lower()
    tag = "camera:direction" if "camera:direction" in tags else "direction"
    text = tags.get(tag, "")
    direction = parse_camera_direction(text)
    if text and direction is None:
        report.notes.append(f"{where} [{tag}]: {text!r} is not a direction; direction unknown")
    if camera_type in _ALL_ROUND_TYPES and text.strip() == "360":
        # "All round" on a camera that turns or sees everywhere: not a bearing of north.
        direction = None
    # A 360 camera sees the full circle; its direction, when tagged, is only the reference.
    fov = 360.0 if camera_type == "360" else None
    return view_from_direction(direction, kind=kind, fov=fov)
