"""What a file is, told from its bytes: never from its name or the browser's claim.

Each accepted type is recognised by its signature (and, for the zip-based Office formats,
by the parts inside the archive); a program or a script is refused whatever it is called,
and so is a file whose name says one type while its content is another. The name is
only compared with what the content says, so people learn of a wrong file at once.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from workspace.failures import Invalid
from workspace.i18n import N_
from workspace.i18n import gettext as _

HEAD_BYTES = 8192  # what detection reads of a file, besides a zip's directory


@dataclass(frozen=True)
class FileType:
    name: str
    label: str  # for people, in English (N_): "a PDF"; shown as gettext(label)
    media_type: str
    extensions: tuple[str, ...]  # the first is the one given to the stored file's name
    has_text: bool = True
    image: bool = False


TYPES: dict[str, FileType] = {
    t.name: t
    for t in (
        FileType("pdf", N_("a PDF"), "application/pdf", (".pdf",)),
        FileType(
            "docx",
            N_("a Word document"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
        ),
        FileType(
            "xlsx",
            N_("an Excel spreadsheet"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
        ),
        FileType(
            "ods",
            N_("an OpenDocument spreadsheet"),
            "application/vnd.oasis.opendocument.spreadsheet",
            (".ods",),
        ),
        FileType("csv", N_("a CSV file"), "text/csv", (".csv", ".txt")),
        FileType("png", N_("a PNG image"), "image/png", (".png",), has_text=False, image=True),
        FileType(
            "jpeg", N_("a JPEG image"), "image/jpeg", (".jpg", ".jpeg"), has_text=False, image=True
        ),
        FileType("gif", N_("a GIF image"), "image/gif", (".gif",), has_text=False, image=True),
        FileType("webp", N_("a WebP image"), "image/webp", (".webp",), has_text=False, image=True),
    )
}

# Signatures of programs: refused whatever the file is called.
EXECUTABLE_SIGNATURES = (
    b"MZ",  # Windows and DOS programs
    b"\x7fELF",  # Linux programs
    b"\xfe\xed\xfa\xce",  # macOS programs (Mach-O, both byte orders and widths)
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # universal macOS programs and Java classes
    b"#!",  # scripts
)
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc and .xls before 2007
# Zip-based documents: no Office document inflates to more than this many times its size;
# a zip that claims to is a "zip bomb" aimed at the text extraction.
MAX_INFLATION = 100
MAX_ZIP_ENTRIES = 10_000


class FileRefused(Invalid):
    """The file cannot be accepted; the message says why and what to do."""


def allowed_types(setting: str) -> dict[str, FileType]:
    """The types an `UPLOAD_TYPES` setting names ("pdf,docx,..."); unknown names are an
    error at start, not a surprise at upload."""
    names = [n.strip().lower() for n in setting.split(",") if n.strip()]
    unknown = [n for n in names if n not in TYPES]
    if unknown:
        raise ValueError(
            f"UPLOAD_TYPES names unknown types: {', '.join(unknown)}. Known: {', '.join(TYPES)}."
        )
    return {n: TYPES[n] for n in names}


def detect(path: Path) -> FileType:
    """The type of the file at `path`, from its content; FileRefused when it is a program,
    an old Office format, or nothing we recognise."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if not head:
        raise FileRefused(_("The file is empty. Choose the document itself."))
    if head.startswith(EXECUTABLE_SIGNATURES):
        raise FileRefused(
            _(
                "This file is a program or a script, which cannot be uploaded. "
                "Choose a PDF, Office document, spreadsheet, CSV file or image."
            )
        )
    if head.startswith(b"%PDF-"):
        return TYPES["pdf"]
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(path)
    if head.startswith(OLE2):
        raise FileRefused(
            _(
                "This is an Office document in the format used before 2007 (.doc or .xls). "
                "Save it as .docx or .xlsx (File > Save As) and upload that."
            )
        )
    image = _image_type(head)
    if image is not None:
        return image
    if _is_text(head):
        return TYPES["csv"]
    raise FileRefused(
        _(
            "We could not recognise this file. Upload a PDF, a Word document (.docx), a "
            "spreadsheet (.xlsx, .ods or .csv) or an image (PNG, JPEG, GIF or WebP)."
        )
    )


def _image_type(head: bytes) -> FileType | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return TYPES["png"]
    if head.startswith(b"\xff\xd8\xff"):
        return TYPES["jpeg"]
    if head.startswith((b"GIF87a", b"GIF89a")):
        return TYPES["gif"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return TYPES["webp"]
    return None


def _is_text(head: bytes) -> bool:
    """Plain UTF-8 text without control characters or markup: what a CSV file is. HTML,
    SVG and XML are refused, since a browser could run what they contain."""
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the head is still text.
        if error.start < len(head) - 4:
            return False
        text = head[: error.start].decode("utf-8-sig")
    if text.lstrip().startswith("<"):
        return False
    return all(ch in "\t\r\n" or ch >= " " for ch in text)


def _zip_type(path: Path) -> FileType:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            names = {info.filename for info in entries}
            if len(entries) > MAX_ZIP_ENTRIES:
                raise FileRefused(_("This archive holds too many parts to be a document."))
            inflated = sum(info.file_size for info in entries)
            if inflated > MAX_INFLATION * max(path.stat().st_size, 1):
                raise FileRefused(_("This file expands to far more than any document would."))
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise FileRefused(
                    "This document contains macros, which cannot be uploaded. "
                    "Save it without macros (as .docx or .xlsx) and upload that."
                )
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].strip()
                if declared == TYPES["ods"].media_type.encode():
                    return TYPES["ods"]
            elif "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return TYPES["docx"]
                if "xl/workbook.xml" in names:
                    return TYPES["xlsx"]
    except zipfile.BadZipFile as error:
        raise FileRefused(_("This file is damaged: it cannot be opened.")) from error
    raise FileRefused(
        _(
            "This is a zip archive or an Office format we do not accept. Upload the "
            "documents themselves: PDF, Word (.docx), spreadsheets (.xlsx, .ods) or images."
        )
    )


def check_name(found: FileType, filename: str) -> None:
    """Refuse a file whose name says another type than its content: someone chose the
    wrong file, or someone is trying to pass one type off as another."""
    suffix = Path(filename).suffix.lower()
    if suffix in found.extensions:
        return
    if not suffix:
        return  # no claim made: the stored name gets the right extension
    claimed = next((t for t in TYPES.values() if suffix in t.extensions), None)
    said = _(claimed.label) if claimed else _("a %(suffix)s file", suffix=suffix)
    raise FileRefused(
        _(
            "The file is named %(name)s, which says it is %(said)s, but its content is "
            "%(found)s. Check you chose the right file.",
            name=repr(filename),
            said=said,
            found=_(found.label),
        )
    )


def stored_name(found: FileType, filename: str) -> str:
    """The name a download is given: the uploader's, cleaned, with the right extension."""
    stem = Path(filename.replace("\\", "/")).name
    kept = "".join(ch for ch in stem if ch.isprintable() and ch not in '"/\\<>:|?*')
    base = Path(kept).stem.strip(" .")[:150] or "document"
    return base + found.extensions[0]
