"""Files: the type is told from the content, programs and mismatches are refused, uploads
stream to disk within their limit, text is extracted, downloads are fenced in."""

from __future__ import annotations

import io
import select
import socket
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from sharedspace.app import create_app
from sharedspace.demo import documents
from tests.client import HubClient, error_summary, soup
from tests.definitions.factories import viewer_for
from tests.factories import World
from tests.taskgroups.factories import add_evidence, sample_pdf, stored, upload
from tests.workspace.realtime_harness import serve, stop
from workspace.files.extract import ExtractionFailed, extract_text
from workspace.files.store import FileStore
from workspace.files.types import FileRefused, check_name, detect
from workspace.runtime import Runtime

MB = 1024 * 1024


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# -- detection ---------------------------------------------------------------------------

WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (WINDOWS_PROGRAM, "cost-review.pdf"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "fabric-study.docx"),
        (b"#!/bin/sh\nrm -rf ~\n", "figures.csv"),
        (b"\xcf\xfa\xed\xfe" + b"\x00" * 100, "chart.png"),
    ],
)
def test_a_renamed_program_is_refused_whatever_its_name(
    tmp_path: Path, data: bytes, name: str
) -> None:
    with pytest.raises(FileRefused, match="program or a script"):
        detect(_file(tmp_path, name, data))


def test_a_file_whose_name_says_another_type_is_refused(tmp_path: Path) -> None:
    found = detect(_file(tmp_path, "x", sample_pdf()))
    assert found.name == "pdf"
    with pytest.raises(FileRefused, match=r"says it is a Word document, but its content is a PDF"):
        check_name(found, "position-paper.docx")
    check_name(found, "Position Paper.PDF")  # case does not matter
    check_name(found, "no-extension")  # no claim made


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (sample_pdf("heat"), "pdf"),
        (documents.docx("Position", ["We support it."]), "docx"),
        (documents.xlsx("Costs", [["Item", "Cost"], ["Heat pump", 4200]]), "xlsx"),
        (documents.ods("Costs", [["Item", "Cost"]]), "ods"),
        ("Item,Cost\nHeat pump,4200\nTriple glazing,£900\n".encode(), "csv"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "png"),
    ],
)
def test_accepted_types_are_recognised_by_their_content(
    tmp_path: Path, data: bytes, expected: str
) -> None:
    assert detect(_file(tmp_path, "anything", data)).name == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "before 2007"),
        (b"<html><script>alert(1)</script></html>", "could not recognise"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "could not recognise"),
        (b"", "empty"),
        (b"PK\x03\x04 not really a zip", "damaged"),
    ],
)
def test_what_cannot_be_served_safely_is_refused(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(FileRefused, match=message):
        detect(_file(tmp_path, "upload", data))


def test_an_office_document_with_macros_is_refused(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "budget.xlsx"
    path.write_bytes(documents.xlsx("Costs", [["a"]]))
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\x00" * 10)
    with pytest.raises(FileRefused, match="macros"):
        detect(path)


# -- extraction ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "type_name", "words"),
    [
        (sample_pdf("The zorblax walls lose heat", "at 0.15 W/m2K"), "pdf", "zorblax walls"),
        (documents.docx("Position", ["Members support quuxian tiers."]), "docx", "quuxian"),
        (documents.xlsx("Costs", [["Item", "Cost"], ["Frobnic pump", 4200]]), "xlsx", "Frobnic"),
        (documents.ods("Costs", [["Item"], ["Glazing wibblet"]]), "ods", "wibblet"),
        (b"item,cost\nplonkish,12\n", "csv", "plonkish"),
    ],
)
def test_text_is_extracted_from_pdf_and_office_files(
    tmp_path: Path, data: bytes, type_name: str, words: str
) -> None:
    assert words in extract_text(_file(tmp_path, "doc", data), type_name)


def test_a_damaged_pdf_fails_extraction_cleanly(tmp_path: Path) -> None:
    with pytest.raises(ExtractionFailed):
        extract_text(_file(tmp_path, "bad.pdf", b"%PDF-1.4\nnothing else"), "pdf")


# -- the store ----------------------------------------------------------------------------


def test_identical_uploads_are_one_file_on_disk(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    names = []
    for filename in ("a.pdf", "b.pdf"):
        temp = store.new_temp()
        temp.write_bytes(sample_pdf("same"))
        from workspace.files.store import file_hash
        from workspace.files.types import TYPES

        accepted = store.accept(temp, filename, {"pdf": TYPES["pdf"]}, file_hash(temp))
        names.append(accepted)
    assert names[0].sha256 == names[1].sha256
    assert [p.name for p in (tmp_path / "files").rglob("*") if p.is_file()] == [names[0].sha256]


def test_images_are_reencoded_without_their_metadata(tmp_path: Path) -> None:
    from workspace.files.store import file_hash
    from workspace.files.types import TYPES

    picture = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "secret location"  # ImageDescription
    Image.new("RGB", (40, 30), "green").save(picture, "JPEG", exif=exif)
    data = picture.getvalue() + b"<script>trailing payload</script>"
    store = FileStore(tmp_path)
    temp = store.new_temp()
    temp.write_bytes(data)
    accepted = store.accept(temp, "photo.jpg", {"jpeg": TYPES["jpeg"]}, file_hash(temp))
    kept = store.path_for(accepted.sha256).read_bytes()
    assert b"secret location" not in kept
    assert b"trailing payload" not in kept
    with Image.open(io.BytesIO(kept)) as image:
        assert image.size == (40, 30)


# -- uploads over HTTP --------------------------------------------------------------------


@pytest.fixture
def member(as_role) -> HubClient:  # type: ignore[no-untyped-def]
    client: HubClient = as_role("member")
    return client


def _temp_files(rt: Runtime) -> list[Path]:
    tmp = Path(rt.settings.data_dir) / "files" / "tmp"
    return list(tmp.iterdir()) if tmp.exists() else []


def test_a_member_uploads_a_pdf_and_downloads_it_fenced_in(
    member: HubClient, world: World, rt: Runtime
) -> None:
    data = sample_pdf("heat loss")
    response = upload(member, world.group, data, "Fabric study.pdf", {"title": "Fabric study"})
    assert response.status_code == 303, error_summary(soup(response.text))
    page = member.page(response.headers["location"])
    assert page.select_one("h1").get_text(strip=True) == "Fabric study"
    download = member.get(response.headers["location"] + "/file")
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "Fabric%20study.pdf" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in download.headers["content-security-policy"]
    assert download.headers["cache-control"] == "private, no-store"
    assert _temp_files(rt) == []


def test_a_renamed_program_is_refused_with_the_form_kept(
    member: HubClient, world: World, rt: Runtime
) -> None:
    response = upload(
        member, world.group, WINDOWS_PROGRAM, "cost-review.pdf", {"title": "My cost review"}
    )
    assert response.status_code == 400
    page = soup(response.text)
    assert any("program or a script" in e for e in error_summary(page))
    assert page.select_one("#title")["value"] == "My cost review"
    assert _temp_files(rt) == []
    assert not list((Path(rt.settings.data_dir) / "files").glob("??/??/*"))


def test_a_mismatched_type_is_refused_over_http(member: HubClient, world: World) -> None:
    response = upload(member, world.group, sample_pdf(), "costs.xlsx")
    assert response.status_code == 400
    assert any("says it is an Excel spreadsheet" in e for e in error_summary(soup(response.text)))


def test_a_form_error_keeps_the_uploaded_file(member: HubClient, world: World) -> None:
    response = upload(member, world.group, sample_pdf(), "study.pdf", {"title": ""})
    assert response.status_code == 400
    page = soup(response.text)
    assert "study.pdf" in page.select_one("#kept-file").get_text()
    token = page.select_one("input[name=kept_file]")["value"]
    again = member.post(
        f"/groups/{world.group.slug}/evidence/new",
        data={
            "csrf_token": member.csrf_token(),
            "title": "Now with a title",
            "kind": "research",
            "visibility": "group",
            "kept_file": token,
        },
        files={"file": ("", b"", "application/octet-stream")},
    )
    assert again.status_code == 303
    assert member.get(again.headers["location"] + "/file").content == sample_pdf()
    forged = token.rsplit("|", 1)[0] + "|" + "0" * 64
    refused = member.post(
        f"/groups/{world.group.slug}/evidence/new",
        data={
            "csrf_token": member.csrf_token(),
            "title": "x",
            "kind": "research",
            "visibility": "group",
            "kept_file": forged,
        },
        files={"file": ("", b"", "application/octet-stream")},
    )
    assert refused.status_code == 400  # a forged note names no file: "choose a file"


def test_an_upload_without_the_token_is_refused_before_anything_is_stored(
    member: HubClient, world: World, rt: Runtime
) -> None:
    member.get("/")
    response = member.post(
        f"/groups/{world.group.slug}/evidence/new",
        data={"title": "x"},
        files={"file": ("a.pdf", sample_pdf(), "application/pdf")},
    )
    assert response.status_code == 403
    assert _temp_files(rt) == []


def _body(chunks: int, size: int = MB) -> Iterator[bytes]:
    boundary = b"--XyZ"
    yield boundary + b'\r\nContent-Disposition: form-data; name="title"\r\n\r\nHuge\r\n'
    yield boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
    yield b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    for _ in range(chunks):
        yield b"\0" * size
    yield b"\r\n" + boundary + b"--\r\n"


def _post_streaming(
    url: str, path: str, headers: dict[str, str], chunks: Iterator[bytes], chunked: bool
) -> tuple[int, int, str]:
    """POST a body to a real server chunk by chunk, as a browser does, stopping when the
    server answers; (status, body bytes sent, response text)."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers.items()
    )
    head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else "\r\n"
    sock.sendall(head.encode())
    sent = 0
    try:
        for chunk in chunks:
            if select.select([sock], [], [], 0)[0]:
                break  # the server has answered: a browser stops sending too
            framed = b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk
            sock.sendall(framed)
            sent += len(chunk)
        else:
            if chunked:
                sock.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    answer = b""
    sock.settimeout(10)
    try:
        while b"</html>" not in answer:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    except (ConnectionResetError, TimeoutError):
        pass
    sock.close()
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return status, sent, answer.decode("utf-8", "replace")


def test_a_100_mb_upload_is_refused_without_being_read_into_memory(
    member: HubClient, world: World, rt: Runtime
) -> None:
    path = f"/groups/{world.group.slug}/evidence/new"
    headers = {
        "Content-Type": "multipart/form-data; boundary=XyZ",
        "X-CSRF-Token": member.csrf_token(),
        "Cookie": "; ".join(f"{k}={v}" for k, v in member.cookies.items()),
    }
    # Its own app on the same database: a real uvicorn, with its own pool and lifespan.
    served_app = create_app(rt.settings)
    served = serve(served_app)
    try:
        # Declared as 100 MB: refused before a byte of the body is read.
        declared = headers | {"Content-Length": str(100 * MB + 300)}
        status, sent, text = _post_streaming(served.url, path, declared, _body(100), False)
        assert status == 413
        assert "Files can be up to 25 MB" in text
        assert sent < 40 * MB  # socket buffers take some before the answer arrives
        # Not declared (chunked): read as it streams, to disk, and given up at the limit.
        tracemalloc.start()
        try:
            status, sent, text = _post_streaming(served.url, path, headers, _body(100), True)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    finally:
        stop(served)
        served_app.state.runtime.db.dispose()
    assert status == 413
    page = soup(text[text.index("<!DOCTYPE") :])
    assert any("25 MB or smaller" in e for e in error_summary(page))
    assert page.select_one("#title")["value"] == "Huge"  # the fields before it are kept
    assert sent < 40 * MB  # the rest of the 100 MB was never sent: the server had answered
    assert peak < 12 * MB, f"peak {peak / MB:.1f} MB"
    assert _temp_files(rt) == []


def test_text_of_an_uploaded_pdf_is_extracted_and_searchable_by_the_group_only(
    rt: Runtime, world: World, as_role
) -> None:  # type: ignore[no-untyped-def]
    member = viewer_for(rt, world.users["member"])
    item = add_evidence(rt, member, world.group, data=sample_pdf("zorblaxian heat pumps"))
    assert stored(rt, item).text_status == "done"
    assert "zorblaxian" in stored(rt, item).text
    rt.indexer.drain()
    for role, hits in (("member", 1), ("observer", 1), ("public", 0), ("visitor", 0)):
        page = as_role(role).page("/search?q=zorblaxian")
        assert len(page.select(".ss-search-result")) == hits, role
