"""Every request and response body of the API, in one place: these models serialise the
answers and build the OpenAPI document's schemas (`openapi.py`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

MAX_ID = 2**31 - 1


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- the programme and its groups ---------------------------------------------------------


class Milestone(Model):
    id: int
    title: str
    due_on: date
    status: Literal["done", "overdue", "at_risk", "on_track"]
    group: str | None = Field(description="The owning group's slug; null for the hub")
    description_html: str
    deliverable: str = Field(description="What completes it by itself, if anything")
    completed_on: date | None


class Programme(Model):
    goal: str
    starts_on: date
    target_on: date
    today: date
    milestones: list[Milestone]


class GroupSummary(Model):
    id: int
    slug: str
    name: str
    status: str
    url: str
    member_count: int
    observer_count: int


class Member(Model):
    name: str
    role: Literal["member", "chair"]


class OrganisationSeats(Model):
    organisation: str
    sector: str
    members: list[Member]


class Observer(Model):
    name: str
    department: str
    starts_on: date
    ends_on: date | None


class Group(Model):
    id: int
    slug: str
    name: str
    status: str
    url: str
    remit_html: str
    organisations: list[OrganisationSeats] = Field(description="Members, by organisation")
    observers: list[Observer] = Field(description="Government observers, apart from members")


class Metric(Model):
    comparator: str
    value: str
    unit: str


class Tier(Model):
    key: str
    name: str
    summary: str
    requirement: str
    requirement_html: str
    metric: Metric | None


class Revision(Model):
    number: int
    author: str | None
    created_at: datetime
    change_note: str
    base_number: int | None
    tiers: list[Tier]


class Position(Model):
    revision_number: int
    organisation: str
    stance: Literal["support", "reservations", "object"]
    comment: str
    recorded_by: str | None
    recorded_at: datetime


class DefinitionSummary(Model):
    id: int
    slug: str
    title: str
    status: Literal["draft", "proposed", "agreed", "superseded"]
    group: str
    url: str
    head_number: int = Field(description="The latest revision this viewer may read")
    agreed_number: int | None
    proposed_number: int | None


class Definition(DefinitionSummary):
    revisions: list[Revision] = Field(description="Newest first, those this viewer may read")
    positions: list[Position] | None = Field(
        description="Organisations' positions, for those who may read the group's work; else null"
    )


class Meeting(Model):
    id: int
    title: str
    starts_at: datetime
    place: str
    agenda_html: str
    minutes_html: str | None = Field(description="Null until the minutes are published")
    decisions_html: str | None


class Evidence(Model):
    id: int
    title: str
    authors: str
    published_on: date | None
    kind: str
    summary_html: str
    url: str
    visibility: Literal["public", "group"]
    withdrawn: bool


class Recommendation(Model):
    id: int
    number: int
    text_html: str
    addressed_to: str
    report: str
    group: str
    status: str
    url: str


# -- consultations ------------------------------------------------------------------------


class Question(Model):
    id: int
    position: int
    kind: str
    prompt: str
    hint: str
    required: bool
    choices: list[str]


class ConsultationSummary(Model):
    id: int
    slug: str
    title: str
    summary: str
    status: Literal["draft", "open", "closed", "outcome_published"]
    group: str
    url: str
    opens_at: datetime
    closes_at: datetime


class Consultation(ConsultationSummary):
    body_html: str
    definition_revision: int | None
    questions: list[Question]
    outcome_html: str | None
    outcome_published_at: datetime | None


class Comment(Model):
    id: int
    parent_id: int | None
    depth: int
    seq: int
    state: str = Field(description="published, pending, hidden or deleted")
    author: str | None = Field(description="Null once hidden or deleted")
    badge: str
    anchor: str
    body: str | None = Field(description="Markdown as written; null once hidden or deleted")
    body_html: str | None
    created_at: datetime
    edited_at: datetime | None


class Respondent(Model):
    name: str
    type: Literal["individual", "organisation"]
    organisation: str | None
    sector: str


class AnswerValue(Model):
    question_id: int = Field(ge=1, le=MAX_ID)
    value: str | list[str]


class PublicResponse(Model):
    id: int
    submitted_at: datetime
    consent: Literal["named", "anonymous"]
    respondent: Respondent | None = Field(description="Null when published anonymously")
    answers: list[AnswerValue]


class SearchHit(Model):
    kind: str
    title: str
    url: str
    label: str
    date: datetime | None
    snippet: str


class SearchResults(Model):
    total: int
    page: int
    pages: int
    hits: list[SearchHit]


# -- writes -------------------------------------------------------------------------------


class NewComment(Model):
    body: str = Field(min_length=1, max_length=5000, description="Markdown")
    parent_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="Reply to")
    anchor: str = Field(default="", max_length=64, description="A tier key or section id")


class NewResponse(Model):
    respondent_type: Literal["individual", "organisation"]
    organisation: str = Field(default="", max_length=200)
    sector: str = Field(default="", max_length=30)
    consent: Literal["named", "anonymous", "withheld"]
    answers: list[AnswerValue] = Field(default_factory=list, max_length=200)


class ResponseSaved(Model):
    id: int
    created: bool


class NewPosition(Model):
    stance: Literal["support", "reservations", "object"]
    comment: str = Field(default="", max_length=5000)


# -- pages --------------------------------------------------------------------------------


def page_of(model: type[BaseModel]) -> type[BaseModel]:
    """`{"items": [...], "next_cursor": ...}` of `model`."""
    made: type[BaseModel] = create_model(
        f"{model.__name__}Page",
        __base__=Model,
        items=(list[model], ...),  # type: ignore[valid-type]
        next_cursor=(str | None, Field(description="Pass as `cursor` for the next page")),
    )
    return made


GroupPage = page_of(GroupSummary)
DefinitionPage = page_of(DefinitionSummary)
MilestonePage = page_of(Milestone)
MeetingPage = page_of(Meeting)
EvidencePage = page_of(Evidence)
RecommendationPage = page_of(Recommendation)
ConsultationPage = page_of(ConsultationSummary)
CommentPage = page_of(Comment)
ResponsePage = page_of(PublicResponse)
