"""``score_check FILE``: the module CLI, its ``main()`` and the management command wrapper.

The procurement app is not registered yet, so nothing here goes through ``manage.py``: the
command class is called directly and the module is run as ``python -m``.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from caidan.procurement.score_check import main

ROOT = Path(__file__).resolve().parents[2]

INPUT = {
    "method": "comprehensive",
    "price_points": 30,
    "budget": "1000000.00",
    "aggregate": "mean",
    "factors": [{"id": "plan", "max": 40}, {"id": "team", "max": 30}],
    "bids": [
        {"bidder": "A", "price": "800000.00"},
        {"bidder": "B", "price": "1000000.00"},
        {"bidder": "C", "price": "900000.00"},
        {"bidder": "D", "price": "1200000.00"},
    ],
    "scores": {
        "E1": {
            "A": {"plan": 35, "team": 25},
            "B": {"plan": 40, "team": 30},
            "C": {"plan": 30, "team": 20},
        },
        "E2": {
            "A": {"plan": 30, "team": 25},
            "B": {"plan": 35, "team": 25},
            "C": {"plan": 30, "team": 30},
        },
        "E3": {
            "A": {"plan": 35, "team": 25},
            "B": {"plan": 38, "team": 27},
            "C": {"plan": 25, "team": 20},
        },
    },
}

# A: 30 + (60+55+60)/3 = 88.33; B: 24 + (70+60+65)/3 = 89.00; C: 26.666… + (50+60+45)/3 = 78.33
EXPECTED = {
    "status": "ok",
    "reason": None,
    "ranking": [
        {"bidder": "B", "price": "1000000.00", "price_score": "24.00", "total": "89.00", "rank": 1},
        {"bidder": "A", "price": "800000.00", "price_score": "30.00", "total": "88.33", "rank": 2},
        {"bidder": "C", "price": "900000.00", "price_score": "26.67", "total": "78.33", "rank": 3},
    ],
    "invalid": [
        {"bidder": "D", "reason": "投标报价 ¥1,200,000.00 超过采购预算 ¥1,000,000.00，为无效投标。"}
    ],
}


def write(tmp_path, data, name="evaluation.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def call(argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_main_prints_the_ranking(tmp_path):
    code, out, err = call([str(write(tmp_path, INPUT))])
    assert code == 0
    assert err == ""
    assert json.loads(out) == EXPECTED
    assert "¥1,200,000.00" in out  # ensure_ascii=False
    assert out.startswith('{\n  "status": "ok"')  # indent 2


def test_main_writes_to_sys_stdout_by_default(tmp_path, capsys):
    assert main([str(write(tmp_path, INPUT))]) == 0
    assert json.loads(capsys.readouterr().out) == EXPECTED


def test_main_failed_tender_exits_0(tmp_path):
    data = dict(INPUT, bids=INPUT["bids"][:2], scores={})
    code, out, _ = call([str(write(tmp_path, data))])
    assert code == 0
    assert json.loads(out) == {
        "status": "failed",
        "reason": "有效投标仅 2 家，不足 3 家（政府采购法 §36），采购失败（废标）。",
        "ranking": [],
        "invalid": [],
    }


def test_main_lowest_price(tmp_path):
    data = {
        "method": "lowest_price",
        "budget": "1000000.00",
        "bids": [
            {"bidder": "A", "price": "900000.00"},
            {"bidder": "B", "price": "800000.00"},
            {"bidder": "C", "price": "800000.00"},
        ],
    }
    code, out, _ = call([str(write(tmp_path, data))])
    assert code == 0
    assert [
        (r["bidder"], r["price_score"], r["total"], r["rank"]) for r in json.loads(out)["ranking"]
    ] == [
        ("B", "", "800000.00", 1),
        ("C", "", "800000.00", 1),
        ("A", "", "900000.00", 3),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (json.dumps(dict(INPUT, budget=1000000.5)), "不能是浮点数"),
        (json.dumps(dict(INPUT, price_points=20)), "评分表总分须为 100 分"),
        ("{not json", "不是有效的 JSON"),
        ("[]", "输入须为 JSON 对象"),
    ],
)
def test_main_invalid_input_exits_2(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    code, out, err = call([str(path)])
    assert code == 2
    assert out == ""
    assert message in err


def test_main_missing_file_and_usage(tmp_path):
    code, _, err = call([str(tmp_path / "nope.json")])
    assert code == 2
    assert "无法读取文件" in err
    code, _, err = call([])
    assert code == 2
    assert "用法" in err


def test_module_cli_needs_no_django_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONIOENCODING"] = "utf-8"
    ok = subprocess.run(
        [sys.executable, "-m", "caidan.procurement.score_check", str(write(tmp_path, INPUT))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == EXPECTED

    bad = write(tmp_path, dict(INPUT, method="auction"), name="bad.json")
    refused = subprocess.run(
        [sys.executable, "-m", "caidan.procurement.score_check", str(bad)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert "评标方法须为" in refused.stderr


def test_management_command_wraps_the_module(tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from caidan.procurement.management.commands.score_check import Command

    out = io.StringIO()
    call_command(Command(), str(write(tmp_path, INPUT)), stdout=out)
    assert json.loads(out.getvalue()) == EXPECTED

    with pytest.raises(CommandError) as exc:
        call_command(Command(), str(write(tmp_path, dict(INPUT, method="x"), name="bad.json")))
    assert exc.value.returncode == 2
    assert "评标方法须为" in str(exc.value)
