"""Report factories: drafted, signed off and published through the real services."""

from __future__ import annotations

from collections.abc import Sequence

from definitions.signoff import service as signoff
from reports.drafting import service as reports
from reports.drafting.forms import RecommendationDraft, ReportDraft
from reports.drafting.models import Report
from tests.definitions.factories import viewer_for
from tests.factories import World
from workspace.runtime import Runtime

RECOMMENDATIONS = (
    ("Adopt the fabric energy efficiency standard in Part L 2013.", "DCLG"),
    ("Set carbon compliance at 60% of regulated emissions.", "DCLG"),
)


def make_report(
    rt: Runtime,
    world: World,
    title: str = "Zero carbon homes: next steps",
    recommendations: Sequence[tuple[str, str]] = RECOMMENDATIONS,
) -> Report:
    draft = ReportDraft(
        title=title,
        body="The group **recommends**:",
        recommendations=[RecommendationDraft(None, text, body) for text, body in recommendations],
    )
    return reports.do_create(rt, viewer_for(rt, world.users["member"]), world.group, draft)


def agree_report(rt: Runtime, world: World, report: Report) -> None:
    """Proposed by the chair and supported by every member organisation, then agreed."""
    chair = viewer_for(rt, world.users["chair"])
    signoff.do_propose(rt, chair, world.group, report.id or 0, reports.REPORT)
    for role in ("chair", "member"):
        who = viewer_for(rt, world.users[role])
        signoff.do_record_position(
            rt, who, world.group, report.id or 0, "support", "", reports.REPORT
        )
    signoff.do_agree(rt, chair, world.group, report.id or 0, reports.REPORT)


def published_report(rt: Runtime, world: World, **kwargs: object) -> Report:
    report = make_report(rt, world, **kwargs)  # type: ignore[arg-type]
    agree_report(rt, world, report)
    chair = viewer_for(rt, world.users["chair"])
    return reports.do_publish(rt, chair, world.group, report.id or 0)
