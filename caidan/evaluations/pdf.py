"""The evaluation report (绩效评价报告) as a PDF in Chinese, published with the result."""

from __future__ import annotations

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from caidan.common.pdf import Styles, build, para, table

from .formulas import FORMULAS


def evaluation_pdf(evaluation) -> bytes:
    e = evaluation
    c = e.contract
    s = Styles()
    story = [
        para(f"绩效评价报告（{e.get_stage_display()}）", s.title),
        Spacer(1, 4 * mm),
        para(f"项目：{c.title}（合同 {c.reference}）", s.body),
        para(f"购买主体：{c.unit.name}", s.body),
        para(f"承接主体：{c.organization.name}", s.body),
    ]
    appointment = getattr(c, "evaluator_appointment", None)
    if appointment is not None:
        story.append(para(f"第三方评估机构：{appointment.organization.name}", s.body))
    if e.published_at:
        story.append(para(f"公布时间：{timezone.localtime(e.published_at):%Y-%m-%d}", s.body))
    story.append(para("一、评价结果", s.head))
    grade = e.get_grade_display() if e.grade else "（未公布）"
    story.append(
        para(f"综合得分：{e.total if e.total is not None else '—'}；等级：{grade}", s.body)
    )
    subjects = {"purchaser": "购买方", "recipients": "服务对象", "evaluator": "第三方评估"}
    values = {
        "purchaser": e.purchaser_score,
        "recipients": e.recipients_score,
        "evaluator": e.evaluator_score,
    }
    rows = [["评价主体", "权重", "得分"]]
    for key, label in subjects.items():
        weight = e.subject_weights.get(key)
        rows.append([label, f"{weight}%" if weight else "—（无数据）", str(values[key] or "—")])
    story.append(table(rows, (50, 40, 40)))
    story.append(para("二、指标得分", s.head))
    rows = [["编号", "指标", "权重", "得分", "依据"]]
    for ind in c.framework.indicators:
        entry = e.scores.get(ind["code"], {})
        computed = e.computed.get(ind["code"])
        score = computed["score"] if computed else entry.get("score", "")
        basis = str(FORMULAS.get(ind["computed"], "")) if computed else entry.get("evidence", "")
        rows.append(
            [ind["code"], para(ind["name"], s.body), ind["weight"], score, para(basis, s.body)]
        )
    story.append(table(rows, (14, 55, 14, 16, 71)))
    story.append(para("三、评价结论", s.head))
    story.append(para(e.summary or "（无）", s.body))
    return build(story, title=f"{c.reference}-{e.stage}")
