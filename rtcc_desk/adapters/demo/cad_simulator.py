"""A seeded CAD feed for the demo: new Shreveport calls and their updates on a simulated clock."""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rtcc_desk.adapters.demo.corridors import NEIGHBOURHOODS, StreetMap, on_land
from rtcc_desk.adapters.demo.vocabulary import CallVocabulary, VocabularyEntry, default_vocabulary
from rtcc_desk.core.calls import Call
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.jurisdiction import SHREVEPORT, Jurisdiction

#: Unit status after the call is taken, in the order a call moves through them.
STATUS_FLOW = ("DISPATCHED", "ENROUTE", "ON SCENE", "CLEARED")
NEW_CALL_STATUS = "PENDING"
SOURCE = "simulator"
DEFAULT_START = datetime(2026, 3, 6, 18, 0, tzinfo=UTC)
# What call takers type when they cannot place the caller; none of these geocodes.
_UNPLACED_ADDRESSES = (
    "UNKNOWN LOCATION",
    "CALLER DISCONNECTED - NO ADDRESS",
    "WIRELESS PHASE I - NO FIX",
    "CALLER UNSURE OF LOCATION",
    "",
)
# An incident nobody has updated for this long was closed on a channel the feed does not carry.
_STALE_AFTER = timedelta(hours=8)
# Shreveport's ~3 patrol districts, as (district, south, west, north, east); beats are a 3×3
# grid inside each, named like "B12" (district 1, beat 2).
_DISTRICTS = (
    ("1", 32.49, -93.93, 32.59, -93.66),
    ("2", 32.36, -93.93, 32.49, -93.775),
    ("3", 32.36, -93.775, 32.49, -93.66),
)


@dataclass(slots=True)
class _OpenIncident:
    call: Call
    entry: VocabularyEntry
    stage: int  # index into STATUS_FLOW; -1 while pending


def district_and_beat(location: LatLon | None) -> tuple[str, str]:
    """The demo's patrol district and beat for a position ("", "") when it has none."""
    if location is None:
        return "", ""
    for district, south, west, north, east in _DISTRICTS:
        if south <= location.lat < north and west <= location.lon < east:
            row = min(int(3 * (location.lat - south) / (north - south)), 2)
            col = min(int(3 * (location.lon - west) / (east - west)), 2)
            return district, f"B{district}{row * 3 + col + 1}"
    return "", ""


class CadSimulator:
    """New calls arrive at ``rate_per_hour`` on average (exponential gaps on a simulated clock).

    Between them the feed carries updates: a share ``update_probability`` of all messages
    move an open incident along PENDING → DISPATCHED → ENROUTE → ON SCENE → CLEARED, now and
    then with a refined location or a reclassified type. An update repeats the whole call
    with the same ``call_id`` and a later ``updated_at``, as most CAD exports do. About
    ``no_location_share`` of new calls have no usable location.
    """

    def __init__(
        self,
        *,
        seed: int = 1,
        jurisdiction: Jurisdiction = SHREVEPORT,
        vocabulary: CallVocabulary | None = None,
        start: datetime = DEFAULT_START,
        rate_per_hour: float = 35.0,
        update_probability: float = 0.7,
        no_location_share: float = 0.02,
    ) -> None:
        if start.tzinfo is None:
            raise ValueError("start must carry a time zone")
        if not (rate_per_hour > 0 and math.isfinite(rate_per_hour)):
            raise ValueError(f"rate_per_hour {rate_per_hour} must be a positive number")
        if not 0.0 <= update_probability < 1.0:
            raise ValueError(f"update_probability {update_probability} must be in [0, 1)")
        if not 0.0 <= no_location_share <= 1.0:
            raise ValueError(f"no_location_share {no_location_share} must be in [0, 1]")
        self.jurisdiction = jurisdiction
        self.vocabulary = vocabulary if vocabulary is not None else default_vocabulary()
        self.update_probability = update_probability
        self.no_location_share = no_location_share
        self._rng = random.Random(f"cad-{seed}")
        self._streets = StreetMap()
        self._zone = start.tzinfo
        self._clock = start.astimezone(UTC).replace(microsecond=0)
        # updates are extra messages on top of the new calls, so the feed as a whole runs faster
        self._messages_per_second = rate_per_hour / (1.0 - update_probability) / 3600.0
        self._sequence: dict[int, int] = {}
        self._open: dict[str, _OpenIncident] = {}

    @property
    def clock(self) -> datetime:
        """The simulated time of the latest message."""
        return self._clock

    def __iter__(self) -> Iterator[Call]:
        while True:
            yield self.next_call()

    def take(self, count: int) -> list[Call]:
        return [self.next_call() for _ in range(count)]

    def next_call(self) -> Call:
        """The next message of the feed: a new call, or an update of an open one."""
        rng = self._rng
        gap = max(1, round(rng.expovariate(self._messages_per_second)))
        self._clock += timedelta(seconds=gap)
        for call_id in [
            k for k, v in self._open.items() if self._clock - v.call.received_at > _STALE_AFTER
        ]:
            del self._open[call_id]
        if self._open and rng.random() < self.update_probability:
            return self._update(rng.choice(list(self._open.values())))
        return self._new_call()

    def _new_call(self) -> Call:
        rng = self._rng
        entry = self.vocabulary.draw(rng)
        if rng.random() < self.no_location_share:
            location, address = None, rng.choice(_UNPLACED_ADDRESSES)
        else:
            location, address = self._place()
        district, beat = district_and_beat(location)
        urgent = (entry.common_priority or 0) >= 8
        # the most urgent calls go out to a unit at once; the rest wait in the pending queue
        stage = 0 if urgent or rng.random() < 0.2 else -1
        call = Call(
            call_id=self._next_id(),
            received_at=self._clock,
            updated_at=self._clock,
            call_type=entry.call_type,
            priority=entry.priority,
            status=STATUS_FLOW[stage] if stage >= 0 else NEW_CALL_STATUS,
            address=address,
            location=location,
            district=district,
            beat=beat,
            source=SOURCE,
        )
        self._open[call.call_id] = _OpenIncident(call, entry, stage)
        return call

    def _update(self, incident: _OpenIncident) -> Call:
        rng = self._rng
        step = 1
        roll = rng.random()
        if roll < 0.05:
            step = len(STATUS_FLOW) - 1 - incident.stage  # cancelled: straight to cleared
        elif roll < 0.2:
            step = 2  # the unit's en-route status was never keyed in
        incident.stage = min(incident.stage + step, len(STATUS_FLOW) - 1)
        changes: dict = {
            "status": STATUS_FLOW[incident.stage],
            "updated_at": self._clock,
            "notes": "",
        }
        call = incident.call
        roll = rng.random()
        if roll < 0.08:
            old, incident.entry = incident.entry, self.vocabulary.draw_related(rng, incident.entry)
            changes.update(
                call_type=incident.entry.call_type,
                priority=incident.entry.priority,
                notes=f"RECLASSIFIED FROM {old.local_text}",
            )
        elif roll < 0.16 and call.location is not None:
            changes.update(location=self._nudge(call.location), notes="LOCATION REFINED")
        elif roll < 0.5 and call.location is None:
            location, address = self._place()
            district, beat = district_and_beat(location)
            changes.update(
                location=location,
                address=address,
                district=district,
                beat=beat,
                notes="LOCATION VERIFIED WITH CALLER",
            )
        incident.call = dataclasses.replace(call, **changes)
        if incident.stage == len(STATUS_FLOW) - 1:
            del self._open[call.call_id]
        return incident.call

    def _next_id(self) -> str:
        year = self._clock.astimezone(self._zone).year
        self._sequence[year] = self._sequence.get(year, 0) + 1
        return f"SPT-{year}-{self._sequence[year]:06d}"

    def _place(self) -> tuple[LatLon, str]:
        """A position and CAD-style address: beside an arterial, or in a neighbourhood."""
        rng = self._rng
        for _ in range(1000):
            if rng.random() < 0.65:
                spot = self._streets.random_point(
                    rng, min_offset=5, max_offset=60, downtown_weight=3.0
                )
                location, address = spot.location, spot.address
            else:
                hood = rng.choices(NEIGHBOURHOODS, weights=[h.weight for h in NEIGHBOURHOODS])[0]
                location = self._streets.neighbourhood_point(rng, hood)
                address = (
                    f"{rng.randint(1, 59) * 100 + rng.randint(0, 99)} {rng.choice(hood.streets)}"
                )
            if rng.random() < 0.2:  # many CAD systems give only the hundred block
                number, street = address.split(" ", 1)
                address = f"{int(number) // 100 * 100} BLK {street}"
            location = LatLon(round(location.lat, 6), round(location.lon, 6))
            if self.jurisdiction.contains(location):
                return location, address.upper()
        raise ValueError(
            f"the demo street map does not reach jurisdiction {self.jurisdiction.name!r}"
        )

    def _nudge(self, location: LatLon) -> LatLon:
        projection = self._streets.projection
        x, y = projection.to_metres(location)
        for _ in range(100):
            distance, angle = self._rng.uniform(30, 150), self._rng.uniform(0, 2 * math.pi)
            moved = projection.to_latlon(
                x + distance * math.sin(angle), y + distance * math.cos(angle)
            )
            moved = LatLon(round(moved.lat, 6), round(moved.lon, 6))
            if on_land(moved, margin_deg=0.0) and self.jurisdiction.contains(moved):
                return moved
        return location  # hemmed in by the boundary: the first fix stands
