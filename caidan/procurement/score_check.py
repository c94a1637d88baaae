"""``score_check FILE``: recompute a tender's ranking from a JSON file, without a database.

    python -m caidan.procurement.score_check evaluation.json
    python manage.py score_check evaluation.json      # once the app is registered

The file format is the one of ``caidan.procurement.scoring.parse_input``::

    {"method": "comprehensive", "price_points": 30, "budget": "1000000.00",
     "aggregate": "mean", "factors": [{"id": "plan", "max": 40}, ...],
     "bids": [{"bidder": "A", "price": "800000.00"}, ...],
     "scores": {"E1": {"A": {"plan": 35, ...}, ...}, ...}}

Optional keys: ``min_valid_bids`` (default 3) and ``decimals`` (default 2); the defaults are
fixed here, not read from the jurisdiction's settings, so the check needs no database.
Amounts are strings; floats are refused everywhere.

Output (stdout, UTF-8 JSON, ``ensure_ascii=False``, indent 2)::

    {"status": "ok" | "failed", "reason": null | "<中文原因>",
     "ranking": [{"bidder": "A", "price": "800000.00", "price_score": "30.00",
                  "total": "88.33", "rank": 1}, ...],
     "invalid": [{"bidder": "D", "reason": "投标报价 … 超过采购预算 …"}]}

``ranking`` lists the valid bids (empty when the tender failed); tied bids share a rank and
the next rank skips (1, 1, 3). For ``"method": "lowest_price"`` there is no price score:
``price_score`` is ``""`` and ``total`` is the bid price (the evaluated price, ranked
ascending). ``price`` and ``invalid`` are extra to the documented keys.

Exit status: 0 when the file was evaluated (``ok`` or ``failed``); 2 when the input is invalid
(unreadable file, bad JSON, or a rule broken), with the error on stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.utils.translation import gettext

from caidan.common.errors import DomainError, ValidationError
from caidan.procurement.scoring import evaluate, parse_input, result_to_json


def _(text: str) -> str:
    """The message in the active language inside Caidan; as written when run alone,
    without Django settings (``python -m caidan.procurement.score_check``)."""
    return gettext(text) if settings.configured else text


USAGE = "用法：score_check FILE（评标输入 JSON 文件）"


def check_file(path: str | Path) -> dict[str, Any]:
    """Evaluate the JSON file at ``path`` and return the output JSON. Raises ValidationError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(
            _("无法读取文件 %(path)s：%(exc)s") % {"path": path, "exc": exc}
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            _("文件 %(path)s 不是有效的 JSON：%(exc)s") % {"path": path, "exc": exc}
        ) from None
    return result_to_json(evaluate(parse_input(data)))


def dumps(output: dict[str, Any]) -> str:
    return json.dumps(output, ensure_ascii=False, indent=2)


def main(
    argv: list[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    args = sys.argv[1:] if argv is None else list(argv)
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print(USAGE, file=stderr)
        return 2
    try:
        output = check_file(args[0])
    except DomainError as exc:
        where = f"（{exc.field}）" if exc.field else ""
        print(f"输入无效{where}：{exc.message}", file=stderr)
        return 2
    print(dumps(output), file=stdout)
    return 0


if __name__ == "__main__":
    if not settings.configured:  # run alone: the messages as written, in Chinese
        settings.configure(USE_I18N=False)
    sys.exit(main())
