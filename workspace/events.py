"""Domain events: how a lower layer reacts to a higher one without importing it.

A feature publishes `definition.agreed`; the milestones code (lower down) subscribes.
Events are published only after the transaction that caused them has committed, so a
subscriber never acts on something that was rolled back. The bus is created per app:
no module-level registry, so two apps in one process (tests) never share subscribers.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Handler = Callable[[str, dict[str, Any]], None]


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)

    def subscribe(self, name: str, handler: Handler) -> None:
        self._handlers[name].append(handler)

    def publish(self, name: str, payload: dict[str, Any]) -> None:
        for handler in self._handlers.get(name, []):
            try:
                handler(name, payload)
            except Exception:
                # One subscriber's failure must not undo or hide the publisher's write.
                log.exception("event handler for %s failed", name)

    def subscribers(self, name: str) -> list[Handler]:
        return list(self._handlers.get(name, []))
