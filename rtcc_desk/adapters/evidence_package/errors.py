"""What can go wrong making or reading an evidence package."""

from __future__ import annotations


class PackageError(Exception):
    """An evidence package could not be made as asked; the message says why."""


class HashMismatch(PackageError):
    """A downloaded original is not the file the server recorded: nothing was packaged."""

    def __init__(self, name: str, expected: str, actual: str) -> None:
        super().__init__(f"{name}: SHA-256 {actual} differs from the server's recorded "
                         f"{expected}; the package was not written")
        self.name, self.expected, self.actual = name, expected, actual


class PackageUnusable(PackageError):
    """The path is not an evidence package that can be checked (no manifest, not a zip…)."""
