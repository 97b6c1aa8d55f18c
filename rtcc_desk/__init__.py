"""RTCC Desk: the analyst workstation of a city Real-Time Crime Center."""

__version__ = "0.1.0"
