"""The government's response: recorded by an observer of the addressed department, as
that department's. Each response is a new row, so the tracker shows how a
recommendation went from "under consideration" to "accepted"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from sqlmodel import Session, col, or_, select

from reports.drafting.models import Recommendation, Report
from reports.drafting.service import recommendations, report_url
from reports.responses.models import (
    STATUS_LABELS,
    STATUS_NAMES,
    GovernmentResponse,
    ResponseStatus,
)
from taskgroups.groups.models import ObserverSeat, TaskGroup
from workspace import activity
from workspace.events import GovernmentResponded
from workspace.failures import Conflict, NotFound
from workspace.forms import FormInput
from workspace.i18n import Labels
from workspace.i18n import gettext as _
from workspace.markdown import render_markdown
from workspace.permissions import Viewer, require_speaks_for, speaks_for
from workspace.runtime import Runtime

# Read in each page's language when shown.
CHOICES = Labels({s.value: STATUS_NAMES[s.value] for s in ResponseStatus})


@dataclass
class ResponseDraft:
    status: str
    statement: str
    responded_on: date | None
    link: str


def check_response(form: FormInput, today: date) -> ResponseDraft:
    draft = ResponseDraft(
        status=form.choice("status", _("the government's response"), set(CHOICES)),
        statement=form.required("statement", _("the statement"), max_length=20_000, multiline=True),
        responded_on=form.date("responded_on", _("the date of the response")),
        link=form.optional("link", _("the link"), max_length=500),
    )
    if draft.responded_on and draft.responded_on > today:
        form.error("responded_on", _("The date of the response must be today or in the past"))
    parts = urlsplit(draft.link)
    if draft.link and (parts.scheme not in ("http", "https") or not parts.netloc):
        form.error("link", _("Enter a web address starting with https:// or http://"))
    return draft


def seated_departments(session: Session, user_id: int | None, on: date) -> list[str]:
    """The departments of a person's observer seats current on `on`."""
    if user_id is None:
        return []
    query = select(ObserverSeat.department).where(
        ObserverSeat.user_id == user_id,
        col(ObserverSeat.starts_on) <= on,
        or_(col(ObserverSeat.ends_on).is_(None), col(ObserverSeat.ends_on) >= on),
    )
    return list(session.exec(query).all())


def published_recommendation(
    session: Session, recommendation_id: int | None
) -> tuple[Recommendation, Report, TaskGroup] | None:
    """A recommendation of a published report, with its report and group; else None."""
    rec = session.get(Recommendation, recommendation_id) if recommendation_id else None
    report = session.get(Report, rec.report_id) if rec else None
    if rec is None or report is None or not report.published:
        return None
    group = session.get(TaskGroup, report.group_id)
    return (rec, report, group) if group else None


def may_respond(session: Session, who: Viewer, recommendation: Recommendation, on: date) -> bool:
    return speaks_for(
        who, recommendation.addressed_to, seated_departments(session, who.user_id, on)
    )


def history(
    session: Session, recommendation_ids: Iterable[int]
) -> dict[int, list[GovernmentResponse]]:
    """Every response to these recommendations, oldest first."""
    ids = list(recommendation_ids)
    found: dict[int, list[GovernmentResponse]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = session.exec(
        select(GovernmentResponse)
        .where(col(GovernmentResponse.recommendation_id).in_(ids))
        .order_by(col(GovernmentResponse.recorded_at), col(GovernmentResponse.id))
    ).all()
    for row in rows:
        found[row.recommendation_id].append(row)
    return found


def status_of(responses: list[GovernmentResponse]) -> str:
    return responses[-1].status if responses else "awaiting"


def label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def do_respond(
    rt: Runtime, actor: Viewer, recommendation_id: int, draft: ResponseDraft, on: date
) -> GovernmentResponse:
    assert draft.responded_on is not None
    with rt.db.write() as unit:
        found = published_recommendation(unit.session, recommendation_id)
        if found is None:
            raise NotFound(_("There is no such published recommendation."))
        rec, report, group = found
        seats = seated_departments(unit.session, actor.user_id, on)
        require_speaks_for(actor, rec.addressed_to, seats)
        if draft.status not in CHOICES:
            raise Conflict(_("Choose the government's response."))
        response = GovernmentResponse(
            recommendation_id=recommendation_id,
            department=rec.addressed_to,
            status=draft.status,
            statement=draft.statement,
            statement_html=render_markdown(draft.statement),
            responded_on=draft.responded_on,
            link=draft.link,
            recorded_by=actor.user_id,
        )
        unit.session.add(response)
        unit.session.flush()
        url = f"/recommendations/{rec.id}"
        activity.record(
            unit,
            actor_id=actor.user_id,
            verb=GovernmentResponded.name,
            object_type="recommendation",
            object_id=rec.id,
            group_id=group.id,
            summary=f"{rec.addressed_to} responded to recommendation {rec.number} of "
            f"{report.title}: {label(draft.status).lower()}",
            url=url,
        )
        complete = _complete(unit.session, report)
        event = GovernmentResponded(
            report.id or 0,
            group.id or 0,
            rec.id or 0,
            draft.status,
            complete,
            report_url(group, report) if complete else url,
        )
        unit.after_commit(lambda: rt.events.publish(event))
    return response


def _complete(session: Session, report: Report) -> bool:
    recs = recommendations(session, report.id or 0)
    answers = history(session, [r.id or 0 for r in recs])
    return all(
        responses and ResponseStatus(responses[-1].status).final for responses in answers.values()
    )
