"""The invitation and reminder emails, in the invitee's language.

Someone with an account chose a language (`User.language`); someone invited by email
alone gets the language of the person inviting them, which is the request's.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from consultations.invitations.models import Invitation
from consultations.lifecycle.models import Consultation
from consultations.lifecycle.status import url
from workspace import formats
from workspace.db import WriteUnit
from workspace.i18n import current_locale
from workspace.i18n import gettext as _
from workspace.models import User
from workspace.runtime import Runtime


def language_of(unit: WriteUnit, invitation: Invitation) -> str:
    """The invitee's chosen language, else the one being written in now."""
    account = unit.session.get(User, invitation.user_id) if invitation.user_id else None
    return (account.language if account is not None else "") or current_locale()


def send_link(
    rt: Runtime,
    unit: WriteUnit,
    consultation: Consultation,
    invitation: Invitation,
    sender: str,
    link: str,
    days: int,
) -> None:
    with rt.catalogues.use(language_of(unit, invitation)):
        closes = formats.day(consultation.closes_at, ZoneInfo(rt.settings.timezone))
        subject = _("You are invited to respond: %(title)s", title=consultation.title)
        body = _(
            "Hello,\n\n%(sender)s invites you to a small-group consultation, “%(title)s”, open"
            " to invited people only. It closes on %(closes)s.\n\nUse this link within"
            " %(days)d days to read it and respond (you can create an account from it):"
            "\n\n%(link)s\n\nThe link works once.\n",
            sender=sender or _("The task group"),
            title=consultation.title,
            closes=closes,
            days=days,
            link=link,
        )
    rt.mailer.queue(unit, invitation.email, subject, body, at_once=False)


def send_reminder(
    rt: Runtime, unit: WriteUnit, consultation: Consultation, invitation: Invitation
) -> None:
    with rt.catalogues.use(language_of(unit, invitation)):
        closes = formats.day(consultation.closes_at, ZoneInfo(rt.settings.timezone))
        subject = _(
            "Reminder: %(title)s closes on %(closes)s", title=consultation.title, closes=closes
        )
        body = _(
            "Hello,\n\nYou were invited to respond to “%(title)s”. We have not yet had"
            " your response. You can read the consultation and respond here:"
            "\n\n%(link)s\n\nIf your invitation link has expired, ask the task group's"
            " chair to re-send it.\n",
            title=consultation.title,
            link=f"{rt.settings.base_url.rstrip('/')}{url(consultation)}",
        )
    rt.mailer.queue(unit, invitation.email, subject, body, at_once=False)
