"""CAD feed sources for the desk: simulator, CSV replay, EIDO over HTTP, a watched folder.

Every source runs on its own plain thread and calls its sink from there; the UI marshals
the calls onto the GUI thread. See docs/feeds.md.
"""

from __future__ import annotations

from rtcc_desk.adapters.feeds.base import (
    RAW_LIMIT,
    CallbackSink,
    FeedHealth,
    FeedProblem,
    FeedSink,
    FeedSource,
    FeedState,
    ThreadedFeed,
)
from rtcc_desk.adapters.feeds.clock import FeedClock, Pacer, SystemClock
from rtcc_desk.adapters.feeds.csv_replay import CsvReplayFeed
from rtcc_desk.adapters.feeds.eido_http import EidoHttpListener
from rtcc_desk.adapters.feeds.errors import FeedError
from rtcc_desk.adapters.feeds.health_log import FeedHealthLog, SourceCounters
from rtcc_desk.adapters.feeds.hub import FeedHub
from rtcc_desk.adapters.feeds.messages import TimedCall, call_versions
from rtcc_desk.adapters.feeds.simulator_feed import SimulatorFeed
from rtcc_desk.adapters.feeds.watched_folder import WatchedFolderFeed, is_temporary

__all__ = [
    "RAW_LIMIT",
    "CallbackSink",
    "CsvReplayFeed",
    "EidoHttpListener",
    "FeedClock",
    "FeedError",
    "FeedHealth",
    "FeedHealthLog",
    "FeedHub",
    "FeedProblem",
    "FeedSink",
    "FeedSource",
    "FeedState",
    "Pacer",
    "SimulatorFeed",
    "SourceCounters",
    "SystemClock",
    "ThreadedFeed",
    "TimedCall",
    "WatchedFolderFeed",
    "call_versions",
    "is_temporary",
]
