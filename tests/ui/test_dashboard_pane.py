"""The TIME-TO-FOOTAGE DASHBOARD offscreen: figures for a known dataset, background refresh,
a failed load, and screenshots at 1920x1080 to look at."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from rtcc_desk.core.dashboard import (
    DashboardRecords,
    RequestRecord,
    ReviewRecord,
    ShareRecord,
    UploadRecord,
)
from rtcc_desk.ui.dashboard import DashboardPane
from tests.core.test_dashboard import KNOWN, at
from tests.ui.test_calls_pane import assert_not_blank, dark_theme  # noqa: F401

NOW = at(5, 12)


def make_pane(qtbot, records=None, loader=None, days=7, now=NOW) -> DashboardPane:
    pane = DashboardPane(loader, now_fn=lambda: now, days=days)
    qtbot.addWidget(pane)
    if records is not None:
        pane.set_records(records)
    return pane


def test_known_dataset_figures_in_the_table(qtbot):
    # Last 7 days to 5 March: R5 and S4 (1 March) count too. Worked by hand:
    # 6 sent, 5 answered; call→request 10, 20, 30, 60, 60 min; request→upload 6 h, 2 h, 2 h;
    # valuable U1, U6, U5 of 4 reviewed; share→view 15, 60, 60 min, S5 at an unknown time.
    pane = make_pane(qtbot, KNOWN)
    values = {name: value for name, value, _ in pane.figure_texts()}
    assert values == {
        "Requests sent": "6",
        "Owner response rate": "83 %",
        "Median call → request": "30 min",
        "Median request → upload": "2 h 00 min",
        "Footage marked valuable": "3 (75 %)",
        "Median share → first view": "1 h 00 min",
    }
    assert [d.sent for d in pane.figures.per_day] == [0, 0, 1, 2, 0, 2, 1]  # Feb 27 … Mar 5
    assert "unknown time" in pane.notes.text()
    pane.set_period_days(90)
    assert pane.figures.period.first.isoformat() == "2025-12-06"
    with pytest.raises(ValueError):
        pane.set_period_days(5)


def test_empty_pane_says_no_data(qtbot):
    pane = make_pane(qtbot)
    values = [value for _, value, _ in pane.figure_texts()]
    assert values == ["0", "—", "—", "—", "0 (—)", "—"]
    assert pane.status.text() == "No data loaded yet."
    assert not pane.refresh_button.isEnabled()  # nothing to load from


def test_refresh_loads_in_the_background(qtbot):
    loaded = DashboardRecords(requests=KNOWN.requests, loaded_at=NOW)
    pane = make_pane(qtbot, loader=lambda: loaded)
    with qtbot.waitSignal(pane.refreshed, timeout=5000):
        pane.refresh_button.click()
    assert pane.records is loaded
    assert pane.figure_texts()[0][1] == "6"
    assert pane.status.text().startswith("Loaded Mar 05")
    assert pane.refresh_button.isEnabled()


def test_failed_refresh_keeps_the_figures(qtbot):
    def broken():
        raise ConnectionError("server at http://127.0.0.1:9 unreachable")

    pane = make_pane(qtbot, KNOWN, loader=broken)
    with qtbot.waitSignal(pane.refresh_failed, timeout=5000):
        pane.refresh()
    assert "unreachable" in pane.status.text()
    assert pane.status.property("role") == "error"
    assert pane.figure_texts()[0][1] == "6"
    assert pane.refresh_button.isEnabled()


def busy_fortnight(seed: int = 7) -> tuple[DashboardRecords, datetime]:
    """Two weeks of a plausible RTCC: 0-14 requests a day (one quiet day), most answered."""
    rng = random.Random(seed)
    now = datetime(2026, 3, 14, 18, 0, tzinfo=UTC)
    requests, uploads, reviews, shares = [], [], [], []
    for day in range(14):
        for n in range(0 if day == 5 else rng.randint(2, 14)):
            created = now - timedelta(days=13 - day, hours=rng.uniform(0, 10))
            rid = f"R{day}-{n}"
            roll = rng.random()
            answered = created + timedelta(hours=rng.uniform(0.5, 30)) if roll < 0.7 else None
            status = ("uploaded" if roll < 0.5 else "declined" if roll < 0.6
                      else "no_relevant_footage" if roll < 0.7 else "sent")
            requests.append(RequestRecord(rid, created, status, f"C{day}",
                                          created - timedelta(minutes=rng.uniform(4, 50)),
                                          answered, answered))
            if status == "uploaded":
                done = answered + timedelta(minutes=rng.uniform(5, 90))
                uploads.append(UploadRecord(f"U{rid}", rid, "complete", done, "playable"))
                if rng.random() < 0.8:
                    verdict = "valuable" if rng.random() < 0.45 else "not_valuable"
                    reviews.append(ReviewRecord(f"U{rid}", verdict, done + timedelta(minutes=30)))
                    if verdict == "valuable":
                        shared = done + timedelta(hours=1)
                        seen = shared + timedelta(minutes=rng.uniform(2, 120)) \
                            if rng.random() < 0.8 else None
                        shares.append(ShareRecord(f"S{rid}", f"U{rid}", shared, seen,
                                                  seen is not None))
    return DashboardRecords(tuple(requests), tuple(uploads), tuple(reviews), tuple(shares),
                            loaded_at=now), now


@pytest.mark.parametrize("case", ["fortnight", "empty"])
def test_screenshot(qtbot, screenshot_dir, dark_theme, case):  # noqa: F811
    records, now = busy_fortnight() if case == "fortnight" else (DashboardRecords(), NOW)
    pane = make_pane(qtbot, records, loader=lambda: records, days=14, now=now)
    pane.resize(1920, 1080)
    pane.show()
    qtbot.waitExposed(pane)
    qtbot.wait(50)
    image = pane.grab().toImage()
    image.save(str(screenshot_dir / f"dashboard-{case}.png"))
    assert_not_blank(image)
    if case == "fortnight":
        assert pane.figures.per_day[5].sent == 0 and pane.figures.requests_sent > 50
