"""Reading the report form: its text, the definition it rests on, and its recommendations
as numbered rows (blank rows for new ones; emptying a row's text removes it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.drafting.models import Recommendation, Report
from workspace.forms import FormInput
from workspace.i18n import gettext as _
from workspace.numbers import parse_id

NEW_ROWS = 2  # blank recommendation rows offered below the existing ones


@dataclass
class RecommendationDraft:
    recommendation_id: int | None  # None: a new one
    text: str
    addressed_to: str


@dataclass
class ReportDraft:
    title: str = ""
    body: str = ""
    definition_id: int | None = None
    recommendations: list[RecommendationDraft] = field(default_factory=list)


def check_report(form: FormInput, rows: int, definitions: set[int]) -> ReportDraft:
    draft = ReportDraft(
        title=form.required("title", _("a title")),
        body=form.optional("body", _("the report"), max_length=100_000, multiline=True),
    )
    raw_definition = form.get("definition_id")
    if raw_definition:
        draft.definition_id = parse_id(raw_definition)
        if draft.definition_id not in definitions:
            form.error("definition_id", _("Select an agreed definition of this group"))
    for row in range(rows):
        text = form.get(f"rec-text-{row}").strip()
        body = " ".join(form.get(f"rec-to-{row}").split())
        existing = parse_id(form.get(f"rec-id-{row}"))
        if not text and not body:
            continue
        if not text:
            form.error(
                f"rec-text-{row}",
                _("Write recommendation %(number)s, or clear its body", number=row + 1),
            )
        elif len(text) > 5000:
            form.error(f"rec-text-{row}", _("A recommendation must be 5,000 characters or fewer"))
        if not body:
            form.error(
                f"rec-to-{row}",
                _("Say whom recommendation %(number)s is addressed to", number=row + 1),
            )
        elif len(body) > 150:
            form.error(f"rec-to-{row}", _("The body's name must be 150 characters or fewer"))
        draft.recommendations.append(RecommendationDraft(existing, text, body))
    return draft


def form_values(report: Report, recommendations: list[Recommendation]) -> dict[str, str]:
    values = {
        "title": report.title,
        "body": report.body,
        "definition_id": str(report.definition_id or ""),
    }
    for row, rec in enumerate(recommendations):
        values[f"rec-id-{row}"] = str(rec.id)
        values[f"rec-text-{row}"] = rec.text
        values[f"rec-to-{row}"] = rec.addressed_to
    return values
