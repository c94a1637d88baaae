"""The UI kernel every app's views share: how a domain refusal becomes a page.

``domain_errors`` wraps a view (403 page, 404 page, login redirect, error page);
``attempt``/``attempt_error`` run one service call and turn a refusal the user can act on into
a message (and a form error). Django and ``caidan.common`` only: every app may import this.
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


def attempt(run: Callable[[], T], *, form=None) -> tuple[T | None, str | None]:
    """A view's call of a service: ``(result, None)``, or ``(None, message)`` when the service
    refuses for a reason the user can act on (with ``form``, the message is also attached to
    the field it names). Permission and login refusals are not caught: ``domain_errors`` turns
    them into the 403 page or the login redirect."""
    try:
        return run(), None
    except (PermissionDenied, NotAuthenticated):
        raise
    except DomainError as exc:
        if form is not None:
            form_add_error(form, exc)
        return None, exc.message


def attempt_error(run: Callable[[], object], *, form=None) -> str | None:
    """``attempt`` for a call whose result the view does not need: just the error."""
    return attempt(run, form=form)[1]
