"""Privacy review rules: masks, what sends a city camera back to pending, decisions, unmasking."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from rtcc_desk.core.cameras import PoleCamera, PrivacyReview, View
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.privacy_review import (
    UNMASKED_VIEW_LIMIT,
    MaskError,
    ReviewDecision,
    ReviewRefused,
    after_inventory_edit,
    changes_needing_review,
    check_justification,
    check_masks,
    may_review,
    may_view_unmasked,
    stream_target,
    unmasked_view_ends_by,
)

WINDOW = ((0.1, 0.1), (0.3, 0.1), (0.3, 0.4), (0.1, 0.4))
YARD = ((0.6, 0.7), (1.0, 0.7), (1.0, 1.0))
URL = "rtsp://admin:Pole%21Secret@10.20.1.11:554/Streaming/Channels/101"


def pole(**changes) -> PoleCamera:
    camera = PoleCamera(
        camera_id="SPT-P001-1", name="1200 block Texas St – looking N",
        location=LatLon(32.5121, -93.7502), view=View(120.0, 75.0, 150.0), retention_days=30,
        pole_id="SPT-P001", position_on_pole=1, main_stream_url=URL,
        sub_stream_url=URL.replace("101", "102"), privacy_review=PrivacyReview.APPROVED,
        privacy_masks=(WINDOW,),
    )
    return replace(camera, **changes)


def test_masks_are_plain_tuples_inside_the_frame():
    camera = pole(privacy_masks=[[[0.1, 0.1], [0.3, 0.1], [0.3, 0.4], [0.1, 0.4]], [list(p) for p in YARD]])
    assert camera.privacy_masks == (WINDOW, YARD)  # JSON lists become tuples
    assert hash(camera.privacy_masks)
    assert pole(privacy_masks=()).privacy_masks == ()
    assert check_masks([[(1 / 3, 0), (1, 0), (1, 1)]])[0][0] == (0.333333, 0.0)


@pytest.mark.parametrize(("masks", "message"), [
    ([[(0.1, 0.1), (0.2, 0.2)]], "mask 1: 2 corners; a mask needs 3"),
    ([WINDOW, [(0.1, 0.1), (1.2, 0.1), (0.1, 0.5)]], "mask 2, corner 2: x 1.2 is outside the frame"),
    ([[(0.1, 0.1), (0.2, float("nan")), (0.1, 0.5)]], "mask 1, corner 2: y nan is outside"),
    ([[(0.1, 0.1), "ab", (0.1, 0.5)]], "mask 1, corner 2: must be two numbers"),
    ([[(0.1, 0.1), (0.1, 0.1), (0.1, 0.1)]], "at least 3 different corners"),
    ([WINDOW] * 33, "at most 32 per camera"),
    ("window", "must be a list of polygons"),
])
def test_a_bad_mask_is_refused_naming_the_mask_and_corner(masks, message):
    with pytest.raises(MaskError, match=message.replace("(", r"\(")):
        check_masks(masks)
    with pytest.raises(ValueError):
        pole(privacy_masks=masks)


def test_only_an_approved_camera_is_in_service():
    assert pole().in_service
    assert not pole(privacy_review=PrivacyReview.PENDING).in_service
    assert not pole(privacy_review=PrivacyReview.REJECTED).in_service
    assert not pole(withdrawn=True).in_service


def test_streams_are_compared_by_where_they_come_from_never_by_credentials():
    new_password = URL.replace("Pole%21Secret", "Rotated2025")
    assert stream_target(URL) == stream_target(new_password) == \
        "rtsp://10.20.1.11:554/Streaming/Channels/101"
    assert stream_target(URL) != stream_target(URL.replace("10.20.1.11", "10.20.1.12"))
    snapshot = "HTTP://Cam1.city.example/ISAPI/picture?user=admin&password=hunter2&channel=1"
    assert stream_target(snapshot) == "http://cam1.city.example/ISAPI/picture?channel=1"
    assert stream_target("rtsp://admin:pw@10.0.0.1:99999/x") == "rtsp://10.0.0.1:99999/x"
    assert stream_target("/srv/clips/pole1.mp4") == "/srv/clips/pole1.mp4"
    assert stream_target("") == ""


def test_a_re_aim_move_new_stream_or_mask_change_sends_the_camera_back():
    before = pole()
    cases = {
        "bearing 120° → 135°": pole(view=View(135.0, 75.0, 150.0)),
        "bearing 120° → unknown": pole(view=View(None, 75.0, 150.0)),
        "field of view 75° → 90°": pole(view=View(120.0, 90.0, 150.0)),
        "moved 11 m": pole(location=LatLon(32.5122, -93.7502)),
        "now on pole SPT-P002 position 1 (was SPT-P001 position 1)": pole(pole_id="SPT-P002"),
        "main stream now from rtsp://10.20.9.11:554/Streaming/Channels/101":
            pole(main_stream_url=URL.replace("10.20.1.11", "10.20.9.11")),
        "masks changed (1 → 2)": pole(privacy_masks=(WINDOW, YARD)),
        "masks changed (1 → 0)": pole(privacy_masks=()),
    }
    for reason, after in cases.items():
        assert changes_needing_review(before, after) == (reason,)
        edited, reasons = after_inventory_edit(before, after)
        assert edited.privacy_review is PrivacyReview.PENDING and not edited.in_service
        assert reasons == (reason,)
    # a turn across north is measured the short way round
    assert changes_needing_review(pole(view=View(359.8, 75, 150)), pole(view=View(0.1, 75, 150))) == ()
    back = changes_needing_review(pole(withdrawn=True), pole())
    assert back == ("back in service after being withdrawn",)


def test_edits_that_do_not_change_the_picture_keep_the_review():
    before = pole()
    same_picture = [
        pole(name="Texas St at Common St"),
        pole(view=View(120.3, 75.2, 200.0)),  # rounding in an export; range is not the picture
        pole(location=LatLon(32.512104, -93.7502)),  # a re-survey: centimetres
        pole(main_stream_url=URL.replace("Pole%21Secret", "Rotated2025")),  # a new password
        pole(retention_days=60),
        pole(withdrawn=True),
    ]
    for after in same_picture:
        assert changes_needing_review(before, after) == ()
        edited, reasons = after_inventory_edit(before, after)
        assert edited.privacy_review is PrivacyReview.APPROVED and reasons == ()
    rejected = pole(privacy_review=PrivacyReview.REJECTED)
    assert after_inventory_edit(rejected, pole(name="x"))[0].privacy_review is PrivacyReview.REJECTED


def test_a_new_camera_is_pending_whatever_the_import_says():
    edited, reasons = after_inventory_edit(None, pole(privacy_review=PrivacyReview.APPROVED))
    assert edited.privacy_review is PrivacyReview.PENDING and reasons == ("new camera",)


def test_a_decision_needs_a_reviewer_and_a_rejection_a_note():
    approved = ReviewDecision("SPT-P001-1", approve=True, reviewer="pat", masks=[WINDOW, YARD])
    camera = approved.apply(pole(privacy_review=PrivacyReview.PENDING, privacy_masks=()))
    assert camera.in_service and camera.privacy_masks == (WINDOW, YARD)
    assert approved.summary == "approved with 2 masks"
    rejected = ReviewDecision("SPT-P001-1", approve=False, reviewer="pat",
                              note="  Looks straight into   a bedroom window ")
    assert rejected.note == "Looks straight into a bedroom window"
    assert rejected.summary == "rejected with 0 masks: Looks straight into a bedroom window"
    assert not rejected.apply(pole()).in_service
    with pytest.raises(ReviewRefused, match="a rejection needs a note"):
        ReviewDecision("SPT-P001-1", approve=False, reviewer="pat", note=" ")
    with pytest.raises(ReviewRefused, match="reviewer"):
        ReviewDecision("SPT-P001-1", approve=True, reviewer="")
    with pytest.raises(MaskError):
        ReviewDecision("SPT-P001-1", approve=True, reviewer="pat", masks=[[(0, 0), (2, 0), (0, 1)]])


def test_unmasked_viewing_needs_the_supervisor_role_and_a_real_justification():
    assert may_view_unmasked(("supervisor",)) and not may_view_unmasked(("analyst", "admin"))
    assert may_review(("privacy_reviewer",)) and not may_review(("supervisor",))
    assert check_justification("  Armed robbery suspect  fled into the yard ") == \
        "Armed robbery suspect fled into the yard"
    for too_short in ("", "   ", "because"):
        with pytest.raises(ReviewRefused, match="needs a justification"):
            check_justification(too_short)
    started = datetime(2025, 3, 1, 22, 0, tzinfo=UTC)
    assert unmasked_view_ends_by(started) == started + UNMASKED_VIEW_LIMIT
