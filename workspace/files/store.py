"""Files on disk, addressed by the SHA-256 of their content: `DATA_DIR/files/ab/cd/<hash>`.

A file is written to `files/tmp/` while it arrives, then moved into place with one
`os.replace`, so a reader never sees half a file and two uploads of the same bytes end
as one file. Several machines must share `DATA_DIR/files` (docs/deployment.md).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from workspace.files import images
from workspace.files.types import FileRefused, FileType, check_name, detect, stored_name
from workspace.i18n import gettext as _

CHUNK = 1024 * 1024  # reading and hashing 1 MB at a time keeps memory flat


@dataclass(frozen=True)
class Accepted:
    """A file checked and in place, not yet recorded in the database."""

    sha256: str
    size: int
    type: FileType
    name: str  # what a download is called


@dataclass(frozen=True)
class DiskUsage:
    free_bytes: int
    total_bytes: int


class FileStore:
    def __init__(self, data_dir: str | Path) -> None:
        self.root = Path(data_dir) / "files"
        self.tmp = self.root / "tmp"

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def new_temp(self) -> Path:
        self.tmp.mkdir(parents=True, exist_ok=True)
        return self.tmp / secrets.token_hex(16)

    def accept(
        self, temp: Path, filename: str, allowed: dict[str, FileType], sha256: str
    ) -> Accepted:
        """Check the uploaded file at `temp` (hashed while it arrived) and move it into
        place; FileRefused, with the temporary file removed, when it cannot be taken."""
        try:
            found = detect(temp)
            check_name(found, filename)
            if found.name not in allowed:
                names = ", ".join(_(t.label) for t in allowed.values())
                shown = _(found.label)
                label = f"{shown[0].upper()}{shown[1:]}"
                raise FileRefused(
                    _(
                        "%(kind)s cannot be uploaded here. Accepted: %(accepted)s.",
                        kind=label,
                        accepted=names,
                    )
                )
            if found.image:
                redone = self.new_temp()
                try:
                    found = images.reencode(temp, found, redone)
                except BaseException:
                    redone.unlink(missing_ok=True)
                    raise
                temp.unlink()
                temp, sha256 = redone, file_hash(redone)
            size = temp.stat().st_size
            final = self.path_for(sha256)
            final.parent.mkdir(parents=True, exist_ok=True)
            # Always replace, never "keep the one there": the one there may be about to
            # be removed as unused (see taskgroups.evidence.service.release_unused).
            os.replace(temp, final)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return Accepted(sha256, size, found, stored_name(found, filename))

    def remove(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    def usage(self) -> DiskUsage:
        self.root.mkdir(parents=True, exist_ok=True)
        disk = shutil.disk_usage(self.root)
        return DiskUsage(free_bytes=disk.free, total_bytes=disk.total)


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
