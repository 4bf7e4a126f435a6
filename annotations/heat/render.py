"""Drawing heat: the colour scale shared by the pages, the SVG download and the CSV download.

The scale is one hue (ColorBrewer "Blues", 9 classes) whose lightness falls steadily, so it reads
the same to every kind of colour vision and in greyscale. Classes `.heat-0` (nothing) to `.heat-8`
(the most) live in static/css/site.css with the same colours as HEAT_COLOURS below; the CSP
forbids style attributes, so a page can only pick a class. Colour is never the only cue: every
cell prints its number, and the legend says which numbers each colour stands for.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from annotations.csv_cells import csv_safe

LEVELS = 8  # non-zero classes .heat-1 … .heat-8; .heat-0 is zero
HEAT_COLOURS = (
    "#f7fbff",
    "#deebf7",
    "#c6dbef",
    "#9ecae1",
    "#6baed6",
    "#4292c6",
    "#2171b5",
    "#08519c",
    "#08306b",
)
INK = "#1b1b1f"
PAPER = "#ffffff"
# From this class on the number is printed in white: every class keeps 4.5:1 or more (WCAG AA),
# as tests/annotations/heat/test_heatmap_pages.py checks against the stylesheet.
FIRST_LIGHT_TEXT_LEVEL = 6


def text_colour(level: int) -> str:
    return PAPER if level >= FIRST_LIGHT_TEXT_LEVEL else INK


@dataclass(frozen=True)
class HeatBin:
    level: int
    low: int
    high: int

    @property
    def css_class(self) -> str:
        return f"heat-{self.level}"

    @property
    def label(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


@dataclass(frozen=True)
class HeatScale:
    """Equal-width bins from 1 to the largest value shown: absolute numbers, not ranks, so the
    legend can say "3–4 organisations" and a reader can compare two heatmaps' legends."""

    maximum: int
    bins: tuple[HeatBin, ...]

    def level(self, value: int) -> int:
        if value <= 0:
            return 0
        for heat_bin in self.bins:
            if value <= heat_bin.high:
                return heat_bin.level
        return self.bins[-1].level if self.bins else 0

    def css_class(self, value: int) -> str:
        return f"heat-{self.level(value)}"

    @property
    def legend(self) -> list[HeatBin]:
        """What each colour stands for, zero first."""
        return [HeatBin(0, 0, 0), *self.bins]


def heat_scale(maximum: int) -> HeatScale:
    """Bins for values 1 … maximum. With fewer distinct values than classes, each value gets a
    class of its own, spread over the whole ramp so that neighbours stay easy to tell apart."""
    if maximum <= 0:
        return HeatScale(0, ())
    count = min(LEVELS, maximum)
    bins = []
    low = 1
    for index in range(1, count + 1):
        high = math.ceil(maximum * index / count)
        level = round(index * LEVELS / count)
        bins.append(HeatBin(level, low, high))
        low = high + 1
    return HeatScale(maximum, tuple(bins))


# --- Escaping -------------------------------------------------------------------------------------

# Characters XML 1.0 does not allow at all (escaping cannot help); imported text should never
# hold them, but a label must never make the whole document unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: object) -> str:
    """Text for an SVG element or attribute: &, <, >, both quotes escaped."""
    return escape(_NOT_XML.sub("", str(value)), {'"': "&quot;", "'": "&apos;"})


def csv_text(header: list[str], rows: Iterable[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return buffer.getvalue()


# --- SVG ------------------------------------------------------------------------------------------

SUPPRESSED_TITLE = "suppressed: too few organisations in this breakdown to show, to protect commenters"


@dataclass(frozen=True)
class SvgCell:
    value: int | None  # None: suppressed (too few organisations in this breakdown)
    level: int  # 0 … LEVELS; -1 for a total (drawn uncoloured)


@dataclass(frozen=True)
class SvgRow:
    label: str
    heading: str
    cells: list[SvgCell]  # one per column, the total last
    group: str = ""  # a chapter heading drawn above this row when it starts a group


@dataclass(frozen=True)
class SvgMatrix:
    title: str
    description: str
    columns: list[str]  # tag names, "All concerns" last
    rows: list[SvgRow]
    footer: SvgRow  # the column totals
    scale: HeatScale
    legend_title: str


LABEL_WIDTH = 330
CELL_WIDTH = 58
CELL_HEIGHT = 22
HEADER_HEIGHT = 150
GROUP_HEIGHT = 26
MARGIN = 16
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def matrix_svg(matrix: SvgMatrix) -> str:
    """The matrix as a standalone SVG document. Colours are presentation attributes, not CSS,
    so the file renders the same when opened under our CSP, in an editor or in a report."""
    columns = len(matrix.columns)
    width = MARGIN * 2 + LABEL_WIDTH + CELL_WIDTH * columns + 110  # room for the last slanted label
    out: list[str] = []
    y = MARGIN + 24 + HEADER_HEIGHT

    body: list[str] = []
    for index, tag in enumerate(matrix.columns):
        x = MARGIN + LABEL_WIDTH + CELL_WIDTH * index + CELL_WIDTH / 2
        weight = ' font-weight="700"' if index == columns - 1 else ""
        body.append(
            f'<text x="{x:.0f}" y="{y - 8}" transform="rotate(-50 {x:.0f} {y - 8})"{weight}>'
            f"{xml_text(_truncate(tag, 26))}<title>{xml_text(tag)}</title></text>"
        )

    def draw_row(row: SvgRow, y: float, *, bold: bool = False) -> None:
        label = f"{row.label} – {row.heading}" if row.heading else row.label
        weight = ' font-weight="700"' if bold else ""
        body.append(
            f'<text x="{MARGIN}" y="{y + CELL_HEIGHT - 7}"{weight}>{xml_text(_truncate(label, 48))}'
            f"<title>{xml_text(label)}</title></text>"
        )
        for index, cell in enumerate(row.cells):
            x = MARGIN + LABEL_WIDTH + CELL_WIDTH * index
            if cell.value is None:  # suppressed: no number, no colour, and the reason on hover
                body.append(
                    f'<rect x="{x + 1}" y="{y + 1:.0f}" width="{CELL_WIDTH - 2}" height="{CELL_HEIGHT - 2}" '
                    f'fill="{PAPER}" stroke="{INK}" stroke-width="0.5" stroke-dasharray="2 2"/>'
                    f'<text x="{x + CELL_WIDTH / 2:.0f}" y="{y + CELL_HEIGHT - 7:.0f}" text-anchor="middle" '
                    f'fill="{INK}">–<title>{SUPPRESSED_TITLE}</title></text>'
                )
                continue
            if cell.level < 0:  # a total: outlined, bold, not on the colour scale
                fill, ink, stroke, number_weight = (
                    PAPER,
                    INK,
                    f' stroke="{INK}" stroke-width="0.5"',
                    ' font-weight="700"',
                )
            else:
                fill, ink, stroke, number_weight = HEAT_COLOURS[cell.level], text_colour(cell.level), "", ""
            body.append(
                f'<rect x="{x + 1}" y="{y + 1:.0f}" width="{CELL_WIDTH - 2}" height="{CELL_HEIGHT - 2}" '
                f'fill="{fill}"{stroke}/>'
                f'<text x="{x + CELL_WIDTH / 2:.0f}" y="{y + CELL_HEIGHT - 7:.0f}" text-anchor="middle" '
                f'fill="{ink}"{number_weight}>{cell.value}</text>'
            )

    for row in matrix.rows:
        if row.group:
            body.append(
                f'<text x="{MARGIN}" y="{y + GROUP_HEIGHT - 8}" font-weight="700" font-size="13">'
                f"{xml_text(_truncate(row.group, 110))}<title>{xml_text(row.group)}</title></text>"
            )
            y += GROUP_HEIGHT
        draw_row(row, y)
        y += CELL_HEIGHT
    y += 4
    draw_row(matrix.footer, y, bold=True)
    y += CELL_HEIGHT + 24

    body.append(f'<text x="{MARGIN}" y="{y}" font-weight="700">{xml_text(matrix.legend_title)}</text>')
    y += 8
    x = MARGIN
    for heat_bin in matrix.scale.legend:
        body.append(
            f'<rect x="{x}" y="{y}" width="18" height="18" fill="{HEAT_COLOURS[heat_bin.level]}" '
            f'stroke="{INK}" stroke-width="0.5"/>'
            f'<text x="{x + 24}" y="{y + 14}">{xml_text(heat_bin.label)}</text>'
        )
        x += 24 + 9 * len(heat_bin.label) + 22
    y += 18 + MARGIN
    height = y

    out.append('<?xml version="1.0" encoding="UTF-8"?>')
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-labelledby="heat-title heat-desc" '
        f'font-family="{xml_text(FONT)}" font-size="12" fill="{INK}">'
    )
    out.append(f'<title id="heat-title">{xml_text(matrix.title)}</title>')
    out.append(f'<desc id="heat-desc">{xml_text(matrix.description)}</desc>')
    out.append(f'<rect width="100%" height="100%" fill="{PAPER}"/>')
    out.append(
        f'<text x="{MARGIN}" y="{MARGIN + 14}" font-size="16" font-weight="700">'
        f"{xml_text(_truncate(matrix.title, 120))}</text>"
    )
    out.extend(body)
    out.append("</svg>")
    return "\n".join(out) + "\n"
