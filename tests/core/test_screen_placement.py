"""Restoring windows onto the monitors that exist today."""

from __future__ import annotations

import pytest

from rtcc_desk.core.screen_placement import Rect, SavedWindow, Screen, place, remember

LEFT = Screen("DP-1", Rect(0, 0, 1920, 1040))
RIGHT = Screen("DP-2", Rect(1920, 0, 2560, 1400))
SMALL = Screen("HDMI-1", Rect(0, 0, 1280, 760))


def test_a_window_returns_to_its_own_screen_at_its_own_place():
    saved = remember(RIGHT, 1, Rect(2100, 50, 800, 600))
    screen, rect = place(saved, [LEFT, RIGHT])
    assert screen is RIGHT
    assert rect == Rect(2100, 50, 800, 600)


def test_a_screen_that_moved_in_the_desktop_keeps_the_window_at_the_same_spot_on_it():
    saved = remember(RIGHT, 1, Rect(2100, 50, 800, 600))
    moved = Screen("DP-2", Rect(0, 0, 2560, 1400))
    _, rect = place(saved, [moved, LEFT])
    assert rect == Rect(180, 50, 800, 600)


def test_a_missing_monitor_sends_the_window_to_the_screen_at_the_same_position_or_the_primary():
    saved = remember(RIGHT, 1, Rect(2100, 50, 800, 600))
    screen, rect = place(saved, [LEFT])  # DP-2 unplugged: only one screen left
    assert screen is LEFT
    assert LEFT.available.contains(rect)
    renamed = Screen("DP-3", Rect(1920, 0, 1920, 1080))
    screen, _ = place(saved, [LEFT, renamed])  # same position, new connector name
    assert screen is renamed


def test_a_window_bigger_than_the_screen_left_is_shrunk_to_fit_and_stays_fully_visible():
    saved = remember(RIGHT, 1, Rect(1920 + 1000, 600, 2400, 1300))
    screen, rect = place(saved, [SMALL])
    assert screen is SMALL
    assert rect.width == 1280 and rect.height == 760
    assert SMALL.available.contains(rect)


def test_no_screen_at_all_is_an_error_not_a_guess():
    with pytest.raises(ValueError):
        place(remember(LEFT, 0, Rect(0, 0, 10, 10)), [])
