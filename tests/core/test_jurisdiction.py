"""Jurisdiction boundaries from GeoJSON or a bounding box, and what falls outside them."""

from __future__ import annotations

import json

import pytest

from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.jurisdiction import SHREVEPORT, Jurisdiction, JurisdictionError

# An L-shaped city: the north-east quarter of the box is another town.
L_SHAPE = {
    "type": "Polygon",
    "coordinates": [[
        [-93.90, 32.40], [-93.70, 32.40], [-93.70, 32.48], [-93.80, 32.48],
        [-93.80, 32.56], [-93.90, 32.56], [-93.90, 32.40],
    ]],
}


def test_polygon_file_follows_the_boundary_not_its_box(tmp_path):
    path = tmp_path / "city.geojson"
    path.write_text(json.dumps({"type": "Feature", "properties": {"name": "L City"}, "geometry": L_SHAPE}))
    city = Jurisdiction.from_text(str(path))
    assert city.name == "L City"
    assert city.contains(LatLon(32.45, -93.85))
    assert city.contains(LatLon(32.45, -93.75))  # the southern arm
    assert not city.contains(LatLon(32.52, -93.75))  # the notch: inside the box, outside the city


def test_feature_collection_is_the_union_of_its_parts():
    west = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[
        [-94.0, 32.0], [-93.9, 32.0], [-93.9, 32.1], [-94.0, 32.1], [-94.0, 32.0]]]}}
    east = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[
        [-93.5, 32.0], [-93.4, 32.0], [-93.4, 32.1], [-93.5, 32.1], [-93.5, 32.0]]]}}
    both = Jurisdiction.from_geojson({"type": "FeatureCollection", "features": [west, east]})
    assert both.contains(LatLon(32.05, -93.95)) and both.contains(LatLon(32.05, -93.45))
    assert not both.contains(LatLon(32.05, -93.7))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("32.6,-93.9,32.3,-93.6", "south<north"),
        ("a,b,c,d", "bounding box"),
        ("/nonexistent/city.geojson", "cannot read GeoJSON"),
    ],
)
def test_unusable_boundaries_say_why(text, message):
    with pytest.raises(JurisdictionError, match=message):
        Jurisdiction.from_text(text)


def test_a_point_geometry_is_not_a_boundary():
    with pytest.raises(JurisdictionError, match="polygon"):
        Jurisdiction.from_geojson({"type": "Point", "coordinates": [-93.75, 32.5]})


def test_shreveport_projection_measures_metres():
    projection = SHREVEPORT.projection()
    # one minute of latitude is about 1,848 m at this latitude
    x1, y1 = projection.to_metres(LatLon(32.50, -93.75))
    x2, y2 = projection.to_metres(LatLon(32.50 + 1 / 60, -93.75))
    assert abs(x2 - x1) < 1.0  # grid north within 0.03° of true north here
    assert y2 - y1 == pytest.approx(1848.3, abs=2)
