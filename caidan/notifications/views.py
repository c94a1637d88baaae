from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from caidan.web.ui import domain_errors

from . import selectors, services


@login_required
@domain_errors
def inbox(request):
    page = selectors.inbox_grouped(
        user=request.user,
        unread_only=request.GET.get("unread") == "1",
        cursor=request.GET.get("cursor") or None,
    )
    return render(request, "notifications/inbox.html", {"page": page})


@require_POST
@login_required
@domain_errors
def mark_read(request, notification_id: int):
    row = services.notification_mark_group_read(user=request.user, notification_id=notification_id)
    if row.url and row.url.startswith("/"):
        return redirect(row.url)
    return redirect("notifications:inbox")


@require_POST
@login_required
def mark_all_read(request):
    services.notification_mark_all_read(user=request.user)
    return redirect("notifications:inbox")
