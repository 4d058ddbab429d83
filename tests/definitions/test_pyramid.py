"""Accessible SVG pyramid and its list alternative."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from definitions.pyramid import PALETTE, TEXT_FILL, describe, render_pyramid, render_pyramid_list
from definitions.tiers import Metric, Tier

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"

ZERO_CARBON = [
    Tier("eff", "Energy efficiency", "", "", Metric("<=", "39", "kWh/m²/yr")),
    Tier("car", "Carbon compliance", "", "", Metric("<=", "11", "kgCO₂/m²/yr")),
    Tier("all", "Allowable solutions", "", ""),
]


def parse(markup: str) -> ET.Element:
    # Our own output, not untrusted input; raises if the output is not well-formed XML.
    return ET.fromstring(str(markup))  # noqa: S314


def groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "ss-tier"]


def view_box(root: ET.Element) -> list[float]:
    return [float(v) for v in root.get("viewBox", "").split()]


def texts(element: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in element.iter(f"{SVG}tspan")]


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def make_tiers(n: int) -> list[Tier]:
    return [Tier(f"k{i}", f"Tier name {i}", "", "") for i in range(n)]


def test_root_is_accessible_svg() -> None:
    root = parse(render_pyramid(ZERO_CARBON, title="Zero carbon homes", id_prefix="zc"))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "zc-title zc-desc"
    title = root.find("svg:title", NS)
    desc = root.find("svg:desc", NS)
    assert title is not None
    assert title.get("id") == "zc-title"
    assert title.text == "Zero carbon homes"
    assert desc is not None
    assert desc.get("id") == "zc-desc"
    assert desc.text is not None
    # Base to top, metrics in words.
    assert desc.text.index("Energy efficiency") < desc.text.index("Allowable solutions")
    assert "at most 39 kWh/m²/yr" in desc.text
    assert "Tier 1 (base): Energy efficiency" in desc.text


def test_groups_carry_names_metrics_and_keys_with_base_at_bottom() -> None:
    root = parse(render_pyramid(ZERO_CARBON, title="t"))
    found = groups(root)
    assert [g.get("data-tier-key") for g in found] == ["eff", "car", "all"]
    assert texts(found[0]) == ["Energy efficiency", "≤ 39 kWh/m²/yr"]
    assert texts(found[2]) == ["Allowable solutions"]
    rects = [g.find("svg:rect", NS) for g in found]
    ys = [float(r.get("y", "")) for r in rects if r is not None]
    widths = [float(r.get("width", "")) for r in rects if r is not None]
    assert ys == sorted(ys, reverse=True)  # base lowest on the page
    assert widths == sorted(widths, reverse=True)
    assert len(set(widths)) == 3


@pytest.mark.parametrize("n", range(1, 9))
def test_one_group_per_tier_and_height_grows(n: int) -> None:
    root = parse(render_pyramid(make_tiers(n), title="t"))
    found = groups(root)
    assert len(found) == n
    for i, g in enumerate(found):
        assert f"Tier name {i}" in texts(g)
    if n > 1:
        smaller = parse(render_pyramid(make_tiers(n - 1), title="t"))
        assert view_box(root)[3] > view_box(smaller)[3]
        assert view_box(root)[2] == view_box(smaller)[2]


def test_names_and_title_are_escaped() -> None:
    tiers = [Tier("k<&>", 'A <b>&</b> "tier"', "", "", Metric(">=", "1", "<unit>"))]
    markup = render_pyramid(tiers, title="<script>alert(1)</script>")
    assert "<script>" not in markup
    assert "<b>" not in markup
    root = parse(markup)
    [group] = groups(root)
    assert group.get("data-tier-key") == "k<&>"
    assert texts(group) == ['A <b>&</b> "tier"', "≥ 1 <unit>"]
    assert root.findtext("svg:title", namespaces=NS) == "<script>alert(1)</script>"


def test_long_name_wraps_or_truncates_without_widening() -> None:
    long_name = (
        "Allowable solutions including off-site renewable energy and carbon "
        "offsetting funds paid into a community energy scheme"
    )[:120]
    long_name = long_name.ljust(120, "x")
    short = parse(render_pyramid(make_tiers(3), title="t"))
    tiers = [*make_tiers(2), Tier("top", long_name, "", "")]
    root = parse(render_pyramid(tiers, title="t"))
    assert view_box(root)[2] == view_box(short)[2]
    top = groups(root)[2]
    assert top.findtext("svg:title", namespaces=NS) == long_name
    lines = texts(top)
    assert len(lines) <= 2
    assert lines[-1].endswith("…")
    width = float(top.find("svg:rect", NS).get("width", ""))  # type: ignore[union-attr]
    for line in lines:
        assert len(line) * 16 * 0.6 <= width  # estimated text fits inside its step


def test_colours_have_enough_contrast() -> None:
    for colour in PALETTE:
        assert contrast(colour, TEXT_FILL) >= 4.5, colour
    for n in range(1, 9):
        root = parse(render_pyramid(make_tiers(n), title="t"))
        for g in groups(root):
            rect, text = g.find("svg:rect", NS), g.find("svg:text", NS)
            assert rect is not None
            assert text is not None
            assert contrast(rect.get("fill", ""), text.get("fill", "")) >= 4.5


def test_no_inline_styles() -> None:
    markup = render_pyramid(ZERO_CARBON, title="t") + render_pyramid([], title="t")
    assert "style=" not in markup
    assert "style=" not in render_pyramid_list(ZERO_CARBON)


def test_zero_tiers_says_so() -> None:
    root = parse(render_pyramid([], title="Empty", id_prefix="e1"))
    assert groups(root) == []
    assert "No tiers yet" in "".join(root.itertext())
    assert root.get("aria-labelledby") == "e1-title e1-desc"
    assert view_box(root)[3] < view_box(parse(render_pyramid(make_tiers(1), title="t")))[3]


def test_bad_id_prefix_rejected() -> None:
    with pytest.raises(ValueError, match="id_prefix"):
        render_pyramid(ZERO_CARBON, title="t", id_prefix='x" onload="alert(1)')


def test_describe_single_tier() -> None:
    assert describe(make_tiers(1)).startswith("Pyramid of 1 tier, from base to top.")


def test_list_alternative_counts_down_to_base() -> None:
    # HTML, not XML (bare boolean ``reversed``), so parse it as a browser would.
    ol = BeautifulSoup(render_pyramid_list(ZERO_CARBON), "html.parser").ol
    assert ol is not None
    assert ol.has_attr("reversed")
    assert "tier 1 is the base" in str(ol.get("aria-label"))
    items = ol.find_all("li")
    assert [li.get("data-tier-key") for li in items] == ["all", "car", "eff"]
    assert [li.get("value") for li in items] == ["3", "2", "1"]
    assert items[2].get_text() == "Energy efficiency (≤ 39 kWh/m²/yr)"


def test_list_alternative_escapes_and_handles_empty() -> None:
    markup = render_pyramid_list([Tier("k", "<i>x</i> & y", "", "")])
    assert "&lt;i&gt;x&lt;/i&gt; &amp; y" in markup
    assert "No tiers yet" in render_pyramid_list([])
