"""How consultations plug into the live layer (`workspace.realtime`), through the
`live_rooms` and `live_relays` hooks.

- Room kind `consultation`: a client joins with `{"consultation": "<slug>"}` (or the id as
  a number) and is let in only if it may read the consultation now (a draft is readable
  by its group only), so the public cannot listen to a draft's room.
- Relay: every `CommentChanged` published after a comment's transaction commits goes
  to `consultation:<id>` as the Socket.IO event `comment`. Pending (pre-moderation)
  comments are never sent, even if one is published by mistake.
"""

from __future__ import annotations

from consultations.comments.models import CommentState
from consultations.lifecycle import status as lifecycle
from consultations.lifecycle.models import Consultation
from workspace.events import CommentChanged
from workspace.hooks import LiveRelay, LiveRoom
from workspace.permissions import Viewer
from workspace.realtime import room_name
from workspace.runtime import Runtime

ROOM_KIND = "consultation"
COMMENT_FIELDS = (
    "comment_id",
    "parent_id",
    "seq",
    "state",
    "html",
    "html_localised",
    "author_name",
)


def room(rt: Runtime) -> LiveRoom:
    return LiveRoom(ROOM_KIND, lambda viewer, ref: authorise(rt, viewer, ref))


def relay() -> LiveRelay:
    return LiveRelay(
        CommentChanged,
        emit="comment",
        room=lambda event: room_name(ROOM_KIND, event.consultation_id),
        fields=COMMENT_FIELDS,
        when=lambda event: event.state != CommentState.PENDING,
    )


def authorise(rt: Runtime, viewer: Viewer, ref: str | int) -> str | None:
    """The consultation's id if `viewer` may read it now, else None."""
    with rt.db.read() as session:
        if isinstance(ref, int):
            consultation = session.get(Consultation, ref)
        else:
            consultation = lifecycle.by_slug(session, ref)
        if consultation is None or not lifecycle.readable(viewer, consultation, rt.clock()):
            return None
        return str(consultation.id)
