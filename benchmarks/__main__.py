"""Run every benchmark: `./dev.sh bench` (or `python -m benchmarks [--quick]`)."""

from __future__ import annotations

import argparse
import platform
import sys

from benchmarks import (
    correlation,
    desk_feed,
    desk_map,
    desk_queue,
    desk_start,
    edge_box,
    edge_e2e,
    imports,
    live_wall,
    server_latency,
    server_uploads,
    video_wall,
)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the benchmarks run")
    args = parser.parse_args()
    print(f"RTCC Desk benchmarks — Python {platform.python_version()} on {platform.machine()}")
    if args.quick:
        figures = correlation.run(sizes=(2_000,), queries=200, loop_queries=20) + imports.run(rows=2_000)
        figures += server_uploads.run(throughput_bytes=64 * 2**20, rss_bytes=128 * 2**20, kills=3) + \
            server_latency.run(cameras=5_000, requests=50, pings=50)
        figures += desk_feed.run(seconds=10.0) + desk_map.run(cameras=10_000, selections=20)
        figures += desk_start.run(starts=2, registered=500)
    else:
        figures = correlation.run() + imports.run() + server_uploads.run() + server_latency.run()
        figures += desk_feed.run() + desk_map.run() + desk_start.run()
    figures += desk_queue.run(seconds=5.0, uploads=5) if args.quick else desk_queue.run()
    figures += live_wall.run(tiles=4, seconds=3.0) if args.quick else live_wall.run()
    figures += video_wall.run(quick=args.quick)
    figures += edge_box.run(record_seconds=15, days=3) if args.quick else edge_box.run()
    figures += edge_e2e.run(clip_minutes=2, clips=2, lives=2) if args.quick else edge_e2e.run()
    missed = [f.name for f in figures if f.met is False]
    print(f"\n{sum(f.met is True for f in figures)} targets met, {len(missed)} missed")
    for name in missed:
        print(f"  missed: {name}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
