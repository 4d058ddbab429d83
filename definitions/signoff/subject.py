"""What sign-off signs off: any record of a group with numbered versions, proposed and
agreed by its member organisations. A definition (revisions of tiers) is one subject
kind, a report of recommendations another; both go through the same code in
`definitions.signoff.service` and `routes`, and their positions and disputes share one
pair of tables, told apart by `subject_kind`.

A kind says how to find its record from a request, what must be true before it is
proposed, how to log its steps and what to announce; sign-off does the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from workspace.i18n import LazyString

if TYPE_CHECKING:
    from sqlmodel import Session
    from starlette.requests import Request

    from taskgroups.groups.models import TaskGroup
    from workspace.db import WriteUnit
    from workspace.permissions import Viewer
    from workspace.runtime import Runtime

# The statuses sign-off moves a subject through; every kind stores these strings.
PROPOSED = "proposed"
AGREED = "agreed"
DRAFT = "draft"


class Subject(Protocol):
    """The fields sign-off reads and writes on the record it signs off."""

    id: int | None
    group_id: int
    title: str
    status: str
    head_number: int
    proposed_number: int | None
    agreed_number: int | None


@dataclass(frozen=True)
class Place:
    """The group and record a request names, with the record's address."""

    group: TaskGroup
    record: Any  # a Subject
    url: str


# One step of sign-off, logged and announced by the kind: (rt, unit, actor, record,
# group, number) -> None.
Step = Callable[["Runtime", "WriteUnit", "Viewer", Any, "TaskGroup", int], None]
# A dispute raised or answered, announced by the kind: (rt, unit, actor, record, group,
# dispute). Kinds that announce nothing leave the default.
DisputeStep = Callable[["Runtime", "WriteUnit", "Viewer", Any, "TaskGroup", Any], None]
# The activity log, as the kind writes it: (unit, actor, verb, record, group, summary).
Log = Callable[["WriteUnit", "Viewer", str, Any, "TaskGroup", str], None]


@dataclass(frozen=True)
class SubjectKind:
    name: str  # stored in position.subject_kind and dispute.subject_kind
    noun: LazyString  # "definition", "report": for messages, in the reader's language
    version_word: LazyString  # "revision", "version"
    log_word: str  # the same in English, for the activity log, which is stored
    table: type[Any]
    templates: Mapping[str, str]  # "nav" and "status": the record's own partials
    load: Callable[[Request], Place]
    ready: Callable[[Session, Any], str | None]  # why it cannot be proposed yet, or None
    has_version: Callable[[Session, Any, int], bool]
    log: Log
    verbs: Mapping[str, str]  # "proposed", "position", "dispute_answered", "agreed"
    proposed: Step  # announced once a version is proposed
    agreed: Step  # announced once it is agreed
    version_url: Callable[[str, int], str] | None = None  # (record url, n) -> that version
    dispute_raised: DisputeStep = lambda *_args: None
    dispute_answered: DisputeStep = lambda *_args: None
