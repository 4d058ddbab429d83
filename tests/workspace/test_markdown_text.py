"""Markdown as plain text, for the search index."""

from __future__ import annotations

from workspace.markdown import plain_text


def test_emphasis_and_links_become_their_words() -> None:
    source = "Fabric **first**, then [carbon compliance](https://example.org/cc)."
    assert plain_text(source) == "Fabric first, then carbon compliance."


def test_blocks_are_separated_and_code_is_kept() -> None:
    source = "# Heading\n\n- one\n- two\n\n```\nU = 0.15\n```\n\n> quoted\nline"
    assert plain_text(source).split("\n") == ["Heading", "one", "two", "U = 0.15", "quoted line"]


def test_raw_html_stays_text_and_images_give_their_alt() -> None:
    assert plain_text("<b>bold</b> ![a pyramid](https://x/p.png)") == "<b>bold</b> a pyramid"


def test_empty_text() -> None:
    assert plain_text("") == ""
