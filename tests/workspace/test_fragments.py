"""The fragment cache keeps one version per slot, builds again for any other version,
stays within its size, and `fill` puts stored bytes where a template printed a hole."""

from __future__ import annotations

from starlette.responses import HTMLResponse

from workspace.fragments import FragmentCache, fill, hole


def test_a_slot_is_built_once_per_version() -> None:
    cache = FragmentCache(1)
    built: list[int] = []

    def build(version: int) -> str:
        built.append(version)
        return f"thread at {version}"

    assert cache.fetch(("thread", 1), 5, lambda: build(5)) == "thread at 5"
    assert cache.fetch(("thread", 1), 5, lambda: build(5)) == "thread at 5"
    assert cache.fetch(("thread", 1), 6, lambda: build(6)) == "thread at 6"
    assert cache.fetch(("thread", 1), 5, lambda: build(5)) == "thread at 5"  # older: rebuilt
    assert built == [5, 6, 5]
    assert (cache.hits, cache.misses, len(cache)) == (1, 3, 1)


def test_it_stays_within_its_size() -> None:
    cache = FragmentCache(1)
    for n in range(40):
        cache.fetch(("piece", n), 0, lambda: "x" * 100_000)
    assert cache.size <= 1024 * 1024
    assert 0 < len(cache) < 40
    assert cache.fetch(("piece", 39), 0, lambda: "rebuilt") != "rebuilt"  # newest kept


def test_turned_off_it_always_builds() -> None:
    cache = FragmentCache(0)
    assert cache.fetch("slot", 1, lambda: "a") == "a"
    assert cache.fetch("slot", 1, lambda: "b") == "b"
    assert len(cache) == 0


def test_fill_puts_bytes_where_the_hole_was() -> None:
    marker = hole()
    assert marker != hole()
    response = HTMLResponse(f"<ol>{marker}</ol><p>é</p>")
    filled = fill(response, {marker: "<li>Fabric — first</li>".encode()})
    assert filled.body.decode() == "<ol><li>Fabric — first</li></ol><p>é</p>"
    assert filled.headers["content-length"] == str(len(filled.body))
