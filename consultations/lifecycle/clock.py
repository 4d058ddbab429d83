"""The consultation clock: announce what the passing of time changes."""

from __future__ import annotations

import asyncio
import logging

from starlette.concurrency import run_in_threadpool

from consultations.lifecycle import service
from workspace.runtime import Runtime

log = logging.getLogger(__name__)


async def watch(rt: Runtime) -> None:
    """Announce what the clock changes (a consultation opening or closing at its time),
    so subscribers hear of it even when no one is looking at the page. Every read and
    write checks status itself; this only makes the events timely."""
    while True:
        await asyncio.sleep(rt.settings.clock_watch_seconds)
        try:
            await run_in_threadpool(service.announce_transitions, rt)
        except Exception:
            log.exception("announcing consultation transitions failed")
