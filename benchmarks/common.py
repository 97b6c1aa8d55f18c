"""Timing helpers and the table every benchmark prints."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Figure:
    """One measured figure, its target (if any) and whether it met it."""

    name: str
    value: float
    unit: str
    target: str = ""
    met: bool | None = None

    def line(self) -> str:
        verdict = {True: "met", False: "MISSED", None: ""}[self.met]
        return f"  {self.name:<64} {self.value:>12.3f} {self.unit:<6} {self.target:<18} {verdict}"


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def per_call_seconds(fn: Callable[[object], object], inputs: list) -> list[float]:
    """Wall time of fn(x) for each input, in seconds."""
    times = []
    for item in inputs:
        start = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - start)
    return times


def median(values: list[float]) -> float:
    return statistics.median(values)


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]


def print_section(title: str, figures: list[Figure]) -> None:
    print(f"\n{title}")
    for figure in figures:
        print(figure.line())
