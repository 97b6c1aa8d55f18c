"""Privacy masks: what the reviewer covered is black on every frame at any size; nothing else is."""

from __future__ import annotations

import numpy as np
import pytest

from rtcc_desk.core.privacy_mask import MaskError, PrivacyMask

WINDOW = [(0.25, 0.25), (0.75, 0.25), (0.75, 0.75), (0.25, 0.75)]  # the middle of the frame


def grey_frame(width: int, height: int) -> np.ndarray:
    return np.full((height, width, 4), 180, dtype=np.uint8)


def test_masked_pixels_turn_black_and_the_rest_stays():
    frame = grey_frame(640, 360)
    PrivacyMask([WINDOW]).apply(frame, 640, 360)
    assert (frame[100:260, 170:470] == (0, 0, 0, 255)).all()  # inside the window
    assert (frame[:80, :] == 180).all() and (frame[290:, :] == 180).all()
    assert (frame[:, :150] == 180).all() and (frame[:, 490:] == 180).all()


@pytest.mark.parametrize("size", [(640, 360), (1920, 1080), (352, 240)])
def test_same_polygon_covers_the_same_part_of_the_picture_at_every_size(size):
    width, height = size
    mask = PrivacyMask([WINDOW])
    # a quarter of the frame, give or take the one-pixel border a mask adds to be safe
    assert mask.covered_fraction(width, height) == pytest.approx(0.25, abs=0.02)
    covered = mask.covered(width, height)
    assert covered[height // 2, width // 2] and not covered[0, 0] and not covered[-1, -1]


def test_a_pixel_the_polygon_only_partly_covers_is_hidden():
    # a sliver a tenth of a pixel wide still blacks out the column it crosses
    sliver = [(0.5, 0.0), (0.5 + 0.1 / 100, 0.0), (0.5 + 0.1 / 100, 1.0), (0.5, 1.0)]
    covered = PrivacyMask([sliver]).covered(100, 10)
    assert covered[:, 50].all()
    assert not covered[:, :48].any() and not covered[:, 53:].any()


def test_polygons_may_be_triangles_overlap_and_touch_the_edges():
    mask = PrivacyMask([[(0, 0), (1, 0), (0, 1)], [(0.9, 0.9), (1, 0.9), (1, 1), (0.9, 1)],
                        WINDOW])
    covered = mask.covered(200, 100)
    assert covered[0, 0] and covered[0, 198] and covered[99, 0] and covered[99, 199]
    assert not covered[90, 100]  # below the diagonal, outside the other two


def test_works_on_raw_bgra_buffers_as_a_player_hands_them_over():
    buffer = bytearray(b"\x80" * (64 * 48 * 4))
    PrivacyMask([WINDOW]).apply(buffer, 64, 48)
    pixels = np.frombuffer(buffer, np.uint8).reshape(48, 64, 4)
    assert tuple(pixels[24, 32]) == (0, 0, 0, 255) and tuple(pixels[0, 0]) == (128,) * 4


def test_no_mask_leaves_the_frame_alone_and_is_falsy():
    frame = grey_frame(32, 18)
    mask = PrivacyMask()
    mask.apply(frame, 32, 18)
    assert not mask and (frame == 180).all()


@pytest.mark.parametrize(("masks", "message"), [
    ([[(0.1, 0.1), (0.2, 0.2)]], "mask 1: 2 corners"),
    ([WINDOW, [(0.1, 0.1), (1.2, 0.1), (0.5, 0.5)]],
     r"mask 2, corner 2: x 1.2 is outside the frame"),
    ([[(0.1, 0.1), ("a", 0.1), (0.5, 0.5)]], "mask 1, corner 2: must be two numbers"),
    ([[(0.1, float("nan")), (0.2, 0.1), (0.5, 0.5)]], "mask 1, corner 1: y nan"),
    ("window", "list of polygons"),
])
def test_bad_polygons_are_refused_saying_which_and_where(masks, message):
    with pytest.raises(MaskError, match=message):
        PrivacyMask(masks)


def test_wrong_frame_size_or_read_only_frame_is_refused():
    mask = PrivacyMask([WINDOW])
    with pytest.raises(ValueError, match="a 64x48 BGRA frame has 12288"):
        mask.apply(bytearray(100), 64, 48)
    with pytest.raises(ValueError, match="read-only"):
        mask.apply(bytes(64 * 48 * 4), 64, 48)
