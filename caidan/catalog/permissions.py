"""Who may change the catalog. Reading it is public (no login): DOMAIN.md §2."""

from caidan.accounts.models import Role
from caidan.accounts.permissions import register
from caidan.common.perms import Perm

register(
    Perm.CATALOG_MANAGE,
    [Role.PLATFORM_ADMIN],
    description="维护购买服务目录（版本、条目、导入导出、发布）与负面清单",
)
