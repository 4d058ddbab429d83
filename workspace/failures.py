"""Domain errors: what services raise when a request cannot be done as asked.

Services and the permission module know nothing of HTTP; they raise one of these with a
message a person can act on. Only the web layer (`workspace.errors`) turns them into
responses: an error page in the site's design, or a JSON problem for the API.
"""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """It does not exist, or the person may not know that it does (drafts)."""


class Forbidden(DomainError):
    """The person may see it but not do this."""


class Conflict(DomainError):
    """It is not in the state this needs (closed, already changed by someone else)."""


class Invalid(DomainError):
    """The request itself cannot be acted on."""
