"""Who may edit the portal's notices and policies. Reading published ones is public."""

from caidan.accounts.models import Role
from caidan.accounts.permissions import register

register(
    "disclosure.notices_manage",
    [Role.PLATFORM_ADMIN],
    description="编辑、发布和撤回门户的政策与公告",
)
