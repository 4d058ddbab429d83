"""Markdown to safe HTML, once, when text is written.

Raw HTML is off, so `<script>` arrives as text. Links and images keep only http(s) and
mailto targets (markdown-it's own validateLink already refuses javascript: and data:
URLs; we narrow it further), and links get rel="nofollow ugc noopener".
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup

SAFE_SCHEMES = ("http://", "https://", "mailto:")


def _validate_link(url: str) -> bool:
    lowered = url.strip().lower()
    if lowered.startswith(SAFE_SCHEMES):
        return True
    # Relative links within the site: no scheme at all.
    return ":" not in lowered.split("/", 1)[0] and not lowered.startswith("//")


def _make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = _validate_link  # type: ignore[method-assign]

    def render_link_open(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        tokens[idx].attrSet("rel", "nofollow ugc noopener")
        tokens[idx].attrSet("class", "govuk-link")
        return str(self.renderToken(tokens, idx, options, env))

    md.add_render_rule("link_open", render_link_open)
    return md


_PARSER = _make_parser()  # stateless after construction; safe to share


def render_markdown(source: str) -> str:
    html: str = _PARSER.render(source)
    return html


def markup(html: str) -> Markup:
    """Mark HTML produced by `render_markdown` (and stored) as safe for templates."""
    return Markup(html)  # noqa: S704 - only ever given our own sanitised output


_BLOCK_ENDS = {
    "paragraph_close",
    "heading_close",
    "list_item_close",
    "blockquote_close",
    "tr_close",
    "th_close",
    "td_close",
}


def plain_text(source: str) -> str:
    """What a reader sees of some markdown, as plain text: for the search index, whose
    snippets would otherwise show `**`, `[text](url)` and link targets nobody reads."""
    parts: list[str] = []
    for token in _PARSER.parse(source):
        if token.type in ("fence", "code_block"):
            parts.append(token.content)
        elif token.type == "inline":
            parts.extend(_inline_text(token.children or []))
        if token.type in _BLOCK_ENDS or token.type in ("fence", "code_block", "hr"):
            parts.append("\n")
    return re.sub(r"\n{2,}", "\n", "".join(parts)).strip()


def _inline_text(children: list[Any]) -> list[str]:
    out: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type == "image":
            out.append(child.content)  # its alt text
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n" if child.type == "hardbreak" else " ")
    return out
