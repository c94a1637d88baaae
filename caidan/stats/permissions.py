"""Who sees the integrity flags in detail: the finance bureau (platform admin) and auditors;
the public sees the counts."""

from caidan.accounts.models import Role
from caidan.accounts.permissions import register
from caidan.common.perms import Perm

register(
    Perm.STATS_VIEW_FLAGS, [Role.PLATFORM_ADMIN, Role.AUDITOR], description="查看廉政风险提示明细"
)
