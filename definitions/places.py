"""Finding the group, definition and revision a request names, if the viewer may see them."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request

from definitions import service
from definitions.models import Definition
from taskgroups.groups import service as groups
from taskgroups.groups.models import TaskGroup
from workspace.i18n import gettext as _
from workspace.numbers import parse_int
from workspace.permissions import Action, SignInRequired, can, require
from workspace.runtime import runtime, viewer


@dataclass
class Place:
    group: TaskGroup
    definition: Definition

    @property
    def url(self) -> str:
        return service.definition_url(self.group, self.definition)


def load_group(request: Request) -> TaskGroup:
    with runtime(request).db.read() as session:
        group = groups.group_by_slug(session, request.path_params["slug"])
    if group is None:
        raise HTTPException(404)
    return group


def load_place(request: Request) -> Place:
    """The group and definition named in the path, if this viewer may read them."""
    group = load_group(request)
    assert group.id is not None
    with runtime(request).db.read() as session:
        definition = service.get_definition(session, group.id, request.path_params["dslug"])
    if definition is None:
        raise HTTPException(404)
    who = viewer(request)
    if not service.readable(who, definition):
        require(who, Action.READ_GROUP_PRIVATE, group.id)
    return Place(group, definition)


def revision_number(request: Request, raw: str | None, place: Place) -> int:
    """A revision number from the request, checked against what this viewer may see."""
    number = parse_int(raw, low=1, high=place.definition.head_number)
    if number is None:
        raise HTTPException(404)
    who = viewer(request)
    if number != place.definition.agreed_number and not can(
        who, Action.READ_GROUP_PRIVATE, place.group.id
    ):
        if not who.signed_in:
            raise SignInRequired()
        raise HTTPException(403, _("Only the agreed revision is public."))
    return number
