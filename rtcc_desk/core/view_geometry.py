"""Camera view sectors in projected metres: the exact test, and polygons for the spatial index."""

from __future__ import annotations

import numpy as np
import shapely

from rtcc_desk.core.geo import angle_between, bearing_degrees

#: Vertices on each view polygon's outline; a fixed count lets shapely build them all at once.
#: Few are needed: the tree is queried by bounding box and the exact test decides.
RING_VERTICES = 10
#: Slack for floating-point noise on the sector's edges (metres and degrees).
EDGE_TOLERANCE = 1e-6
#: How much wider than the view the index polygons are (degrees each side; metres behind the
#: camera), so that points the exact test accepts on the straight edges are never missed.
POLYGON_MARGIN_DEG = 1e-3
POLYGON_MARGIN_M = 0.01


def sees(
    cam_x: np.ndarray,
    cam_y: np.ndarray,
    bearing: np.ndarray,
    half_fov: np.ndarray,
    range_m: np.ndarray,
    x: float,
    y: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Which cameras' views cover the point (x, y); returns (covers, distance in metres).

    ``bearing`` is NaN for direction unknown (a full circle of the range). A point exactly on
    the edge of the angle or at exactly the range counts as seen.
    """
    dx = x - cam_x
    dy = y - cam_y
    distance = np.hypot(dx, dy)
    in_range = distance <= range_m + EDGE_TOLERANCE
    unknown = np.isnan(bearing)
    off_axis = angle_between(bearing_degrees(dx, dy), np.where(unknown, 0.0, bearing))
    in_angle = unknown | (half_fov >= 180.0) | (off_axis <= half_fov + EDGE_TOLERANCE)
    return in_range & in_angle, distance


def view_polygons(
    cam_x: np.ndarray,
    cam_y: np.ndarray,
    bearing: np.ndarray,
    half_fov: np.ndarray,
    range_m: np.ndarray,
) -> np.ndarray:
    """Polygons that contain each camera's whole view sector (never smaller than the view).

    Arc vertices sit on a slightly larger radius so each chord is tangent to the true arc;
    the index may therefore offer a few extra cameras, and ``sees`` has the final word.
    """
    n = len(cam_x)
    circle = np.isnan(bearing) | (half_fov >= 180.0)
    # Sectors: apex + (RING_VERTICES - 1) arc points. Circles: RING_VERTICES points around.
    arc_points = RING_VERTICES - 1
    start = np.where(circle, 0.0, np.nan_to_num(bearing) - half_fov - POLYGON_MARGIN_DEG)
    sweep = np.where(circle, 360.0, 2.0 * (half_fov + POLYGON_MARGIN_DEG))
    steps_sector = sweep / (arc_points - 1)
    steps_circle = np.full(n, 360.0 / RING_VERTICES)
    step = np.where(circle, steps_circle, steps_sector)
    radius = (range_m + POLYGON_MARGIN_M) / np.cos(np.radians(step) / 2.0)

    k = np.arange(RING_VERTICES)
    # angle index per vertex: circles use all vertices on the arc; sectors reserve vertex 0 for the apex.
    idx = np.where(circle[:, None], k[None, :], np.maximum(k[None, :] - 1, 0))
    angles = np.radians(start[:, None] + idx * step[:, None])
    xs = cam_x[:, None] + radius[:, None] * np.sin(angles)
    ys = cam_y[:, None] + radius[:, None] * np.cos(angles)
    # The apex sits a little behind the camera so the edges pass just outside it.
    behind = np.radians(np.nan_to_num(bearing) + 180.0)
    xs[~circle, 0] = (cam_x + POLYGON_MARGIN_M * np.sin(behind))[~circle]
    ys[~circle, 0] = (cam_y + POLYGON_MARGIN_M * np.cos(behind))[~circle]
    rings = np.stack([xs, ys], axis=-1)
    rings = np.concatenate([rings, rings[:, :1, :]], axis=1)  # close each ring
    return shapely.polygons(rings)
