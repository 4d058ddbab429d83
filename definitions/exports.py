"""A revision as Markdown and JSON (schema: docs/definition-export.md)."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from definitions.models import Definition, Revision, TierRow
from taskgroups.groups.models import TaskGroup

SCHEMA_VERSION = 1


def as_dict(
    group: TaskGroup, definition: Definition, revision: Revision, tiers: list[TierRow], author: str
) -> dict[str, Any]:
    return {
        "schema": f"sharedspace.definition.v{SCHEMA_VERSION}",
        "group": {"name": group.name, "slug": group.slug},
        "definition": {
            "title": definition.title,
            "slug": definition.slug,
            "purpose": definition.purpose,
            "status": definition.status,
            "agreed_revision": definition.agreed_number,
        },
        "revision": {
            "number": revision.number,
            "author": author,
            "created_at": revision.created_at.isoformat(),
            "change_note": revision.change_note,
            "based_on": revision.base_number,
            "merged_with": revision.merged_with,
        },
        "tiers": [
            {
                "position": row.position + 1,
                "key": row.key,
                "name": row.name,
                "summary": row.summary,
                "requirement_markdown": row.requirement,
                "metric": (
                    {
                        "comparator": row.metric_comparator,
                        "value": row.metric_value,
                        "unit": row.metric_unit,
                    }
                    if row.metric_comparator
                    else None
                ),
            }
            for row in tiers
        ],
    }


def as_markdown(
    group: TaskGroup, definition: Definition, revision: Revision, tiers: list[TierRow], author: str
) -> str:
    lines = [
        f"# {definition.title}",
        "",
        f"Task group: {group.name}  ",
        f"Revision {revision.number}, {revision.created_at:%Y-%m-%d %H:%M} UTC, by {author}  ",
        f"Status: {definition.status}",
        "",
    ]
    if definition.purpose:
        lines += [definition.purpose, ""]
    lines += ["Tiers are cumulative: each includes those beneath it. Tier 1 is the base.", ""]
    for row in tiers:
        lines.append(f"## Tier {row.position + 1}: {row.name}")
        lines.append("")
        if row.metric_comparator:
            metric = f"{row.metric_comparator} {row.metric_value} {row.metric_unit}".rstrip()
            lines += [f"Metric: {metric}", ""]
        if row.summary:
            lines += [row.summary, ""]
        if row.requirement:
            lines += [row.requirement, ""]
    return "\n".join(lines)


def _filename(definition: Definition, revision: Revision, ext: str) -> str:
    return f"{definition.slug}-r{revision.number}.{ext}"


def json_response(
    group: TaskGroup, definition: Definition, revision: Revision, tiers: list[TierRow], author: str
) -> Response:
    body = json.dumps(
        as_dict(group, definition, revision, tiers, author), indent=2, ensure_ascii=False
    )
    return Response(
        body,
        media_type="application/json",
        headers={
            "Content-Disposition": f'inline; filename="{_filename(definition, revision, "json")}"'
        },
    )


def markdown_response(
    group: TaskGroup, definition: Definition, revision: Revision, tiers: list[TierRow], author: str
) -> Response:
    body = as_markdown(group, definition, revision, tiers, author)
    return Response(
        body,
        media_type="text/markdown; charset=utf-8",
        headers={
            "Content-Disposition": f'inline; filename="{_filename(definition, revision, "md")}"'
        },
    )
