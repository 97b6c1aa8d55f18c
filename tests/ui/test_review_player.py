"""The REVIEW PLAYER pane offscreen with real libvlc: frames shown, snapshot with its caption,
verdict and viewing signals, native files offered for export, and a 1920x1080 screenshot."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel

from rtcc_desk.adapters.player import PlayerState, PlayerUnavailable, VlcPlayer, load_vlc
from rtcc_desk.ui.review import ReviewPlayerPane, ReviewUpload
from tests.adapters.test_player import h264_clip  # noqa: F401  (session fixture)
from tests.ui.test_calls_pane import assert_not_blank, dark_theme  # noqa: F401

CLIP_START = datetime(2026, 3, 5, 21, 44, 0, tzinfo=UTC)


@pytest.fixture
def vlc_available():
    try:
        load_vlc()
    except PlayerUnavailable as exc:
        pytest.skip(f"libvlc cannot be loaded: {exc}")


def make_pane(qtbot, tmp_path, upload) -> ReviewPlayerPane:
    pane = ReviewPlayerPane(upload, tmp_path / "snapshots", player_factory=VlcPlayer)
    qtbot.addWidget(pane)
    pane.resize(1920, 1080)
    pane.show()
    return pane


def clip_upload(clip) -> ReviewUpload:
    return ReviewUpload(
        upload_id="U-17", camera="Pharmacy – parking lot", source=str(clip), filename=clip.name,
        clip_start=CLIP_START, window_start=CLIP_START + timedelta(seconds=1),
        window_end=CLIP_START + timedelta(seconds=3))


def distinct_colours(image: QImage) -> int:
    return len({image.pixel(x, y) for x in range(0, image.width(), 7)
                for y in range(0, image.height(), 7)})


def test_pane_plays_snapshots_and_records_the_verdict(
        qtbot, tmp_path, h264_clip, vlc_available, dark_theme, screenshot_dir):  # noqa: F811
    pane = make_pane(qtbot, tmp_path, clip_upload(h264_clip))
    qtbot.waitUntil(lambda: pane.video.pixmap() is not None and not pane.video.pixmap().isNull(),
                    timeout=10_000)
    assert distinct_colours(pane.video.grab().toImage()) > 10  # the picture, not a black box
    qtbot.waitUntil(lambda: abs(pane.timeline.maximum() - 4000) <= 200, timeout=10_000)
    assert pane.timeline.window_ms == (1000, 3000)

    with qtbot.waitSignal(pane.viewed, timeout=10_000) as viewed:
        pane.toggle_play()  # pause
    assert viewed.args[0] == "U-17" and viewed.args[1] >= 0
    qtbot.waitUntil(lambda: pane.player.state() == PlayerState.PAUSED, timeout=10_000)
    pane.seek(2000)
    qtbot.waitUntil(lambda: pane.timeline.value() >= 1500, timeout=10_000)
    pane.speed.setCurrentIndex(pane.speed.findData(0.25))
    assert pane.player.rate() == pytest.approx(0.25)

    with qtbot.waitSignal(pane.snapshot_taken, timeout=5_000) as shot:
        path = pane.take_snapshot()
    assert shot.args == ["U-17", str(path)]
    assert path.name.startswith("snapshot_U-17_Pharmacy___parking_lot_20260305T2144")
    saved = QImage(str(path))
    assert (saved.width(), saved.height()) == (320, 240) and distinct_colours(saved) > 10
    assert saved.text("Caption").startswith("2026-03-05T21:44:0")
    assert "upload U-17 · camera Pharmacy – parking lot" in saved.text("Caption")

    pane.valuable.setChecked(True)
    pane.notes.setText("grey sedan leaves lot 21:44:02")
    with qtbot.waitSignal(pane.verdict, timeout=1_000) as verdict:
        pane.save_verdict.click()
    assert verdict.args == ["U-17", True, "grey sedan leaves lot 21:44:02"]

    image = pane.grab().toImage()
    image.save(str(screenshot_dir / "review_player.png"))
    assert_not_blank(image)
    pane.close_review()
    assert pane.player is None


def test_native_file_is_listed_with_its_hash_and_exported(qtbot, tmp_path, dark_theme,  # noqa: F811
                                                          screenshot_dir):
    native = tmp_path / "CH01_20260305214400.dav"
    native.write_bytes(b"DHAV" + bytes(range(256)) * 40)
    digest = hashlib.sha256(native.read_bytes()).hexdigest()
    upload = ReviewUpload(upload_id="U-18", camera="Liquor store – ch 1", source=str(native),
                          filename=native.name, playable=False,
                          size_bytes=native.stat().st_size, sha256=digest)

    def no_player():
        raise AssertionError("a native file must not be handed to the player")

    pane = ReviewPlayerPane(upload, tmp_path / "snapshots", player_factory=no_player)
    qtbot.addWidget(pane)
    pane.resize(1920, 1080)
    pane.show()
    assert pane.player is None and not hasattr(pane, "video")
    assert pane.export_button.text() == "Export file…"
    texts = {label.text() for label in pane.findChildren(QLabel)}
    assert {native.name, digest, f"{native.stat().st_size:,} bytes"} <= texts
    image = pane.grab().toImage()
    image.save(str(screenshot_dir / "review_player_native.png"))
    out = tmp_path / "export"
    out.mkdir()
    with qtbot.waitSignal(pane.exported, timeout=1_000):
        copied = pane.export_to(out)
    assert copied.read_bytes() == native.read_bytes()


def test_missing_libvlc_is_said_plainly(qtbot, tmp_path):
    def unavailable():
        raise PlayerUnavailable("libvlc was not found; install libvlc5 and vlc-plugin-base")

    upload = ReviewUpload(upload_id="U-19", camera="cam", source=str(tmp_path / "x.mp4"),
                          filename="x.mp4")
    pane = ReviewPlayerPane(upload, tmp_path, player_factory=unavailable)
    qtbot.addWidget(pane)
    assert pane.player is None
    assert "install libvlc5" in pane.video.text()
    assert not pane.play_button.isEnabled() and pane.take_snapshot() is None
    pane.close_review()  # nothing to release, no viewing time to report
