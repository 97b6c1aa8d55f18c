"""Footage requests at the desk: the request dialog, the request queue pane and its live feed."""

from rtcc_desk.ui.requests.dialog import RequestDialog
from rtcc_desk.ui.requests.feed import RequestFeed
from rtcc_desk.ui.requests.pane import RequestQueuePane

__all__ = ["RequestDialog", "RequestFeed", "RequestQueuePane"]
