"""Road shows and the responses gathered away from the site: check_* then do_*, each write
in one transaction. Who may enter responses is decided in `workspace.permissions`
(`can_enter_responses`); this module only knows who was appointed for which event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from consultations.lifecycle.models import Consultation, ConsultationStatus
from consultations.lifecycle.status import (
    WrongStatus,
    activity_visibility,
    place_of,
    readable,
    status_of,
    url,
)
from consultations.questions.models import Answer, QuestionKind
from consultations.questions.service import for_consultation
from consultations.responses import campaign
from consultations.responses.models import Response
from consultations.responses.service import ResponseDraft, check_response
from consultations.roadshows.models import (
    CHANNEL_LABELS,
    Channel,
    RoadShow,
    RoadShowFacilitator,
    RoadShowSignup,
)
from taskgroups.groups.models import Membership, TaskGroup
from workspace import activity, formats
from workspace.db import WriteUnit
from workspace.failures import Conflict, NotFound
from workspace.forms import FormInput
from workspace.i18n import ENGLISH
from workspace.i18n import gettext as _
from workspace.models import Organisation, User
from workspace.numbers import parse_int
from workspace.permissions import (
    Action,
    Viewer,
    can_enter_responses,
    require,
    require_enter_responses,
)
from workspace.runtime import Runtime

LONDON = ZoneInfo("Europe/London")
MAX_CAPACITY = 100_000
AWAY_CHANNELS = {
    c.value: CHANNEL_LABELS[c.value] for c in (Channel.EVENT, Channel.LETTER, Channel.EMAIL)
}


@dataclass(frozen=True)
class EventDraft:
    title: str
    starts_at: datetime
    ends_at: datetime
    address: str
    where: str
    host_organisation_id: int | None
    capacity: int | None


@dataclass(frozen=True)
class Listed:
    """A road show as lists show it, with its host's name and places taken."""

    show: RoadShow
    host: str
    going: int
    waiting: int

    @property
    def full(self) -> bool:
        return self.show.capacity is not None and self.going >= self.show.capacity

    @property
    def places_left(self) -> int | None:
        if self.show.capacity is None:
            return None
        return max(0, self.show.capacity - self.going)


@dataclass
class AwayDraft:
    """A response gathered at an event or received by letter or email."""

    channel: str
    road_show_id: int | None
    respondent_name: str
    response: ResponseDraft
    extra: dict[str, str] = field(default_factory=dict)


# -- reads ------------------------------------------------------------------------------------


# On every consultation page: built once (issue 19).
LISTED = (
    select(RoadShow, Organisation.name)
    .join(Organisation, col(Organisation.id) == RoadShow.host_organisation_id, isouter=True)
    .where(RoadShow.consultation_id == bindparam("consultation_id"))
    .order_by(col(RoadShow.starts_at))
)


def for_consultation_listed(session: Session, consultation_id: int) -> list[Listed]:
    shows = session.exec(LISTED, params={"consultation_id": consultation_id}).all()
    counts = _signup_counts(session, [s.id or 0 for s, _ in shows])
    return [
        Listed(s, host or "", counts.get((s.id or 0, False), 0), counts.get((s.id or 0, True), 0))
        for s, host in shows
    ]


def _signup_counts(session: Session, ids: list[int]) -> dict[tuple[int, bool], int]:
    if not ids:
        return {}
    rows = session.exec(
        select(RoadShowSignup.road_show_id, RoadShowSignup.waiting, func.count())
        .where(col(RoadShowSignup.road_show_id).in_(ids))
        .group_by(col(RoadShowSignup.road_show_id), col(RoadShowSignup.waiting))
    ).all()
    return {(sid, waiting): n for sid, waiting, n in rows}


def get_show(session: Session, consultation: Consultation, show_id: int) -> Listed:
    for listed in for_consultation_listed(session, consultation.id or 0):
        if listed.show.id == show_id:
            return listed
    raise NotFound()


def my_signup(session: Session, who: Viewer, show_id: int) -> RoadShowSignup | None:
    if not who.signed_in:
        return None
    return session.exec(
        select(RoadShowSignup).where(
            RoadShowSignup.road_show_id == show_id, RoadShowSignup.user_id == who.user_id
        )
    ).first()


def facilitator_of(session: Session, who: Viewer, consultation_id: int) -> set[int]:
    """The road shows of this consultation the viewer was appointed to facilitate."""
    if not who.signed_in:
        return set()
    rows = session.exec(
        select(RoadShowFacilitator.road_show_id)
        .join(RoadShow, col(RoadShow.id) == RoadShowFacilitator.road_show_id)
        .where(
            RoadShowFacilitator.user_id == who.user_id, RoadShow.consultation_id == consultation_id
        )
    ).all()
    return set(rows)


def facilitators(session: Session, show_id: int) -> list[User]:
    return list(
        session.exec(
            select(User)
            .join(RoadShowFacilitator, col(RoadShowFacilitator.user_id) == User.id)
            .where(RoadShowFacilitator.road_show_id == show_id)
            .order_by(col(User.display_name))
        ).all()
    )


def group_members(session: Session, group_id: int) -> list[User]:
    return list(
        session.exec(
            select(User)
            .join(Membership, col(Membership.user_id) == User.id)
            .where(Membership.group_id == group_id)
            .order_by(col(User.display_name))
        ).all()
    )


def may_enter(
    session: Session, who: Viewer, consultation: Consultation, show_id: int | None
) -> bool:
    """May the viewer enter responses for this event (None: by letter or email)?"""
    appointed = facilitator_of(session, who, consultation.id or 0)
    mine = bool(appointed) if show_id is None else show_id in appointed
    return can_enter_responses(who, place_of(consultation), appointed=mine)


def calendar_rows(
    session: Session, who: Viewer, group_id: int | None, now: datetime
) -> list[tuple[RoadShow, Consultation, TaskGroup]]:
    """Road shows of the consultations this viewer may read, for iCalendar feeds."""
    query = (
        select(RoadShow, Consultation, TaskGroup)
        .join(Consultation, col(Consultation.id) == RoadShow.consultation_id)
        .join(TaskGroup, col(TaskGroup.id) == Consultation.group_id)
        .order_by(col(RoadShow.starts_at))
    )
    if group_id is not None:
        query = query.where(Consultation.group_id == group_id)
    return [(s, c, g) for s, c, g in session.exec(query).all() if readable(who, c, now)]


# -- checks -----------------------------------------------------------------------------------


def check_event(form: FormInput, session: Session) -> EventDraft:
    title = form.required("title", _("the event's title"))
    day = form.date("day", _("the date"))
    start = _time(form, "start", _("the start time"))
    end = _time(form, "end", _("the end time"))
    address = form.optional("address", _("the address"), max_length=500, multiline=True)
    where = form.optional("where", _("where to find it"), max_length=300)
    if not address and not where:
        form.error("address", _("Enter the address, or say where the event is"))
    host = None
    if form.get("host_organisation_id"):
        host = form.integer("host_organisation_id", _("the host organisation"))
        if host is not None and session.get(Organisation, host) is None:
            form.error("host_organisation_id", _("Choose a host organisation from the list"))
    capacity = None
    if form.get("capacity").strip():
        capacity = parse_int(form.get("capacity"), low=1, high=MAX_CAPACITY)
        if capacity is None:
            form.error(
                "capacity",
                _(
                    "Capacity must be a whole number from 1 to %(most)s",
                    most=formats.number(MAX_CAPACITY),
                ),
            )
    starts = ends = datetime.min.replace(tzinfo=LONDON)
    if day is not None and start is not None and end is not None:
        starts = datetime.combine(day, start, LONDON)
        ends = datetime.combine(day, end, LONDON)
        if ends <= starts:
            form.error("end", _("The end time must be after the start time"))
    return EventDraft(title, starts, ends, address, where, host, capacity)


def _time(form: FormInput, name: str, label: str) -> time | None:
    raw = form.get(name).strip()
    try:
        return time.fromisoformat(raw) if raw else None
    except ValueError:
        pass
    if raw:
        form.error(name, _("Enter %(what)s as hours and minutes, like 14:30", what=label))
    else:
        form.error(name, _("Enter %(what)s", what=label))
    return None


def check_attendance(form: FormInput) -> tuple[int | None, str]:
    count = parse_int(form.get("attendance"), low=0, high=MAX_CAPACITY)
    if count is None:
        form.error(
            "attendance",
            _(
                "Enter how many attended, a whole number up to %(most)s",
                most=formats.number(MAX_CAPACITY),
            ),
        )
    organisations = form.optional(
        "organisations_present", _("the organisations"), max_length=5000, multiline=True
    )
    lines = [line.strip() for line in organisations.splitlines() if line.strip()]
    return count, "\n".join(lines)


def check_away(form: FormInput, session: Session, consultation: Consultation) -> AwayDraft:
    channel = form.choice("channel", _("how the response reached you"), set(AWAY_CHANNELS))
    show_id = None
    if channel == Channel.EVENT:
        show_id = form.integer("road_show_id", _("the event"))
        known = {s.show.id for s in for_consultation_listed(session, consultation.id or 0)}
        if show_id is not None and show_id not in known:
            form.error("road_show_id", _("Choose one of this consultation's events"))
    name = form.optional("respondent_name", _("the respondent's name"), max_length=200)
    response = check_response(form, for_consultation(session, consultation.id or 0))
    return AwayDraft(channel, show_id, name, response)


# -- writes -----------------------------------------------------------------------------------


def _consultation(unit: WriteUnit, consultation_id: int) -> Consultation:
    found = unit.session.get(Consultation, consultation_id)
    if found is None:
        raise NotFound()
    return found


def do_create(rt: Runtime, who: Viewer, consultation_id: int, draft: EventDraft) -> RoadShow:
    with rt.db.write() as unit:
        consultation = _consultation(unit, consultation_id)
        require(who, Action.MANAGE_PROCESS, consultation.group_id)
        show = RoadShow(
            consultation_id=consultation_id,
            title=draft.title,
            starts_at=draft.starts_at,
            ends_at=draft.ends_at,
            address=draft.address,
            where=draft.where,
            host_organisation_id=draft.host_organisation_id,
            capacity=draft.capacity,
            created_by=who.user_id,
        )
        unit.session.add(show)
        unit.session.flush()
        _record(unit, who, consultation, "roadshow.created", f"Road show {show.title}")
    return show


def do_appoint(rt: Runtime, who: Viewer, consultation_id: int, show_id: int, user_id: int) -> None:
    with rt.db.write() as unit:
        consultation = _consultation(unit, consultation_id)
        require(who, Action.MANAGE_PROCESS, consultation.group_id)
        show = unit.session.get(RoadShow, show_id)
        member = unit.session.exec(
            select(Membership).where(
                Membership.group_id == consultation.group_id, Membership.user_id == user_id
            )
        ).first()
        if show is None or show.consultation_id != consultation_id:
            raise NotFound()
        if member is None:
            raise Conflict(_("Only members of the task group can facilitate its events."))
        exists = unit.session.exec(
            select(RoadShowFacilitator).where(
                RoadShowFacilitator.road_show_id == show_id, RoadShowFacilitator.user_id == user_id
            )
        ).first()
        if exists is None:
            unit.session.add(RoadShowFacilitator(road_show_id=show_id, user_id=user_id))


def do_sign_up(rt: Runtime, who: Viewer, consultation_id: int, show_id: int) -> bool:
    """Say the viewer will attend; True if they have a place, False if they wait. The
    count and the insert are one transaction, and the row lock on the event (PostgreSQL)
    keeps two last sign-ups from both taking the last place."""
    require(who, Action.SIGNED_IN)
    try:
        with rt.db.write() as unit:
            show = unit.session.exec(
                select(RoadShow).where(RoadShow.id == show_id).with_for_update()
            ).first()
            if show is None or show.consultation_id != consultation_id:
                raise NotFound()
            mine = my_signup(unit.session, who, show_id)
            if mine is not None:
                return not mine.waiting
            going = _signup_counts(unit.session, [show_id]).get((show_id, False), 0)
            waiting = show.capacity is not None and going >= show.capacity
            unit.session.add(
                RoadShowSignup(road_show_id=show_id, user_id=who.user_id or 0, waiting=waiting)
            )
            return not waiting
    except IntegrityError:  # a double click: the first one signed them up
        return True


def do_withdraw(rt: Runtime, who: Viewer, consultation_id: int, show_id: int) -> None:
    """Cancel the viewer's place; the first on the waiting list takes it."""
    require(who, Action.SIGNED_IN)
    with rt.db.write() as unit:
        show = unit.session.exec(
            select(RoadShow).where(RoadShow.id == show_id).with_for_update()
        ).first()
        if show is None or show.consultation_id != consultation_id:
            raise NotFound()
        mine = my_signup(unit.session, who, show_id)
        if mine is None:
            return
        unit.session.execute(delete(RoadShowSignup).where(col(RoadShowSignup.id) == mine.id))
        if not mine.waiting:
            first = unit.session.exec(
                select(RoadShowSignup)
                .where(RoadShowSignup.road_show_id == show_id, col(RoadShowSignup.waiting))
                .order_by(col(RoadShowSignup.created_at), col(RoadShowSignup.id))
            ).first()
            if first is not None:
                first.waiting = False
                unit.session.add(first)


def do_record_attendance(
    rt: Runtime, who: Viewer, consultation_id: int, show_id: int, count: int | None, orgs: str
) -> None:
    with rt.db.write() as unit:
        consultation = _consultation(unit, consultation_id)
        show = unit.session.get(RoadShow, show_id)
        if show is None or show.consultation_id != consultation_id:
            raise NotFound()
        appointed = show_id in facilitator_of(unit.session, who, consultation_id)
        require_enter_responses(who, place_of(consultation), appointed=appointed)
        show.attendance = count
        show.organisations_present = orgs
        unit.session.add(show)
        _record(unit, who, consultation, "roadshow.attendance", f"Attendance at {show.title}")


def do_enter(rt: Runtime, who: Viewer, consultation_id: int, draft: AwayDraft) -> int:
    """Store a response gathered away from the site, with its channel, event, who entered
    it and the consent given on paper, while the consultation is open (once it closes
    the summary is final)."""
    now = rt.clock()
    with rt.db.write() as unit:
        consultation = _consultation(unit, consultation_id)
        mine = facilitator_of(unit.session, who, consultation_id)
        appointed = draft.road_show_id in mine if draft.road_show_id else bool(mine)
        require_enter_responses(who, place_of(consultation), appointed=appointed)
        status = status_of(consultation, now)
        if status is not ConsultationStatus.OPEN:
            raise WrongStatus(status)
        questions = for_consultation(unit.session, consultation_id)
        known = {q.id for q in questions}
        answers = {qid: v for qid, v in draft.response.answers.items() if qid in known}
        texts = [answers.get(q.id or 0, "") for q in questions if q.kind == QuestionKind.FREE_TEXT]
        signature = campaign.text_signature(texts)
        response = Response(
            consultation_id=consultation_id,
            user_id=None,
            on_behalf_of=draft.response.on_behalf_of,
            sector=draft.response.sector,
            consent=draft.response.consent,
            confidential=draft.response.confidential,
            fingerprint=signature.fingerprint,
            simhash=signature.simhash,
            channel=draft.channel,
            road_show_id=draft.road_show_id,
            entered_by=who.user_id,
            respondent_name=draft.respondent_name,
            submitted_at=now,
            updated_at=now,
        )
        unit.session.add(response)
        unit.session.flush()
        unit.session.add_all(
            [
                Answer(response_id=response.id or 0, question_id=q, value=v)
                for q, v in answers.items()
            ]
        )
        with rt.catalogues.use(ENGLISH):  # the activity log is stored once, for every reader
            channel = Channel(draft.channel).label
        activity.record(
            unit,
            actor_id=who.user_id,
            verb="response.entered",
            object_type="consultation",
            object_id=consultation_id,
            summary=f"{channel} response entered for {consultation.title}",
            group_id=consultation.group_id,
            visibility=activity.SECRETARIAT,
            url=url(consultation),
        )
        return response.id or 0


def _record(
    unit: WriteUnit, who: Viewer, consultation: Consultation, verb: str, summary: str
) -> None:
    activity.record(
        unit,
        actor_id=who.user_id,
        verb=verb,
        object_type="consultation",
        object_id=consultation.id,
        summary=f"{summary}: {consultation.title}",
        group_id=consultation.group_id,
        visibility=activity_visibility(consultation, activity.PUBLIC),
        url=f"{url(consultation)}/events",
    )


def end_of(show: RoadShow) -> datetime:
    return show.ends_at if show.ends_at > show.starts_at else show.starts_at + timedelta(hours=2)
