"""The CALL FEED pane: live calls, merged updates, filters, search, flash and chime."""

from rtcc_desk.ui.calls.model import BandRole, CallFeedModel, CallIdRole
from rtcc_desk.ui.calls.pane import CallsPane

__all__ = ["BandRole", "CallFeedModel", "CallIdRole", "CallsPane"]
