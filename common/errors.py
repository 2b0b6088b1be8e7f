"""Errors a clerk can read.

Every refusal the services make is a ``ServiceError`` carrying a stable English
``code`` (for scripts, logs and tests) and a Chinese ``message`` for the clerk.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal with a machine code and a message in Chinese."""

    code: str = "refused"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class InputError(ServiceError, ValueError):
    """Bad input: a malformed amount, date, ID number, or a value out of range."""

    code = "invalid_input"


class NotFound(ServiceError, LookupError):
    code = "not_found"


class PermissionDenied(ServiceError):
    code = "permission_denied"


class ConflictError(ServiceError):
    """The request contradicts what is already recorded (a second enrolment,
    a second payment, a write inside a closed day)."""

    code = "conflict"
