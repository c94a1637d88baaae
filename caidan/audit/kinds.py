"""Every kind of audit event, in one place, with its Chinese label.

Add new kinds here as the domain grows; ``audit_record`` refuses unknown kinds so that
typos cannot create event types nobody filters for.
"""

from django.db import models


class EventKind(models.TextChoices):
    # accounts
    USER_CREATED = "user.created", "创建用户"
    USER_LOGGED_IN = "user.logged_in", "登录"
    USER_LOGIN_FAILED = "user.login_failed", "登录失败"
    USER_LOGGED_OUT = "user.logged_out", "退出登录"
    USER_PASSWORD_CHANGED = "user.password_changed", "修改密码"
    USER_PASSWORD_RESET = "user.password_reset", "重置密码"
    USER_DEACTIVATED = "user.deactivated", "停用用户"
    USER_REACTIVATED = "user.reactivated", "启用用户"
    USER_ROLE_SWITCHED = "user.role_switched", "切换角色"
    MEMBERSHIP_GRANTED = "membership.granted", "授予角色"
    MEMBERSHIP_REVOKED = "membership.revoked", "撤销角色"
    UNIT_CREATED = "unit.created", "创建单位"
    TOKEN_CREATED = "token.created", "创建 API 令牌"
    TOKEN_REVOKED = "token.revoked", "撤销 API 令牌"
    # organizations
    ORGANIZATION_CREATED = "organization.created", "登记社会组织"
    ORGANIZATION_UPDATED = "organization.updated", "修改社会组织信息"
    ORGANIZATION_IMPORTED = "organization.imported", "批量导入社会组织"
    ORGANIZATION_HUB_SET = "organization.hub_set", "设置所属枢纽组织"
    GRADE_RECORDED = "grade.recorded", "记录评估等级"
    PENALTY_RECORDED = "penalty.recorded", "记录行政处罚"
    CREDIT_LISTED = "credit.listed", "列入信用名录"
    CREDIT_REMOVED = "credit.removed", "移出信用名录"
    PROVIDER_BARRED = "provider.barred", "列入承接主体负面清单"
    PROVIDER_BAR_LIFTED = "provider.bar_lifted", "解除承接主体负面清单"
    PAST_PROJECT_RECORDED = "past_project.recorded", "记录项目实施经验"
    DIRECTORY_CHANGED = "directory.changed", "推荐目录变动"
    CHANGE_REQUESTED = "org_change.requested", "申请变更登记事项"
    CHANGE_DECIDED = "org_change.decided", "审核登记事项变更"
    # jurisdiction
    SETTING_CHANGED = "setting.changed", "修改辖区设置"
    CALENDAR_DAY_SET = "calendar.day_set", "设置节假日/调休"
    CALENDAR_DAY_REMOVED = "calendar.day_removed", "删除节假日/调休"
    # documents
    DOCUMENT_UPLOADED = "document.uploaded", "上传文件"
    # demo
    DEMO_SEEDED = "demo.seeded", "载入演示数据"
    # catalog
    CATALOG_VERSION_CREATED = "catalog.version_created", "创建目录版本"
    CATALOG_VERSION_UPDATED = "catalog.version_updated", "修改目录版本信息"
    CATALOG_VERSION_PUBLISHED = "catalog.version_published", "发布目录版本"
    CATALOG_VERSION_RETIRED = "catalog.version_retired", "停用目录版本"
    CATALOG_VERSION_DISCARDED = "catalog.version_discarded", "删除目录草稿"
    CATALOG_VERSION_IMPORTED = "catalog.version_imported", "导入目录条目"
    CATALOG_ITEM_CREATED = "catalog.item_created", "新增目录条目"
    CATALOG_ITEM_UPDATED = "catalog.item_updated", "修改目录条目"
    CATALOG_ITEM_DELETED = "catalog.item_deleted", "删除目录条目"
    NEGATIVE_LIST_CREATED = "negative_list.created", "新增负面清单事项"
    NEGATIVE_LIST_UPDATED = "negative_list.updated", "修改负面清单事项"
