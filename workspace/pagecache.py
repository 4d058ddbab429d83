"""A short-lived cache of whole pages as anonymous visitors see them.

In a national consultation's last days most requests are people reading the same page
without signing in. Rendering it (200 comments, the pyramid, the questions) costs a few
milliseconds each time; the page only changes when something is written. So pages that
opt in (`@anonymous_cache`) are kept per process for `PAGE_CACHE_SECONDS`, and dropped
at once when this process commits any write. Another worker's writes reach this one's
visitors after at most that many seconds; on the consultation page the live-comments
script fills the gap at once, since the page says up to which comment it is complete
(`data-seq`) and the script asks the change feed for everything after it.

Only requests with no cookie but the CSRF one and the language are served from it: a
session (even an expired one) or a one-time notice means the page may differ; each
language has its own copy. The one thing on an
anonymous page that is the visitor's own is the CSRF token in the page's head, tied to
their CSRF cookie; it is swapped for theirs on every hit.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from workspace import csrf, i18n

if TYPE_CHECKING:
    from workspace.runtime import Runtime

Endpoint = Callable[[Request], Awaitable[Response]]
MAX_ENTRIES = 256
MAX_BYTES = 64 * 1024 * 1024
STATE_KEY = "page_cache"
# An endpoint may shorten an entry's life, e.g. to the moment a consultation closes.
FRESH_UNTIL = "page_fresh_until"


@dataclass(frozen=True)
class _Entry:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    token: bytes  # the CSRF token the body was rendered with
    generation: int  # the database's write count when rendering began
    expires: datetime


class PageCache:
    def __init__(self, seconds: int) -> None:
        self.lifetime = timedelta(seconds=max(0, seconds))
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.lifetime > timedelta(0)

    def get(self, key: str, generation: int, now: datetime) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.generation != generation or not now < entry.expires:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: _Entry) -> None:
        if len(entry.body) > MAX_BYTES // 4:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = entry
            self._bytes += len(entry.body)
            while len(self._entries) > MAX_ENTRIES or self._bytes > MAX_BYTES:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key)
        self._bytes -= len(entry.body)


def anonymous_cache(endpoint: Endpoint) -> Endpoint:
    """Serve this GET endpoint's anonymous page from the cache when it is still fresh."""

    @wraps(endpoint)
    async def cached(request: Request) -> Response:
        rt: Runtime = request.app.state.runtime
        cache = rt.page_cache
        if not (cache.enabled and _anonymous_read(request)):
            return await endpoint(request)
        # One copy per language: the same address reads differently in Welsh.
        key = i18n.current_locale() + ":" + request.url.path + "?" + request.url.query
        now = rt.clock()
        token = csrf.token_for(request).encode()
        entry = cache.get(key, rt.db.generation, now)
        if entry is not None:
            cache.hits += 1
            body = entry.body.replace(entry.token, token) if entry.token else entry.body
            return Response(body, headers=dict(entry.headers))
        cache.misses += 1
        generation = rt.db.generation  # before rendering: a write during it expires it
        response = await endpoint(request)
        if _storable(response):
            expires = now + cache.lifetime
            until = getattr(request.state, FRESH_UNTIL, None)
            if until is not None and until > now:
                expires = min(expires, until)
            headers = tuple(
                (k, v) for k, v in response.headers.items() if k.lower() != "content-length"
            )
            cache.put(key, _Entry(bytes(response.body), headers, token, generation, expires))
        return response

    return cached


def _anonymous_read(request: Request) -> bool:
    if request.method not in ("GET", "HEAD") or request.headers.get("HX-Request"):
        return False
    if getattr(request.state, "viewer", None) is None or request.state.viewer.user_id:
        return False
    return all(name in (csrf.COOKIE, i18n.COOKIE) for name in request.cookies)


def _storable(response: Response) -> bool:
    return (
        response.status_code == 200
        and isinstance(getattr(response, "body", None), bytes)
        and "set-cookie" not in response.headers
    )
