"""Who may edit the portal's notices and policies. Reading published ones is public."""

from caidan.accounts.models import Role
from caidan.accounts.permissions import register
from caidan.documents.targets import register_target

register(
    "disclosure.notices_manage",
    [Role.PLATFORM_ADMIN],
    description="编辑、发布和撤回门户的政策与公告",
)

# Notice attachments: the portal editors, through notice_attach.
register_target(
    "disclosure.notice",
    model="disclosure.Notice",
    perm="disclosure.notices_manage",
    publish_perm="disclosure.notices_manage",
    route="门户公告编辑页 /open/notices/{id}/attach/",
    label="门户公告",
)
