"""Edge boxes at the desk: the clip dialog and the live window (wired by ``ui/edge_actions.py``)."""

from rtcc_desk.ui.edge.clip_dialog import EdgeClipDialog
from rtcc_desk.ui.edge.live_window import EdgeLiveWindow

__all__ = ["EdgeClipDialog", "EdgeLiveWindow"]
