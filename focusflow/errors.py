"""Errors the services raise: each carries the HTTP status and code the API answers with
(focusflow/api_errors.py turns them, and every other error, into a JSON answer)."""

from rest_framework import status


class DomainError(Exception):
    """A rule of the product was broken; carries the HTTP status the API answers with."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"

    def __init__(self, detail: str, **extra):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def as_payload(self) -> dict:
        return {"detail": self.detail, "code": self.code, **self.extra}


class InvalidInput(DomainError):
    """Bad input found by a service (e.g. a task of another person); extra holds field errors."""


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"


class Conflict(DomainError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"
