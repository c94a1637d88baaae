"""Every permission's name, once: ``require(actor, Perm.PROCUREMENT_MANAGE, tender)``.

The rule behind each name (the roles, the object scope) is registered by the app that owns it
(``<app>/permissions.py``, ``caidan.common.permissions.register``); this list sits in
``common`` so any app may name any permission without importing the app above it, as
``caidan.audit.kinds`` does for event kinds. ``tests/common/test_permission_names.py``
checks that each name is registered and that no code writes one as free text.
"""

from enum import StrEnum


class Perm(StrEnum):
    # 管理用户、单位与角色
    ACCOUNTS_MANAGE = "accounts.manage"
    # 浏览审计日志
    AUDIT_VIEW = "audit.view"
    # 维护购买服务目录（版本、条目、导入导出、发布）与负面清单
    CATALOG_MANAGE = "catalog.manage"
    # 质疑供应商对答复不满意或逾期未答复的，向财政部门投诉（政府采购法 §55）
    COMPLAINTS_FILE = "complaints.file"
    # 财政部门受理、暂停采购、处理投诉（政府采购法 §56–57，94号令）
    COMPLAINTS_HANDLE = "complaints.handle"
    # 查看投诉：投诉人、被投诉项目的采购人、财政部门、审计；处理决定公告后公开
    COMPLAINTS_VIEW = "complaints.view"
    # 起草、修改、终止合同，记录付款，审核报告
    CONTRACTS_MANAGE = "contracts.manage"
    # 资金台账：采购人看本单位及下级单位的合同，财政局（平台管理员）和审计看辖区全部
    CONTRACTS_LEDGER = "contracts.ledger"
    # 查看全部合同
    CONTRACTS_OVERSEE = "contracts.oversee"
    # 承接主体签订合同、提交报告
    CONTRACTS_PERFORM = "contracts.perform"
    # 签订合同（甲乙双方）
    CONTRACTS_SIGN = "contracts.sign"
    # 查看合同
    CONTRACTS_VIEW = "contracts.view"
    # 编辑、发布和撤回门户的政策与公告
    DISCLOSURE_NOTICES_MANAGE = "disclosure.notices_manage"
    # 上传文件
    DOCUMENTS_UPLOAD = "documents.upload"
    # 查看和下载非公开文件（上传人本人或平台管理员）
    DOCUMENTS_VIEW_PRIVATE = "documents.view_private"
    # 提出咨询、建议或信息公开申请
    ENQUIRIES_ASK = "enquiries.ask"
    # 办理本单位的咨询、建议、信息公开申请；财政部门办理举报
    ENQUIRIES_HANDLE = "enquiries.handle"
    # 查看全部事项（不显示提出人）与统计
    ENQUIRIES_OVERSEE = "enquiries.oversee"
    # 实名举报
    ENQUIRIES_REPORT = "enquiries.report"
    # 开展社会组织规范化评估
    EVALUATIONS_ASSESS_ORGS = "evaluations.assess_orgs"
    # 制定审计计划、记录审计发现、整改销号
    EVALUATIONS_AUDIT = "evaluations.audit"
    # 委托第三方评估、调整指标体系、安排评价、调查和听证、给出购买方评分
    EVALUATIONS_COMMISSION = "evaluations.commission"
    # 确认规范化评估结果并登记等级
    EVALUATIONS_CONFIRM_ASSESSMENTS = "evaluations.confirm_assessments"
    # 受托第三方评估机构评分并提交评价
    EVALUATIONS_EVALUATE = "evaluations.evaluate"
    # 维护绩效指标模板
    EVALUATIONS_MANAGE_TEMPLATES = "evaluations.manage_templates"
    # 承接主体报送整改情况
    EVALUATIONS_RESPOND = "evaluations.respond"
    # 修改辖区设置与日历
    JURISDICTION_EDIT = "jurisdiction.edit"
    # 编制、发布和截止本单位的菜单
    NEEDS_MANAGE_MENUS = "needs.manage_menus"
    # 隐藏或恢复居民需求
    NEEDS_MODERATE = "needs.moderate"
    # 点菜（支持菜单项）
    NEEDS_ORDER = "needs.order"
    # 举报不当需求
    NEEDS_REPORT = "needs.report"
    # 提出需求
    NEEDS_SUBMIT = "needs.submit"
    # 查询承接主体资格
    ORGS_CHECK_ELIGIBILITY = "orgs.check_eligibility"
    # 维护本机构资料
    ORGS_EDIT_OWN = "orgs.edit_own"
    # 维护社会组织登记、等级、信用与推荐目录
    ORGS_MANAGE = "orgs.manage"
    # 查看未脱敏的联系人信息
    ORGS_VIEW_PRIVATE = "orgs.view_private"
    # 批准废标后变更采购方式
    PROCUREMENT_APPROVE_METHOD_CHANGE = "procurement.approve_method_change"
    # 以本组织名义投标、提问、质疑
    PROCUREMENT_BID = "procurement.bid"
    # 为本单位已立项项目发起采购
    PROCUREMENT_CREATE = "procurement.create"
    # 编制、发布、修改采购文件，答疑，抽取专家，确定中标，答复质疑
    PROCUREMENT_MANAGE = "procurement.manage"
    # 管理评审专家库
    PROCUREMENT_MANAGE_EXPERTS = "procurement.manage_experts"
    # 查看全部采购记录（开标后）
    PROCUREMENT_OVERSEE = "procurement.oversee"
    # 财政部门处理投诉：认定中标结果无效、责令重新采购（政府采购法 §56，94号令 §32）
    PROCUREMENT_REVOKE_AWARD = "procurement.revoke_award"
    # 评审专家声明利害关系并评分
    PROCUREMENT_SCORE = "procurement.score"
    # 查看采购项目
    PROCUREMENT_VIEW = "procurement.view"
    # 社会组织起草项目申报（公益创投等）
    PROJECTS_DRAFT_AS_ORGANIZATION = "projects.draft_as_organization"
    # 为本单位起草项目申报
    PROJECTS_DRAFT_FOR_UNIT = "projects.draft_for_unit"
    # 修改、申报、撤回项目
    PROJECTS_EDIT = "projects.edit"
    # 组织审定会议、安排议程
    PROJECTS_ORGANIZE_REVIEW = "projects.organize_review"
    # 枢纽组织打包基层组织的项目申报
    PROJECTS_PACKAGE = "projects.package"
    # 设置预算控制数
    PROJECTS_SET_CEILING = "projects.set_ceiling"
    # 查看项目申报
    PROJECTS_VIEW = "projects.view"
    # 在审定会议上表决
    PROJECTS_VOTE = "projects.vote"
    # 查看廉政风险提示明细
    STATS_VIEW_FLAGS = "stats.view_flags"
    # 查看单位人员
    UNIT_VIEW_MEMBERS = "unit.view_members"
    # 社区工作者在窗口核验证件、登记居民，代居民点菜、提出需求
    NEEDS_ASSIST = "needs.assist"
    # 导入纸质满意度答卷
    EVALUATIONS_IMPORT_PAPER_SURVEYS = "evaluations.import_paper_surveys"
