"""Server-rendered, accessible SVG of a tiered definition as a stepped pyramid.

Rendered on the server so it works without JavaScript and prints well. The page's CSP
forbids inline ``style=``, so all styling uses SVG presentation attributes (``fill=``,
``font-size=``); these have the lowest CSS precedence, so a stylesheet can still
override them through the classes (e.g. for forced-colours mode).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from markupsafe import Markup

from definitions.tiers import Tier
from workspace.i18n import gettext as _
from workspace.i18n import ngettext

SVG_NS = "http://www.w3.org/2000/svg"

# Base darkest, lightening towards the top. Every shade keeps white text at a contrast
# ratio of at least 5:1 (WCAG AA needs 4.5:1), checked in the tests.
PALETTE: tuple[str, ...] = (
    "#00302e",
    "#003b38",
    "#004643",
    "#00514d",
    "#005c57",
    "#006761",
    "#00726b",
    "#007a73",
)
TEXT_FILL = "#ffffff"

WIDTH = 600  # fixed: long names wrap or truncate, they never widen the drawing
MARGIN = 8
BASE_WIDTH = WIDTH - 2 * MARGIN
MIN_WIDTH = 240  # narrowest top step that still fits a couple of words
MAX_SHRINK = 80  # per step, so two or three tiers don't look like a spike
GAP = 4
PAD_X, PAD_Y = 12, 10
NAME_SIZE, METRIC_SIZE = 16, 14
LINE_HEIGHT = 20
CHAR_EM = 0.6  # rough average glyph width; no font metrics on the server
MAX_NAME_LINES = 2
ELLIPSIS = "…"

_ID = re.compile(r"[A-Za-z][\w-]*\Z")


@dataclass(frozen=True)
class _Step:
    x: float
    y: float
    width: float
    fill: str


def render_pyramid(tiers: list[Tier], *, title: str, id_prefix: str = "pyr") -> Markup:
    """SVG of ``tiers`` (``tiers[0]`` is the base, drawn widest at the bottom)."""
    if not _ID.match(id_prefix):
        raise ValueError(f"id_prefix must be a plain HTML id, got {id_prefix!r}")
    if not tiers:
        return _svg(id_prefix, title, _("This definition has no tiers yet."), 48, _empty_body())
    max_lines = max(len(_lines(t, _width(i, len(tiers)))) for i, t in enumerate(tiers))
    step_h = max_lines * LINE_HEIGHT + 2 * PAD_Y
    height = 2 * MARGIN + len(tiers) * step_h + (len(tiers) - 1) * GAP
    groups = [_group(t, _step(i, len(tiers), step_h), step_h) for i, t in enumerate(tiers)]
    return _svg(id_prefix, title, describe(tiers), height, Markup("").join(groups))


def describe(tiers: list[Tier]) -> str:
    """Plain-language description, base to top, with metrics in words."""
    if not tiers:
        return _("This definition has no tiers yet.")
    parts = [_describe_tier(tier, i, len(tiers)) for i, tier in enumerate(tiers)]
    count = ngettext(
        "Pyramid of %(num)d tier, from base to top.",
        "Pyramid of %(num)d tiers, from base to top.",
        len(tiers),
    )
    return count + " " + " ".join(parts)


def _describe_tier(tier: Tier, index: int, count: int) -> str:
    number, name = index + 1, tier.name
    if tier.metric:
        metric = tier.metric.words()
        if index == 0:
            return _(
                "Tier %(number)s (base): %(name)s, %(metric)s.",
                number=number,
                name=name,
                metric=metric,
            )
        if index == count - 1:
            return _(
                "Tier %(number)s (top): %(name)s, %(metric)s.",
                number=number,
                name=name,
                metric=metric,
            )
        return _("Tier %(number)s: %(name)s, %(metric)s.", number=number, name=name, metric=metric)
    if index == 0:
        return _("Tier %(number)s (base): %(name)s.", number=number, name=name)
    if index == count - 1:
        return _("Tier %(number)s (top): %(name)s.", number=number, name=name)
    return _("Tier %(number)s: %(name)s.", number=number, name=name)


def render_pyramid_list(tiers: list[Tier]) -> Markup:
    """Text alternative to the pyramid as an ordered list.

    Listed top tier first, because that is how the pyramid reads visually, but
    ``reversed`` numbering (with explicit ``value`` for older assistive tech) counts
    down so "1" is always the base - the same numbering as the SVG description and
    the tier numbers used elsewhere. The ``aria-label`` says so, since the reversed
    order is otherwise only implied by the numbers.
    """
    if not tiers:
        return Markup('<p class="govuk-body">{}</p>').format(_("No tiers yet."))
    items = [_list_item(tier, i + 1) for i, tier in reversed(list(enumerate(tiers)))]
    return Markup(
        '<ol class="govuk-list govuk-list--number" reversed aria-label="{}">{}</ol>'
    ).format(_("Tiers from top to base; tier 1 is the base"), Markup("").join(items))


def _list_item(tier: Tier, number: int) -> Markup:
    metric = Markup(" ({})").format(tier.metric.label()) if tier.metric else ""
    return Markup('<li value="{}" data-tier-key="{}"><strong>{}</strong>{}</li>').format(
        number, tier.key, tier.name, metric
    )


def _width(index: int, count: int) -> float:
    if count == 1:
        return BASE_WIDTH
    shrink = min((BASE_WIDTH - MIN_WIDTH) / (count - 1), MAX_SHRINK)
    return BASE_WIDTH - index * shrink


def _step(index: int, count: int, step_h: float) -> _Step:
    width = _width(index, count)
    y = MARGIN + (count - 1 - index) * (step_h + GAP)  # base at the bottom
    # Spread the palette over however many tiers there are, base darkest.
    shade = PALETTE[round(index * (len(PALETTE) - 1) / max(count - 1, 1))]
    return _Step((WIDTH - width) / 2, y, width, shade)


def _chars(width: float, font_size: int) -> int:
    return max(4, int((width - 2 * PAD_X) / (font_size * CHAR_EM)))


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def _lines(tier: Tier, width: float) -> list[tuple[str, int]]:
    """Text lines as (text, font size): the wrapped name, then the metric label."""
    limit = _chars(width, NAME_SIZE)
    wrapped = textwrap.wrap(tier.name, limit) or [""]
    name = wrapped[:MAX_NAME_LINES]
    if len(wrapped) > MAX_NAME_LINES:
        # Mark the cut even when the kept line happens to fit exactly.
        name[-1] = _fit(name[-1] + " " + wrapped[MAX_NAME_LINES], limit)
    lines = [(line, NAME_SIZE) for line in name]
    if tier.metric:
        lines.append((_fit(tier.metric.label(), _chars(width, METRIC_SIZE)), METRIC_SIZE))
    return lines


def _group(tier: Tier, step: _Step, step_h: float) -> Markup:
    lines = _lines(tier, step.width)
    cx = WIDTH / 2
    # Centre the block of lines; 0.7 of a line approximates the baseline offset.
    first = step.y + (step_h - len(lines) * LINE_HEIGHT) / 2 + LINE_HEIGHT * 0.7
    spans = Markup("").join(
        Markup('<tspan x="{}" y="{}" font-size="{}"{}>{}</tspan>').format(
            _n(cx),
            _n(first + i * LINE_HEIGHT),
            size,
            Markup(' font-weight="bold"') if size == NAME_SIZE else "",
            text,
        )
        for i, (text, size) in enumerate(lines)
    )
    # The <title> gives sighted mouse users the full, untruncated text as a tooltip.
    full = tier.name + (f": {tier.metric.label()}" if tier.metric else "")
    return Markup(
        '<g class="ss-tier" data-tier-key="{key}"><title>{full}</title>'
        '<rect class="ss-tier__step" x="{x}" y="{y}" width="{w}" height="{h}" rx="2"'
        ' fill="{fill}"/>'
        '<text class="ss-tier__label" text-anchor="middle" fill="{text}">{spans}</text></g>'
    ).format(
        key=tier.key,
        full=full,
        x=_n(step.x),
        y=_n(step.y),
        w=_n(step.width),
        h=_n(step_h),
        fill=step.fill,
        text=TEXT_FILL,
        spans=spans,
    )


def _empty_body() -> Markup:
    return Markup(
        '<text class="ss-pyramid__empty" x="{}" y="30" text-anchor="middle"'
        ' font-size="{}" fill="#0b0c0c">No tiers yet</text>'
    ).format(_n(WIDTH / 2), NAME_SIZE)


def _svg(id_prefix: str, title: str, desc: str, height: float, body: Markup) -> Markup:
    return Markup(
        '<svg xmlns="{ns}" class="ss-pyramid" role="img"'
        ' aria-labelledby="{p}-title {p}-desc" viewBox="0 0 {w} {h}"'
        ' width="100%" preserveAspectRatio="xMidYMid meet">'
        '<title id="{p}-title">{title}</title><desc id="{p}-desc">{desc}</desc>{body}</svg>'
    ).format(ns=SVG_NS, p=id_prefix, w=WIDTH, h=_n(height), title=title, desc=desc, body=body)


def _n(value: float) -> str:
    """Compact number for attributes: 12.0 -> "12", 12.345 -> "12.35"."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
