"""The demo catalog, shaped like Shanghai's 市本级政府购买服务实施目录 (seed 003): five
first-level items, revised in 2016-08 and 2017-07 (the revision adds 社会满意度调查,
权益维护服务, 公益性教育产品的创作与管理 …), with the third-level items the seeds describe
(居家养老, 人民调解, 医患纠纷人民调解, 社区矫正, 安置帮教, 社区窗口服务 …); plus the six
categories of the negative list (财政部令第102号第十条).

Everything goes through the services, so the demo's history is in the audit log. Running
it twice creates nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .inputs import CatalogItemInput, CatalogVersionInput, NegativeListEntryInput
from .models import CatalogItem, CatalogVersion, NegativeListEntry
from .services import (
    catalog_item_create,
    catalog_item_delete,
    catalog_item_update,
    catalog_version_create,
    catalog_version_publish,
    negative_list_entry_create,
)

LAW = "《政府购买服务管理办法》（财政部令第102号）"

NEGATIVE_LIST = [
    (
        "NL01",
        "不属于政府职责范围的服务事项",
        "财政部令第102号第十条第（一）项",
        "政府购买服务的内容应当属于政府职责范围；商业性、营利性经营活动和私人消费不由财政资金购买。",
        ["商业性经营", "营利性经营", "企业生产经营", "个人消费"],
    ),
    (
        "NL02",
        "应当由政府直接履职的事项",
        "财政部令第102号第十条第（二）项",
        "行政决策、行政许可与审批、行政处罚、行政强制、行政征收、行政裁决、监督检查等行政执法事项，"
        "应当由行政机关直接履行，不得交由社会力量承担。",
        [
            "行政审批",
            "行政许可",
            "行政处罚",
            "行政强制",
            "行政征收",
            "行政裁决",
            "行政执法",
            "行政决策",
            "监督检查",
        ],
    ),
    (
        "NL03",
        "政府采购法律、行政法规规定的货物和工程，以及将工程和服务打包的项目",
        "财政部令第102号第十条第（三）项",
        "货物和工程按政府采购程序另行采购；服务项目不得与工程打包。",
        [
            "工程",
            "施工",
            "装修",
            "修缮",
            "建筑安装",
            "货物采购",
            "设备购置",
            "设备采购",
            "物资采购",
            "车辆购置",
        ],
    ),
    (
        "NL04",
        "融资行为",
        "财政部令第102号第十条第（四）项",
        "不得以政府购买服务名义变相举债或融资。",
        ["融资", "贷款", "借款", "垫资", "发行债券"],
    ),
    (
        "NL05",
        "购买主体的人员招、聘用，以劳务派遣方式用工，以及设置公益性岗位等事项",
        "财政部令第102号第十条第（五）项",
        "购买主体自身用人（招聘、聘用、劳务派遣、公益性岗位）不是购买服务。",
        ["劳务派遣", "人员招聘", "招聘人员", "人员聘用", "聘用人员", "公益性岗位", "编外用工"],
    ),
    (
        "NL06",
        "法律、行政法规以及国务院规定的其他不得作为政府购买服务内容的事项",
        "财政部令第102号第十条第（六）项",
        "其他依法不得购买的事项，由财政部门逐项认定并在此补充关键词。",
        ["法律禁止购买", "法规禁止购买", "国务院规定不得购买"],
    ),
]

V1 = (
    "2016年8月修订版",
    dt.date(2016, 8, 1),
    "根据政府职能转变和公共服务需求修订（沪财预〔2016〕108号）。",
)
V2 = (
    "2017年7月修订版",
    dt.date(2017, 7, 1),
    "重点增加“公益性教育产品的创作与管理”“公益性教育活动的组织宣传与承办”“权益维护服务”"
    "“社会满意度调查”“行业标准研究、制订的辅助性服务”等适合社会组织承担的公共服务事项。",
)

M, S, P, A = "management", "service", "professional", "affairs"

# code, name, description, category, guidance price (yuan), unit, bought first
ITEMS_2016: list[tuple[str, str, str, str, str | None, str, bool]] = [
    ("01", "基本公共服务", "政府向社会公众提供的基本公共服务。", "", None, "", False),
    ("0101", "养老服务", "", "", None, "", True),
    (
        "010101",
        "居家养老服务",
        "为居家老年人提供生活照料、助餐、助浴、助洁等上门服务。",
        S,
        "30.00",
        "元/人·小时",
        True,
    ),
    (
        "010102",
        "老年人日间照料",
        "社区日间照料中心的日托、膳食、文娱和康复服务。",
        S,
        "60.00",
        "元/人·日",
        True,
    ),
    (
        "010103",
        "老年人探访",
        "对独居、高龄、困难老年人定期探访，建立档案，及时发现需求。",
        S,
        "20.00",
        "元/人·次",
        True,
    ),
    ("010104", "养老服务机构运营管理", "公建民营养老服务设施的日常运营管理。", M, None, "", True),
    ("0102", "残疾人服务", "", "", None, "", True),
    (
        "010201",
        "残疾人社区康复",
        "社区康复训练、辅具适配指导和康复知识普及。",
        P,
        "80.00",
        "元/人·次",
        True,
    ),
    (
        "010202",
        "残疾人社区体育健身",
        "组织残疾人参加社区体育健身活动。",
        S,
        "30.00",
        "元/人·次",
        True,
    ),
    ("010203", "残疾人就业辅导", "职业能力评估、岗前培训与就业跟踪辅导。", P, None, "", True),
    ("0103", "社会救助", "", "", None, "", True),
    (
        "010301",
        "困难家庭帮扶",
        "对低保、低收入和支出型贫困家庭开展个案帮扶。",
        S,
        "1200.00",
        "元/户·年",
        True,
    ),
    (
        "010302",
        "救助对象家庭经济状况核对辅助",
        "协助核对社会救助申请家庭的收入和财产信息。",
        A,
        None,
        "",
        False,
    ),
    ("0104", "卫生健康服务", "", "", None, "", False),
    (
        "010401",
        "居民心理健康教育",
        "社区居民心理健康讲座、团体辅导和个体心理咨询。",
        P,
        "50.00",
        "元/人·次",
        False,
    ),
    ("010402", "慢性病健康管理辅助", "协助开展慢性病人群随访、健康宣教。", S, None, "", False),
    ("0105", "公共文化体育服务", "", "", None, "", False),
    (
        "010501",
        "公益性文化活动组织与配送",
        "公共文化产品和活动向街镇、居村配送。",
        S,
        "8000.00",
        "元/场",
        False,
    ),
    (
        "010502",
        "全民健身活动组织",
        "社区体育赛事和健身指导活动的组织实施。",
        S,
        "5000.00",
        "元/场",
        False,
    ),
    ("0106", "妇女儿童服务", "", "", None, "", True),
    ("010601", "妇女儿童关爱", "困境妇女儿童关爱、家庭教育指导和权益知识普及。", S, None, "", True),
    (
        "010602",
        "青少年课后看护",
        "为双职工家庭学龄儿童提供课后看护与学业辅导。",
        S,
        "15.00",
        "元/人·日",
        False,
    ),
    ("02", "社会管理性服务", "社会治理领域适合由社会力量承担的服务。", "", None, "", False),
    ("0201", "社区治理服务", "", "", None, "", True),
    (
        "020101",
        "社区窗口服务",
        "社区事务受理服务中心“一窗式”综合窗口受理与咨询。",
        A,
        "80000.00",
        "元/窗口·年",
        False,
    ),
    (
        "020102",
        "社区社会组织培育孵化",
        "孵化、培育和扶持社区社会组织发展。",
        P,
        "150000.00",
        "元/年",
        True,
    ),
    ("020103", "社区居民自治辅助", "协助居委会开展议事协商、楼组自治等活动。", M, None, "", True),
    ("0202", "矛盾调解服务", "", "", None, "", True),
    ("020201", "人民调解", "依法调解邻里、家庭、物业等民间纠纷。", P, "300.00", "元/件", True),
    (
        "020202",
        "医患纠纷人民调解",
        "由专业调解委员会独立于医患双方开展医疗纠纷人民调解。",
        P,
        "2000.00",
        "元/件",
        True,
    ),
    ("0203", "社区矫正与安置帮教", "", "", None, "", True),
    (
        "020301",
        "社区矫正服务",
        "协助开展社区矫正对象的教育帮扶和心理辅导。",
        P,
        "3000.00",
        "元/人·年",
        True,
    ),
    ("020302", "安置帮教", "刑满释放人员的衔接、帮教和就业指导。", P, "2500.00", "元/人·年", True),
    ("0204", "法律服务", "", "", None, "", True),
    (
        "020401",
        "法律援助",
        "为经济困难公民和特殊案件当事人提供法律咨询、代理等援助。",
        P,
        "1500.00",
        "元/件",
        True,
    ),
    ("020402", "社区法律咨询", "在社区定期开设公益法律咨询。", P, "400.00", "元/场", True),
    ("0205", "志愿服务", "", "", None, "", False),
    ("020501", "志愿服务组织与管理", "志愿者招募、培训、服务记录与激励。", M, None, "", False),
    (
        "03",
        "行业管理与协调性服务",
        "行业规范、行业评价、行业统计等行业管理事项。",
        "",
        None,
        "",
        True,
    ),
    ("0301", "行业规范与自律", "", "", None, "", True),
    ("030101", "行业规范拟订辅助", "协助拟订行业规范和服务指引。", M, None, "", True),
    ("030102", "行业自律管理", "行业协会商会开展诚信自律建设。", M, None, "", True),
    ("0302", "行业评价与统计", "", "", None, "", True),
    ("030201", "行业统计分析", "行业数据采集、统计和分析报告。", A, None, "", True),
    (
        "030202",
        "社会组织等级评估",
        "对社会组织开展规范化建设等级评估。",
        P,
        "3000.00",
        "元/家",
        True,
    ),
    ("030203", "职业技能等级评定辅助", "协助组织职业技能等级评价。", P, None, "", True),
    ("04", "技术性服务", "需要专业技术能力的服务事项。", "", None, "", False),
    ("0401", "评估评价", "", "", None, "", False),
    (
        "040101",
        "项目绩效评价",
        "政府购买服务项目前期指导、中期测评和终期评估。",
        P,
        None,
        "",
        False,
    ),
    (
        "040102",
        "社会组织项目财务审计辅助",
        "对承接项目的资金使用情况开展专项审计。",
        P,
        None,
        "",
        False,
    ),
    ("0402", "调查与信息技术服务", "", "", None, "", False),
    ("040201", "社会调查", "民生需求调查、社情民意调查及分析报告。", P, None, "", False),
    (
        "040202",
        "公共服务信息平台运行维护",
        "政府购买服务公共管理平台的日常运行维护。",
        A,
        None,
        "",
        False,
    ),
    ("05", "政府履职所需辅助性事项", "政府机关履职所需的辅助性服务。", "", None, "", False),
    ("0501", "法律与咨询服务", "", "", None, "", False),
    ("050101", "法律顾问服务", "为机关提供法律顾问和合同审查。", P, None, "", False),
    ("050102", "政策研究与决策咨询", "课题研究、政策评估和决策咨询。", P, None, "", False),
    ("0502", "会务与培训", "", "", None, "", False),
    ("050201", "会议服务", "会议组织与会务保障。", A, None, "", False),
    ("050202", "培训服务", "机关和社区工作者业务培训的组织实施。", A, "300.00", "元/人·天", False),
    ("0503", "档案与数据服务", "", "", None, "", False),
    ("050301", "档案整理", "文书档案的整理、数字化和编目。", A, "3.00", "元/卷", False),
]

# The 2017-07 revision (seed 003): added, changed and dropped items.
ADDED_2017 = [
    ("0107", "公共教育服务", "", "", None, "", False),
    (
        "010701",
        "公益性教育产品的创作与管理",
        "公益性教育读本、课程和宣传品的创作、出版与管理。",
        P,
        None,
        "",
        False,
    ),
    (
        "010702",
        "公益性教育活动的组织宣传与承办",
        "公益性教育讲座、展示和主题活动的宣传与承办。",
        S,
        "6000.00",
        "元/场",
        False,
    ),
    (
        "020403",
        "权益维护服务",
        "老年人、残疾人、妇女儿童等群体的权益维护与法律服务。",
        P,
        "800.00",
        "元/件",
        True,
    ),
    ("0303", "行业标准", "", "", None, "", True),
    (
        "030301",
        "行业标准研究、制订的辅助性服务",
        "行业标准的前期研究、起草和征求意见辅助。",
        P,
        None,
        "",
        True,
    ),
    (
        "040103",
        "社会满意度调查",
        "服务对象和社会公众满意度调查，出具独立报告。",
        P,
        "15.00",
        "元/份",
        False,
    ),
]
CHANGED_2017 = {
    "010101": {"guidance_price": "32.00"},
    "010103": {
        "description": "对独居、高龄、困难老年人每周至少探访一次，建立档案，及时发现和转介需求。"
    },
    "020401": {"guidance_price": "1600.00"},
}
DROPPED_2017 = ["010302"]


def _fields(row: tuple) -> dict[str, Any]:
    code, name, description, category, price, unit, first = row
    return {
        "code": code,
        "name": name,
        "description": description,
        "category": category,
        "guidance_price": price,
        "price_unit": unit,
        "bought_first": first,
    }


def _add_missing(version: CatalogVersion, rows: list[tuple], actor) -> None:
    have = set(CatalogItem.objects.filter(version=version).values_list("code", flat=True))
    for row in rows:
        if row[0] not in have:
            catalog_item_create(
                version=version, actor=actor, data=CatalogItemInput.parse(**_fields(row))
            )


def _version(spec: tuple, actor, copy_from: CatalogVersion | None = None) -> CatalogVersion:
    name, effective_date, notes = spec
    version = CatalogVersion.objects.filter(name=name).first()
    if version is None:
        version = catalog_version_create(
            copy_from=copy_from,
            actor=actor,
            data=CatalogVersionInput.parse(name=name, effective_date=effective_date, notes=notes),
        )
    return version


def seed_catalog(actor) -> dict[str, int]:
    """Create (or complete) the demo catalog and negative list. Returns what was created."""
    created = {"catalog_versions": 0, "catalog_items": 0, "negative_list": 0}
    have = set(NegativeListEntry.objects.values_list("code", flat=True))
    for code, title, basis, description, keywords in NEGATIVE_LIST:
        if code not in have:
            negative_list_entry_create(
                actor=actor,
                data=NegativeListEntryInput.parse(
                    code=code,
                    title=title,
                    legal_basis=basis,
                    description=f"{LAW}第十条。{description}",
                    keywords=keywords,
                ),
            )
            created["negative_list"] += 1

    versions_before = CatalogVersion.objects.count()
    items_before = CatalogItem.objects.count()
    v2 = CatalogVersion.objects.filter(name=V2[0]).first()
    if v2 is None or v2.is_draft:  # a published revision means the demo catalog is there
        v1 = _version(V1, actor)
        if v1.is_draft:
            _add_missing(v1, ITEMS_2016, actor)
            catalog_version_publish(version=v1, actor=actor)
        v2 = _version(V2, actor, copy_from=v1)
        items = {i.code: i for i in CatalogItem.objects.filter(version=v2)}
        for code in DROPPED_2017:
            if code in items:
                catalog_item_delete(item=items[code], actor=actor)
        for code, changes in CHANGED_2017.items():
            if code in items:
                catalog_item_update(item=items[code], actor=actor, changes=changes)
        _add_missing(v2, ADDED_2017, actor)
        catalog_version_publish(version=v2, actor=actor)
    created["catalog_versions"] = CatalogVersion.objects.count() - versions_before
    created["catalog_items"] = CatalogItem.objects.count() - items_before
    return created
