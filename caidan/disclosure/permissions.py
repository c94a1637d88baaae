"""Who may edit the portal's notices and policies. Reading published ones is public."""

from caidan.accounts.models import Role
from caidan.accounts.permissions import register
from caidan.common.perms import Perm
from caidan.documents.targets import register_target

register(
    Perm.DISCLOSURE_NOTICES_MANAGE,
    [Role.PLATFORM_ADMIN],
    description="编辑、发布和撤回门户的政策与公告",
)

# Notice attachments: the portal editors, through notice_attach.
register_target(
    "disclosure.notice",
    model="disclosure.Notice",
    perm=Perm.DISCLOSURE_NOTICES_MANAGE,
    publish_perm=Perm.DISCLOSURE_NOTICES_MANAGE,
    route="门户公告编辑页 /open/notices/{id}/attach/",
    label="门户公告",
)
