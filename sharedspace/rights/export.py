"""Download my data: every row that names the person, as JSON and CSV in one zip.

Found from the schema rather than listed by hand, so a table added later is included
without anyone remembering to: every row of every table with a column pointing at
`user.id` equal to the person (their comments, responses, positions, revisions, evidence,
sessions, tokens, notifications, preferences, follows, seats, the activity they did...),
and the rows that hang off those and hold their words (a comment's earlier versions, a
response's answers, a revision's tiers). Secrets (password and token hashes) are left out.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, or_, select
from sqlmodel import SQLModel

from workspace.runtime import Runtime

SECRET_COLUMNS = {"password_hash", "token_hash"}
# Rows that belong to an exported row and hold what the person wrote.
CHILDREN = {"comment": ["commentedit"], "response": ["answer"], "revision": ["tier"]}
README = """Your data from Shared Space
===========================

data.json holds everything below in one file; each table is also a CSV file.

profile        your account (the password is never stored, only a hash: left out)
user_session   where you are signed in, with each browser's description
api_token      your API tokens (the tokens themselves are never stored)
comment        your comments; commentedit holds each earlier version
response       your responses to consultations; answer holds your answers
position       positions you recorded for your organisation
membership     your seats in task groups; observer_seat your observer seats;
               organisation the organisations you sat for or spoke for
notification, notification_preference, notification_settings, follow, digest_run
               what you were told, how you chose to hear of it, what you follow
activity_event what you did, as the public record shows it
Any other file is another kind of record that names you (a revision you wrote, evidence
you added, a meeting you attended...).
"""


def _user_columns(table: Table) -> list[Any]:
    return [
        column
        for column in table.columns
        for fk in column.foreign_keys
        if fk.column.table.name == "user" and fk.column.name == "id"
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def collect(rt: Runtime, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """Table name -> the person's rows, as plain values."""
    tables = SQLModel.metadata.tables
    found: dict[str, list[dict[str, Any]]] = {}
    with rt.db.read() as session:
        user = tables["user"]
        found["profile"] = _rows(session.execute(select(user).where(user.c.id == user_id)))
        for name, table in sorted(tables.items()):
            columns = _user_columns(table)
            if name == "user" or not columns:
                continue
            rows = _rows(
                session.execute(select(table).where(or_(*(c == user_id for c in columns))))
            )
            if rows:
                found[name] = rows
        named = {
            row["organisation_id"]
            for key in ("membership", "position")
            for row in found.get(key, [])
        }
        if named:
            orgs = tables["organisation"]
            found["organisation"] = _rows(session.execute(select(orgs).where(orgs.c.id.in_(named))))
        for parent, children in CHILDREN.items():
            ids = [row["id"] for row in found.get(parent, [])]
            for child in children:
                table = tables[child]
                fk = next(
                    c
                    for c in table.columns
                    for k in c.foreign_keys
                    if k.column.table.name == parent
                )
                rows = _rows(session.execute(select(table).where(fk.in_(ids)))) if ids else []
                if rows:
                    found[child] = rows
    return found


def _rows(result: Iterable[Any]) -> list[dict[str, Any]]:
    return [
        {k: _plain(v) for k, v in row._mapping.items() if k not in SECRET_COLUMNS} for row in result
    ]


def build_zip(data: dict[str, list[dict[str, Any]]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False))
        for name, rows in data.items():
            archive.writestr(f"{name}.csv", _csv(rows))
    return out.getvalue()


def _csv(rows: list[dict[str, Any]]) -> str:
    text = io.StringIO()
    columns = list(rows[0]) if rows else []
    writer = csv.DictWriter(text, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        # A cell starting with = + - @ would run as a formula in a spreadsheet.
        writer.writerow({k: _safe_cell(v) for k, v in row.items()})
    return text.getvalue()


def _safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
