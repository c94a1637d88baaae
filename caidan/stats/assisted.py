"""What share of participation was assisted (issue 21): needs stated and menu orders placed
by a community worker on a resident's behalf (代办), and survey answers that came in on paper
(纸质答卷). Counts only — never who. Three aggregate queries over tables that grow to
millions of rows (10 M survey answers), so the page reads them from the hourly snapshot
(``snapshots.FIGURES["assisted"]``), never on the request."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from caidan.evaluations.models import SurveyResponse
from caidan.needs.models import MenuOrder, Need


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _row(label, counts: dict[str, int], assisted_label) -> dict[str, Any]:
    total, assisted = counts["total"] or 0, counts["assisted"] or 0
    return {
        "label": label,
        "assisted_label": assisted_label,
        "total": total,
        "assisted": assisted,
        "share": _share(assisted, total),
    }


def assisted_counts() -> dict[str, dict[str, int]]:
    """How many public needs, menu orders and survey answers there are, and how many of
    them were assisted (JSON, kept as a statistics snapshot)."""
    needs = Need.objects.public().aggregate(
        total=Count("id"), assisted=Count("id", filter=Q(assisted_by__isnull=False))
    )
    orders = MenuOrder.objects.aggregate(
        total=Count("id"), assisted=Count("id", filter=Q(assisted_by__isnull=False))
    )
    answers = SurveyResponse.objects.aggregate(
        total=Count("id"), assisted=Count("id", filter=Q(on_paper=True))
    )
    return {"needs": needs, "orders": orders, "answers": answers}


def assisted_rows(counts: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """Rows of (what, how many in all, how many assisted, share in percent, 1 decimal):
    public needs, menu orders, survey answers."""
    return [
        _row(_("居民需求"), counts["needs"], _("社区工作者代为提出")),
        _row(_("点菜"), counts["orders"], _("社区工作者代为点菜")),
        _row(_("满意度答卷"), counts["answers"], _("纸质答卷")),
    ]


def assisted_shares() -> list[dict[str, Any]]:
    """The rows computed now (exact; the page shows the snapshot's)."""
    return assisted_rows(assisted_counts())


def assisted_sheet(rows: list[dict[str, Any]]) -> tuple[str, list[str], list[list[Any]]]:
    """The statistics workbook's sheet of the same rows."""
    headers = [str(_("类别")), str(_("合计")), str(_("代办方式")), str(_("代办数")), "%"]
    return (
        str(_("代办参与")),
        headers,
        [
            [str(r["label"]), r["total"], str(r["assisted_label"]), r["assisted"], r["share"]]
            for r in rows
        ],
    )
