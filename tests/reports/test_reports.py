"""Reports: drafted by members, signed off through the definitions' own sign-off, published
by the chair, answered by the addressed department's observers, tracked in public."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta
from xml.etree import ElementTree as ET

from sqlmodel import SQLModel, select

import reports.drafting.models
import reports.responses.models
from definitions.signoff.models import Dispute, Position
from reports.drafting import service as report_service
from reports.drafting.models import Recommendation, Report
from sharedspace.routing import leaves
from taskgroups.milestones.models import Milestone
from tests.client import HubClient, error_summary, soup
from tests.factories import World, make_user, seat_observer
from tests.reports.factories import make_report, published_report
from workspace.runtime import Runtime

AsRole = Callable[[str], HubClient]
G = "/groups/zero-carbon-homes-definition"


def _rec_ids(rt: Runtime, report: Report) -> list[int]:
    with rt.db.read() as session:
        return [r.id or 0 for r in report_service.recommendations(session, report.id or 0)]


def _signoff_endpoints(routes: list) -> dict[str, object]:  # type: ignore[type-arg]
    return {prefix + route.path: route.endpoint for prefix, route in leaves(routes)}


def test_report_sign_off_reuses_the_definitions_code_path(
    app, rt: Runtime, world: World, as_role: AsRole
) -> None:  # type: ignore[no-untyped-def]
    # The same route code serves both: made by definitions.signoff.routes.routes_for.
    endpoints = _signoff_endpoints(app.routes)
    for step in ("sign-off", "propose", "positions", "disputes/{dispute_id}/answer", "agree"):
        for base in ("/groups/{slug}/definitions/{dslug}", "/groups/{slug}/reports/{rslug}"):
            endpoint = endpoints[f"{base}/{step}"]
            assert endpoint.__module__ == "definitions.signoff.routes", (base, step)  # type: ignore[attr-defined]
            assert endpoint.__qualname__.startswith("routes_for."), (base, step)  # type: ignore[attr-defined]
    # And no table of its own for positions: reports own reports, recommendations, responses.
    own = {
        t.__tablename__
        for m in (reports.drafting.models, reports.responses.models)
        for t in vars(m).values()
        if isinstance(t, type) and issubclass(t, SQLModel) and hasattr(t, "__table__")
    }
    assert own == {"report", "recommendation", "government_response"}

    report = make_report(rt, world)
    base = f"{G}/reports/{report.slug}"
    chair, member = as_role("chair"), as_role("member")
    assert chair.submit(base + "/propose").status_code == 303
    objection = member.submit(base + "/positions", {"stance": "object", "comment": "Too weak."})
    assert objection.status_code == 303
    refused = chair.submit(base + "/agree")
    assert refused.status_code == 400
    assert "Waiting for: Home Builders Federation" in error_summary(soup(refused.text))[0]
    assert chair.submit(base + "/positions", {"stance": "support"}).status_code == 303
    assert "Answer every open dispute" in error_summary(soup(chair.submit(base + "/agree").text))[0]
    with rt.db.read() as session:
        dispute = session.exec(select(Dispute)).one()
        positions = session.exec(select(Position)).all()
    assert (dispute.subject_kind, dispute.subject_id) == ("report", report.id)
    assert {(p.subject_kind, p.subject_id, p.revision_number) for p in positions} == {
        ("report", report.id, 1)
    }
    answered = chair.submit(
        f"{base}/disputes/{dispute.id}/answer",
        {"outcome": "not_accepted", "answer": "The group holds to 60%."},
    )
    assert answered.status_code == 303
    assert chair.submit(base + "/agree").status_code == 303
    page = chair.page(base + "/sign-off")
    assert "Agreed at version 1" in page.get_text(" ", strip=True)
    assert chair.submit(base + "/publish").status_code == 303
    assert as_role("visitor").page(base).select_one(".govuk-tag").get_text() == "Published"
    assert chair.get(base + "/edit").status_code == 409  # published reports are frozen


def test_saving_a_proposed_report_moves_positions_to_the_new_version(
    rt: Runtime, world: World, as_role: AsRole
) -> None:
    report = make_report(rt, world)
    base = f"{G}/reports/{report.slug}"
    chair, member = as_role("chair"), as_role("member")
    chair.submit(base + "/propose")
    member.submit(base + "/positions", {"stance": "support"})
    form = {
        "title": report.title,
        "body": "Changed.",
        "rec-id-0": str(_rec_ids(rt, report)[0]),
        "rec-text-0": "Adopt the standard in 2013.",
        "rec-to-0": "DCLG",
    }
    assert member.submit(base + "/edit", form).status_code == 303
    with rt.db.read() as session:
        saved = session.get(Report, report.id)
        recs = report_service.recommendations(session, report.id or 0)
    assert saved is not None
    assert (saved.head_number, saved.proposed_number) == (2, 2)
    assert [(r.number, r.text) for r in recs] == [(1, "Adopt the standard in 2013.")]
    assert "No position yet" in member.page(base + "/sign-off").get_text()


def test_the_report_form_keeps_everything_on_error(world: World, as_role: AsRole) -> None:
    member = as_role("member")
    response = member.submit(
        f"{G}/reports/new",
        {"title": "Next steps", "body": "Text", "rec-text-0": "Do it.", "rec-to-0": ""},
    )
    assert response.status_code == 400
    page = soup(response.text)
    assert error_summary(page) == ["Say whom recommendation 1 is addressed to"]
    assert page.select_one("#rec-text-0").get_text() == "Do it."
    assert page.select_one("#body").get_text() == "Text"


def test_only_observers_of_the_addressed_department_can_respond(
    app, rt: Runtime, world: World, as_role: AsRole
) -> None:  # type: ignore[no-untyped-def]
    report = published_report(
        rt, world, recommendations=[("Tighten Part L.", "dclg "), ("Fund heat networks.", "DECC")]
    )
    to_dclg, to_decc = (f"/recommendations/{i}/respond" for i in _rec_ids(rt, report))
    admin = world.users["secretariat"]
    decc = make_user(rt, "Dana DECC")
    seat_observer(rt, admin, world.other_group, decc, department="DECC")
    former = make_user(rt, "Fred Former")
    yesterday = date.today() - timedelta(days=1)
    seat_observer(rt, admin, world.group, former, "DCLG", yesterday - timedelta(days=9), yesterday)
    expected = {
        ("observer", to_dclg): 200,  # DCLG, seated in this group ("dclg " is DCLG)
        ("observer", to_decc): 403,
        ("decc", to_decc): 200,  # DECC, seated in another group: still DECC's to answer
        ("decc", to_dclg): 403,
        ("former", to_dclg): 403,  # a seat that has ended speaks for no one
        ("member", to_dclg): 403,
        ("chair", to_dclg): 403,
        ("secretariat", to_dclg): 403,
        ("public", to_dclg): 403,
        ("visitor", to_dclg): 303,
    }
    people = {"decc": decc, "former": former}
    for (who, path), status in expected.items():
        client = as_role("visitor")
        if who in people:
            client.sign_in_as(people[who])
        elif who != "visitor":
            client.sign_in_as(world.users[who])
        assert client.get(path).status_code == status, (who, path)
        assert client.submit(path, {}).status_code == (400 if status == 200 else status), who


def test_a_response_is_the_departments_and_the_tracker_keeps_its_history(
    rt: Runtime, world: World, as_role: AsRole
) -> None:
    report = published_report(rt, world)
    first, second = _rec_ids(rt, report)
    observer = as_role("observer")
    bad = observer.submit(
        f"/recommendations/{first}/respond", {"statement": "We are thinking.", "link": "ftp://x"}
    )
    assert bad.status_code == 400
    page = soup(bad.text)
    assert error_summary(page) == [
        "Select the government's response",
        "Enter the date of the response",
        "Enter a web address starting with https:// or http://",
    ]
    assert page.select_one("#statement").get_text() == "We are thinking."
    today = date.today().isoformat()
    for status, statement in (
        ("under_consideration", "The department is considering the costs."),
        ("accepted", "The standard will be in **Part L 2013**."),
    ):
        done = observer.submit(
            f"/recommendations/{first}/respond",
            {
                "status": status,
                "statement": statement,
                "responded_on": today,
                "link": "https://www.gov.uk/government/news/next-steps-to-zero-carbon-homes",
            },
        )
        assert done.status_code == 303
    public = as_role("visitor")
    page = public.page(f"/recommendations/{first}")
    history = [h.get_text(" ", strip=True) for h in page.select(".ss-response h4")]
    assert history[0].startswith("DCLG: Accepted")
    assert history[1].startswith("DCLG: Under consideration")
    assert "David Observer" not in page.get_text()  # the department's, not a person's
    tracker = public.page("/recommendations")
    rows = {
        r["data-recommendation"]: r.select_one(".govuk-tag").get_text()
        for r in tracker.select("tr[data-recommendation]")
    }
    assert rows == {str(first): "Accepted", str(second): "Awaiting response"}
    awaiting = public.page("/recommendations?status=awaiting&body=DCLG&group=" + world.group.slug)
    assert [r["data-recommendation"] for r in awaiting.select("tr[data-recommendation]")] == [
        str(second)
    ]
    assert public.page("/recommendations?group=allowable-solutions").select("tr") == []

    exported = list(csv.DictReader(io.StringIO(public.get("/recommendations.csv").text)))
    assert [(r["number"], r["status"], r["responses"]) for r in exported] == [
        ("1", "Accepted", "2"),
        ("2", "Awaiting response", "0"),
    ]
    data = public.get("/recommendations.json").json()["recommendations"]
    assert [h["status"] for h in data[0]["history"]] == ["under_consideration", "accepted"]
    assert data[0]["history"][0]["department"] == "DCLG"
    feed = ET.fromstring(public.get("/recommendations.atom").content)  # noqa: S314 (our own feed)
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert any(t and t.startswith("DCLG: Accepted, recommendation 1") for t in titles)


def test_drafts_stay_out_of_the_tracker_and_away_from_outsiders(
    rt: Runtime, world: World, as_role: AsRole
) -> None:
    report = make_report(rt, world)
    rec = _rec_ids(rt, report)[0]
    public = as_role("public")
    assert public.get(f"{G}/reports/{report.slug}").status_code == 403
    assert public.get(f"/recommendations/{rec}").status_code == 404
    assert public.page("/recommendations").select("tr[data-recommendation]") == []
    assert public.get("/recommendations.json").json() == {"recommendations": []}
    listed = public.page(f"{G}/reports/").select("main li a")
    assert [a.get_text() for a in listed] == []


def test_a_milestone_waits_for_the_governments_response(
    rt: Runtime, world: World, as_role: AsRole
) -> None:
    report = make_report(rt, world)
    chair = as_role("chair")
    made = chair.submit(
        f"{G}/milestones/new",
        {
            "title": "Government responds",
            "due_on": (date.today() + timedelta(days=200)).isoformat(),
            "deliverable": f"response_published:{report.id}",
        },
    )
    assert made.status_code == 303, error_summary(soup(made.text))
    from tests.reports.factories import agree_report

    agree_report(rt, world, report)
    chair.submit(f"{G}/reports/{report.slug}/publish")
    with rt.db.read() as session:
        milestone = session.exec(select(Milestone)).one()
    assert milestone.deliverable_started_on is not None
    assert milestone.completed_on is None
    observer = as_role("observer")
    for rec, status in zip(_rec_ids(rt, report), ("accepted", "accepted_in_part"), strict=True):
        with rt.db.read() as session:
            milestone = session.exec(select(Milestone)).one()
        assert milestone.completed_on is None
        observer.submit(
            f"/recommendations/{rec}/respond",
            {"status": status, "statement": "Yes.", "responded_on": date.today().isoformat()},
        )
    with rt.db.read() as session:
        milestone = session.exec(select(Milestone)).one()
        recs = session.exec(select(Recommendation)).all()
    assert len(recs) == 2
    assert milestone.completed_on is not None
    assert milestone.completion_url.endswith(f"/reports/{report.slug}")
