"""The secretariat's audit view of the activity log: filter by group, person, kind and
date, and export the same selection as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from taskgroups.groups.models import TaskGroup
from workspace.forms import FormInput
from workspace.i18n import N_, Labels
from workspace.i18n import gettext as _
from workspace.models import ActivityEvent, User
from workspace.numbers import parse_int
from workspace.paging import page_number, pagination
from workspace.permissions import Action, require
from workspace.runtime import runtime, viewer
from workspace.templating import render

PAGE_SIZE = 50
_CHOOSE = Labels(
    {"group": N_("Select a group from the list"), "person": N_("Select a person from the list")}
)
CSV_LIMIT = 100_000


@dataclass
class AuditFilter:
    group_id: int | None = None  # 0: hub-wide only
    actor_id: int | None = None
    verb: str = ""
    since: date | None = None
    until: date | None = None


def read_filter(request: Request) -> tuple[AuditFilter, FormInput]:
    form = FormInput(values={k: v for k, v in request.query_params.items() if isinstance(v, str)})
    found = AuditFilter(verb=form.get("kind").strip()[:60])
    for name in ("group", "person"):
        raw = form.get(name)
        number = parse_int(raw)
        if raw and number is None:
            form.error(name, _CHOOSE[name])
        elif raw:
            setattr(found, "group_id" if name == "group" else "actor_id", number)
    found.since = form.date("from", _("the first day"), required=False)
    found.until = form.date("to", _("the last day"), required=False)
    if found.since and found.until and found.until < found.since:
        form.error("to", _("The last day must be the same as or after the first day"))
    return found, form


def query(
    session: Session, f: AuditFilter, zone: ZoneInfo, limit: int, offset: int = 0
) -> list[tuple[Any, ...]]:
    q = (
        select(ActivityEvent, User.display_name, TaskGroup.name)
        .join(User, User.id == ActivityEvent.actor_id, isouter=True)  # type: ignore[arg-type]
        .join(TaskGroup, TaskGroup.id == ActivityEvent.group_id, isouter=True)  # type: ignore[arg-type]
        .order_by(col(ActivityEvent.created_at).desc(), col(ActivityEvent.id).desc())
    )
    if f.group_id == 0:
        q = q.where(col(ActivityEvent.group_id).is_(None))
    elif f.group_id is not None:
        q = q.where(ActivityEvent.group_id == f.group_id)
    if f.actor_id is not None:
        q = q.where(ActivityEvent.actor_id == f.actor_id)
    if f.verb:
        q = q.where(ActivityEvent.verb == f.verb)
    if f.since:
        q = q.where(col(ActivityEvent.created_at) >= datetime.combine(f.since, time(), zone))
    if f.until:
        end = datetime.combine(f.until + timedelta(days=1), time(), zone)
        q = q.where(col(ActivityEvent.created_at) < end)
    return [tuple(row) for row in session.exec(q.offset(offset).limit(limit))]


async def audit(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.ADMINISTER)
    f, form = read_filter(request)
    zone = ZoneInfo(rt.settings.timezone)
    number = page_number(request)
    offset = (number - 1) * PAGE_SIZE
    with rt.db.read() as session:
        rows = query(session, f, zone, PAGE_SIZE + 1, offset) if form.ok else []
        groups = list(session.exec(select(TaskGroup).order_by(col(TaskGroup.name))))
        people = list(session.exec(select(User).order_by(col(User.display_name))))
        verbs = sorted(set(session.exec(select(ActivityEvent.verb).distinct())))
    filters = {k: v for k, v in request.query_params.items() if k != "page"}
    return render(
        request,
        "hub/audit.html",
        {
            "form": form,
            "rows": rows[:PAGE_SIZE],
            "first": offset + 1,
            "pagination": pagination(
                number, len(rows) > PAGE_SIZE, "/audit", filters, _("Pages of events")
            ),
            "groups": groups,
            "people": people,
            "verbs": verbs,
            "csv_url": "/audit.csv?" + urlencode(filters),
        },
        block="events",
        status_code=200 if form.ok else 400,
    )


async def audit_csv(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.ADMINISTER)
    f, form = read_filter(request)
    if not form.ok:
        return Response(
            "; ".join(form.errors.values()), status_code=400, media_type="text/plain; charset=utf-8"
        )
    zone = ZoneInfo(rt.settings.timezone)
    with rt.db.read() as session:
        rows = query(session, f, zone, CSV_LIMIT)
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheet programs read UTF-8 only with the mark, as other exports
    writer = csv.writer(out)
    writer.writerow(
        [
            "id",
            "when_utc",
            "actor",
            "verb",
            "group",
            "object_type",
            "object_id",
            "visibility",
            "summary",
            "url",
        ]
    )
    for event, actor, group in rows:
        writer.writerow(
            [
                event.id,
                event.created_at.isoformat(),
                _safe(actor or ""),
                event.verb,
                _safe(group or ""),
                event.object_type,
                event.object_id or "",
                event.visibility,
                _safe(event.summary),
                event.url,
            ]
        )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": "attachment; filename=activity.csv"},
    )


def _safe(value: str) -> str:
    """Stop a spreadsheet from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


routes = [Route("/audit", audit), Route("/audit.csv", audit_csv)]
