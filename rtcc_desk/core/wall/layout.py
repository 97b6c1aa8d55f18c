"""Tile layouts of a wall page: grids 1×1 to 5×5, and grids with one big tile among small ones."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rtcc_desk.core.wall.errors import LayoutError

#: Largest grid side: 5×5 = 25 sub streams is what one monitor shows legibly (and decodes).
MAX_GRID = 5


@dataclass(frozen=True, slots=True, order=True)
class TileSpan:
    """One tile: its top-left cell (0-based row, column) and how many cells it spans."""

    row: int
    col: int
    rows: int = 1
    cols: int = 1

    def cells(self) -> set[tuple[int, int]]:
        return {(r, c) for r in range(self.row, self.row + self.rows)
                for c in range(self.col, self.col + self.cols)}

    def __str__(self) -> str:
        size = "" if (self.rows, self.cols) == (1, 1) else f" spanning {self.rows}×{self.cols}"
        return f"tile at row {self.row + 1}, column {self.col + 1}{size}"


@dataclass(frozen=True, slots=True)
class TileLayout:
    """Tiles on a ``rows`` × ``cols`` grid, numbered in reading order (by top-left cell).

    Tiles may not overlap or leave the grid; cells no tile covers stay black. Tile numbers
    (0-based here, shown 1-based) are what pages, tours and "pop cameras" refer to.
    """

    rows: int
    cols: int
    tiles: tuple[TileSpan, ...]

    def __post_init__(self) -> None:
        for side, value in (("rows", self.rows), ("columns", self.cols)):
            if not isinstance(value, int) or not 1 <= value <= MAX_GRID:
                raise LayoutError(f"a layout has 1 to {MAX_GRID} {side}, not {value!r}")
        tiles = tuple(sorted(self.tiles))
        if not tiles:
            raise LayoutError("a layout needs at least one tile")
        owner: dict[tuple[int, int], TileSpan] = {}
        for tile in tiles:
            if tile.rows < 1 or tile.cols < 1:
                raise LayoutError(f"{tile}: a tile spans at least one cell each way")
            if (tile.row < 0 or tile.col < 0 or tile.row + tile.rows > self.rows
                    or tile.col + tile.cols > self.cols):
                raise LayoutError(f"{tile} does not fit in the {self.rows}×{self.cols} grid")
            for cell in tile.cells():
                if cell in owner:
                    raise LayoutError(f"{tile} overlaps the {owner[cell]}")
                owner[cell] = tile
        object.__setattr__(self, "tiles", tiles)

    # ----- making layouts --------------------------------------------------------------------

    @classmethod
    def grid(cls, rows: int, cols: int | None = None) -> TileLayout:
        """A plain grid of equal tiles: ``grid(3)`` is 3×3."""
        cols = rows if cols is None else cols
        if not all(isinstance(v, int) and 1 <= v <= MAX_GRID for v in (rows, cols)):
            raise LayoutError(f"a grid is 1×1 to {MAX_GRID}×{MAX_GRID}, not {rows}×{cols}")
        return cls(rows, cols, tuple(TileSpan(r, c) for r in range(rows) for c in range(cols)))

    @classmethod
    def with_big_tile(cls, rows: int, cols: int, big_rows: int, big_cols: int,
                      at: tuple[int, int] = (0, 0)) -> TileLayout:
        """One big tile of ``big_rows`` × ``big_cols`` cells at ``at``, small tiles elsewhere."""
        big = TileSpan(at[0], at[1], big_rows, big_cols)
        covered = big.cells()
        small = [TileSpan(r, c) for r in range(rows) for c in range(cols) if (r, c) not in covered]
        return cls(rows, cols, (big, *small))

    @classmethod
    def named(cls, name: str) -> TileLayout:
        """A preset by name: ``"3x3"`` (or ``3×3``) or a big-tile one such as ``"1+5"``."""
        key = name.strip().lower().replace("×", "x").replace(" ", "")
        if key in PRESETS:
            return PRESETS[key]
        raise LayoutError(f"no layout called {name!r}; choose one of {', '.join(PRESETS)}")

    # ----- reading ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.tiles)

    @property
    def name(self) -> str:
        """The preset's name when this is a preset, else e.g. "custom 4×4, 9 tiles"."""
        for key, preset in PRESETS.items():
            if preset == self:
                return key.replace("x", "×")
        return f"custom {self.rows}×{self.cols}, {len(self.tiles)} tiles"

    def check_tile(self, tile: int) -> int:
        """``tile`` if this layout has it; WallError naming the layout otherwise."""
        if not isinstance(tile, int) or isinstance(tile, bool):
            raise LayoutError(f"tile {tile!r} is not a tile number")
        if not 0 <= tile < len(self.tiles):
            raise LayoutError(
                f"there is no tile {tile + 1} on this page: "
                f"the {self.name} layout has tiles 1-{len(self.tiles)}"
            )
        return tile

    def to_dict(self) -> dict:
        return {"rows": self.rows, "cols": self.cols,
                "tiles": [[t.row, t.col, t.rows, t.cols] for t in self.tiles]}

    @classmethod
    def from_dict(cls, data: Mapping) -> TileLayout:
        """The layout saved by ``to_dict``; LayoutError for anything malformed."""
        try:
            spans = [TileSpan(*(_whole(v) for v in tile)) for tile in _list(data["tiles"])]
            return cls(_whole(data["rows"]), _whole(data["cols"]), tuple(spans))
        except (KeyError, TypeError) as exc:
            raise LayoutError(f"a saved layout is malformed ({exc})") from None


def _whole(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{value!r} is not a whole number")
    return value


def _list(value: object) -> Iterable:
    if not isinstance(value, list):
        raise TypeError(f"{value!r} is not a list")
    return value


#: Layouts an analyst picks from a menu. "1+5": one 2×2 tile and five small on 3×3, etc.
PRESETS: dict[str, TileLayout] = {
    **{f"{n}x{n}": TileLayout.grid(n) for n in range(1, MAX_GRID + 1)},
    "1+5": TileLayout.with_big_tile(3, 3, 2, 2),
    "1+7": TileLayout.with_big_tile(4, 4, 3, 3),
    "1+12": TileLayout.with_big_tile(4, 4, 2, 2),
    "1+16": TileLayout.with_big_tile(5, 5, 3, 3),
}
