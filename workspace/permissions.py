"""Who may do what: the one place that decides access.

The table below is docs/architecture.md section 2 written as data. Routes call `require()`
or `can()`, templates call `can()` (exposed as a global), and nothing else decides.
A person's role is always relative to a task group: the same person can chair one
group, observe another and be "public" everywhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from workspace.failures import Forbidden
from workspace.i18n import gettext as _


class Role(StrEnum):
    VISITOR = "visitor"  # not signed in
    PUBLIC = "public"  # signed in, no seat in this group
    MEMBER = "member"
    CHAIR = "chair"
    OBSERVER = "observer"
    SECRETARIAT = "secretariat"


class Action(StrEnum):
    READ_PUBLIC = "read_public"
    READ_GROUP_PRIVATE = "read_group_private"  # drafts, positions, meetings
    EDIT_DRAFT = "edit_draft"
    RECORD_POSITION = "record_position"
    MANAGE_PROCESS = "manage_process"  # propose/agree, consultations, milestones, meetings
    COMMENT = "comment"
    RESPOND = "respond"
    MODERATE = "moderate"
    ADMINISTER = "administer"  # create groups, seat members and observers
    # Invite by email someone with no account yet to a seat, and withdraw the invitation.
    INVITE_TO_SEAT = "invite_to_seat"
    SIGNED_IN = "signed_in"  # account pages
    CONTRIBUTE_EVIDENCE = "contribute_evidence"  # add to the evidence library, link it
    # The one write observers make: their department's response to a recommendation
    # addressed to it. Needs the department predicate too (`require_speaks_for`).
    RESPOND_FOR_GOVERNMENT = "respond_for_government"


_ALL = frozenset(Role)
_SIGNED_IN = _ALL - {Role.VISITOR}

RULES: Mapping[Action, frozenset[Role]] = {
    Action.READ_PUBLIC: _ALL,
    Action.READ_GROUP_PRIVATE: frozenset(
        {Role.MEMBER, Role.CHAIR, Role.OBSERVER, Role.SECRETARIAT}
    ),
    Action.EDIT_DRAFT: frozenset({Role.MEMBER, Role.CHAIR}),
    Action.RECORD_POSITION: frozenset({Role.MEMBER, Role.CHAIR}),
    Action.MANAGE_PROCESS: frozenset({Role.CHAIR, Role.SECRETARIAT}),
    Action.COMMENT: _SIGNED_IN,
    Action.RESPOND: frozenset({Role.PUBLIC, Role.MEMBER, Role.CHAIR}),
    Action.MODERATE: frozenset({Role.CHAIR, Role.SECRETARIAT}),
    Action.ADMINISTER: frozenset({Role.SECRETARIAT}),
    Action.INVITE_TO_SEAT: frozenset({Role.SECRETARIAT}),  # as seating itself
    Action.SIGNED_IN: _SIGNED_IN,
    Action.CONTRIBUTE_EVIDENCE: frozenset({Role.MEMBER, Role.CHAIR, Role.SECRETARIAT}),
    Action.RESPOND_FOR_GOVERNMENT: frozenset({Role.OBSERVER}),
}


@dataclass(frozen=True)
class Viewer:
    """The person making a request, with their seats, loaded once per request."""

    user_id: int | None = None
    display_name: str = ""
    email: str = ""
    is_secretariat: bool = False
    member_roles: Mapping[int, Role] = field(default_factory=dict)  # group id -> MEMBER|CHAIR
    observed_groups: frozenset[int] = frozenset()
    # Consultations (by id) this person is invited to: an invited consultation's audience.
    invited_to: frozenset[int] = frozenset()
    # The language this person chose ("en", "cy"), "" when they never chose one.
    language: str = ""

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None

    def role_in(self, group_id: int | None) -> Role:
        """The viewer's role for a group, strongest seat first."""
        if not self.signed_in:
            return Role.VISITOR
        if self.is_secretariat:
            return Role.SECRETARIAT
        if group_id is not None:
            if group_id in self.member_roles:
                return self.member_roles[group_id]
            if group_id in self.observed_groups:
                return Role.OBSERVER
        return Role.PUBLIC

    def readable_groups(self) -> frozenset[int] | None:
        """Groups whose private material the viewer may read; None means all of them."""
        if self.is_secretariat:
            return None
        return frozenset(self.member_roles) | self.observed_groups


ANONYMOUS = Viewer()


def can(viewer: Viewer, action: Action | str, group_id: int | None = None) -> bool:
    return viewer.role_in(group_id) in RULES[Action(action)]


def require(viewer: Viewer, action: Action | str, group_id: int | None = None) -> None:
    """Refuse unless the viewer may act: visitors are asked to sign in (`SignInRequired`),
    everyone else is refused with the reason (`Forbidden`, a 403 page)."""
    if can(viewer, action, group_id):
        return
    if not viewer.signed_in:
        raise SignInRequired()
    raise Forbidden(_refusal(viewer, Action(action), group_id))


def same_body(name: str) -> str:
    """A body's name as compared: case and spacing do not make another department."""
    return " ".join(name.split()).casefold()


def speaks_for(viewer: Viewer, body: str, seated_departments: Iterable[str]) -> bool:
    """Whether the viewer may record `body`'s response: they hold a current observer seat
    for that department (in any group; `seated_departments` are their seats' departments
    today). The secretariat runs the hub and never speaks for government."""
    if not viewer.signed_in or viewer.is_secretariat:
        return False
    wanted = same_body(body)
    return bool(wanted) and any(same_body(d) == wanted for d in seated_departments)


def require_speaks_for(viewer: Viewer, body: str, seated_departments: Iterable[str]) -> None:
    if speaks_for(viewer, body, seated_departments):
        return
    if not viewer.signed_in:
        raise SignInRequired()
    raise Forbidden(
        _("Only government observers from %(body)s can record its response.", body=body)
    )


class SignInRequired(Exception):
    """Raised when a visitor asks for something a signed-in person might be allowed."""


def _refusal(viewer: Viewer, action: Action, group_id: int | None) -> str:
    role = viewer.role_in(group_id)
    if role is Role.OBSERVER:
        return _("Government observers follow the work but do not take part in it.")
    if action in (Action.ADMINISTER, Action.INVITE_TO_SEAT):
        return _("Only the hub secretariat can do this.")
    if action in (Action.MANAGE_PROCESS, Action.MODERATE):
        return _("Only the chairs of this task group and the secretariat can do this.")
    if action in (Action.EDIT_DRAFT, Action.RECORD_POSITION):
        return _("Only members of this task group can do this.")
    if action is Action.READ_GROUP_PRIVATE:
        return _("This is visible to the task group's members and observers only.")
    return _("You do not have permission to do this.")


# --- audiences: who a consultation is for ----------------------------------------------


class Audience(StrEnum):
    """Whom a consultation is for: everyone (once open), or only those invited."""

    OPEN = "open"
    INVITED = "invited"


@dataclass(frozen=True)
class Place:
    """Something that belongs to a group but may have its own, narrower audience (an
    invited consultation). `place_id` is what `Viewer.invited_to` names."""

    group_id: int
    audience: Audience = Audience.OPEN
    place_id: int = 0


# What an invitee (without a seat in the group) may do in the place they are invited to.
_INVITEE_ACTIONS = frozenset({Action.READ_PUBLIC, Action.COMMENT, Action.RESPOND})
# An invited consultation is answered by those invited and by the group's chairs: members
# answer only when invited too (their organisation speaks through the invitation).
_SEATED = frozenset({Role.MEMBER, Role.CHAIR, Role.OBSERVER, Role.SECRETARIAT})


def invited(viewer: Viewer, place: Place) -> bool:
    return viewer.signed_in and place.place_id in viewer.invited_to


def can_in(viewer: Viewer, action: Action | str, place: Place) -> bool:
    """`can`, for something with an audience. An open place follows the group's rules;
    an invited one is read by its invitees and the group's people (observers read-only
    as always), and nobody else learns it exists."""
    act = Action(action)
    if place.audience is Audience.OPEN:
        return can(viewer, act, place.group_id)
    role = viewer.role_in(place.group_id)
    if act is Action.RESPOND:
        return role is Role.CHAIR or (role in (Role.PUBLIC, Role.MEMBER) and invited(viewer, place))
    if role in _SEATED:
        return can(viewer, act, place.group_id)
    return act in _INVITEE_ACTIONS and invited(viewer, place) and can(viewer, act, place.group_id)


def require_in(viewer: Viewer, action: Action | str, place: Place) -> None:
    if can_in(viewer, action, place):
        return
    if not viewer.signed_in:
        raise SignInRequired()
    if place.audience is Audience.INVITED and Action(action) is Action.RESPOND:
        raise Forbidden(_("Only those invited to this consultation can answer it."))
    raise Forbidden(_refusal(viewer, Action(action), place.group_id))


def readable_places(viewer: Viewer, places: Iterable[Place]) -> frozenset[int]:
    """Of these places, those the viewer may read (the search query's `readable_places`)."""
    return frozenset(p.place_id for p in places if can_in(viewer, Action.READ_PUBLIC, p))


# --- responses gathered away from the site ---------------------------------------------


def can_enter_responses(viewer: Viewer, place: Place, *, appointed: bool) -> bool:
    """Entering responses gathered at an event or received by letter or email: the
    group's chairs and the secretariat, and members the chair appointed (`appointed`:
    for this event, or for any of the place's events when it came by letter or email).
    Observers never enter anything."""
    role = viewer.role_in(place.group_id)
    return role in (Role.CHAIR, Role.SECRETARIAT) or (role is Role.MEMBER and appointed)


def require_enter_responses(viewer: Viewer, place: Place, *, appointed: bool) -> None:
    if can_enter_responses(viewer, place, appointed=appointed):
        return
    if not viewer.signed_in:
        raise SignInRequired()
    if viewer.role_in(place.group_id) is Role.OBSERVER:
        raise Forbidden(_refusal(viewer, Action.EDIT_DRAFT, place.group_id))
    raise Forbidden(
        _("Only the chairs and the members they appoint for an event can enter responses.")
    )


# -- personal API tokens (workspace/tokens) ---------------------------------------------------
# A token never gives more than its owner has: the request's Viewer is the owner's, so every
# rule above applies unchanged. A token's scope only takes away: a read token cannot write.

TOKEN_SCOPES_THAT_WRITE = frozenset({"read-write"})


def token_allows(scope: str | None, writes: bool) -> bool:
    """Whether a request with this token scope (None: no token, a browser session) may
    read, or write when `writes`."""
    return scope is None or not writes or scope in TOKEN_SCOPES_THAT_WRITE


def require_token_scope(scope: str | None, writes: bool) -> None:
    if not token_allows(scope, writes):
        raise Forbidden(_("This API token can only read. Make a read and write token to do this."))
