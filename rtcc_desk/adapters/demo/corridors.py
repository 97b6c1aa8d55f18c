"""Shreveport's arterials, downtown streets and neighbourhoods as data, and points beside them."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np

from rtcc_desk.core.geo import LatLon, bearing_degrees
from rtcc_desk.core.jurisdiction import SHREVEPORT


@dataclass(frozen=True, slots=True)
class Corridor:
    """A street as a polyline of (lat, lon) points, with its demo pole count and numbering."""

    name: str
    points: tuple[tuple[float, float], ...]
    poles: int
    first_number: int = 100
    downtown: bool = False


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    """A residential area: centre, spread in metres, some streets, relative share of homes."""

    name: str
    centre: tuple[float, float]
    spread_m: float
    streets: tuple[str, ...]
    weight: float


# Approximate, hand-traced from memory of the city's map: good to a block or two, which is all a
# demo needs. 30 of the 90 poles sit downtown (around 32.51, -93.75), as real deployments do.
# fmt: off
CORRIDORS: tuple[Corridor, ...] = (
    Corridor("Texas St", ((32.5135, -93.7410), (32.5115, -93.7490), (32.5095, -93.7560)),
             8, 100, True),
    Corridor("Milam St", ((32.5150, -93.7418), (32.5130, -93.7505)), 5, 100, True),
    Corridor("Crockett St", ((32.5162, -93.7425), (32.5142, -93.7512)), 4, 100, True),
    Corridor("Spring St", ((32.5170, -93.7442), (32.5075, -93.7432)), 4, 100, True),
    Corridor("Edwards St", ((32.5172, -93.7477), (32.5077, -93.7467)), 5, 100, True),
    Corridor("Common St", ((32.5160, -93.7535), (32.5050, -93.7525)), 4, 100, True),
    Corridor("Line Ave", ((32.5070, -93.7520), (32.4900, -93.7510), (32.4700, -93.7500),
                          (32.4500, -93.7470), (32.4300, -93.7430), (32.4100, -93.7380)), 6, 600),
    Corridor("Youree Dr", ((32.4680, -93.7300), (32.4500, -93.7240), (32.4300, -93.7180),
                           (32.4100, -93.7120), (32.3900, -93.7070), (32.3750, -93.7030)), 7, 3000),
    Corridor("Kings Hwy", ((32.4850, -93.7950), (32.4820, -93.7750), (32.4790, -93.7620),
                           (32.4730, -93.7500), (32.4650, -93.7380), (32.4580, -93.7280)), 6, 100),
    Corridor("Mansfield Rd", ((32.4700, -93.7720), (32.4450, -93.7780), (32.4200, -93.7850),
                              (32.3950, -93.7920), (32.3700, -93.8000)), 5, 2800),
    Corridor("Hearne Ave", ((32.5050, -93.7790), (32.4850, -93.7820), (32.4650, -93.7850),
                            (32.4550, -93.7860)), 4, 400),
    Corridor("Jewella Ave", ((32.5050, -93.8050), (32.4800, -93.8070), (32.4550, -93.8080),
                             (32.4350, -93.8100)), 3, 1200),
    Corridor("N Market St", ((32.5140, -93.7500), (32.5280, -93.7560), (32.5450, -93.7600),
                             (32.5650, -93.7650), (32.5800, -93.7680)), 5, 1000),
    Corridor("Texas Ave", ((32.5095, -93.7560), (32.5050, -93.7650), (32.5000, -93.7750),
                           (32.4950, -93.7850)), 3, 1000),
    Corridor("Greenwood Rd", ((32.4930, -93.7870), (32.4850, -93.8050), (32.4760, -93.8300),
                              (32.4680, -93.8600), (32.4580, -93.9000)), 4, 2400),
    Corridor("Pines Rd", ((32.4700, -93.8820), (32.4450, -93.8820), (32.4200, -93.8800),
                          (32.3950, -93.8780)), 3, 3800),
    Corridor("W 70th St", ((32.4330, -93.8600), (32.4320, -93.8200), (32.4310, -93.7900),
                           (32.4300, -93.7500), (32.4290, -93.7250)), 5, 100),
    Corridor("Martin Luther King Jr Dr", ((32.5480, -93.7620), (32.5500, -93.7480),
                                          (32.5530, -93.7380)), 3, 1800),
    Corridor("Hollywood Ave", ((32.4480, -93.8350), (32.4490, -93.8000), (32.4500, -93.7750),
                               (32.4510, -93.7550)), 3, 100),
    Corridor("Linwood Ave", ((32.5000, -93.7630), (32.4800, -93.7650), (32.4550, -93.7680),
                             (32.4300, -93.7700), (32.4100, -93.7750)), 3, 1300),
)

NEIGHBOURHOODS: tuple[Neighbourhood, ...] = (
    Neighbourhood("Highland", (32.4880, -93.7450), 700,
                  ("Fairfield Ave", "Creswell Ave", "Gilbert Dr", "Olive St", "Herndon St"), 1.4),
    Neighbourhood("South Highlands", (32.4650, -93.7520), 800,
                  ("Fairfield Ave", "Dudley Dr", "Erie St", "Ontario St", "Thora Blvd"), 1.3),
    Neighbourhood("Broadmoor", (32.4560, -93.7370), 800,
                  ("Gilbert Dr", "Dudley Dr", "Kenwood Dr", "Ockley Dr", "Albany Ave"), 1.3),
    Neighbourhood("Queensborough", (32.4880, -93.7900), 700,
                  ("Hollywood Ave", "Portland Ave", "Midway St", "Dalzell St", "Hudson Ave"), 1.0),
    Neighbourhood("Allendale", (32.5030, -93.7680), 500,
                  ("Pierre Ave", "Alston St", "Sprague St", "Baker St", "Allen Ave"), 0.8),
    Neighbourhood("Cedar Grove", (32.4620, -93.7700), 600,
                  ("E 70th St", "Bolinger Pl", "Lavonia Ave", "Mary Lee Pl", "Atlantic Ave"), 0.9),
    Neighbourhood("Sunset Acres", (32.4450, -93.8000), 700,
                  ("Meriwether Rd", "Walker Rd", "Wallace Ave", "Sunset Dr", "Bayou Dr"), 1.0),
    Neighbourhood("Southern Hills", (32.4000, -93.7800), 1000,
                  ("Southfield Rd", "Ellerbe Rd", "Lakeshore Dr", "Meadow Lake Dr"), 1.2),
    Neighbourhood("Pierremont", (32.4350, -93.7280), 700,
                  ("Pierremont Rd", "Fern Ave", "Captain Shreve Dr", "Gregg St"), 1.1),
    Neighbourhood("Martin Luther King", (32.5530, -93.7480), 800,
                  ("Lillian St", "Hassett St", "Pinecroft Dr", "Russell Rd"), 0.9),
    Neighbourhood("Cooper Road", (32.5350, -93.7700), 700,
                  ("Cooper Rd", "Hines St", "Lakeview Dr", "Mansfield St"), 0.8),
    Neighbourhood("Western Hills", (32.4550, -93.8450), 900,
                  ("Buncombe Rd", "Jefferson Paige Rd", "Hollywood Ave", "Timberlane Dr"), 1.0),
    Neighbourhood("Summer Grove", (32.4150, -93.8300), 900,
                  ("Summer Grove Dr", "Walker Rd", "Woodlawn Ave", "Meadowdale Dr"), 1.0),
    Neighbourhood("University Terrace", (32.4300, -93.7450), 600,
                  ("Albert St", "Centenary Blvd", "Lydia St", "Fulton St"), 0.8),
)

# fmt: on

# The Red River bounds the city on the east; points must stay on its west (Shreveport) bank.
# (lat, lon) from north to south; the bank is taken as a straight line between points.
RED_RIVER: tuple[tuple[float, float], ...] = (
    (32.600, -93.727),
    (32.560, -93.728),
    (32.530, -93.733),
    (32.512, -93.737),
    (32.490, -93.724),
    (32.470, -93.712),
    (32.430, -93.695),
    (32.400, -93.685),
    (32.350, -93.675),
)
# Cross Lake, north-west of downtown: (south, west, north, east), trimmed to keep its shores.
CROSS_LAKE = (32.500, -93.910, 32.550, -93.810)


def _river_lon_at(lat: float) -> float:
    lats = [p[0] for p in reversed(RED_RIVER)]
    lons = [p[1] for p in reversed(RED_RIVER)]
    return float(np.interp(lat, lats, lons))


def on_land(point: LatLon, margin_deg: float = 0.004) -> bool:
    """Inside the city box, west of the river with a margin, and not in Cross Lake."""
    if not SHREVEPORT.contains(point):
        return False
    if point.lon > _river_lon_at(point.lat) - margin_deg:
        return False
    south, west, north, east = CROSS_LAKE
    return not (south <= point.lat <= north and west <= point.lon <= east)


@dataclass(frozen=True, slots=True)
class StreetPoint:
    """A point beside a street: position, street heading there, and a plausible address."""

    location: LatLon
    heading: float
    towards_street: float
    address: str
    corridor: Corridor


class StreetMap:
    """The corridors projected to metres, so points can be placed by distance along a street."""

    def __init__(self, corridors: tuple[Corridor, ...] = CORRIDORS) -> None:
        self.projection = SHREVEPORT.projection()
        self.corridors = corridors
        self._xy: list[np.ndarray] = []
        self._cumulative: list[np.ndarray] = []
        for corridor in corridors:
            xy = np.array([self.projection.to_metres(LatLon(*p)) for p in corridor.points])
            steps = np.hypot(*np.diff(xy, axis=0).T)
            self._xy.append(xy)
            self._cumulative.append(np.concatenate([[0.0], np.cumsum(steps)]))

    def length(self, index: int) -> float:
        return float(self._cumulative[index][-1])

    def point_at(self, index: int, distance: float, offset: float) -> StreetPoint:
        """The point ``distance`` m along corridor ``index``, ``offset`` m to its right (<0: left).

        House numbers grow along the polyline, even on the right and odd on the left, as
        American addressing does; about 100 numbers per 160 m block.
        """
        corridor, xy, cum = self.corridors[index], self._xy[index], self._cumulative[index]
        distance = min(max(distance, 0.0), float(cum[-1]))
        seg = min(max(int(np.searchsorted(cum, distance, side="right")) - 1, 0), len(xy) - 2)
        (x0, y0), (x1, y1) = xy[seg], xy[seg + 1]
        t = (distance - cum[seg]) / max(cum[seg + 1] - cum[seg], 1e-9)
        dx, dy = x1 - x0, y1 - y0
        norm = math.hypot(dx, dy) or 1.0
        # right-hand normal of the direction of travel (dx, dy) is (dy, -dx)
        nx, ny = dy / norm, -dx / norm
        x, y = x0 + t * dx + offset * nx, y0 + t * dy + offset * ny
        heading = float(bearing_degrees(dx, dy))
        towards = (
            float(bearing_degrees(-nx, -ny)) if offset >= 0 else float(bearing_degrees(nx, ny))
        )
        number = corridor.first_number + int(distance / 1.6)
        number = number - number % 2 + (0 if offset >= 0 else 1)
        return StreetPoint(
            location=self.projection.to_latlon(x, y),
            heading=heading,
            towards_street=towards,
            address=f"{number} {corridor.name}",
            corridor=corridor,
        )

    def random_point(
        self,
        rng: random.Random,
        *,
        max_offset: float,
        min_offset: float = 8.0,
        downtown_weight: float = 1.0,
    ) -> StreetPoint:
        """A point beside a random corridor (weighted by length), on land."""
        weights = [
            self.length(i) * (downtown_weight if c.downtown else 1.0)
            for i, c in enumerate(self.corridors)
        ]
        while True:
            index = rng.choices(range(len(self.corridors)), weights=weights)[0]
            offset = rng.uniform(min_offset, max_offset) * rng.choice((-1.0, 1.0))
            point = self.point_at(index, rng.uniform(0.0, self.length(index)), offset)
            if on_land(point.location):
                return point

    def neighbourhood_point(self, rng: random.Random, hood: Neighbourhood) -> LatLon:
        """A point scattered around a neighbourhood's centre, on land."""
        cx, cy = self.projection.to_metres(LatLon(*hood.centre))
        while True:
            point = self.projection.to_latlon(
                cx + rng.gauss(0.0, hood.spread_m), cy + rng.gauss(0.0, hood.spread_m)
            )
            if on_land(point):
                return point
