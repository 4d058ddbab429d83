"""How consultations plug into the live layer (`workspace.realtime`).

- Room kind `consultation`: a client joins with `{"consultation": "<slug>"}` (or the id as
  a number) and is let in only if it may read the consultation now (a draft is readable
  by its group only), so the public cannot listen to a draft's room.
- Relay: every `comment.changed` published after a comment's transaction commits goes
  to `consultation:<id>` as the Socket.IO event `comment`. Pending (pre-moderation)
  comments are never sent, even if one is published by mistake.
"""

from __future__ import annotations

from consultations import lifecycle
from consultations.models import CommentState, Consultation
from workspace.permissions import Viewer
from workspace.realtime import Realtime, room_name
from workspace.runtime import Runtime

ROOM_KIND = "consultation"
COMMENT_CHANGED = "comment.changed"
COMMENT_FIELDS = ("comment_id", "parent_id", "seq", "state", "html", "author_name")


def install(live: Realtime, rt: Runtime) -> None:
    live.room_kind(ROOM_KIND, lambda viewer, ref: authorise(rt, viewer, ref))
    live.relay(
        COMMENT_CHANGED,
        emit="comment",
        room=lambda payload: room_name(ROOM_KIND, payload["consultation_id"]),
        fields=COMMENT_FIELDS,
        when=lambda payload: payload.get("state") != CommentState.PENDING,
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
