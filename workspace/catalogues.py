"""`make messages`: extract every package's messages and bring its Welsh catalogue up to
date (docs/i18n.md). The check in tests/workspace/test_i18n.py extracts the same way.

Equivalent to running, for each package,

    pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -k lazy_gettext \\
        -k lazy_ngettext:1,2 --no-location --sort-output -o <pkg>/locale/messages.pot <pkg>
    pybabel update -i <pkg>/locale/messages.pot -d <pkg>/locale -l cy --no-fuzzy-matching

except that files are only rewritten when a message changed, so running it changes
nothing in git unless the text did (no creation dates churning in six catalogues that
three people edit at once).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
# Every top-level package with a catalogue, the ground first (as pluggy loads them).
PACKAGES = ("workspace", "taskgroups", "definitions", "consultations", "reports", "sharedspace")
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
}
WELSH = "cy"
PROJECT = "Shared Space"
HOLDER = "the Shared Space contributors"


def template_path(package: str) -> Path:
    return ROOT / package / "locale" / "messages.pot"


def welsh_path(package: str) -> Path:
    return ROOT / package / "locale" / WELSH / "LC_MESSAGES" / "messages.po"


def extract(package: str) -> Catalog:
    """The package's messages as the code and templates hold them now."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config, "babel.cfg")  # type: ignore[no-untyped-call]
    catalogue = Catalog(project=PROJECT, copyright_holder=HOLDER, fuzzy=False)
    for _file, _line, message, comments, context in extract_from_dir(
        ROOT / package, method_map, options_map, keywords=KEYWORDS
    ):
        catalogue.add(message, None, auto_comments=comments, context=context)
    return catalogue


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=locale)


def render(catalogue: Catalog, *, header: bool) -> bytes:
    buffer = BytesIO()
    write_po(
        buffer,
        catalogue,
        no_location=True,
        sort_output=True,
        ignore_obsolete=True,
        omit_header=not header,
    )
    return buffer.getvalue()


def update(package: str) -> list[str]:
    """Write the package's `.pot` and update (or start) its Welsh `.po`; the files that
    changed."""
    changed: list[str] = []
    template = extract(package)
    if _write(template_path(package), render(template, header=False)):
        changed.append(str(template_path(package).relative_to(ROOT)))
    po_path = welsh_path(package)
    if po_path.exists():
        welsh = read(po_path, WELSH)
        created = welsh.creation_date
        welsh.update(template, no_fuzzy_matching=True, update_creation_date=False)
        welsh.creation_date = created
    else:
        welsh = Catalog(locale=WELSH, project=PROJECT, copyright_holder=HOLDER, fuzzy=False)
        welsh.update(template, no_fuzzy_matching=True)
    if _write(po_path, render(welsh, header=True)):
        changed.append(str(po_path.relative_to(ROOT)))
    return changed


def _write(path: Path, data: bytes) -> bool:
    """Write only when the messages differ (headers' dates aside)."""
    if path.exists() and _without_dates(path.read_bytes()) == _without_dates(data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def _without_dates(data: bytes) -> bytes:
    return b"\n".join(
        line
        for line in data.splitlines()
        if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision-Date'))
    )


def main(argv: Sequence[str] = ()) -> int:
    for package in argv or PACKAGES:
        for path in update(package):
            print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
