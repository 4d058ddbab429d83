"""Every route for every role: the permission table of docs/architecture.md section 2, run.

Each row is (method, path, expected status per role). POST rows send an empty or
deliberately invalid form: a permitted role gets past the gate and is answered with
400/404 by validation, a refused role is stopped at the gate (403, or 303 to sign in).
A test also checks that every route the app serves has a row, so a new route cannot
slip in without its permissions being tested.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from definitions import service as definitions
from definitions.tiers import Tier, new_tier_key
from sharedspace.routing import leaves
from tests.client import HubClient
from tests.consultations.factories import make_consultation, post_comment
from tests.definitions.factories import viewer_for
from tests.factories import ROLES, World
from tests.reports.factories import make_report, published_report
from tests.taskgroups.factories import add_evidence, sample_pdf
from workspace.middleware import CSRF_EXEMPT_PREFIXES
from workspace.runtime import Runtime

G = "/groups/zero-carbon-homes-definition"
OK_ALL = dict.fromkeys(ROLES, 200)
SIGNED_IN = {"visitor": 303} | dict.fromkeys(ROLES[1:], 200)


def admin_only(allowed: int) -> dict[str, int]:
    return {
        "visitor": 303,
        "public": 403,
        "member": 403,
        "chair": 403,
        "observer": 403,
        "secretariat": allowed,
    }


def group_private(allowed: int = 200) -> dict[str, int]:
    return {
        "visitor": 303,
        "public": 403,
        "member": allowed,
        "chair": allowed,
        "observer": allowed,
        "secretariat": allowed,
    }


def editors(allowed: int) -> dict[str, int]:
    return {
        "visitor": 303,
        "public": 403,
        "member": allowed,
        "chair": allowed,
        "observer": 403,
        "secretariat": 403,
    }


def chairs(allowed: int) -> dict[str, int]:
    return {
        "visitor": 303,
        "public": 403,
        "member": 403,
        "chair": allowed,
        "observer": 403,
        "secretariat": allowed,
    }


def signed_in(allowed: int) -> dict[str, int]:
    return {"visitor": 303} | dict.fromkeys(ROLES[1:], allowed)


def respondents(allowed: int) -> dict[str, int]:
    """Answering questions: the public, members and chairs; never observers; the
    secretariat runs the hub and does not respond."""
    return {
        "visitor": 303,
        "public": allowed,
        "member": allowed,
        "chair": allowed,
        "observer": 403,
        "secretariat": 403,
    }


def contributors(allowed: int) -> dict[str, int]:
    """Adding to the evidence library: members, chairs and the secretariat; observers never."""
    return {
        "visitor": 303,
        "public": 403,
        "member": allowed,
        "chair": allowed,
        "observer": 403,
        "secretariat": allowed,
    }


def group_document(allowed: int, observer: int | None = None) -> dict[str, int]:
    """A group-only document: outsiders are told it does not exist (404, never 403), so
    that not even its existence leaks; observers read it but change nothing."""
    return {
        "visitor": 404,
        "public": 404,
        "member": allowed,
        "chair": allowed,
        "observer": allowed if observer is None else observer,
        "secretariat": allowed,
    }


def observers_only(allowed: int) -> dict[str, int]:
    """The government's response: only observers of the addressed department."""
    return {"visitor": 303} | dict.fromkeys(ROLES[1:], 403) | {"observer": allowed}


D = f"{G}/definitions/zero-carbon-homes"
DP = "/groups/{slug}/definitions"
C = "/consultations/zero-carbon-homes-the-draft"
CP = "/consultations/{slug}"
CC = CP + "/comments/{comment_id:id}"
MEMBERS_COMMENT = f"{C}/comments/1"  # posted by the member
OUTSIDERS_COMMENT = f"{C}/comments/2"  # posted by someone in another group
MT = "/milestones/{milestone_id:id}"
MEET = "/groups/{slug}/meetings/{meeting_id:id}"
EV = "/groups/{slug}/evidence"
RP = "/groups/{slug}/reports"
R = f"{G}/reports/zero-carbon-homes-draft-report"
REC = "/recommendations/{recommendation_id}"

API = "/api/v1"
API_G = f"{API}/groups/zero-carbon-homes-definition"
API_C = f"{API}/consultations/zero-carbon-homes-the-draft"


def api_writers(allowed: dict[str, int]) -> dict[str, int]:
    """An API write: visitors are asked for a token (401), never redirected."""
    return allowed | {"visitor": 401}


API_MATRIX: list[tuple[str, str, str, dict[str, int]]] = [
    ("GET", API + "/programme", f"{API}/programme", OK_ALL),
    ("GET", API + "/milestones", f"{API}/milestones", OK_ALL),
    ("GET", API + "/groups", f"{API}/groups", OK_ALL),
    ("GET", API + "/groups/{slug}", API_G, OK_ALL),
    ("GET", API + "/groups/{slug}/definitions", f"{API_G}/definitions", OK_ALL),
    (
        "GET",
        API + "/groups/{slug}/definitions/{definition}",
        f"{API_G}/definitions/zero-carbon-homes",
        group_document(200),
    ),
    ("GET", API + "/groups/{slug}/meetings", f"{API_G}/meetings", OK_ALL),
    ("GET", API + "/groups/{slug}/evidence", f"{API_G}/evidence", OK_ALL),
    ("GET", API + "/consultations", f"{API}/consultations", OK_ALL),
    ("GET", API + "/consultations/{slug}", API_C, OK_ALL),
    ("GET", API + "/consultations/{slug}/comments", f"{API_C}/comments", OK_ALL),
    # Published responses: to everyone once closed, before that to chairs and the
    # secretariat (who are also the roles whose rows above closed it).
    (
        "GET",
        API + "/consultations/{slug}/responses",
        f"{API_C}/responses",
        dict.fromkeys(ROLES, 404) | {"chair": 200, "secretariat": 200},
    ),
    ("GET", API + "/recommendations", f"{API}/recommendations", OK_ALL),
    ("GET", API + "/search", f"{API}/search?q=zero", OK_ALL),
    ("GET", API + "/openapi.json", f"{API}/openapi.json", OK_ALL),
    ("GET", API + "/docs", f"{API}/docs", OK_ALL),
    (
        "POST",
        API + "/consultations/{slug}/comments",
        f"{API_C}/comments",
        api_writers(signed_in(415)),
    ),
    (
        "POST",
        API + "/consultations/{slug}/responses",
        f"{API_C}/responses",
        api_writers(respondents(415)),
    ),
    (
        "POST",
        API + "/groups/{slug}/definitions/{definition}/positions",
        f"{API_G}/definitions/zero-carbon-homes/positions",
        # The definition is a draft: outside the group it does not exist.
        group_document(415, observer=403) | {"secretariat": 403},
    ),
]

MATRIX: list[tuple[str, str, str, dict[str, int]]] = [
    # (method, route pattern, concrete path, expected per role)
    ("GET", "/", "/", OK_ALL),
    ("GET", "/healthz", "/healthz", OK_ALL),
    ("GET", "/health", "/health", admin_only(200)),
    ("GET", "/search", "/search?q=zero+carbon", OK_ALL),
    ("GET", "/my-groups", "/my-groups", SIGNED_IN),
    ("GET", "/organisations", "/organisations", OK_ALL),
    ("GET", "/organisations/new", "/organisations/new", admin_only(200)),
    ("POST", "/organisations/new", "/organisations/new", admin_only(400)),
    ("GET", "/people", "/people", admin_only(200)),
    ("GET", "/account/", "/account/", SIGNED_IN),
    ("GET", "/account/register", "/account/register", OK_ALL),
    ("POST", "/account/register", "/account/register", dict.fromkeys(ROLES, 400)),
    ("GET", "/account/sign-in", "/account/sign-in", OK_ALL),
    ("POST", "/account/sign-in", "/account/sign-in", dict.fromkeys(ROLES, 400)),
    ("POST", "/account/sign-out", "/account/sign-out", dict.fromkeys(ROLES, 303)),
    # The header's language switcher: anyone may choose; no language chosen is a 400.
    ("POST", "/language", "/language", dict.fromkeys(ROLES, 400)),
    (
        "POST",
        "/account/sign-out-everywhere",
        "/account/sign-out-everywhere",
        dict.fromkeys(ROLES, 303),
    ),
    ("GET", "/account/password-reset", "/account/password-reset", OK_ALL),
    ("POST", "/account/password-reset", "/account/password-reset", dict.fromkeys(ROLES, 400)),
    (
        "GET",
        "/account/password-reset/{token}",
        "/account/password-reset/not-a-token",
        dict.fromkeys(ROLES, 404),
    ),
    (
        "POST",
        "/account/password-reset/{token}",
        "/account/password-reset/not-a-token",
        dict.fromkeys(ROLES, 404),
    ),
    ("POST", "/account/confirm", "/account/confirm", dict.fromkeys(ROLES, 400)),
    ("GET", "/account/confirm/{token}", "/account/confirm/not-a-token", dict.fromkeys(ROLES, 404)),
    (
        "POST",
        "/account/confirm/{token}",
        "/account/confirm/not-a-token",
        dict.fromkeys(ROLES, 404),
    ),
    # Notifications and following (workspace/notifications): each person's own.
    ("GET", "/notifications", "/notifications", SIGNED_IN),
    ("GET", "/notifications/unread", "/notifications/unread", SIGNED_IN),
    ("POST", "/notifications/read-all", "/notifications/read-all", signed_in(303)),
    ("GET", "/notifications/preferences", "/notifications/preferences", SIGNED_IN),
    ("POST", "/notifications/preferences", "/notifications/preferences", signed_in(400)),
    (
        "POST",
        "/notifications/{notification_id}/open",
        "/notifications/999/open",
        signed_in(404),
    ),
    (
        "GET",
        "/notifications/unsubscribe/{user_id}/{scope}/{signature}",
        "/notifications/unsubscribe/1/all/not-signed",
        dict.fromkeys(ROLES, 404),
    ),
    (
        "POST",
        "/notifications/unsubscribe/{user_id}/{scope}/{signature}",
        "/notifications/unsubscribe/1/all/not-signed",
        dict.fromkeys(ROLES, 404),
    ),
    ("GET", "/following", "/following", SIGNED_IN),
    # The mail outbox exists in demo mode only (tests/workspace/test_demo_outbox.py).
    ("GET", "/outbox", "/outbox", admin_only(404)),
    ("GET", "/outbox/{message_id}", "/outbox/1", admin_only(404)),
    ("GET", "/outbox/{message_id}/html", "/outbox/1/html", admin_only(404)),
    ("POST", "/following/set", "/following/set", signed_in(400)),
    ("GET", "/groups/new", "/groups/new", admin_only(200)),
    ("POST", "/groups/new", "/groups/new", admin_only(400)),
    ("GET", "/groups/{slug}", G, OK_ALL),
    ("GET", "/groups/{slug}/edit", f"{G}/edit", admin_only(200)),
    ("POST", "/groups/{slug}/edit", f"{G}/edit", admin_only(400)),
    ("POST", "/groups/{slug}/status", f"{G}/status", admin_only(400)),
    ("GET", "/groups/{slug}/people", f"{G}/people", admin_only(200)),
    ("POST", "/groups/{slug}/members", f"{G}/members", admin_only(400)),
    (
        "POST",
        "/groups/{slug}/members/{seat_id}/remove",
        f"{G}/members/999999/remove",
        admin_only(404),
    ),
    ("POST", "/groups/{slug}/observers", f"{G}/observers", admin_only(400)),
    # Seat invitations by email: the secretariat invites and withdraws; the link is
    # anyone's to follow, and an unknown one is "cannot be used" for everyone.
    ("POST", "/groups/{slug}/seat-invitations", f"{G}/seat-invitations", admin_only(400)),
    (
        "POST",
        "/groups/{slug}/seat-invitations/{invitation_id:id}/withdraw",
        f"{G}/seat-invitations/999999/withdraw",
        admin_only(404),
    ),
    ("GET", "/groups/{slug}/join/{token}", f"{G}/join/not-a-token", dict.fromkeys(ROLES, 404)),
    ("POST", "/groups/{slug}/join/{token}", f"{G}/join/not-a-token", dict.fromkeys(ROLES, 404)),
    (
        "POST",
        "/groups/{slug}/observers/{seat_id}/end",
        f"{G}/observers/999999/end",
        admin_only(404),
    ),
    # A draft definition: the group's members, observers and secretariat read it; only
    # members edit; chairs (and the secretariat) run sign-off; observers never write.
    ("GET", DP + "/new", f"{G}/definitions/new", editors(200)),
    ("POST", DP + "/new", f"{G}/definitions/new", editors(400)),
    ("GET", DP + "/{dslug}", D, group_private()),
    ("GET", DP + "/{dslug}/edit", f"{D}/edit", editors(200)),
    ("POST", DP + "/{dslug}/edit", f"{D}/edit", editors(400)),
    ("GET", DP + "/{dslug}/history", f"{D}/history", group_private()),
    ("GET", DP + "/{dslug}/compare", f"{D}/compare", group_private()),
    ("GET", DP + "/{dslug}/revisions/{number}", f"{D}/revisions/1", group_private()),
    ("GET", DP + "/{dslug}/revisions/{number}/print", f"{D}/revisions/1/print", group_private()),
    (
        "GET",
        DP + "/{dslug}/revisions/{number}/export.{fmt}",
        f"{D}/revisions/1/export.json",
        group_private(),
    ),
    ("GET", DP + "/{dslug}/sign-off", f"{D}/sign-off", group_private()),
    ("POST", DP + "/{dslug}/propose", f"{D}/propose", chairs(303)),
    ("POST", DP + "/{dslug}/positions", f"{D}/positions", editors(400)),
    (
        "POST",
        DP + "/{dslug}/disputes/{dispute_id}/answer",
        f"{D}/disputes/999999/answer",
        chairs(400),
    ),
    ("POST", DP + "/{dslug}/agree", f"{D}/agree", chairs(400)),
    # An open consultation: everyone reads it; observers comment but never answer.
    ("GET", "/consultations/", "/consultations/", OK_ALL),
    ("GET", "/consultations/new", f"/consultations/new?group={G.rsplit('/', 1)[1]}", chairs(200)),
    ("POST", "/consultations/new", f"/consultations/new?group={G.rsplit('/', 1)[1]}", chairs(400)),
    ("GET", CP, C, OK_ALL),
    ("GET", CP + "/edit", f"{C}/edit", chairs(409)),
    ("POST", CP + "/edit", f"{C}/edit", chairs(409)),
    ("POST", CP + "/open", f"{C}/open", chairs(409)),
    ("GET", CP + "/outcome", f"{C}/outcome", dict.fromkeys(ROLES, 404)),
    ("GET", CP + "/outcome/edit", f"{C}/outcome/edit", chairs(409)),
    ("POST", CP + "/outcome/edit", f"{C}/outcome/edit", chairs(409)),
    ("GET", CP + "/questions", f"{C}/questions", chairs(200)),
    ("POST", CP + "/questions", f"{C}/questions", chairs(409)),
    ("GET", CP + "/questions/{question_id}/edit", f"{C}/questions/999999/edit", chairs(404)),
    ("POST", CP + "/questions/{question_id}/edit", f"{C}/questions/999999/edit", chairs(404)),
    ("POST", CP + "/questions/{question_id}/remove", f"{C}/questions/999999/remove", chairs(404)),
    ("POST", CP + "/questions/{question_id}/move", f"{C}/questions/999999/move", chairs(404)),
    ("GET", CP + "/respond", f"{C}/respond", respondents(200)),
    ("POST", CP + "/respond", f"{C}/respond", respondents(400)),
    ("GET", CP + "/response", f"{C}/response", respondents(200)),
    ("GET", CP + "/summary", f"{C}/summary", chairs(200)),
    # The answers to a free-text question, page by page: as the summary (no question 9).
    ("GET", CP + "/summary/questions/{number:id}", f"{C}/summary/questions/9", chairs(404)),
    # The respond form's live check of one answer: as responding (no question 999999).
    (
        "POST",
        CP + "/respond/field/{question_id:id}",
        f"{C}/respond/field/999999",
        respondents(404),
    ),
    ("GET", CP + "/export/responses.{fmt}", f"{C}/export/responses.csv", chairs(200)),
    ("GET", CP + "/comments", f"{C}/comments", OK_ALL),
    ("POST", CP + "/comments", f"{C}/comments", signed_in(400)),
    ("GET", CC, MEMBERS_COMMENT, OK_ALL),
    ("GET", CC + "/reply", f"{MEMBERS_COMMENT}/reply", SIGNED_IN),
    ("POST", CC + "/reply", f"{MEMBERS_COMMENT}/reply", signed_in(400)),
    ("GET", CC + "/edit", f"{OUTSIDERS_COMMENT}/edit", signed_in(403)),
    ("POST", CC + "/edit", f"{OUTSIDERS_COMMENT}/edit", signed_in(403)),
    ("POST", CC + "/delete", f"{OUTSIDERS_COMMENT}/delete", signed_in(403)),
    ("GET", CC + "/history", f"{MEMBERS_COMMENT}/history", OK_ALL),
    ("GET", CC + "/flag", f"{MEMBERS_COMMENT}/flag", SIGNED_IN),
    ("POST", CC + "/flag", f"{MEMBERS_COMMENT}/flag", signed_in(400)),
    ("POST", CC + "/hide", f"{MEMBERS_COMMENT}/hide", chairs(400)),
    ("POST", CC + "/restore", f"{MEMBERS_COMMENT}/restore", chairs(409)),
    ("POST", CC + "/approve", f"{MEMBERS_COMMENT}/approve", chairs(409)),
    ("POST", CC + "/dismiss-flags", f"{MEMBERS_COMMENT}/dismiss-flags", chairs(409)),
    ("GET", CP + "/moderation", f"{C}/moderation", chairs(200)),
    ("GET", CP + "/export/comments.{fmt}", f"{C}/export/comments.json", OK_ALL),
    # Programme, milestones, meetings, feeds, dashboard and audit.
    ("GET", "/timeline", "/timeline", OK_ALL),
    ("GET", "/groups/{slug}/timeline", f"{G}/timeline", OK_ALL),
    ("GET", "/programme", "/programme", admin_only(200)),
    ("POST", "/programme", "/programme", admin_only(400)),
    ("GET", "/milestones/new", "/milestones/new", admin_only(200)),
    ("POST", "/milestones/new", "/milestones/new", admin_only(400)),
    ("GET", "/groups/{slug}/milestones/new", f"{G}/milestones/new", chairs(200)),
    ("POST", "/groups/{slug}/milestones/new", f"{G}/milestones/new", chairs(400)),
    ("GET", MT, "/milestones/1", OK_ALL),
    ("GET", MT + "/edit", "/milestones/1/edit", chairs(200)),
    ("POST", MT + "/edit", "/milestones/1/edit", chairs(400)),
    ("POST", MT + "/complete", "/milestones/1/complete", chairs(400)),
    ("GET", "/groups/{slug}/meetings", f"{G}/meetings", OK_ALL),
    ("GET", "/groups/{slug}/meetings/new", f"{G}/meetings/new", chairs(200)),
    ("POST", "/groups/{slug}/meetings/new", f"{G}/meetings/new", chairs(400)),
    ("GET", MEET, f"{G}/meetings/1", OK_ALL),
    ("GET", MEET + "/edit", f"{G}/meetings/1/edit", chairs(200)),
    ("POST", MEET + "/edit", f"{G}/meetings/1/edit", chairs(400)),
    ("GET", MEET + "/record", f"{G}/meetings/1/record", chairs(200)),
    ("POST", MEET + "/record", f"{G}/meetings/1/record", chairs(303)),
    ("POST", MEET + "/actions/{action_id:id}/done", f"{G}/meetings/1/actions/1/done", chairs(303)),
    ("GET", "/dashboard", "/dashboard", SIGNED_IN),
    ("GET", "/feeds/calendar.ics", "/feeds/calendar.ics", OK_ALL),
    ("GET", "/feeds/activity.atom", "/feeds/activity.atom", OK_ALL),
    ("GET", "/groups/{slug}/calendar.ics", f"{G}/calendar.ics", OK_ALL),
    ("GET", "/groups/{slug}/activity.atom", f"{G}/activity.atom", OK_ALL),
    ("GET", "/feeds/private", "/feeds/private", SIGNED_IN),
    ("POST", "/feeds/private", "/feeds/private", SIGNED_IN),
    ("POST", "/feeds/private/{token_id:id}/revoke", "/feeds/private/999/revoke", signed_in(404)),
    (
        "GET",
        "/feeds/private/{token}.ics",
        "/feeds/private/not-a-token.ics",
        dict.fromkeys(ROLES, 404),
    ),
    ("GET", "/audit", "/audit", admin_only(200)),
    ("GET", "/audit.csv", "/audit.csv", admin_only(200)),
    # The evidence library: document 1 is group-only, uploaded by the member.
    ("GET", EV, f"{G}/evidence", OK_ALL),
    ("GET", EV + "/new", f"{G}/evidence/new", contributors(200)),
    ("POST", EV + "/new", f"{G}/evidence/new", contributors(400)),
    ("GET", EV + "/{evidence_id}", f"{G}/evidence/1", group_document(200)),
    ("GET", EV + "/{evidence_id}/file", f"{G}/evidence/1/file", group_document(200)),
    ("GET", EV + "/{evidence_id}/edit", f"{G}/evidence/1/edit", group_document(200, 403)),
    ("POST", EV + "/{evidence_id}/edit", f"{G}/evidence/1/edit", group_document(400, 403)),
    ("GET", EV + "/{evidence_id}/withdraw", f"{G}/evidence/1/withdraw", group_document(200, 403)),
    ("POST", EV + "/{evidence_id}/withdraw", f"{G}/evidence/1/withdraw", group_document(400, 403)),
    ("POST", EV + "/{evidence_id}/links", f"{G}/evidence/1/links", group_document(400, 403)),
    (
        "POST",
        EV + "/{evidence_id}/links/{link_id}/remove",
        f"{G}/evidence/1/links/999999/remove",
        group_document(404, 403),
    ),
    # Reports: a draft report (group-private), and a published one whose recommendation 1
    # is addressed to the observer's department.
    ("GET", RP + "/", f"{G}/reports/", OK_ALL),
    ("GET", RP + "/new", f"{G}/reports/new", editors(200)),
    ("POST", RP + "/new", f"{G}/reports/new", editors(400)),
    ("GET", RP + "/{rslug}", R, group_private()),
    ("GET", RP + "/{rslug}/edit", f"{R}/edit", editors(200)),
    ("POST", RP + "/{rslug}/edit", f"{R}/edit", editors(400)),
    ("POST", RP + "/{rslug}/publish", f"{R}/publish", chairs(409)),
    ("GET", RP + "/{rslug}/sign-off", f"{R}/sign-off", group_private()),
    ("POST", RP + "/{rslug}/positions", f"{R}/positions", editors(400)),
    (
        "POST",
        RP + "/{rslug}/disputes/{dispute_id}/answer",
        f"{R}/disputes/999999/answer",
        chairs(400),
    ),
    ("POST", RP + "/{rslug}/agree", f"{R}/agree", chairs(400)),
    ("POST", RP + "/{rslug}/propose", f"{R}/propose", chairs(303)),
    ("GET", "/recommendations", "/recommendations", OK_ALL),
    ("GET", "/recommendations.csv", "/recommendations.csv", OK_ALL),
    ("GET", "/recommendations.json", "/recommendations.json", OK_ALL),
    ("GET", "/recommendations.atom", "/recommendations.atom", OK_ALL),
    ("GET", "/recommendations/{recommendation_id}", "/recommendations/1", OK_ALL),
    ("GET", REC + "/respond", "/recommendations/1/respond", observers_only(200)),
    ("POST", REC + "/respond", "/recommendations/1/respond", observers_only(400)),
    # Audience and invitations (consultations/invitations) on the open consultation; the
    # invited ones are run role by role in tests/consultations/invitations.
    ("GET", CP + "/invitations", f"{C}/invitations", chairs(200)),
    ("POST", CP + "/invitations/new", f"{C}/invitations/new", chairs(400)),
    ("POST", CP + "/invitations/audience", f"{C}/invitations/audience", chairs(400)),
    ("POST", CP + "/invitations/remind", f"{C}/invitations/remind", chairs(303)),
    (
        "POST",
        CP + "/invitations/{invitation_id:id}/revoke",
        f"{C}/invitations/999999/revoke",
        chairs(404),
    ),
    (
        "POST",
        CP + "/invitations/{invitation_id:id}/resend",
        f"{C}/invitations/999999/resend",
        chairs(409),
    ),
    ("GET", CP + "/delegate", f"{C}/delegate", SIGNED_IN),
    ("POST", CP + "/delegate", f"{C}/delegate", signed_in(400)),
    ("GET", "/invitations/{token}", "/invitations/not-a-token", dict.fromkeys(ROLES, 404)),
    ("POST", "/invitations/{token}", "/invitations/not-a-token", dict.fromkeys(ROLES, 404)),
    # Road shows (consultations/roadshows): event 999999 does not exist; a real event,
    # its sign-up, facilitators and entered responses are run per role in
    # tests/consultations/roadshows.
    ("GET", CP + "/events", f"{C}/events", OK_ALL),
    ("GET", CP + "/events/new", f"{C}/events/new", chairs(200)),
    ("POST", CP + "/events/new", f"{C}/events/new", chairs(400)),
    ("GET", CP + "/events/{show_id:id}", f"{C}/events/999999", dict.fromkeys(ROLES, 404)),
    ("POST", CP + "/events/{show_id:id}/attend", f"{C}/events/999999/attend", signed_in(404)),
    (
        "POST",
        CP + "/events/{show_id:id}/withdraw",
        f"{C}/events/999999/withdraw",
        signed_in(404),
    ),
    (
        "POST",
        CP + "/events/{show_id:id}/facilitators",
        f"{C}/events/999999/facilitators",
        chairs(303),
    ),
    (
        "GET",
        CP + "/events/{show_id:id}/attendance",
        f"{C}/events/999999/attendance",
        dict.fromkeys(ROLES, 404),
    ),
    (
        "POST",
        CP + "/events/{show_id:id}/attendance",
        f"{C}/events/999999/attendance",
        dict.fromkeys(ROLES, 404),
    ),
    ("GET", CP + "/responses/enter", f"{C}/responses/enter", chairs(200)),
    ("POST", CP + "/responses/enter", f"{C}/responses/enter", chairs(400)),
    # Last: these close the consultation and delete the milestone the rows above use.
    ("POST", CP + "/close", f"{C}/close", chairs(303)),
    ("POST", MT + "/delete", "/milestones/1/delete", chairs(303)),
    # Personal API tokens (workspace/tokens): the person's own; another's is not found.
    ("GET", "/account/tokens", "/account/tokens", SIGNED_IN),
    ("POST", "/account/tokens", "/account/tokens", signed_in(400)),
    ("POST", "/account/tokens/{token_id:id}/revoke", "/account/tokens/1/revoke", signed_in(404)),
    # Two-factor sign-in (workspace/twofactor): the person's own. The QR code exists only
    # while a second factor is being set up (the page's GET starts that), turning it off
    # or new recovery codes only once it is on; the challenge needs a pending sign-in.
    ("GET", "/account/two-factor/qr.svg", "/account/two-factor/qr.svg", signed_in(404)),
    ("GET", "/account/two-factor", "/account/two-factor", SIGNED_IN),
    ("GET", "/account/two-factor/qr.svg", "/account/two-factor/qr.svg", SIGNED_IN),
    ("POST", "/account/two-factor", "/account/two-factor", signed_in(400)),
    ("POST", "/account/two-factor/off", "/account/two-factor/off", signed_in(404)),
    (
        "POST",
        "/account/two-factor/recovery-codes",
        "/account/two-factor/recovery-codes",
        signed_in(404),
    ),
    (
        "GET",
        "/account/sign-in/two-factor",
        "/account/sign-in/two-factor",
        dict.fromkeys(ROLES, 303),
    ),
    (
        "POST",
        "/account/sign-in/two-factor",
        "/account/sign-in/two-factor",
        dict.fromkeys(ROLES, 303),
    ),
    # The JSON API (sharedspace/api), after the rows above closed the consultation. Writes
    # are sent as a form, so a permitted caller passes the gate and gets 415 (not JSON).
    *API_MATRIX,
    # People's rights over their data (sharedspace/rights): an empty close form is refused.
    ("GET", "/account/data", "/account/data", SIGNED_IN),
    ("GET", "/account/data/download", "/account/data/download", SIGNED_IN),
    ("POST", "/account/close", "/account/close", signed_in(400)),
]

# Issue 14: the public-service pages, read by everyone, written by the secretariat.
MATRIX += [
    row
    for slug in ("help", "accessibility", "privacy", "cookies")
    for row in (
        ("GET", f"/{slug}", f"/{slug}", OK_ALL),
        ("GET", f"/{slug}/edit", f"/{slug}/edit", admin_only(200)),
        ("POST", f"/{slug}/edit", f"/{slug}/edit", admin_only(400)),
    )
]
# An objection withdrawn by its own organisation: members of the group only (issue 14).
MATRIX += [
    (
        "POST",
        DP + "/{dslug}/disputes/{dispute_id}/withdraw",
        f"{D}/disputes/999999/withdraw",
        editors(400),
    ),
    (
        "POST",
        RP + "/{rslug}/disputes/{dispute_id}/withdraw",
        f"{R}/disputes/999999/withdraw",
        editors(400),
    ),
]


@pytest.fixture
def with_definition(app, rt: Runtime, world: World) -> World:  # type: ignore[no-untyped-def]
    who = viewer_for(rt, world.users["chair"])
    tier = Tier(
        key=new_tier_key(),
        name="Energy efficiency",
        summary="Fabric first",
        requirement="Good fabric.",
    )
    definitions.do_create(rt, who, world.group, "Zero carbon homes", "One definition", [tier])
    consultation = make_consultation(rt, world)
    post_comment(rt, consultation, world.users["member"])
    post_comment(rt, consultation, world.users["outsider"])
    _progress(app, world)
    _library_and_reports(rt, world)
    return world


def _library_and_reports(rt: Runtime, world: World) -> None:
    """Evidence 1 (group-only, the member's), a published report whose recommendation 1
    is addressed to the observer's department, and a draft report."""
    add_evidence(rt, viewer_for(rt, world.users["member"]), world.group, data=sample_pdf())
    published_report(rt, world, title="Zero carbon homes: published report")
    make_report(rt, world, title="Zero carbon homes: draft report")


def _progress(app, world: World) -> None:  # type: ignore[no-untyped-def]
    """Milestone 1, meeting 1 and its action item 1, made through the chair's pages."""
    with HubClient(app) as chair:
        chair.sign_in_as(world.users["chair"])
        made = [
            chair.submit(
                f"{G}/milestones/new", {"title": "Fabric standard agreed", "due_on": "2013-06-01"}
            ),
            chair.submit(
                f"{G}/meetings/new",
                {
                    "title": "Fourth meeting",
                    "day": "2013-02-05",
                    "time": "14:30",
                    "place": "NHBC",
                    "agenda": "Fabric",
                },
            ),
            chair.submit(
                f"{G}/meetings/1/record",
                {"minutes": "Agreed.", "action-0": "Circulate the cost model"},
            ),
        ]
    assert [r.status_code for r in made] == [303, 303, 303]


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_table_says(
    as_role: Callable[[str], HubClient], with_definition: World, role: str
) -> None:
    world = with_definition
    client = as_role(role)
    failures = []
    for method, _pattern, path, expected in MATRIX:
        if method == "GET":
            status = client.get(path).status_code
        else:
            status = client.submit(path, {}).status_code
            if path.startswith("/account/sign-out") and role != "visitor":
                client.sign_in_as(world.users[role])  # signing out ends the session
        if status != expected[role]:
            failures.append(f"{method} {path}: {status}, expected {expected[role]}")
    assert failures == []


def _served_routes(routes: list) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return {
        (method, prefix + route.path)
        for prefix, route in leaves(routes)
        for method in route.methods or []
        if method != "HEAD"
    }


def test_every_route_is_in_the_matrix(app) -> None:  # type: ignore[no-untyped-def]
    tested = {(method, pattern) for method, pattern, _path, _expected in MATRIX}
    assert _served_routes(app.routes) - tested == set()


@pytest.mark.parametrize("role", ["visitor", "secretariat"])
def test_unsafe_requests_without_csrf_token_are_refused(
    as_role: Callable[[str], HubClient], with_definition: World, role: str
) -> None:
    client = as_role(role)
    client.get("/")
    for method, _pattern, path, _expected in MATRIX:
        if method == "POST" and not path.startswith(CSRF_EXEMPT_PREFIXES):
            response = client.post(path, data={"name": "x"})
            assert response.status_code == 403, path
            assert "expired" in response.text


# -- invited (small-group) consultations --------------------------------------------------
# A: "public" is invited by email; B: nobody outside the group is. A visitor learns
# neither exists (404); an invitee of A never reads B; observers read, never answer.

A_READ = {"visitor": 404} | dict.fromkeys(ROLES[1:], 200)
B_READ = {"visitor": 404, "public": 404} | dict.fromkeys(ROLES[2:], 200)
A_RESPOND = {
    "visitor": 404,
    "public": 200,
    "member": 403,
    "chair": 200,
    "observer": 403,
    "secretariat": 403,
}
B_RESPOND = A_RESPOND | {"public": 404}
CHAIRS_OF_INVITED = chairs(200) | {"visitor": 404, "public": 403}
CHAIRS_OF_B = CHAIRS_OF_INVITED | {"public": 404}
INVITED_MATRIX: list[tuple[str, str, dict[str, int], dict[str, int]]] = [
    # (tail of the path, A expected, B expected)
    ("", A_READ, B_READ),
    ("/comments", A_READ, B_READ),
    ("/export/comments.json", A_READ, B_READ),
    ("/respond", A_RESPOND, B_RESPOND),
    ("/events", A_READ, B_READ),
    ("/invitations", CHAIRS_OF_INVITED, CHAIRS_OF_B),
    ("/summary", CHAIRS_OF_INVITED, CHAIRS_OF_B),
    ("/responses/enter", CHAIRS_OF_INVITED, CHAIRS_OF_B),
]


@pytest.mark.parametrize("role", ROLES)
def test_invited_consultations_answer_each_role_as_the_policy_says(
    as_role: Callable[[str], HubClient], rt: Runtime, world: World, role: str
) -> None:
    from tests.consultations.invitations.factories import invite, make_invited

    a = make_invited(rt, world, "Small group A")
    invite(rt, world, a, world.users["public"].email)
    b = make_invited(rt, world, "Small group B")
    client = as_role(role)
    failures = []
    for tail, for_a, for_b in INVITED_MATRIX:
        for consultation, expected in ((a, for_a), (b, for_b)):
            path = f"/consultations/{consultation.slug}{tail}"
            status = client.get(path).status_code
            if status != expected[role]:
                failures.append(f"GET {path}: {status}, expected {expected[role]}")
    assert failures == []
