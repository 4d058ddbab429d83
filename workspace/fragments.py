"""Rendered pieces of pages that do not depend on who is looking, kept per process.

People who sign in get their own page on every request (their reply forms, their
response, moderation controls), so the page as a whole cannot be shared the way
anonymous pages are (workspace/pagecache.py). Most of its bytes can: a 1,000-comment
thread, the frozen definition and its pyramid are the same for every reader entitled
to them. A page asks for such a piece with

    rt.fragments.fetch(slot, version, build)

`slot` names the piece and the audience it was built for, e.g. ("thread", 7, "public");
`version` is what the piece depends on, **as read from the database in this request**
(a consultation's `comment_seq`, a stored JSON text), never a process's memory of its
own writes. So a write made by another worker, another machine or a script is seen by
the first request that reads the new version, and a piece is never served for a
version it was not built from. Each slot holds one version: building a newer one
replaces the older, so stale copies do not pile up. Entries are bounded by count and
by approximate size (`FRAGMENT_CACHE_MB`; 0 turns the cache off, and every fetch
builds).

What goes in must really be the same for everyone the slot names: never a CSRF token,
a form, a name of the viewer or a control only some roles get. Those stay in the
page's shell, rendered for each request.

Large pieces are best kept as UTF-8 bytes and put into the page after the shell is
rendered: the template prints a `hole()` where the piece goes, and `fill()` swaps the
bytes in, so a 1.5 MB thread is neither joined into the template's output nor encoded
again on every request.
"""

from __future__ import annotations

import secrets
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

from starlette.responses import Response

from workspace.i18n import current_locale

T = TypeVar("T")
MAX_ENTRIES = 4096


def size_of(value: Any) -> int:
    """Rough size of a cached value in bytes: strings by length, tuples and lists by
    their items, anything else by `sys.getsizeof`."""
    if isinstance(value, str | bytes):
        return len(value) + 64
    if isinstance(value, tuple | list):
        return 64 + sum(size_of(item) for item in value)
    if isinstance(value, dict):
        return 64 + sum(size_of(k) + size_of(v) for k, v in value.items())
    return sys.getsizeof(value)


class FragmentCache:
    def __init__(self, megabytes: int, max_entries: int = MAX_ENTRIES) -> None:
        self.max_bytes = max(0, megabytes) * 1024 * 1024
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[Hashable, Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def fetch(self, slot: Hashable, version: Hashable, build: Callable[[], T]) -> T:
        """The piece in `slot` built for `version`; built now (and kept) when the slot
        is empty or holds another version."""
        if not self.enabled:
            return build()
        # Pieces hold text in the language they were rendered in.
        slot = (current_locale(), slot)
        with self._lock:
            found = self._entries.get(slot)
            if found is not None and found[0] == version:
                self._entries.move_to_end(slot)
                self.hits += 1
                return found[1]  # type: ignore[no-any-return]
            self.misses += 1
        value = build()  # outside the lock: two builders of one slot may race, both right
        self._put(slot, version, value)
        return value

    def _put(self, slot: Hashable, version: Hashable, value: Any) -> None:
        size = size_of(value)
        if size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop(slot, None)
            if old is not None:
                self._bytes -= old[2]
            self._entries[slot] = (version, value, size)
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _slot, (_version, _value, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        return self._bytes


def hole() -> str:
    """A marker for a template to print where stored bytes go (see `fill`). Random, so
    no text a person writes (always escaped anyway) can be taken for one."""
    return f"<!--ss-hole-{secrets.token_hex(12)}-->"


def fill(response: Response, pieces: Mapping[str, bytes]) -> Response:
    """Put each piece's bytes in place of its marker in a rendered response."""
    body = bytes(response.body)
    for marker, data in pieces.items():
        head, found, tail = body.partition(marker.encode())
        if found:
            body = b"".join((head, data, tail))
    response.body = body
    response.headers["content-length"] = str(len(body))
    return response
