"""The tracker: every published recommendation with its status and history, filtered by
group, body and status; and the same rows as CSV, JSON and Atom."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from sqlmodel import Session, col, select

from reports.drafting.models import Recommendation, Report, ReportStatus
from reports.drafting.service import report_url
from reports.responses import service as responses
from reports.responses.models import STATUS_LABELS, STATUS_NAMES, GovernmentResponse
from taskgroups.groups.models import TaskGroup
from workspace.permissions import same_body

ATOM = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class Filters:
    group: str = ""  # a group's slug
    body: str = ""
    status: str = ""  # a key of STATUS_LABELS

    def query(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


@dataclass
class Row:
    recommendation: Recommendation
    report: Report
    group: TaskGroup
    history: list[GovernmentResponse]

    @property
    def status(self) -> str:
        return responses.status_of(self.history)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def status_name(self) -> str:
        """The status in English, for the exports."""
        return STATUS_NAMES[self.status]

    @property
    def latest(self) -> GovernmentResponse | None:
        return self.history[-1] if self.history else None

    @property
    def url(self) -> str:
        return f"/recommendations/{self.recommendation.id}"


def rows(session: Session, filters: Filters | None = None) -> list[Row]:
    filters = filters or Filters()
    query = (
        select(Recommendation, Report, TaskGroup)
        .join(Report, col(Report.id) == col(Recommendation.report_id))
        .join(TaskGroup, col(TaskGroup.id) == col(Report.group_id))
        .where(Report.status == ReportStatus.PUBLISHED)
        .order_by(col(Report.published_at).desc(), col(Report.id), col(Recommendation.number))
    )
    if filters.group:
        query = query.where(TaskGroup.slug == filters.group)
    found = session.exec(query).all()
    answers = responses.history(session, [r.id or 0 for r, _rep, _g in found])
    listed = [Row(r, rep, g, answers.get(r.id or 0, [])) for r, rep, g in found]
    if filters.body:
        listed = [
            r for r in listed if same_body(r.recommendation.addressed_to) == same_body(filters.body)
        ]
    if filters.status:
        listed = [r for r in listed if r.status == filters.status]
    return listed


def one(session: Session, recommendation_id: int | None) -> Row | None:
    found = responses.published_recommendation(session, recommendation_id)
    if found is None:
        return None
    rec, report, group = found
    return Row(rec, report, group, responses.history(session, [rec.id or 0])[rec.id or 0])


def choices(session: Session) -> tuple[list[TaskGroup], list[str]]:
    """The groups and bodies that have published recommendations, for the filters."""
    every = rows(session)
    groups = {r.group.id: r.group for r in every}
    bodies = {
        same_body(r.recommendation.addressed_to): r.recommendation.addressed_to for r in every
    }
    return sorted(groups.values(), key=lambda g: g.name), sorted(bodies.values(), key=str.casefold)


# -- exports ----------------------------------------------------------------------------

CSV_COLUMNS = [
    "group",
    "report",
    "report_url",
    "published_on",
    "number",
    "recommendation",
    "addressed_to",
    "status",
    "responded_on",
    "statement",
    "response_link",
    "responses",
    "url",
]


def as_csv(found: list[Row], base_url: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in found:
        latest = row.latest
        writer.writerow(
            _safe(
                [
                    row.group.name,
                    row.report.title,
                    base_url + report_url(row.group, row.report),
                    _day(row.report.published_at),
                    str(row.recommendation.number),
                    row.recommendation.text,
                    row.recommendation.addressed_to,
                    row.status_name,
                    latest.responded_on.isoformat() if latest else "",
                    latest.statement if latest else "",
                    latest.link if latest else "",
                    str(len(row.history)),
                    base_url + row.url,
                ]
            )
        )
    return out.getvalue()


def _safe(cells: list[str]) -> list[str]:
    """Cells a spreadsheet would run as a formula get a leading apostrophe (CSV injection)."""
    return ["'" + c if c[:1] in ("=", "+", "-", "@", "\t", "\r") else c for c in cells]


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value else ""


def as_json(found: list[Row], base_url: str) -> dict[str, Any]:
    return {
        "recommendations": [
            {
                "id": row.recommendation.id,
                "url": base_url + row.url,
                "group": {"name": row.group.name, "slug": row.group.slug},
                "report": {
                    "title": row.report.title,
                    "url": base_url + report_url(row.group, row.report),
                    "published_at": row.report.published_at.isoformat()
                    if row.report.published_at
                    else None,
                },
                "number": row.recommendation.number,
                "text": row.recommendation.text,
                "addressed_to": row.recommendation.addressed_to,
                "status": row.status,
                "status_label": row.status_name,
                "history": [
                    {
                        "department": r.department,
                        "status": r.status,
                        "status_label": STATUS_NAMES.get(r.status, r.status),
                        "statement": r.statement,
                        "responded_on": r.responded_on.isoformat(),
                        "link": r.link or None,
                        "recorded_at": r.recorded_at.isoformat(),
                    }
                    for r in row.history
                ],
            }
            for row in found
        ]
    }


def as_atom(found: list[Row], base_url: str, self_path: str, now: datetime) -> bytes:
    """One entry per response and per published report, newest first."""
    ET.register_namespace("", ATOM)
    host = base_url.split("://", 1)[-1].split("/", 1)[0]

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        node = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        node.text = text
        return node

    entries: list[tuple[datetime, str, str, str, str]] = []
    reports_seen: set[int] = set()
    for row in found:
        rec = row.recommendation
        for r in row.history:
            status = STATUS_NAMES.get(r.status, r.status)
            title = f"{r.department}: {status}, recommendation {rec.number} of {row.report.title}"
            entries.append((r.recorded_at, f"response-{r.id}", title, row.url, r.statement))
        if row.report.id not in reports_seen and row.report.published_at:
            reports_seen.add(row.report.id or 0)
            entries.append(
                (
                    row.report.published_at,
                    f"report-{row.report.id}",
                    f"Published: {row.report.title} ({row.group.name})",
                    report_url(row.group, row.report),
                    "",
                )
            )
    entries.sort(key=lambda e: e[0], reverse=True)
    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", base_url + self_path)
    sub(feed, "title", "Shared Space: recommendations and the government's response")
    sub(feed, "updated", (entries[0][0] if entries else now).isoformat(timespec="seconds"))
    sub(feed, "link", rel="self", href=base_url + self_path)
    sub(feed, "link", rel="alternate", href=base_url + "/recommendations")
    sub(sub(feed, "author"), "name", "Shared Space")
    for when, key, title, url, summary in entries[:100]:
        entry = sub(feed, "entry")
        sub(entry, "id", f"tag:{host},2007:{key}")
        sub(entry, "title", title)
        sub(entry, "updated", when.isoformat(timespec="seconds"))
        sub(entry, "link", rel="alternate", href=base_url + url)
        if summary:
            sub(entry, "summary", summary[:1000])
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))
