"""OpenStreetMap surveillance import and the camera:direction parser, on the real Swiss extract."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtcc_desk.adapters.camera_files import import_osm_cameras, parse_camera_direction
from rtcc_desk.adapters.camera_files.views import DEFAULT_FOV, view_from_direction
from rtcc_desk.adapters.tabular import TabularError
from rtcc_desk.core.cameras import CameraKind, RegisteredCamera, View

OSM = (
    Path(__file__).resolve().parents[3]
    / "shared" / "data" / "real" / "cameras" / "osm_surveillance_nodes_switzerland_2023.json"
)  # fmt: skip


@pytest.fixture(scope="module")
def swiss() -> dict[str, RegisteredCamera]:
    if not OSM.is_file():
        pytest.skip(f"the shared real data is not checked out next to the project ({OSM})")
    report = import_osm_cameras(OSM)
    assert (len(report.accepted), len(report.rejected)) == (2141, 3)
    # Every direction in the extract is readable, odd ones included.
    assert report.notes == []
    return {c.camera_id: c for c in report.accepted}


def view_of(cameras: dict[str, RegisteredCamera], node: int) -> tuple:
    view = cameras[f"osm:node/{node}"].view
    return (view.bearing, view.fov)


def test_the_swiss_extract_imports_all_but_the_fake_and_the_guards() -> None:
    if not OSM.is_file():
        pytest.skip("the shared real data is absent")
    report = import_osm_cameras(OSM)
    assert [(r.row, r.field) for r in report.rejected] == [
        (133, "surveillance"),  # surveillance=fake
        (951, "surveillance:type"),  # a guard, not a camera
        (1511, "surveillance:type"),
    ]
    assert all(r.source == str(OSM) for r in report.rejected)


@pytest.mark.parametrize(
    ("node", "bearing", "fov"),
    [
        (4415339540, 190.0, 90.0),  # "190"
        (4361765461, 180.0, 90.0),  # "south"
        (7484381296, 315.0, 90.0),  # "NW"
        (7484405429, 90.0, 90.0),  # "E"
        (4590454439, 225.0, 180.0),  # "180, 270": both directions with a lens around each
        (4353583563, 325.0, 270.0),  # "190-100": clockwise sweep through north
        (7176707339, 180.0, 270.0),  # "90;160;270"
        (9657674553, 260.0, 90.0),  # "-100" counted anticlockwise
        (6928121637, 228.0, 90.0),  # only the older "direction" tag
        (4380277470, 0.0, 90.0),  # "0" on a dome is still north
        (843534477, None, 360.0),  # "360" on a dome means all round
        (7556448143, None, 360.0),  # camera:type=360, no direction
        (240970435, None, 360.0),  # a dome with no direction
    ],
)
def test_real_directions(
    swiss: dict[str, RegisteredCamera], node: int, bearing: float | None, fov: float
) -> None:
    assert view_of(swiss, node) == (bearing, fov)


def test_owner_kind_and_range(swiss: dict[str, RegisteredCamera]) -> None:
    residential = sorted(c.camera_id for c in swiss.values() if c.kind is CameraKind.RESIDENTIAL)
    # surveillance=private/privat and a doorbell; everything else is taken as a business.
    assert residential == ["osm:node/4134070740", "osm:node/4693260369", "osm:node/9469288178"]
    assert swiss["osm:node/4134070740"].view.range_m == 30.0
    post_box = swiss["osm:node/7475956905"]
    assert post_box.owner_ref == "Die Post" and post_box.view.range_m == 50.0
    savoleyres = swiss["osm:node/7556448143"]
    assert savoleyres.name == "savoleyres" and savoleyres.owner_ref == "osm:node/7556448143"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("190", (190.0, None)),
        ("SE", (135.0, None)),
        ("south", (180.0, None)),
        ("South-East", (135.0, None)),
        ("northwest", (315.0, None)),
        ("north north east", (22.5, None)),
        ("WSW", (247.5, None)),
        ("180, 270", (225.0, 180.0)),
        ("190-100", (325.0, 270.0)),
        ("350 - 10", (0.0, 20.0)),
        ("0-360", (0.0, 360.0)),
        ("360-0", (0.0, 360.0)),
        ("-90-270", (270.0, 360.0)),  # the same direction written two ways: a whole turn
        ("90-90", (90.0, None)),
        ("90-90.0", (90.0, None)),  # sides compared as numbers, not as text
        ("N-0", (0.0, None)),
        ("E to 90°", (90.0, None)),
        ("N;S", (90.0, 270.0)),  # opposite directions are ambiguous: a wide sector, never a crash
        ("360", (0.0, None)),
        ("22.5°", (22.5, None)),
        ("-90", (270.0, None)),
        (" 45 ", (45.0, None)),
    ],
)
def test_parse_camera_direction(text: str, expected: tuple) -> None:
    assert parse_camera_direction(text) == expected


@pytest.mark.parametrize(
    "text", ["", "  ", "up", "400", "-361", "1e3", "NaN", "inf", "190-", "N,,S", "a-b"]
)
def test_unreadable_directions_are_unknown(text: str) -> None:
    assert parse_camera_direction(text) is None


@given(st.text() | st.text(alphabet="0123456789.-–,; °NESWnorthesuw"))
def test_parse_camera_direction_never_raises(text: str) -> None:
    result = parse_camera_direction(text)
    if result is not None:
        bearing, fov = result
        assert 0.0 <= bearing < 360.0
        assert fov is None or 0.0 < fov <= 360.0


# Non-negative only: the grammar reads no negative second side ("10--10" is unreadable).
@given(st.integers(0, 360), st.integers(1, 4), st.sampled_from(["-", " - ", "–", " to "]))
def test_a_sweep_from_a_direction_to_itself_is_one_direction(
    degrees: int, zeros: int, dash: str
) -> None:
    text = f"{degrees}{dash}{degrees}.{'0' * zeros}"
    assert parse_camera_direction(text) == (degrees % 360.0, None)


@pytest.mark.parametrize(
    ("direction", "fov", "expected"),
    [
        (None, None, View(None, 360.0, 50.0)),
        # An explicit lens without a bearing still leaves the direction unknown.
        (None, 60.0, View(None, 360.0, 50.0)),
        ((90.0, None), None, View(90.0, DEFAULT_FOV, 50.0)),
        ((90.0, None), 360.0, View(90.0, 360.0, 50.0)),  # a 360° camera with a known bearing
        ((0.0, 360.0), None, View(0.0, 360.0, 50.0)),  # a "0-360" sweep sees all round
        ((0.0, 360.0), 45.0, View(0.0, 45.0, 50.0)),
    ],
)
def test_view_from_direction(
    direction: tuple[float, float | None] | None, fov: float | None, expected: View
) -> None:
    assert view_from_direction(direction, kind=CameraKind.BUSINESS, fov=fov) == expected


def write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "osm.json"
    path.write_text(json.dumps(document))
    return path


def node(index: int, lat: object = 47.0, lon: object = 8.0, **tags: str) -> dict:
    return {"type": "node", "id": index, "lat": lat, "lon": lon,
            "tags": {"man_made": "surveillance", **tags}}  # fmt: skip


def test_odd_elements(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {
            "elements": [
                node(1, **{"camera:direction": "towards the bakery"}),
                node(2, lat=None),
                node(3, lat="47.5", lon="8.5", operator="SBB"),
                node(4, lat=0, lon=0),
                {
                    "type": "way",
                    "id": 5,
                    "center": {"lat": 47.1, "lon": 8.1},
                    "tags": {"man_made": "surveillance"},
                },
                {"type": "node", "id": 6, "lat": 47, "lon": 8, "tags": {"amenity": "bench"}},
                "junk",
                node(3, lat=47.6, lon=8.6),
            ]
        },
    )
    report = import_osm_cameras(path, id_prefix="ch")
    assert [c.camera_id for c in report.accepted] == ["ch:node/1", "ch:node/3", "ch:way/5"]
    assert report.accepted[0].view.direction_unknown
    assert report.notes == [
        f"{path}:1 [camera:direction]: 'towards the bakery' is not a direction; direction unknown"
    ]
    assert report.accepted[1].owner_ref == "SBB"
    assert [(r.row, r.field) for r in report.rejected] == [
        (2, "lat/lon"), (4, "lat/lon"), (6, "man_made"), (7, ""), (8, "id"),
    ]  # fmt: skip
    assert "first seen on row 3" in report.rejected[-1].reason
    assert "placeholder" in report.rejected[1].reason


@pytest.mark.parametrize(
    ("tags", "view"),
    [
        ({"camera:type": "dome"}, (None, 360.0)),
        ({"camera:type": "dome", "camera:direction": "360"}, (None, 360.0)),
        ({"camera:type": "panning", "direction": "360"}, (None, 360.0)),
        ({"camera:type": "360"}, (None, 360.0)),  # sees all round, but from no known reference
        ({"camera:type": "360", "camera:direction": "360"}, (None, 360.0)),
        ({"camera:type": "360", "camera:direction": "SW"}, (225.0, 360.0)),
        ({"camera:type": "dome", "camera:direction": "0-360"}, (0.0, 360.0)),
        ({"camera:type": "dome", "camera:direction": "40"}, (40.0, DEFAULT_FOV)),
        ({"camera:type": "fixed", "camera:direction": "360"}, (0.0, DEFAULT_FOV)),
        ({"camera:type": "fixed", "camera:direction": "up"}, (None, 360.0)),
        ({}, (None, 360.0)),
    ],
)
def test_all_round_and_unknown_directions(tmp_path: Path, tags: dict, view: tuple) -> None:
    (camera,) = import_osm_cameras(write(tmp_path, [node(1, **tags)])).accepted
    assert (camera.view.bearing, camera.view.fov) == view


def test_a_huge_integer_coordinate_is_a_row_rejection(tmp_path: Path) -> None:
    # json.dumps writes 10**400 as a 401-digit integer literal; float() of it overflows.
    path = write(tmp_path, [node(1, lat=10**400), node(2, lon=-(10**400)), node(3)])
    report = import_osm_cameras(path)
    assert [c.camera_id for c in report.accepted] == ["osm:node/3"]
    assert [(r.row, r.field) for r in report.rejected] == [(1, "lat/lon"), (2, "lat/lon")]
    assert "too large" in report.rejected[0].reason
    # The reason is read by a person: the 401 digits are cut short.
    assert len(report.rejected[0].reason) < 120


json_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from([47.1, 8.2, 10**400, -(10**400), "1e400", "47.5", [], {}]),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(json_values, json_values), min_size=1, max_size=5))
def test_any_coordinate_values_are_rows_reported_never_a_crash(pairs: list[tuple]) -> None:
    elements = [node(i, lat=lat, lon=lon) for i, (lat, lon) in enumerate(pairs, 1)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "osm.json"
        path.write_text(json.dumps(elements))
        report = import_osm_cameras(path)
    assert len(report.accepted) + len(report.rejected) == len(pairs)


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        '{"type": "FeatureCollection"}',
        # Longer than Python will turn into an int: the file is refused, never a ValueError.
        '[{"type": "node", "id": 1, "lat": ' + "9" * 5000 + ', "lon": 8}]',
        "[" * 100_000,
    ],
)
def test_unusable_osm_files_raise(tmp_path: Path, content: str) -> None:
    path = tmp_path / "osm.json"
    path.write_text(content)
    with pytest.raises(TabularError):
        import_osm_cameras(path)


def test_missing_osm_file_raises(tmp_path: Path) -> None:
    with pytest.raises(TabularError, match="cannot open"):
        import_osm_cameras(tmp_path / "absent.json")
