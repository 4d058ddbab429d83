"""The demo's notifications: the events the earlier steps published were queued for the
background worker; run it now, so the demo's people have notifications waiting (and the
emails they would get are in the outbox, which the secretariat reads at /outbox in demo
mode)."""

from __future__ import annotations

from sharedspace.demo.context import DemoContext


def notifications(ctx: DemoContext) -> None:
    ctx.rt.worker.run_periodic()  # the clock and the milestone watch, then the fan-out
    ctx.rt.worker.run_pending()
