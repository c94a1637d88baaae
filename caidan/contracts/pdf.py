"""The contract as a PDF in Chinese (reportlab's built-in CID font STSong-Light: no font
files needed). ``public=True`` gives the published version: no signatories' names, no
contact details (DOMAIN.md §5: personal data is never published).

Amounts read ``人民币 161,700.00 元（大写：壹拾陆万壹仟柒佰元整）``; the last page is the
signature page (签章页): each party's name, its seal box (加盖公章), the signatory as
recorded when signed (or a blank line to sign on paper) and the date of signing."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Spacer

from caidan.common.money import amount_in_words
from caidan.common.pdf import Styles, build, para, table


def _yuan(amount) -> str:
    return f"{amount:,.2f}"


def _date(when) -> str:
    return f"{timezone.localtime(when):%Y 年 %m 月 %d 日}" if when else "____年____月____日"


def signature_page(c, styles: Styles, *, public: bool) -> list:
    """签章页: both parties side by side, each with its seal box, signatory and date."""
    sides = (
        ("甲方（购买主体）", c.unit.name, c.purchaser_signed_by, c.purchaser_signed_at),
        ("乙方（承接主体）", c.organization.name, c.provider_signed_by, c.provider_signed_at),
    )
    cells = []
    for label, party, who, when in sides:
        if public:
            signer = "（公开版本不载个人信息）"
        elif who is not None:
            signer = who.get_full_name() or who.get_username()
        else:
            signer = "____________（签字）"
        seal = "（已在平台电子签订）" if when else "（盖章处）"
        cells.append(
            [
                para(label, styles.head),
                para(f"名称：{party}", styles.body),
                Spacer(1, 3 * mm),
                table([[seal]], (60,), header=False),
                Spacer(1, 3 * mm),
                para("法定代表人或授权代表：", styles.body),
                para(signer, styles.body),
                para(f"签订日期：{_date(when)}", styles.body),
            ]
        )
    grid = table([cells], (82, 82), header=False)
    story = [
        PageBreak(),
        para("签章页", styles.title),
        Spacer(1, 4 * mm),
        para(f"合同编号：{c.reference}（第 {c.version} 版）　合同名称：{c.title}", styles.body),
        para(
            f"合同价格：人民币 {_yuan(c.amount)} 元（大写：{amount_in_words(c.amount)}）",
            styles.body,
        ),
        Spacer(1, 6 * mm),
        KeepTogether([grid]),
        Spacer(1, 6 * mm),
    ]
    if c.signed_at:
        story.append(para(f"本合同于 {_date(c.signed_at)} 经双方签订生效。", styles.body))
    else:
        story.append(para("本合同尚未签订（草稿），双方签字盖章后生效。", styles.body))
    if public:
        story.append(para("（公开版本：已隐去经办人等个人信息。）", styles.body))
    return story


def contract_pdf(contract, *, public: bool = False) -> bytes:
    styles = Styles()
    title, head, body = styles.title, styles.head, styles.body
    c = contract
    story = [
        para("政府购买服务合同", title),
        Spacer(1, 4 * mm),
        para(f"合同编号：{c.reference}（第 {c.version} 版）", body),
        para(f"合同名称：{c.title}", body),
        para(f"采购项目：{c.tender.reference} {c.tender.title}", body),
        para(f"甲方（购买主体）：{c.unit.name}", body),
        para(
            f"乙方（承接主体）：{c.organization.name}（统一社会信用代码 {c.organization.uscc}）",
            body,
        ),
    ]
    sections = [
        ("一、服务内容", c.service_content),
        ("二、服务期限", f"{c.period_start:%Y年%m月%d日} 至 {c.period_end:%Y年%m月%d日}"),
        ("三、服务数量", c.quantity or "见服务内容"),
        ("四、服务质量要求", c.quality_standards),
        (
            "五、合同价格",
            f"人民币 {_yuan(c.amount)} 元（大写：{amount_in_words(c.amount)}）",
        ),
        ("六、资金结算方式", c.settlement_method),
        ("七、验收标准", c.acceptance_criteria),
        ("八、双方的权利义务", c.rights_obligations),
        ("九、违约责任", c.breach_liability),
        ("十、履约保证金", f"人民币 {_yuan(c.performance_security)} 元"),
    ]
    for heading, text in sections:
        story += [para(heading, head), para(text, body)]
        if heading == "五、合同价格" and c.budget_lines:  # 预算明细, adding up to the price
            rows = [["预算科目", "金额（元）"]]
            rows += [[b["line"], _yuan(Decimal(b["amount"]))] for b in c.budget_lines]
            rows.append(["合计", _yuan(c.amount)])
            story += [para("其中预算明细如下：", body), table(rows, (103, 40))]
        if heading == "一、服务内容":  # a hub bundle: which member delivers which part
            parts = list(c.parts.select_related("organization").order_by("position"))
            if parts:
                rows = [["序号", "承担的成员组织", "承担的部分", "金额（元）"]]
                rows += [
                    [str(p.position), p.organization.name, p.title, _yuan(p.amount)] for p in parts
                ]
                story += [
                    para("本合同由乙方（枢纽组织）牵头，下列成员组织分别承担：", body),
                    table(rows, (14, 52, 52, 30)),
                ]
    story.append(para("十一、分期付款", head))
    rows = [["期次", "付款条件", "比例", "金额（元）"]]
    for i in c.instalments.order_by("sequence"):
        rows.append([str(i.sequence), i.get_gate_display(), f"{i.percent}%", _yuan(i.amount)])
    story.append(table(rows, (18, 60, 25, 40)))
    if c.indicators:
        story.append(para("十二、绩效指标和目标", head))
        for ind in c.indicators:
            story.append(
                para(f"{ind.get('name', '')}：{ind.get('target', '')}{ind.get('unit', '')}", body)
            )
    story.append(para("十三、签订", head))
    story.append(
        para("本合同一式两份，甲乙双方各执一份，自双方签字盖章之日起生效（签章页附后）。", body)
    )
    story += signature_page(c, styles, public=public)
    return build(story, title=c.reference)
