"""Correlation over 10k and 100k cameras: index build, per-call latency, the plain loop, updates."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime

from benchmarks.common import Figure, median, p99, per_call_seconds, print_section, timed
from rtcc_desk.adapters.demo import CadSimulator, generate_demo_cameras, load_builtin_vocabulary
from rtcc_desk.core.camera_index import CameraIndex
from rtcc_desk.core.camera_scan import CameraScan
from rtcc_desk.core.jurisdiction import SHREVEPORT

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def demo_calls(count: int) -> list:
    """Simulated Shreveport calls that have a usable location (their own seed, not the cameras')."""
    simulator = CadSimulator(seed=99, vocabulary=load_builtin_vocabulary(), update_probability=0.0)
    calls = []
    while len(calls) < count:
        call = simulator.next_call()
        if call.location is not None:
            calls.append(call)
    return calls


def run(sizes: tuple[int, ...] = (10_000, 100_000), queries: int = 2000, loop_queries: int = 40) -> list[Figure]:
    calls = demo_calls(queries)
    figures: list[Figure] = []
    for size in sizes:
        cameras = generate_demo_cameras(seed=7, registered=size - 300)
        index = CameraIndex(SHREVEPORT)
        build_s, _ = timed(lambda: index.load(cameras))
        scan = CameraScan(SHREVEPORT)
        scan.load(cameras)

        index_times = per_call_seconds(lambda c: index.candidates_for_call(c, now=NOW), calls)
        loop_times = per_call_seconds(lambda c: scan.candidates_at(
            c.location, incident_time=c.received_at, now=NOW,
            radius_m=index.candidates_for_call(c, now=NOW).radius_m,
        ), calls[:loop_queries])
        # same answers, or the speed means nothing
        for call in calls[:loop_queries]:
            radius = index.candidates_for_call(call, now=NOW).radius_m
            assert index.candidates_for_call(call, now=NOW) == scan.candidates_at(
                call.location, incident_time=call.received_at, now=NOW, radius_m=radius,
                call_id=call.call_id,
            ), "index and loop disagree"
        found = sum(len(index.candidates_for_call(c, now=NOW).candidates) for c in calls)
        ratio = median(loop_times) / median(index_times)
        label = f"{len(index):,} cameras"
        big = size >= 100_000
        figures += [
            Figure(f"{label}: index build", build_s * 1000, "ms"),
            Figure(f"{label}: per call, median", median(index_times) * 1e3, "ms"),
            Figure(f"{label}: per call, p99", p99(index_times) * 1e3, "ms",
                   "< 1 ms" if big else "", p99(index_times) < 1e-3 if big else None),
            Figure(f"{label}: plain loop per call, median (baseline)", median(loop_times) * 1e3, "ms"),
            Figure(f"{label}: index speed-up over the loop", ratio, "x",
                   ">= 100x" if big else "", ratio >= 100 if big else None),
            Figure(f"{label}: candidates per call, mean", found / len(calls), ""),
        ]
        figures += _updates(index, cameras, label, big)
    print_section("Correlation", figures)
    return figures


def _updates(index: CameraIndex, cameras: list, label: str, big: bool) -> list[Figure]:
    """Add, re-aim and withdraw cameras one at a time; the occasional rebuild is included."""
    rng = random.Random(3)
    sample = rng.sample(cameras, min(2000, len(cameras)))
    added = [dataclasses.replace(c, camera_id=f"{c.camera_id}-new") for c in sample]
    reaimed = [
        dataclasses.replace(c, view=dataclasses.replace(c.view, bearing=rng.uniform(0, 359)))
        for c in sample
    ]
    add_s = per_call_seconds(index.put, added)
    reaim_s = per_call_seconds(index.put, reaimed)
    withdraw_s = per_call_seconds(index.withdraw, [c.camera_id for c in added])
    rebuild_s, _ = timed(lambda: index.load(cameras))
    mean = lambda values: sum(values) / len(values)  # noqa: E731
    target = "< 1 ms" if big else ""
    return [
        Figure(f"{label}: add one camera, mean", mean(add_s) * 1e3, "ms", target,
               mean(add_s) < 1e-3 if big else None),
        Figure(f"{label}: add one camera, worst of {len(add_s):,}", max(add_s) * 1e3, "ms"),
        Figure(f"{label}: re-aim one camera, mean", mean(reaim_s) * 1e3, "ms", target,
               mean(reaim_s) < 1e-3 if big else None),
        Figure(f"{label}: withdraw one camera, mean", mean(withdraw_s) * 1e3, "ms", target,
               mean(withdraw_s) < 1e-3 if big else None),
        Figure(f"{label}: full rebuild (cost of a change without increments)",
               rebuild_s * 1e3, "ms"),
    ]
