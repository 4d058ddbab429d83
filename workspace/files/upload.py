"""Reading a form with a file as it streams in: never the whole body in memory.

The middleware lets requests to an upload path (the `upload_paths` hook) past the small
body limit of ordinary forms, after refusing at once any whose declared length is over
`MAX_UPLOAD_BYTES`. Here the body is parsed as it arrives (python-multipart's push
parser): the file's bytes go straight to a temporary file under `DATA_DIR/files/tmp/`,
hashed on the way, and reading stops as soon as the file passes the limit, so a body
without a declared length cannot fill the disk either.

The CSRF token is checked here, not in the middleware (which would have to read the
whole body first): it must come before the file (the form puts it first, as browsers send
fields in page order) or in the `X-CSRF-Token` header, and nothing is written to disk
before it has been checked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from workspace import csrf
from workspace.failures import Forbidden, Invalid
from workspace.files.store import FileStore
from workspace.forms import FormInput
from workspace.i18n import gettext as _
from workspace.i18n import lazy_gettext

MAX_FIELDS = 100
MAX_FIELD_BYTES = 100_000
FORM_OVERHEAD = 256_000  # room for the fields and part headers besides the file
EXPIRED = lazy_gettext(
    "This form has expired or came from another site. Go back, reload the page and try again."
)


@dataclass
class ReceivedFile:
    path: Path  # a temporary file: accept it (FileStore.accept) or discard it
    filename: str  # as the browser named it, for the download's name only
    size: int
    sha256: str

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


@dataclass
class Upload:
    form: FormInput
    file: ReceivedFile | None = None
    too_large: bool = False


class _TooLarge(Exception):
    pass


@dataclass
class _Part:
    name: str = ""
    filename: str | None = None
    data: bytearray = field(default_factory=bytearray)
    header_name: bytes = b""
    header_value: bytes = b""
    disposition: bytes = b""


class _Reader:
    """The parser's callbacks: fields into a FormInput, the one file onto disk."""

    def __init__(
        self,
        store: FileStore,
        limit: int,
        file_field: str,
        csrf_ok: bool,
        check: Callable[[str], bool],
    ) -> None:
        self.store, self.limit, self.file_field = store, limit, file_field
        self.csrf_ok = csrf_ok
        self.check_token = check
        self.form = FormInput()
        self.part = _Part()
        self.fields = 0
        self.file: ReceivedFile | None = None
        self.handle: IO[bytes] | None = None
        self.digest = hashlib.sha256()

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self.part_begin,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
        }

    def part_begin(self) -> None:
        self.part = _Part()

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self.part.header_name += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self.part.header_value += data[start:end]

    def header_end(self) -> None:
        if self.part.header_name.lower() == b"content-disposition":
            self.part.disposition = self.part.header_value
        self.part.header_name, self.part.header_value = b"", b""

    def headers_finished(self) -> None:
        _kind, options = parse_options_header(self.part.disposition)
        self.part.name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            self.fields += 1
            if self.fields > MAX_FIELDS:
                raise Invalid(_("The form has too many fields."))
            return
        self.part.filename = options[b"filename"].decode("utf-8", "replace")
        if self.part.name != self.file_field or not self.part.filename or self.file is not None:
            return  # an empty file input, or a file nobody asked for: its bytes are dropped
        if not self.csrf_ok:
            self.csrf_ok = self.check_token(self.form.get(csrf.FIELD))
            if not self.csrf_ok:
                raise Forbidden(str(EXPIRED))
        path = self.store.new_temp()
        self.handle = path.open("wb")
        self.file = ReceivedFile(path, self.part.filename, 0, "")

    def part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self.handle is not None and self.file is not None and not self.file.sha256:
            self.file.size += len(chunk)
            if self.file.size > self.limit:
                raise _TooLarge()
            self.digest.update(chunk)
            # A write of one chunk to the page cache: quick enough for the event loop,
            # and it keeps the upload's memory to one chunk whatever the file's size.
            self.handle.write(chunk)
        elif self.part.filename is None:
            if len(self.part.data) + len(chunk) > MAX_FIELD_BYTES:
                raise Invalid(_("A field of the form is too long."))
            self.part.data.extend(chunk)

    def part_end(self) -> None:
        if self.part.filename is None:
            value = bytes(self.part.data).decode("utf-8", "replace")
            value = value.replace("\x00", "").replace("\r\n", "\n")
            self.form.values.setdefault(self.part.name, value)
            self.form.lists.setdefault(self.part.name, []).append(value)
        elif self.handle is not None and self.file is not None and not self.file.sha256:
            self.handle.close()
            self.handle = None
            self.file.sha256 = self.digest.hexdigest()

    def abandon(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None
        if self.file is not None:
            self.file.discard()
            self.file = None


async def read_upload(
    request: Request, store: FileStore, *, limit: int, file_field: str = "file"
) -> Upload:
    """The form's fields and its one file (on disk, not yet checked). `too_large` says the
    file passed `limit` bytes: reading stopped there and the fields before it are kept."""
    secret = request.app.state.runtime.settings.secret_key
    cookie = request.cookies.get(csrf.COOKIE)

    def token_ok(token: str) -> bool:
        return csrf.valid(secret, cookie, token)

    header = request.headers.get(csrf.HEADER, "")
    reader = _Reader(store, limit, file_field, bool(header) and token_ok(header), token_ok)
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or not params.get(b"boundary"):
        raise Invalid(_("Send the form as multipart/form-data, as the page does."))
    parser = MultipartParser(params[b"boundary"], reader.callbacks())  # type: ignore[arg-type]
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit + FORM_OVERHEAD:
                raise _TooLarge()
            parser.write(chunk)
        parser.finalize()
    except _TooLarge:
        reader.abandon()
        return Upload(reader.form, None, too_large=True)
    except FormParserError as error:
        reader.abandon()
        raise Invalid(_("The form could not be read. Go back and send it again.")) from error
    except BaseException:
        reader.abandon()
        raise
    if reader.handle is not None:  # the body ended inside the file
        reader.abandon()
        raise Invalid(_("The file did not arrive whole. Go back and send it again."))
    if not reader.csrf_ok and not token_ok(reader.form.get(csrf.FIELD)):
        reader.abandon()
        raise Forbidden(str(EXPIRED))
    return Upload(reader.form, reader.file)
