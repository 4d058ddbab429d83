"""The outcome form's numbers (how many lines, which comment, question or revision) read
through the one bounded parser: Unicode digits and huge values are form errors, not 500s."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from consultations.lifecycle.models import Consultation
from tests.client import error_summary, soup
from tests.consultations.conftest import CLOSES
from tests.consultations.factories import Clock


@pytest.mark.parametrize(
    ("field", "value", "errors"),
    [
        ("row_count", "²", ["Enter at least one theme and what was done about it"]),
        (
            "row_count",
            "99999999999999999999",
            ["Enter at least one theme and what was done about it"],
        ),
        ("row-0-comment", "²", ["Select a comment from the list for line 1"]),
        ("row-0-question", "99999999999999999999", ["Select a question from the list for line 1"]),
    ],
)
def test_outcome_numbers_are_form_errors(
    as_role: Any,
    consultation: Consultation,
    clock: Clock,
    field: str,
    value: str,
    errors: list[str],
) -> None:
    clock.now = CLOSES + timedelta(days=1)
    form = {"summary": "Thank you", "row_count": "3"}
    if field != "row_count":
        form |= {"row-0-theme": "Fabric", "row-0-disposition": "noted"}
    response = as_role("chair").submit(
        f"/consultations/{consultation.slug}/outcome/edit", form | {field: value}
    )
    assert response.status_code == 400
    assert error_summary(soup(response.text)) == errors
