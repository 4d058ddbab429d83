"""The one parser for numbers from requests: ASCII digits only, always bounded."""

from __future__ import annotations

import pytest

from workspace.numbers import MAX_ID, parse_id, parse_int


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7", 7),
        (" 42 ", 42),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("0", None),
        ("-3", None),
        ("²", None),  # str.isdigit() says yes; int() refuses
        ("١٢", None),  # Arabic-Indic digits
        ("1e3", None),
        ("99999999999999999999", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_id(raw: str | None, expected: int | None) -> None:
    assert parse_id(raw) == expected


def test_parse_int_bounds_and_sign() -> None:
    assert parse_int("0") == 0
    assert parse_int("-5", low=-10, high=10) == -5
    assert parse_int("-5") is None
    assert parse_int("11", high=10) is None
