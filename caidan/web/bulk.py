"""The pages of a bulk action (issue 19 §6): a list page posts the ticked ``ids`` here;
the first post shows what will happen to each (and the fields the batch shares, e.g. the
payment date), the confirmed post runs the batch and lists, per item, done or the refusal.

The batch itself is the app's bulk service (``caidan.common.bulk``): every item through the
single-item service in its own transaction. Django and ``caidan.common`` only."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.shortcuts import redirect, render

from caidan.common.bulk import BulkOutcome, bulk_ids


def bulk_page(
    request,
    *,
    title: str,
    action_label: str,
    back_url: str,
    load: Callable[[list[int]], Mapping[int, Any]],
    describe: Callable[[Any], tuple[str, str]],
    run: Callable[[list[int], dict[str, Any]], list[BulkOutcome]],
    form_class=None,
    initial: dict[str, Any] | None = None,
):
    """``load(ids)``: the records the reader may act on, by id (one query); ``describe``:
    (label, what will happen) for the confirmation; ``run(ids, cleaned_data)``: the batch."""
    if request.method != "POST":
        return redirect(back_url)
    ids = bulk_ids(request.POST.getlist("ids"))
    confirmed = bool(request.POST.get("confirm"))
    form = None
    if form_class is not None:
        form = form_class(request.POST if confirmed else None, initial=initial or {})
    if confirmed and (form is None or form.is_valid()):
        outcomes = run(ids, form.cleaned_data if form is not None else {})
        done = sum(1 for o in outcomes if o.ok)
        return render(
            request,
            "web/bulk_result.html",
            {
                "title": title,
                "outcomes": outcomes,
                "done": done,
                "refused": len(outcomes) - done,
                "back_url": back_url,
            },
        )
    records = load(ids)
    items = [describe(records[pk]) for pk in ids if pk in records]
    return render(
        request,
        "web/bulk_confirm.html",
        {
            "title": title,
            "action_label": action_label,
            "back_url": back_url,
            "items": items,
            "missing": len(ids) - len(items),
            "ids": ids,
            "form": form,
        },
        status=400 if confirmed else 200,
    )
