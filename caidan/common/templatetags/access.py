"""``{% load access %}``: show a link or a button only to those who may follow it.

``{% may "needs.submit" as may_state %}`` is ``common.permissions.can`` for the person viewing
the page (``request.actor``), optionally on an object: ``{% may "projects.view" p as ok %}``.
A page that links to another checks the same permission the other page requires, so nobody
is shown a link that answers 403 (issue 20; ``tests/web/test_links_open.py`` walks every
role's pages for such links)."""

from django import template

from caidan.common.permissions import can

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context, permission: str, obj=None) -> bool:
    request = context.get("request")
    actor = getattr(request, "actor", None)
    if actor is None:
        return False
    return can(actor, permission, obj)
