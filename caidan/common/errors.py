"""One family of domain errors, readable by users.

Services raise these; the API maps them once to ``{"code", "message", "detail"}`` with
an HTTP 4xx status (``caidan.api``), and the web UI turns them into form errors
(``form_add_error``). Messages are Chinese by default and translatable.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule was broken. ``code`` is stable for machines, ``message`` is for people.

    ``detail`` may carry ``{"field": "<name>"}`` to name the offending field, or
    ``{"errors": [...]}`` for a list of problems (e.g. every bad row of an import).
    """

    status_code = 400
    default_code = "invalid"

    def __init__(
        self, message: str, *, code: str | None = None, detail: dict[str, Any] | None = None
    ):
        super().__init__(message)
        self.message = str(message)
        self.code = str(code or self.default_code)  # an app's Code enum member, as text
        self.detail = detail or {}

    @property
    def field(self) -> str | None:
        return self.detail.get("field")

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "detail": self.detail}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class ValidationError(DomainError):
    status_code = 400
    default_code = "invalid"


class NotAuthenticated(DomainError):
    status_code = 401
    default_code = "not_authenticated"


class PermissionDenied(DomainError):
    status_code = 403
    default_code = "permission_denied"


class NotFound(DomainError):
    status_code = 404
    default_code = "not_found"


class Conflict(DomainError):
    """The request is valid but the object's state forbids it (wrong lifecycle step)."""

    status_code = 409
    default_code = "conflict"


class TooManyRequests(DomainError):
    status_code = 429
    default_code = "too_many_requests"


def field_error(field: str, message: str, *, code: str = "invalid") -> ValidationError:
    """A validation error that names the field it concerns."""
    return ValidationError(message, code=code, detail={"field": field})


def form_add_error(form, error: DomainError) -> None:
    """Show a domain error on a Django form: on its field when it names one the form has.
    A row editor (a field with ``row_errors = True``, ``caidan.web.rows``) gets every problem
    with its rows (``fund_lines.1.spent``) under it, each naming its row and column."""
    fields = getattr(form, "fields", {})
    root = (error.field or "").split(".", 1)[0]
    if error.field not in fields and getattr(fields.get(root), "row_errors", False):
        items = error.detail.get("errors") or [{"field": error.field, "message": error.message}]
        for item in items:
            name = (item.get("field") or "").split(".", 1)[0]
            form.add_error(root if name == root else None, item.get("message", str(item)))
        return
    field = error.field if error.field in fields else None
    form.add_error(field, error.message)
    for item in error.detail.get("errors", []):
        form.add_error(None, item.get("message", str(item)))
