"""Fixtures shared by the consultation tests: a clock the test moves, and a consultation
that runs from 10 March 2026 09:00 to 1 June 2026 17:00 UK time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from consultations.lifecycle.models import Consultation
from tests.consultations.factories import Clock, make_consultation
from tests.factories import World
from workspace.runtime import Runtime

OPENS = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
CLOSES = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)


@pytest.fixture
def clock(rt: Runtime) -> Clock:
    """A day after the consultation opens; `clock.now = ...` moves it."""
    clock = Clock(OPENS + timedelta(days=1))
    rt.clock = clock
    return clock


@pytest.fixture
def consultation(rt: Runtime, world: World, clock: Clock) -> Consultation:
    return make_consultation(rt, world, opens_at=OPENS, closes_at=CLOSES)
