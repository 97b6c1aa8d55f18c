"""The shared real-stream fixtures (tests/streams.py) for the video tool tests."""

from tests.streams import live_streams, module_streams, test_clip  # noqa: F401  (pytest fixtures)
