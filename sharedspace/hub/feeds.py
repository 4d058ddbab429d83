"""Feeds: iCalendar of milestones and meetings (made with `icalendar`), Atom of public
activity (made with xml.etree), and private calendar URLs with revocable tokens.

Public calendars show what the public may see: every milestone, and each meeting's
title and time. A private calendar shows its owner's groups as they would see them.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from xml.etree import ElementTree as ET

from icalendar import Calendar, Event
from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations.roadshows import service as roadshows
from sharedspace.hub.models import FeedToken
from taskgroups.groups import service
from taskgroups.groups.models import TaskGroup
from taskgroups.meetings.models import Meeting
from taskgroups.milestones import service as milestones
from workspace import activity
from workspace.forms import one_line
from workspace.i18n import gettext as _
from workspace.models import ActivityEvent, User
from workspace.permissions import ANONYMOUS, Action, Viewer, can, require
from workspace.runtime import Runtime, runtime, viewer
from workspace.templating import redirect, render

ATOM = "http://www.w3.org/2005/Atom"
MEETING_LENGTH = timedelta(hours=2)
ATOM_ENTRIES = 50


def _abs(rt: Runtime, path: str) -> str:
    return rt.settings.base_url.rstrip("/") + path


def _host(rt: Runtime) -> str:
    return rt.settings.base_url.split("://", 1)[-1].split("/", 1)[0]


def calendar(
    rt: Runtime, session: Session, who: Viewer, group: TaskGroup | None, name: str
) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Shared Space//Programme calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", one_line(name))
    stamp = rt.clock()
    for row in milestones.rows(rt, session, group.id if group else None, hub_wide=False):
        m = row.milestone
        event = Event()
        event.add("uid", f"milestone-{m.id}@{_host(rt)}")
        event.add("dtstamp", stamp)
        event.add("dtstart", m.due_on)
        event.add("dtend", m.due_on + timedelta(days=1))
        owner = row.group.name if row.group else "Hub-wide"
        event.add("summary", one_line(f"Milestone: {m.title} ({row.status.label.lower()})"))
        event.add("description", f"{owner}. {m.description}".strip())
        event.add("url", _abs(rt, f"/milestones/{m.id}"))
        event.add("categories", ["Milestone"])
        cal.add_component(event)
    query = select(Meeting, TaskGroup).join(TaskGroup, TaskGroup.id == Meeting.group_id)  # type: ignore[arg-type]
    if group is not None:
        query = query.where(Meeting.group_id == group.id)
    for meeting, owner_group in session.exec(query.order_by(col(Meeting.starts_at))):
        event = Event()
        event.add("uid", f"meeting-{meeting.id}@{_host(rt)}")
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.starts_at + MEETING_LENGTH)
        event.add("summary", one_line(f"{owner_group.name}: {meeting.title}"))
        event.add("url", _abs(rt, f"/groups/{owner_group.slug}/meetings/{meeting.id}"))
        event.add("categories", ["Meeting"])
        if can(who, Action.READ_GROUP_PRIVATE, owner_group.id):
            if meeting.place:
                event.add("location", one_line(meeting.place))
            if meeting.agenda:
                event.add("description", meeting.agenda)
        cal.add_component(event)
    _road_shows(rt, session, who, group, cal, stamp)
    return bytes(cal.to_ical())


def _road_shows(
    rt: Runtime,
    session: Session,
    who: Viewer,
    group: TaskGroup | None,
    cal: Calendar,
    stamp: datetime,
) -> None:
    """Consultations' road shows, of the consultations this viewer may read."""
    group_id = group.id if group else None
    for show, consultation, owner in roadshows.calendar_rows(session, who, group_id, stamp):
        event = Event()
        event.add("uid", f"road-show-{show.id}@{_host(rt)}")
        event.add("dtstamp", stamp)
        event.add("dtstart", show.starts_at)
        event.add("dtend", roadshows.end_of(show))
        event.add("summary", f"Road show: {show.title} ({consultation.title})")
        event.add("location", ", ".join(p for p in (show.where, show.address) if p))
        event.add("description", f"{owner.name} consultation road show.")
        event.add("url", _abs(rt, f"/consultations/{consultation.slug}/events/{show.id}"))
        event.add("categories", ["Road show"])
        cal.add_component(event)


def _ics(body: bytes) -> Response:
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": "inline; filename=calendar.ics"},
    )


def _group(session: Session, request: Request) -> TaskGroup:
    group = service.group_by_slug(session, request.path_params["slug"])
    if group is None:
        raise HTTPException(404)
    return group


async def hub_calendar(request: Request) -> Response:
    rt = runtime(request)
    with rt.db.read() as session:
        prog = milestones.programme(rt, session)
        return _ics(calendar(rt, session, ANONYMOUS, None, prog.goal))


async def group_calendar(request: Request) -> Response:
    rt = runtime(request)
    with rt.db.read() as session:
        group = _group(session, request)
        return _ics(calendar(rt, session, ANONYMOUS, group, group.name))


# -- Atom -------------------------------------------------------------------------------


def atom(rt: Runtime, session: Session, group: TaskGroup | None, self_path: str) -> bytes:
    query = (
        select(ActivityEvent, User.display_name)
        .join(User, User.id == ActivityEvent.actor_id, isouter=True)  # type: ignore[arg-type]
        .where(ActivityEvent.visibility == activity.PUBLIC)
        .order_by(col(ActivityEvent.created_at).desc(), col(ActivityEvent.id).desc())
        .limit(ATOM_ENTRIES)
    )
    if group is not None:
        query = query.where(ActivityEvent.group_id == group.id)
    found = list(session.exec(query))
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        node = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        node.text = text
        return node

    feed = ET.Element(f"{{{ATOM}}}feed")
    title = f"{group.name}: activity" if group else "Shared Space: activity"
    sub(feed, "id", _abs(rt, self_path))
    sub(feed, "title", title)
    updated = found[0][0].created_at if found else rt.clock()
    sub(feed, "updated", _iso(updated))
    sub(feed, "link", rel="self", href=_abs(rt, self_path))
    sub(feed, "link", rel="alternate", href=_abs(rt, f"/groups/{group.slug}" if group else "/"))
    sub(sub(feed, "author"), "name", "Shared Space")
    for event, actor in found:
        entry = sub(feed, "entry")
        sub(entry, "id", f"tag:{_host(rt)},2007:activity-{event.id}")
        sub(entry, "title", event.summary)
        sub(entry, "updated", _iso(event.created_at))
        if event.url:
            sub(entry, "link", rel="alternate", href=_abs(rt, event.url))
        sub(sub(entry, "author"), "name", actor or "Shared Space")
        sub(entry, "category", term=event.verb)
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _atom(body: bytes) -> Response:
    return Response(body, media_type="application/atom+xml; charset=utf-8")


async def hub_atom(request: Request) -> Response:
    rt = runtime(request)
    with rt.db.read() as session:
        return _atom(atom(rt, session, None, request.url.path))


async def group_atom(request: Request) -> Response:
    rt = runtime(request)
    with rt.db.read() as session:
        return _atom(atom(rt, session, _group(session, request), request.url.path))


# -- private feeds ----------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def private_feeds(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.SIGNED_IN)
    new_url = ""
    if request.method == "POST":
        token = secrets.token_urlsafe(24)
        with rt.db.write() as unit:
            unit.session.add(
                FeedToken(user_id=who.user_id or 0, token_hash=_hash(token), created_at=rt.clock())
            )
            activity.record(
                unit,
                actor_id=who.user_id,
                verb="feed.token_created",
                object_type="feed_token",
                object_id=None,
                summary="Private calendar address created",
                visibility=activity.SECRETARIAT,
            )
        new_url = _abs(rt, f"/feeds/private/{token}.ics")
    with rt.db.read() as session:
        tokens = list(
            session.exec(
                select(FeedToken)
                .where(FeedToken.user_id == who.user_id)
                .order_by(col(FeedToken.created_at).desc())
            )
        )
    return render(request, "hub/feeds.html", {"tokens": tokens, "new_url": new_url})


async def revoke(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.SIGNED_IN)
    with rt.db.write() as unit:
        token = unit.session.get(FeedToken, request.path_params["token_id"])
        if token is None or token.user_id != who.user_id:
            raise HTTPException(404)
        token.revoked_at = token.revoked_at or rt.clock()
        unit.session.add(token)
    return redirect("/feeds/private", _("The calendar address no longer works."))


async def private_calendar(request: Request) -> Response:
    rt = runtime(request)
    digest = _hash(request.path_params["token"])
    with rt.db.read() as session:
        token = session.exec(select(FeedToken).where(FeedToken.token_hash == digest)).first()
        user = session.get(User, token.user_id) if token else None
        if token is None or token.revoked_at is not None or user is None or not user.is_active:
            raise HTTPException(404)
        roles, observed = rt.group_roles(session, user.id or 0)
        who = Viewer(
            user_id=user.id,
            display_name=user.display_name,
            is_secretariat=user.is_secretariat,
            member_roles=roles,
            observed_groups=observed,
            invited_to=rt.invited_to(session, user.id or 0),
        )
        return _ics(calendar(rt, session, who, None, f"Shared Space for {user.display_name}"))


routes = [
    Route("/feeds/calendar.ics", hub_calendar),
    Route("/feeds/activity.atom", hub_atom),
    Route("/feeds/private", private_feeds, methods=["GET", "POST"]),
    Route("/feeds/private/{token_id:id}/revoke", revoke, methods=["POST"]),
    Route("/feeds/private/{token}.ics", private_calendar),
    Route("/groups/{slug}/calendar.ics", group_calendar),
    Route("/groups/{slug}/activity.atom", group_atom),
]
