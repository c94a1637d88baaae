"""What each role's dashboard shows: the panel registry. The panels below are the
foundation's; an app above accounts adds its own to ``PANELS`` from its ``AppConfig.ready``
(``complaints/dashboard.py``), naming URLs and counters by string so accounts imports none of
them. A panel with no figures yet says what will appear in it (an honest empty state, not a
fake figure)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from caidan.common.roles import Role


@dataclass(frozen=True)
class Panel:
    title: str
    empty: str
    url_name: str | None = None
    # Dotted path of ``fn(actor) -> int``: how many items are late (shown as a red flag).
    late: str | None = None


PANELS: dict[str, list[Panel]] = {
    Role.PLATFORM_ADMIN: [
        Panel(
            _("用户与角色"), _("创建账户、授予或撤销角色、重置密码、停用账户。"), "accounts:users"
        ),
        Panel(
            _("辖区规则设置"),
            _("各项可配置规则（评分方式、付款比例、评价权重等）及其修改记录。"),
            "web:settings",
        ),
        Panel(_("节假日与调休"), _("用于计算法定期限的工作日日历。"), "web:calendar"),
        Panel(
            _("购买服务目录"),
            _("目录版本（草稿、发布、停用）、条目、Excel 导入导出与负面清单。"),
            "catalog:manage",
        ),
        Panel(
            _("预算控制数"), _("各购买主体年度预算控制数、已立项金额与余额。"), "projects:ceilings"
        ),
        Panel(
            _("审定会议"),
            _("组织审定委员会会议、安排议程、记录表决与审定结果。"),
            "projects:sessions",
        ),
        Panel(
            _("评审专家库"),
            _("专家入库、专业领域，以及用于回避的任职、亲属等关联关系。"),
            "procurement:experts",
        ),
        Panel(_("审计日志"), _("平台上每一项操作的留痕记录。"), "web:audit"),
    ],
    Role.REGISTRATION_AUTHORITY: [
        Panel(
            _("社会组织名录"),
            _("查询、登记社会组织，记录评估等级、行政处罚与信用名录。"),
            "orgs:list",
        ),
        Panel(
            _("登记新的社会组织"),
            _("逐个登记，或从 Excel 批量导入（有错则整批不写入）。"),
            "orgs:create",
        ),
        Panel(
            _("登记事项变更申请"),
            _("承接主体提交的名称、法定代表人、住所等变更申请。"),
            "orgs:change_requests",
        ),
        Panel(
            _("推荐目录"),
            _("按十大服务领域公布的承接主体推荐目录，随登记信息自动更新。"),
            "orgs:directory",
        ),
        Panel(
            _("规范化评估确认"),
            _("第三方评估机构提交的规范化评估结果：确认后登记为评估等级，或写明理由不予确认。"),
            "evaluations:assessments",
        ),
    ],
    Role.PURCHASER: [
        Panel(
            _("编制服务菜单"),
            _("为社区编制候选服务菜单、设定点菜时间，查看点菜结果并转为项目申报。"),
            "needs:menu_manage",
        ),
        Panel(
            _("需求审核"),
            _("处理被举报的居民需求：隐藏或恢复公开，均记录理由。"),
            "needs:moderation",
        ),
        Panel(
            _("项目申报"),
            _("起草、申报本单位的项目，跟踪审定结果；通过的项目纳入年度计划。"),
            "projects:proposals",
        ),
        Panel(
            _("政府采购"),
            _("本单位的采购项目：从已立项项目发起采购、发布公告、答疑、抽取专家、确定中标。"),
            "procurement:list",
        ),
        Panel(
            _("发起采购"), _("选择已立项、尚无进行中采购的项目，编制采购文件。"), "procurement:new"
        ),
        Panel(
            _("签订合同"),
            _("已确定中标、尚未签订合同的项目：起草合同、双方签订后自动公开。"),
            "contracts:new",
        ),
        Panel(
            _("合同待办"),
            _("待签订的合同、逾期未交的报告、待审核的报告和条件已达成待支付的款项。"),
            "contracts:todo",
            late="caidan.contracts.selectors.overdue_count",
        ),
        Panel(
            _("合同与付款"),
            _("本单位的合同：分期付款、报告审核、补充协议、终止与续签。"),
            "contracts:list",
        ),
        Panel(
            _("绩效评价"),
            _(
                "在合同页面的“绩效评价”中委托第三方评估、调整指标、安排评价、给出购买方评分，开展满意度调查和听证；此处为已公布的结果。"
            ),
            "evaluations:list",
        ),
    ],
    Role.COMMITTEE_MEMBER: [
        Panel(
            _("审定会议"),
            _("您出席的审定会议：逐项表决、声明回避，查看表决结果。"),
            "projects:sessions",
        ),
    ],
    Role.PROVIDER: [
        Panel(
            _("本机构资料"),
            _("维护联系人、人员与服务领域；登记事项变更须经登记管理机关审核。"),
            "orgs:mine",
        ),
        Panel(
            _("我的投标"),
            _("本机构递交的投标、回执和状态；截止前可撤回或重新递交，中标后可查看公告。"),
            "procurement:my_bids",
        ),
        Panel(
            _("政府采购公告"),
            _("正在接受投标的采购项目：查看公告、提问、递交密封投标。"),
            "procurement:list",
        ),
        Panel(
            _("合同待办"),
            _("待本机构签订的合同、应交和逾期的报告、待支付的款项。"),
            "contracts:todo",
            late="caidan.contracts.selectors.overdue_count",
        ),
        Panel(
            _("合同与报告"),
            _("本机构承接的合同：签订、报送进度报告、中期报告和结项报告，查看付款进度。"),
            "contracts:list",
        ),
    ],
    Role.HUB: [
        Panel(
            _("本机构资料"),
            _("维护联系人、人员与服务领域；查看所联系的基层社会组织。"),
            "orgs:mine",
        ),
        Panel(
            _("所联系的社会组织"),
            _("挂靠本枢纽组织的基层社会组织、它们的项目申报和独立投标资格进度；打包申报。"),
            "projects:hub",
        ),
        Panel(
            _("项目申报与打包"),
            _("起草公益创投等项目申报，或将所联系基层组织的申报打包牵头。"),
            "projects:proposals",
        ),
        Panel(
            _("我的投标"),
            _("本机构递交的投标、回执和状态；截止前可撤回或重新递交，中标后可查看公告。"),
            "procurement:my_bids",
        ),
        Panel(
            _("合同待办"),
            _("待本机构签订的合同、应交和逾期的报告、待支付的款项。"),
            "contracts:todo",
            late="caidan.contracts.selectors.overdue_count",
        ),
    ],
    Role.EXPERT: [
        Panel(
            _("我的评审"),
            _("您被抽取参加的评标任务（开标后可见）：先声明利害关系，再独立评分。"),
            "procurement:my_reviews",
        ),
    ],
    Role.EVALUATOR: [
        Panel(_("本机构资料"), _("维护本机构的联系人、人员与资质信息。"), "orgs:mine"),
        Panel(
            _("我的评估"),
            _("委托本机构开展的项目绩效评价：逐项评分、写明依据，填写结论后公布。"),
            "evaluations:mine",
        ),
        Panel(
            _("社会组织规范化评估"),
            _("提交对社会组织的规范化评估结果和建议等级，由登记管理机关确认。"),
            "evaluations:assessments",
        ),
    ],
    Role.AUDITOR: [
        Panel(
            _("审计日志"),
            _("平台上每一项操作的留痕记录，可按类型、人员、对象和时间筛选。"),
            "web:audit",
        ),
        Panel(
            _("审计"),
            _("年度审计计划和覆盖面，审计发现、整改期限、整改情况和销号。"),
            "evaluations:audit",
        ),
    ],
    Role.RESIDENT: [
        Panel(
            _("我的需求与点菜"),
            _("您提出的需求、支持的菜单项，以及它们后来成为了哪个项目。"),
            "needs:mine",
        ),
        Panel(_("服务菜单"), _("正在点菜的社区服务菜单：每人每项可支持一次。"), "needs:menus"),
    ],
}


def panels_for(role: str) -> list[Panel]:
    return PANELS.get(role, [])


def late_counts(panels: list[Panel], actor) -> dict[str, int]:
    """How many items are late for each panel that flags them, by title."""
    from django.utils.module_loading import import_string

    counts = {}
    for panel in panels:
        if panel.late:
            counts[str(panel.title)] = int(import_string(panel.late)(actor))
    return counts


# Legal deadlines counted in working days, with the rows still open: one of them in a year
# whose official holiday schedule is not loaded was computed by the weekend rule only.
OPEN_DEADLINES: list[tuple[str, str, str, dict]] = [
    ("procurement.Tender", "deadline", _("投标截止时间"), {"status": "published"}),
    ("procurement.Award", "challenge_deadline", _("质疑截止时间"), {"status": "confirmed"}),
    ("procurement.Challenge", "answer_due", _("质疑答复期限"), {"status": "filed"}),
    ("contracts.Contract", "sign_due", _("合同签订期限"), {"status": "draft"}),
    ("contracts.Report", "due_on", _("履约报告应交日期"), {"status": "due"}),
    (
        "enquiries.Enquiry",
        "due_on",
        _("咨询投诉答复期限"),
        {"status__in": ["received", "assigned"]},
    ),
]


def _listed(items, pair=None) -> str:
    """``a、b、c`` in Chinese, ``a, b, c`` in English."""
    from functools import reduce

    pair = pair or pgettext("列举", "%(a)s、%(b)s")
    return reduce(lambda a, b: pair % {"a": a, "b": b}, items)


def calendar_warnings(today=None) -> list[str]:
    """The platform admin's warnings about the working-day calendar: next year's official
    schedule missing (from 1 November), and open deadlines lying in unloaded years."""
    from django.apps import apps
    from django.utils import timezone

    from caidan.common.calendar import loaded_years, next_year_missing, start_of_day

    today = today or timezone.localdate()
    warnings: list[str] = []
    missing = next_year_missing(today)
    if missing:
        warnings.append(
            _(
                "%(year)s 年的法定节假日与调休安排尚未载入：跨入 %(year)s 年的法定期限"
                "（如中标公告 2 个工作日、质疑答复 7 个工作日）目前只按周末计算，可能有误。"
                "请在国务院办公厅通知发布后录入，或升级 chinesecalendar 后运行 calendar_sync。"
            )
            % {"year": missing}
        )
    loaded = loaded_years()
    parts: list[str] = []
    years: set[int] = set()
    for label, field, title, open_filter in OPEN_DEADLINES:
        model = apps.get_model(label)
        is_datetime = model._meta.get_field(field).get_internal_type() == "DateTimeField"
        since = start_of_day(today) if is_datetime else today
        rows = (
            model.objects.filter(**open_filter, **{f"{field}__gte": since})
            .exclude(**{f"{field}__year__in": loaded})
            .values_list(field, flat=True)
        )
        found = [timezone.localtime(v).year if is_datetime else v.year for v in rows]
        if found:
            parts.append(_("%(deadline)s %(count)s 项") % {"deadline": title, "count": len(found)})
            years.update(found)
    if parts:
        warnings.append(
            _(
                "有未到期的法定期限落在尚未载入节假日安排的年度（%(years)s）：%(deadlines)s。"
                "这些期限为暂算，录入该年安排后请逐项核对。"
            )
            % {
                "years": _listed(map(str, sorted(years))),
                "deadlines": _listed(parts, pgettext("列举", "%(a)s，%(b)s")),
            }
        )
    return warnings
