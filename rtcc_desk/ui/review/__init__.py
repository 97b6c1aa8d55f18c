"""The REVIEW PLAYER pane: play an uploaded clip, snapshot it, and record the verdict."""

from rtcc_desk.ui.review.pane import ReviewPlayerPane, ReviewUpload

__all__ = ["ReviewPlayerPane", "ReviewUpload"]
