"""Each signed-in person's own live room: their unread count, as it changes."""

from __future__ import annotations

from workspace.events import UnreadChanged
from workspace.hooks import LiveRelay, LiveRoom
from workspace.permissions import Viewer
from workspace.realtime import room_name

KIND = "notifications"
MINE = "me"  # the only ref a page joins with: the room is always the viewer's own


def _authorise(viewer: Viewer, ref: str | int) -> str | None:
    if not viewer.signed_in or ref != MINE:
        return None
    return str(viewer.user_id)


def room() -> LiveRoom:
    return LiveRoom(KIND, _authorise)


def relay() -> LiveRelay:
    return LiveRelay(
        UnreadChanged,
        "unread",
        room=lambda event: room_name(KIND, event.user_id),
        fields=("unread",),
    )
