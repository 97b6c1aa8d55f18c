"""The feed adapters' exception family."""

from __future__ import annotations


class FeedError(ValueError):
    """A feed source cannot be set up as asked (bad speed, rate, port or folder; started twice).

    Problems while running (a bad message, an unusable file, a port already taken) are never
    raised: they become FeedProblems and the source's health says so.
    """
