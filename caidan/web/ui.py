"""The UI kernel every app's views share: how a domain refusal becomes a page.

``domain_errors`` wraps a view (403 page, 404 page, login redirect, error page);
``attempt``/``attempt_error`` run one service call and turn a refusal the user can act on into
a message (and a form error); ``attempt_refusal`` hands the view the refusal itself when the
message is not enough. Views catch no ``DomainError`` themselves
(``tests/common/test_views_attempt.py``). Django and ``caidan.common`` only: every app may
import this.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.shortcuts import redirect, render

from caidan.common.errors import (
    DomainError,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    form_add_error,
)

T = TypeVar("T")


def domain_errors(view):
    """Render permission problems as a readable 403 page; send anonymous users to login."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotAuthenticated:
            return redirect(f"/login/?next={request.path}")
        except PermissionDenied as exc:
            return render(request, "web/403.html", {"error": exc}, status=403)
        except NotFound as exc:
            return render(request, "404.html", {"error": exc}, status=404)
        except DomainError as exc:  # e.g. a tampered cursor or filter in the query string
            return render(request, "web/error.html", {"error": exc}, status=exc.status_code)

    return wrapper


#: The refusals ``attempt`` leaves to ``domain_errors``: the 403 page and the login redirect.
PAGES: tuple[type[DomainError], ...] = (PermissionDenied, NotAuthenticated)


def attempt_refusal(
    run: Callable[[], T], *, form=None, pages: tuple[type[DomainError], ...] = PAGES
) -> tuple[T | None, DomainError | None]:
    """``attempt`` for a view that needs the refusal itself, not just its message: its
    ``status_code`` (a form page answered 400, 401 or 429), its ``code``, its
    ``detail["errors"]`` (every bad row of an import). Returns ``(result, None)`` or
    ``(None, error)``; with ``form``, the error is also attached to the field it names.
    Refusals of the ``pages`` types are not caught (``domain_errors`` turns them into a
    page); ``pages=()`` catches every refusal, for a page that shows even a wrong password or
    a missing permission on the form or as a message."""
    try:
        return run(), None
    except DomainError as exc:
        if isinstance(exc, pages):
            raise
        if form is not None:
            form_add_error(form, exc)
        return None, exc


def attempt(run: Callable[[], T], *, form=None) -> tuple[T | None, str | None]:
    """A view's call of a service: ``(result, None)``, or ``(None, message)`` when the service
    refuses for a reason the user can act on (with ``form``, the message is also attached to
    the field it names). Permission and login refusals are not caught: ``domain_errors`` turns
    them into the 403 page or the login redirect."""
    result, error = attempt_refusal(run, form=form)
    return result, None if error is None else error.message


def attempt_error(run: Callable[[], object], *, form=None) -> str | None:
    """``attempt`` for a call whose result the view does not need: just the error."""
    return attempt(run, form=form)[1]
