"""Wall tile layouts: grids 1×1 to 5×5, big-tile layouts, validation and saving."""

from __future__ import annotations

from collections import Counter

import pytest

from rtcc_desk.core.wall import PRESETS, LayoutError, TileLayout, TileSpan


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_grids_one_by_one_to_five_by_five(n):
    layout = TileLayout.grid(n)
    assert len(layout) == n * n
    assert layout.name == f"{n}×{n}"
    assert TileLayout.named(f"{n}x{n}") == layout == TileLayout.named(f"{n}×{n}")


@pytest.mark.parametrize(("name", "grid", "big", "small"), [
    ("1+5", 3, 2, 5), ("1+7", 4, 3, 7), ("1+12", 4, 2, 12), ("1+16", 5, 3, 16)])
def test_big_tile_presets_cover_every_cell_once(name, grid, big, small):
    layout = PRESETS[name]
    assert (layout.rows, layout.cols) == (grid, grid)
    assert layout.tiles[0] == TileSpan(0, 0, big, big)  # tile 1 is the big one
    assert len(layout) == 1 + small
    cells = Counter(cell for tile in layout.tiles for cell in tile.cells())
    assert len(cells) == grid * grid and set(cells.values()) == {1}


def test_a_custom_big_tile_anywhere_numbers_tiles_in_reading_order():
    layout = TileLayout.with_big_tile(4, 4, 2, 3, at=(1, 1))
    assert len(layout) == 16 - 6 + 1
    assert layout.tiles[:5] == (TileSpan(0, 0), TileSpan(0, 1), TileSpan(0, 2), TileSpan(0, 3),
                                TileSpan(1, 0))
    assert layout.tiles[5] == TileSpan(1, 1, 2, 3)
    assert layout.name == "custom 4×4, 11 tiles"
    shuffled = TileLayout(4, 4, tuple(reversed(layout.tiles)))
    assert shuffled == layout


@pytest.mark.parametrize(("make", "message"), [
    (lambda: TileLayout(3, 3, (TileSpan(0, 0, 2, 2), TileSpan(1, 1))), "overlaps"),
    (lambda: TileLayout(3, 3, (TileSpan(2, 2, 2, 1),)), "does not fit in the 3×3 grid"),
    (lambda: TileLayout(3, 3, (TileSpan(-1, 0),)), "does not fit"),
    (lambda: TileLayout(3, 3, (TileSpan(0, 0, 0, 1),)), "at least one cell"),
    (lambda: TileLayout(3, 3, ()), "at least one tile"),
    (lambda: TileLayout.grid(6), "1×1 to 5×5"),
    (lambda: TileLayout(6, 2, (TileSpan(0, 0),)), "1 to 5 rows"),
    (lambda: TileLayout.with_big_tile(3, 3, 4, 4), "does not fit"),
    (lambda: TileLayout.named("7x7"), "no layout called '7x7'"),
])
def test_impossible_layouts_are_refused_saying_what_is_wrong(make, message):
    with pytest.raises(LayoutError, match=message):
        make()


def test_overlap_message_names_both_tiles():
    with pytest.raises(LayoutError) as caught:
        TileLayout(3, 3, (TileSpan(0, 0, 2, 2), TileSpan(1, 1)))
    assert str(caught.value) == (
        "tile at row 2, column 2 overlaps the tile at row 1, column 1 spanning 2×2")


def test_a_layout_with_a_hole_is_allowed_and_tile_numbers_are_checked():
    layout = TileLayout(2, 2, (TileSpan(0, 0), TileSpan(1, 1)))
    assert len(layout) == 2
    assert layout.check_tile(1) == 1
    with pytest.raises(LayoutError, match="no tile 3 on this page: .* tiles 1-2"):
        layout.check_tile(2)
    with pytest.raises(LayoutError, match="not a tile number"):
        layout.check_tile("1")


def test_saved_layouts_come_back_and_malformed_ones_are_refused():
    for layout in PRESETS.values():
        assert TileLayout.from_dict(layout.to_dict()) == layout
    with pytest.raises(LayoutError, match="malformed"):
        TileLayout.from_dict({"rows": 2, "cols": 2, "tiles": [[0, 0, "1", 1]]})
    with pytest.raises(LayoutError, match="malformed"):
        TileLayout.from_dict({"rows": 2, "tiles": []})
    with pytest.raises(LayoutError, match="overlaps"):
        TileLayout.from_dict({"rows": 2, "cols": 2, "tiles": [[0, 0, 2, 2], [1, 1, 1, 1]]})
