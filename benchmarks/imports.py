"""Import speed of a 100k-row camera CSV against a bare csv.reader pass over the same file."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from benchmarks.common import Figure, print_section, timed
from rtcc_desk.adapters.camera_files import import_cameras_csv
from rtcc_desk.adapters.demo import generate_demo_cameras, write_demo_cameras_csv
from rtcc_desk.adapters.store import open_store, save_cameras


def run(rows: int = 100_000) -> list[Figure]:
    cameras = generate_demo_cameras(seed=11, registered=rows - 300)
    with tempfile.TemporaryDirectory() as folder:
        path = write_demo_cameras_csv(cameras, Path(folder) / "cameras.csv")
        read_s, _ = timed(lambda: sum(1 for _ in csv.reader(open(path, newline=""))))
        import_s, report = timed(lambda: import_cameras_csv(path, kind_column="kind", id_prefix=""))
        sessions = open_store(f"sqlite:///{folder}/bench.sqlite3")
        with sessions() as session:
            store_s, _ = timed(lambda: save_cameras(session, report.accepted))
    n = len(report.accepted)
    figures = [
        Figure(f"camera CSV, {n:,} rows: csv.reader pass (baseline)", read_s, "s"),
        Figure(f"camera CSV, {n:,} rows: parse and validate", import_s, "s"),
        Figure("  rows per second", n / import_s, "rows/s"),
        Figure("  cost relative to the bare read", import_s / read_s, "x"),
        Figure(f"store {n:,} cameras in SQLite (upsert)", store_s, "s"),
    ]
    print_section("Imports", figures)
    return figures
