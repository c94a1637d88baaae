"""A proposal's output and outcome indicators in the row editor (issue 20), not typed as
'名称｜值｜单位' text: the edit form starts from the saved rows, blank rows are ignored, a bad
row is refused under its table naming row and column, and the rest of the form stays as typed."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _form(p, **rows) -> dict[str, str]:
    data = {
        "unit": p.unit_id,
        "title": p.title,
        "catalog_item": p.catalog_item_id,
        "budget": str(p.budget),
        "fiscal": str(p.budget),
        "period_start": p.period_start.isoformat(),
        "period_end": p.period_end.isoformat(),
        "purchase_mode": p.purchase_mode,
        "procurement_method": p.procurement_method,
        "grade_policy": p.grade_policy,
        "scale_unit": "人",
    }
    for field, values in rows.items():
        for i, (name, target, unit) in enumerate(values):
            data.update(
                {
                    f"{field}-{i}-name": name,
                    f"{field}-{i}-target": target,
                    f"{field}-{i}-unit": unit,
                }
            )
    return data


def test_the_edit_form_starts_from_the_saved_rows(draft, login):
    p = draft()
    html = login("purchaser").get(f"/projects/proposals/{p.pk}/edit/").content.decode()
    assert 'name="outputs-0-name" id="id_outputs-0-name" value="上门探访"' in html
    assert 'name="outputs-0-target" id="id_outputs-0-target" value="1200"' in html
    assert 'name="outcomes-0-name"' in html  # a blank outcome row to fill
    assert "｜" not in html  # no delimited text to type


def test_rows_are_saved_in_page_order_blank_rows_ignored(draft, login):
    p = draft()
    data = _form(
        p,
        outputs=[("上门探访", "1300", "人次"), ("", "", ""), ("陪同就医", "80", "次")],
        outcomes=[("服务对象满意度", "90", "%")],
    )
    response = login("purchaser").post(f"/projects/proposals/{p.pk}/edit/", data)
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.outputs == [
        {"name": "上门探访", "target": "1300", "unit": "人次"},
        {"name": "陪同就医", "target": "80", "unit": "次"},
    ]
    assert p.outcomes == [{"name": "服务对象满意度", "target": "90", "unit": "%"}]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("陪同就医", "0", "次"), "产出指标第 2 行的指标目标值必须大于 0。"),
        (("陪同就医", "很多", "次"), "产出指标第 2 行的指标目标值须为数字。"),
        (("", "80", "次"), "请填写产出指标第 2 行的指标名称。"),
    ],
)
def test_a_bad_row_is_refused_under_its_table(draft, login, row, message):
    p = draft()
    data = _form(p, outputs=[("上门探访", "1300", "人次"), ("", "", ""), row])
    data["title"] = "改过的项目名称"
    response = login("purchaser").post(f"/projects/proposals/{p.pk}/edit/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["outputs"] == [message]
    html = response.content.decode()
    assert 'value="改过的项目名称"' in html and f'value="{row[1]}"' in html  # kept as typed
    p.refresh_from_db()
    assert p.outputs == [{"name": "上门探访", "target": "1200", "unit": "人次"}]
    assert p.title != "改过的项目名称"


def test_target_one_step_above_zero_is_accepted(draft, login):
    p = draft()
    data = _form(p, outputs=[("上门探访", "0.0001", "人次")])
    assert login("purchaser").post(f"/projects/proposals/{p.pk}/edit/", data).status_code == 302
    p.refresh_from_db()
    assert p.outputs[0]["target"] == "0.0001"
