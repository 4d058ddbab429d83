"""The text inside a stored file, for search: pypdf for PDFs, python-docx for Word,
python-calamine (Rust's calamine) for Excel and OpenDocument spreadsheets.

Extraction runs after the upload has committed, off the request (see
`taskgroups.evidence.service.extract_and_index`), and is bounded: a long report gives
its first `MAX_CHARS` characters, a big workbook its first rows. A file a reader cannot
read raises ExtractionFailed; the document is still served, just not searched inside.
"""

from __future__ import annotations

import csv
import logging
import resource
import subprocess
import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

log = logging.getLogger(__name__)

MAX_CHARS = 1_000_000  # about 400 pages of text: enough to find any document by its words
MAX_PAGES = 1000
MAX_ROWS = 20_000
# The reader runs in a child process: a hostile or huge file can use at most this much
# memory and time, and its parsing (pure Python for PDFs) never holds the server's GIL.
CHILD_MEMORY_BYTES = 1024 * 1024 * 1024
CHILD_SECONDS = 300


class ExtractionFailed(Exception):
    pass


def extract_text(path: Path, type_name: str) -> str:
    readers = {"pdf": _pdf, "docx": _docx, "xlsx": _sheets, "ods": _sheets, "csv": _csv}
    reader = readers.get(type_name)
    if reader is None:
        return ""
    try:
        return _bounded(reader(path))
    except Exception as error:  # every reader has its own errors for a damaged file
        raise ExtractionFailed(f"{type(error).__name__}: {error}"[:300]) from error


def extract_isolated(path: Path, type_name: str) -> str:
    """`extract_text` in a child process, bounded in memory and time; what servers call."""

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES))

    try:
        done = subprocess.run(
            [sys.executable, "-m", "workspace.files.extract", type_name, str(path)],
            capture_output=True,
            timeout=CHILD_SECONDS,
            preexec_fn=limits,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ExtractionFailed(f"reading took more than {CHILD_SECONDS} s") from error
    if done.returncode != 0:
        raise ExtractionFailed(done.stderr.decode("utf-8", "replace")[-300:])
    return done.stdout.decode("utf-8", "replace")


def _bounded(pieces: Iterator[str]) -> str:
    kept: list[str] = []
    total = 0
    for piece in pieces:
        text = " ".join(piece.split())
        if not text:
            continue
        kept.append(text[: MAX_CHARS - total])
        total += len(kept[-1]) + 1
        if total >= MAX_CHARS:
            break
    return "\n".join(kept)


def _pdf(path: Path) -> Iterator[str]:
    from pypdf import PdfReader

    # An open file, not a path: given a path, pypdf reads the whole file into memory.
    with path.open("rb") as handle:
        reader = PdfReader(handle)
        if reader.is_encrypted:
            reader.decrypt("")  # many "protected" PDFs only restrict printing
        for page in islice(reader.pages, MAX_PAGES):
            yield page.extract_text() or ""


def _docx(path: Path) -> Iterator[str]:
    import docx

    document = docx.Document(str(path))
    for paragraph in document.paragraphs:
        yield paragraph.text
    for table in document.tables:
        for row in table.rows:
            yield " ".join(cell.text for cell in row.cells)


def _sheets(path: Path) -> Iterator[str]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    try:
        for name in workbook.sheet_names:
            yield name
            sheet = workbook.get_sheet_by_name(name)
            for row in islice(sheet.iter_rows(), MAX_ROWS):
                yield " ".join(str(cell) for cell in row if cell not in ("", None))
    finally:
        workbook.close()


def _csv(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        for row in islice(csv.reader(handle), MAX_ROWS):
            yield " ".join(row)


if __name__ == "__main__":
    # python -m workspace.files.extract TYPE PATH: the text on stdout (extract_isolated).
    sys.stdout.write(extract_text(Path(sys.argv[2]), sys.argv[1]))
