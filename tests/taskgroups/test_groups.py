from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from tests.client import error_summary, soup
from tests.factories import World, make_user
from workspace.models import ActivityEvent
from workspace.runtime import Runtime

G = "/groups/zero-carbon-homes-definition"


def test_secretariat_creates_a_group_with_markdown_remit(as_role, rt: Runtime) -> None:  # type: ignore[no-untyped-def]
    admin = as_role("secretariat")
    response = admin.submit(
        "/groups/new",
        {
            "name": "Energy efficiency standard",
            "remit": "Agree **fabric** first.\n\n<script>x</script>",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/groups/energy-efficiency-standard/people"
    page = admin.page("/groups/energy-efficiency-standard")
    remit = page.select_one(".ss-prose")
    assert remit.select_one("strong").get_text() == "fabric"
    assert remit.find("script") is None
    home = admin.page("/")
    names = [a.get_text(strip=True) for a in home.select(".ss-card h3 a")]
    assert "Energy efficiency standard" in names


def test_group_form_errors_keep_the_remit(as_role) -> None:  # type: ignore[no-untyped-def]
    admin = as_role("secretariat")
    response = admin.submit("/groups/new", {"name": "", "remit": "My long remit text"})
    assert response.status_code == 400
    page = soup(response.text)
    assert error_summary(page) == ["Enter a name for the task group"]
    assert page.select_one("#remit").get_text() == "My long remit text"


def test_duplicate_group_name_is_refused(as_role) -> None:  # type: ignore[no-untyped-def]
    admin = as_role("secretariat")
    response = admin.submit("/groups/new", {"name": "ZERO carbon homes definition"})
    assert error_summary(soup(response.text)) == ["A task group with this name already exists"]


def test_group_page_lists_members_by_sector_and_observers_apart(as_role, world: World) -> None:  # type: ignore[no-untyped-def]
    page = as_role("visitor").page(G)
    members = page.select_one("section[aria-labelledby=members-heading]")
    observers = page.select_one("section[aria-labelledby=observers-heading]")
    sectors = [h.get_text() for h in members.select("h3")]
    assert sectors == ["Environmental", "Industry"]
    member_text = members.get_text(" ")
    assert "Helen Chair" in member_text
    assert "Raj Member" in member_text
    assert "David Observer" not in member_text
    assert "David Observer, DCLG" in observers.get_text(" ")
    assert "Helen Chair" not in observers.get_text()
    chair_tag = members.select_one(".govuk-tag")
    assert chair_tag.get_text() == "Chair"


def test_seat_member_and_observer_through_the_forms(as_role, rt: Runtime, world: World) -> None:  # type: ignore[no-untyped-def]
    admin = as_role("secretariat")
    newcomer = make_user(rt, "Priya Shah", email="priya@eon.example")
    official = make_user(rt, "Olu Civil", email="olu@dclg.example")
    org_id = world.orgs["builders"].id
    assert (
        admin.submit(
            f"{G}/members",
            {"email": "PRIYA@eon.example", "organisation_id": str(org_id), "role": "member"},
        ).status_code
        == 303
    )
    start = date.today().isoformat()
    assert (
        admin.submit(
            f"{G}/observers",
            {"observer_email": "olu@dclg.example", "department": "HM Treasury", "starts_on": start},
        ).status_code
        == 303
    )
    page = admin.page(G)
    assert "Priya Shah" in page.select_one("section[aria-labelledby=members-heading]").get_text()
    assert "Olu Civil, HM Treasury" in page.select_one(
        "section[aria-labelledby=observers-heading]"
    ).get_text(" ")
    assert newcomer.id
    assert official.id


def test_a_member_cannot_also_be_an_observer(as_role, world: World) -> None:  # type: ignore[no-untyped-def]
    admin = as_role("secretariat")
    response = admin.submit(
        f"{G}/observers",
        {
            "observer_email": world.users["member"].email,
            "department": "DCLG",
            "starts_on": date.today().isoformat(),
        },
    )
    assert response.status_code == 400
    assert "kept apart from members" in error_summary(soup(response.text))[0]
    response = admin.submit(
        f"{G}/members",
        {
            "email": world.users["observer"].email,
            "organisation_id": str(world.orgs["green"].id),
            "role": "member",
        },
    )
    assert "nobody can be both" in error_summary(soup(response.text))[0]


def test_seat_forms_report_every_problem_and_keep_input(as_role) -> None:  # type: ignore[no-untyped-def]
    admin = as_role("secretariat")
    response = admin.submit(
        f"{G}/observers",
        {
            "observer_email": "nobody@example.org",
            "department": "",
            # the GOV.UK date input: day, month and year (issue 14)
            "starts_on-day": "30",
            "starts_on-month": "2",
            "starts_on-year": "2016",
            "ends_on": "2015-01-01",
        },
    )
    page = soup(response.text)
    assert error_summary(page) == [
        "Enter the government department",
        "The date the seat starts must be a real date, like 1 4 2016",
        "No account uses this email address. Ask the person to register first.",
    ]
    assert page.select_one("#observer_email")["value"] == "nobody@example.org"
    kept = [page.select_one(f"#starts_on-{part}")["value"] for part in ("day", "month", "year")]
    assert kept == ["30", "2", "2016"]


def test_ending_an_observer_seat_keeps_the_record(as_role, rt: Runtime, world: World) -> None:  # type: ignore[no-untyped-def]
    admin = as_role("secretariat")
    people = admin.page(f"{G}/people")
    form = people.select_one("form[action*='/observers/'][action$='/end']")
    assert admin.submit(form["action"]).status_code == 303
    observers = admin.page(G).select_one("section[aria-labelledby=observers-heading]")
    assert "David Observer" not in observers.get_text()
    # The ended seat stays on record, with its dates, and no longer has an End button.
    row = next(
        tr
        for tr in admin.page(f"{G}/people").select("table tr")
        if "David Observer" in tr.get_text()
    )
    yesterday = date.today() - timedelta(days=1)
    assert f"to {yesterday.day} {yesterday:%B %Y}" in row.get_text(" ")
    assert row.select_one("button") is None
    with rt.db.read() as session:
        _roles, observed = rt.group_roles(session, world.users["observer"].id)
    assert world.group.id not in observed


def test_observer_with_future_seat_has_no_access_yet(as_role, rt: Runtime, world: World) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import seat_observer

    later = make_user(rt, "Future Observer")
    seat_observer(
        rt,
        world.users["secretariat"],
        world.other_group,
        later,
        starts_on=date.today() + timedelta(days=10),
    )
    viewer = rt.load_viewer(None)
    assert not viewer.signed_in
    with rt.db.read() as session:
        _roles, observed = rt.group_roles(session, later.id)  # type: ignore[arg-type]
    assert world.other_group.id not in observed


def test_writes_are_recorded_in_the_activity_log(as_role, rt: Runtime, world: World) -> None:  # type: ignore[no-untyped-def]
    with rt.db.read() as session:
        verbs = [
            e.verb
            for e in session.exec(
                select(ActivityEvent).where(ActivityEvent.group_id == world.group.id)
            )
        ]
    assert verbs[:1] == ["group.created"]
    assert verbs.count("group.member_seated") == 2
    assert verbs.count("group.observer_seated") == 1
    page = as_role("visitor").page(G)
    items = [li.get_text(" ", strip=True) for li in page.select(".ss-activity li")]
    assert any("David Observer (DCLG) observes" in item for item in items)


def test_my_groups_lists_memberships_and_observer_seats_apart(as_role) -> None:  # type: ignore[no-untyped-def]
    chair = as_role("chair").page("/my-groups")
    tables = chair.select("table")
    assert len(tables) == 1
    assert "Home Builders Federation" in tables[0].get_text()
    observer = as_role("observer").page("/my-groups")
    assert "DCLG" in observer.select("table")[0].get_text()
    assert "You are not a member of any task group" in observer.get_text()
