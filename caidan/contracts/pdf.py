"""The contract as a PDF in Chinese (reportlab's built-in CID font STSong-Light: no font
files needed). ``public=True`` gives the published version: no signatories' names, no
contact details (DOMAIN.md §5: personal data is never published)."""

from __future__ import annotations

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from caidan.common.pdf import Styles, build, para, table


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
        ("五、合同价格", f"人民币 {c.amount} 元（大写见签章页）"),
        ("六、资金结算方式", c.settlement_method),
        ("七、验收标准", c.acceptance_criteria),
        ("八、双方的权利义务", c.rights_obligations),
        ("九、违约责任", c.breach_liability),
        ("十、履约保证金", f"{c.performance_security} 元"),
    ]
    for heading, text in sections:
        story += [para(heading, head), para(text, body)]
    story.append(para("十一、分期付款", head))
    rows = [["期次", "付款条件", "比例", "金额（元）"]]
    for i in c.instalments.order_by("sequence"):
        rows.append([str(i.sequence), i.get_gate_display(), f"{i.percent}%", str(i.amount)])
    story.append(table(rows, (18, 60, 25, 40)))
    if c.indicators:
        story.append(para("十二、绩效指标和目标", head))
        for ind in c.indicators:
            story.append(
                para(f"{ind.get('name', '')}：{ind.get('target', '')}{ind.get('unit', '')}", body)
            )
    story.append(para("十三、签订", head))
    if c.signed_at:
        story.append(
            para(f"本合同于 {timezone.localtime(c.signed_at):%Y年%m月%d日} 经双方签订生效。", body)
        )
    else:
        story.append(para("本合同尚未签订（草稿）。", body))
    if not public:
        for side, who, when in (
            ("甲方", c.purchaser_signed_by, c.purchaser_signed_at),
            ("乙方", c.provider_signed_by, c.provider_signed_at),
        ):
            name = who.get_full_name() if who else "（未签）"
            stamp = f"{timezone.localtime(when):%Y-%m-%d %H:%M}" if when else ""
            story.append(para(f"{side}经办人：{name} {stamp}", body))
    else:
        story.append(para("（公开版本：已隐去经办人等个人信息。）", body))
    return build(story, title=c.reference)
