"""Server-rendered, accessible bar charts of a question's answers, split by sector.

One horizontal bar per choice, stacked by respondent sector, with the total at the end
of the bar and each segment's count written inside it when it fits. The SVG is
`role="img"` named by its `<title>` and described in words by its `<desc>`; the page
puts a real data table beside it, so nothing rests on colour alone (WCAG 1.4.1). Every
sector colour keeps white text at 4.5:1 or more (checked in the tests). The page's CSP
forbids inline styles, so everything uses SVG presentation attributes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from workspace.i18n import gettext as _
from workspace.i18n import ngettext

SVG_NS = "http://www.w3.org/2000/svg"
# Fixed per sector, so a sector has the same colour on every chart.
SECTOR_COLOURS = {
    "industry": "#1d70b8",
    "energy_supply": "#b1460b",
    "local_government": "#4c2c92",
    "environmental": "#00703c",
    "professional_body": "#912b88",
    "academic": "#003078",
    "government": "#505a5f",
    "other": "#7a5200",
    "individual": "#00625e",
}
FALLBACK = "#0b0c0c"
TEXT = "#0b0c0c"
WHITE = "#ffffff"

WIDTH = 640
LABEL_W = 230  # choice labels, right-aligned against the bars
BAR_X = LABEL_W + 10
BAR_W = WIDTH - BAR_X - 60  # room for the total after the longest bar
ROW_H, BAR_H = 32, 22
FONT, SMALL = 14, 12
CHAR_W = 0.58 * FONT  # rough glyph width; no font metrics on the server
LEGEND_ROW = 24
_ID = re.compile(r"[A-Za-z][\w-]*\Z")


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    by_sector: dict[str, int]


def colour(sector: str) -> str:
    return SECTOR_COLOURS.get(sector, FALLBACK)


def bar_chart(
    bars: Sequence[Bar], sectors: Sequence[tuple[str, str]], *, title: str, id_prefix: str
) -> Markup:
    """The chart of `bars`; `sectors` are (key, label) pairs in stacking order."""
    if not _ID.match(id_prefix):
        raise ValueError(f"id_prefix must be a plain HTML id, got {id_prefix!r}")
    used = [(k, label) for k, label in sectors if any(b.by_sector.get(k) for b in bars)]
    top = max((b.total for b in bars), default=0)
    parts = [_row(i, bar, used, top) for i, bar in enumerate(bars)]
    legend_y = len(bars) * ROW_H + 16
    legend, legend_h = _legend(used, legend_y)
    height = legend_y + legend_h
    body = Markup("").join(parts) + legend
    return Markup(
        '<svg xmlns="{ns}" class="ss-chart" role="img" aria-labelledby="{p}-title {p}-desc" '
        'viewBox="0 0 {w} {h}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'focusable="false"><title id="{p}-title">{title}</title>'
        '<desc id="{p}-desc">{desc}</desc>{body}</svg>'
    ).format(
        ns=SVG_NS,
        p=id_prefix,
        w=WIDTH,
        h=height,
        title=title,
        desc=describe(bars, sectors),
        body=body,
    )


def describe(bars: Sequence[Bar], sectors: Sequence[tuple[str, str]]) -> str:
    """The chart in words: each choice's total and its split by sector."""
    if not bars:
        return _("There are no answers to show.")
    labels = dict(sectors)
    parts = []
    for bar in bars:
        split = [f"{labels.get(k, k)} {n}" for k, _l in sectors if (n := bar.by_sector.get(k, 0))]
        if split:
            parts.append(
                ngettext(
                    "%(label)s: %(num)d response (%(split)s).",
                    "%(label)s: %(num)d responses (%(split)s).",
                    bar.total,
                    label=bar.label,
                    num=bar.total,
                    split=", ".join(split),
                )
            )
        else:
            parts.append(
                ngettext(
                    "%(label)s: %(num)d response.",
                    "%(label)s: %(num)d responses.",
                    bar.total,
                    label=bar.label,
                    num=bar.total,
                )
            )
    return " ".join(parts)


def _row(index: int, bar: Bar, sectors: Sequence[tuple[str, str]], top: int) -> Markup:
    y = index * ROW_H + 4
    mid = y + BAR_H / 2 + FONT * 0.35
    label = _fit(bar.label, LABEL_W)
    out = [
        Markup('<g class="ss-chart__bar" data-choice="{c}" data-total="{t}">').format(
            c=bar.label, t=bar.total
        )
    ]
    out.append(
        Markup(
            '<text x="{x}" y="{y:.1f}" text-anchor="end" font-size="{f}" '
            'fill="{fill}">{text}</text>'
        ).format(x=LABEL_W, y=mid, f=FONT, fill=TEXT, text=label)
    )
    x = float(BAR_X)
    for key, name in sectors:
        n = bar.by_sector.get(key, 0)
        if not n or not top:
            continue
        w = BAR_W * n / top
        out.append(
            Markup(
                '<rect class="ss-chart__segment" data-sector="{k}" data-count="{n}" x="{x:.1f}" '
                'y="{y}" width="{w:.1f}" height="{h}" fill="{fill}" stroke="{white}" '
                'stroke-width="1"><title>{name}: {n}</title></rect>'
            ).format(k=key, n=n, x=x, y=y, w=w, h=BAR_H, fill=colour(key), white=WHITE, name=name)
        )
        if w >= len(str(n)) * SMALL * 0.6 + 8:
            out.append(
                Markup(
                    '<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" '
                    'font-size="{f}" fill="{white}" aria-hidden="true">{n}</text>'
                ).format(x=x + w / 2, y=y + BAR_H / 2 + SMALL * 0.35, f=SMALL, white=WHITE, n=n)
            )
        x += w
    out.append(
        Markup(
            '<text class="ss-chart__total" x="{x:.1f}" y="{y:.1f}" font-size="{f}" '
            'font-weight="bold" fill="{fill}">{n}</text>'
        ).format(x=x + 6, y=mid, f=FONT, fill=TEXT, n=bar.total)
    )
    out.append(Markup("</g>"))
    return Markup("").join(out)


def _legend(sectors: Sequence[tuple[str, str]], y0: int) -> tuple[Markup, int]:
    if not sectors:
        return Markup(""), 0
    items, x, y = [], 0.0, float(y0)
    for key, name in sectors:
        width = 14 + 6 + len(name) * CHAR_W + 20
        if x and x + width > WIDTH:
            x, y = 0.0, y + LEGEND_ROW
        items.append(
            Markup(
                '<g class="ss-chart__key" data-sector="{k}"><rect x="{x:.1f}" y="{y:.1f}" '
                'width="14" height="14" fill="{fill}"/><text x="{tx:.1f}" y="{ty:.1f}" '
                'font-size="{f}" fill="{text}">{name}</text></g>'
            ).format(
                k=key,
                x=x,
                y=y,
                fill=colour(key),
                tx=x + 20,
                ty=y + 12,
                f=FONT,
                text=TEXT,
                name=name,
            )
        )
        x += width
    return Markup('<g class="ss-chart__legend">') + Markup("").join(items) + Markup("</g>"), int(
        y - y0
    ) + LEGEND_ROW


def _fit(text: str, width: float) -> str:
    limit = int(width / CHAR_W)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
