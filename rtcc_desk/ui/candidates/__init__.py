"""The CANDIDATES pane: cameras that may have seen the call, with live overwrite countdowns."""

from rtcc_desk.ui.candidates.model import CameraIdRole, CandidateTableModel
from rtcc_desk.ui.candidates.pane import CandidatesPane

__all__ = ["CameraIdRole", "CandidateTableModel", "CandidatesPane"]
