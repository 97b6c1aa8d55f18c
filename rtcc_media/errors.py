"""The exception family of the shared video tools."""

from __future__ import annotations


class MediaError(Exception):
    """Anything rtcc_media reports: a missing tool, a clip that could not be made, a source
    that did not come up, a remux child that failed."""


class MediaToolMissing(MediaError):
    """ffmpeg, ffprobe or libvlc is not installed on this machine."""
