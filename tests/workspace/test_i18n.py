"""Every package's interface text comes from its catalogue, and Welsh is complete
(docs/i18n.md). Parametrised by package: `-k consultations` checks one.

1. No template holds text outside `{% trans %}` / `_()`: Jinja's lexer finds the text
   between tags, HTML tags are stripped (the attributes people or assistive technology
   read are kept), and what is left must hold no letter. Strings handed to GOV.UK macros
   as "text", "html" and the like count too.
2. The `.pot` is what the code holds now, and every message in it has a Welsh
   translation, not fuzzy, every plural form filled.
3. Each translation uses the placeholders of its message, and no stray `%`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from jinja2 import Environment

from workspace import catalogues

PACKAGES = catalogues.PACKAGES
# `-k package_workspace` checks one package (`-k workspace` would match this file's folder).
IDS = [f"package_{name}" for name in PACKAGES]
# Names and codes that read the same in both languages.
ALLOWED = ("Shared Space", "GOV.UK", "RSS", "CSV", "JSON", "iCal", "Atom", "API", "OpenAPI")
ALLOWED += ("Cymraeg", "English", "©", "Markdown", "PDF", "DOCX", "XLSX", "ODT", "ODS", "URL")
# Attributes whose text is shown or read out.
READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "aria-description")
# Keys of GOV.UK macro parameters whose strings are shown.
SHOWN_KEYS = {
    "label",
    "text",
    "html",
    "titleText",
    "visuallyHiddenText",
    "summaryText",
    "caption",
    "descriptionText",
    "iconFallbackText",
}
# The project's macros (workspace/templates/macros.html) that show string arguments.
SHOWING_MACROS = {"error_title", "post_button", "date_input"}
# A string argument that reads as words (not a field name, a path or a class).
LOOKS_LIKE_WORDS = re.compile(r"^[\"'](?!.*(?:govuk-|ss-|/))[^_]*[A-Z ][^_]*[\"']$")
HOLE = "\x00"  # where a Jinja expression or translated text stood
LETTER = re.compile(r"[^\W\d_]")
ATTRIBUTE = re.compile(r'[\w-]+="[^"]*"')
ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|\w+);")
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0 +-]*\d*(?:\.\d+)?([sdifrx%])")


def _environment() -> Environment:
    # Only lexed, never rendered: autoescape does not apply.
    return Environment(  # noqa: S701
        extensions=["jinja2.ext.do", "jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True
    )


def templates(package: str) -> list[Path]:
    root = catalogues.ROOT / package
    return sorted(
        path
        for pattern in ("**/templates/**/*.html", "**/templates/**/*.txt")
        for path in root.glob(pattern)
    )


def shown_text(source: str) -> str:
    """The template as text with every Jinja part replaced by a hole; what is inside
    `{% trans %}` and `{% raw %}` counts as translated."""
    pieces: list[str] = []
    in_trans = False
    previous = ""
    for _line, kind, value in _environment().lex(source):
        if kind == "name" and previous == "block_begin" and value in ("trans", "endtrans"):
            in_trans = value == "trans"
        if kind == "data" and not in_trans:
            pieces.append(value)
        elif kind in ("block_begin", "variable_begin") and (not pieces or pieces[-1] != HOLE):
            pieces.append(HOLE)
        if kind not in ("whitespace",):
            previous = kind
    return "".join(pieces)


def untranslated_strings(source: str) -> Iterator[str]:
    """Strings given to a macro parameter that is shown, `{"text": "Save"}`, or to one of
    the shared macros that show their arguments, `error_title(form, "Sign in")`."""
    tokens = [
        (kind, value) for _l, kind, value in _environment().lex(source) if kind != "whitespace"
    ]
    yield from _macro_arguments(tokens)
    for i in range(2, len(tokens)):
        key, colon, value = tokens[i - 2], tokens[i - 1], tokens[i]
        if (
            key[0] == "string"
            and key[1].strip("'\"") in SHOWN_KEYS
            and colon == ("operator", ":")
            and value[0] == "string"
        ):
            yield value[1]


def _macro_arguments(tokens: list[tuple[str, str]]) -> Iterator[str]:
    depth = 0  # inside the brackets of a call to one of SHOWING_MACROS
    for i, (kind, value) in enumerate(tokens):
        if depth == 0:
            opens_call = kind == "operator" and value == "(" and i > 0
            if opens_call and tokens[i - 1] in {("name", m) for m in SHOWING_MACROS}:
                depth = 1
            continue
        if kind == "operator" and value in "([{":
            depth += 1
        elif kind == "operator" and value in ")]}":
            depth -= 1
        elif kind == "string" and depth == 1 and LOOKS_LIKE_WORDS.search(value):
            yield value


def visible_text(html: str) -> Iterator[str]:
    """Text a person sees or hears in an HTML fragment: text between tags, the content of
    the attributes in READ_ATTRIBUTES; never scripts, styles or comments."""
    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S | re.I)
    for tag in re.finditer(r"<[^>]*>", html):
        for attribute in READ_ATTRIBUTES:
            for found in re.finditer(rf'\s{attribute}="([^"]*)"', tag.group()):
                yield found.group(1)
    yield from re.split(r"<[^>]*>", html)


def has_words(text: str) -> bool:
    # A macro that prints attributes (`data-hx-boost="true"`) is not text.
    text = ATTRIBUTE.sub("", ENTITY.sub("", text))
    for name in ALLOWED:
        text = text.replace(name, "")
    return LETTER.search(text) is not None


def bare_text(path: Path) -> list[str]:
    source = path.read_text()
    found = [t.strip() for t in visible_text(shown_text(source)) if has_words(t)]
    found += [s for s in untranslated_strings(source) if has_words(re.sub(r"<[^>]*>", "", s))]
    return [" ".join(t.replace(HOLE, "…").split())[:80] for t in found]


@pytest.mark.parametrize("package", PACKAGES, ids=IDS)
def test_templates_hold_no_text_outside_the_catalogue(package: str) -> None:
    problems = {
        str(path.relative_to(catalogues.ROOT)): found
        for path in templates(package)
        if (found := bare_text(path))
    }
    assert problems == {}


def _read(package: str) -> tuple[Catalog, Catalog]:
    pot, po = catalogues.template_path(package), catalogues.welsh_path(package)
    assert pot.exists(), f"run `make messages PACKAGES={package}`"
    assert po.exists(), f"run `make messages PACKAGES={package}`"
    return catalogues.read(pot), catalogues.read(po, catalogues.WELSH)


def _messages(catalogue: Catalog) -> dict[str | tuple[str, ...], Message]:
    return {m.id: m for m in catalogue if m.id}


@pytest.mark.parametrize("package", PACKAGES, ids=IDS)
def test_template_catalogue_is_up_to_date(package: str) -> None:
    template, _welsh = _read(package)
    in_code = set(_messages(catalogues.extract(package)))
    in_file = set(_messages(template))
    assert (sorted(map(str, in_code - in_file)), sorted(map(str, in_file - in_code))) == (
        [],
        [],
    ), f"run `make messages PACKAGES={package}`"


def complete(found: Message | None) -> bool:
    """Translated, not fuzzy, and every one of the six Welsh plural forms filled."""
    if found is None or found.fuzzy:
        return False
    if found.pluralizable:
        return len(found.string) == 6 and all(found.string)
    return bool(found.string)


@pytest.mark.parametrize("package", PACKAGES, ids=IDS)
def test_every_message_has_a_welsh_translation(package: str) -> None:
    template, welsh = _read(package)
    translated = _messages(welsh)
    assert welsh.num_plurals == 6
    missing = [str(msgid) for msgid in _messages(template) if not complete(translated.get(msgid))]
    assert missing == []


def placeholders(text: str) -> set[str]:
    return {name or kind for name, kind in PLACEHOLDER.findall(text) if kind != "%"}


def stray_percent(text: str) -> bool:
    return "%" in PLACEHOLDER.sub("", text)


@pytest.mark.parametrize("package", PACKAGES, ids=IDS)
def test_translations_keep_the_placeholders(package: str) -> None:
    _template, welsh = _read(package)
    wrong = []
    for message in welsh:
        if not message.id or not message.string:
            continue
        ids = list(message.id) if message.pluralizable else [message.id]
        strings = list(message.string) if message.pluralizable else [message.string]
        wanted = set().union(*(placeholders(i) for i in ids))
        for text in strings:
            if not text:
                continue
            got = placeholders(text)
            # A plural form may leave out the number ("Un sylw"), never another name.
            needed = wanted - {"num", "count"} if message.pluralizable else wanted
            if stray_percent(text) or not needed <= got <= wanted:
                wrong.append(f"{ids[0]!r} -> {text!r}")
    assert wrong == []


def test_the_check_finds_bare_text() -> None:
    """The scan itself: it sees text, attributes and macro strings, and lets through what
    is translated, escaped or allowed."""
    source = (
        '<h1>Save</h1><p title="Hint">{{ _("Fine") }}</p>'
        '{% trans %}Also <a href="x">fine</a>{% endtrans %}'
        '{{ govukButton({"text": "Send"}) }}<span>GOV.UK &ndash; 2026</span>'
        '<input aria-label="{{ _("Ok") }}" class="words-here">'
    )
    found = [t.strip() for t in visible_text(shown_text(source)) if has_words(t)]
    assert found == ["Hint", "Save"]
    assert list(untranslated_strings(source)) == ['"Send"']
    macros = (
        '{{ error_title(form, "Sign in") }}{{ date_input(form, "opens_at", _("Opens")) }}'
        '{{ post_button("/x", _("Go"), token, "govuk-button govuk-button--warning") }}'
    )
    assert list(untranslated_strings(macros)) == ['"Sign in"']
