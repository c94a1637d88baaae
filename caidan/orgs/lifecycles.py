"""Orgs' status tables: an organization's registration status and a provider's request
to change its registered identity (``caidan.common.lifecycle``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from caidan.audit.kinds import EventKind
from caidan.common.lifecycle import Lifecycle

from .models import Organization, ProfileChangeRequest

OS = Organization.Status


class OrganizationAction(models.TextChoices):
    DEREGISTER = "deregister", _("注销登记")
    REVOKE = "revoke", _("撤销登记")
    REINSTATE = "reinstate", _("恢复正常登记状态")


organization_lifecycle = Lifecycle(
    name="organization",
    model="orgs.Organization",
    table={
        OrganizationAction.DEREGISTER: (frozenset({OS.ACTIVE}), OS.DEREGISTERED),
        # a revocation penalty (or the authority's record of one)
        OrganizationAction.REVOKE: (frozenset({OS.ACTIVE}), OS.REVOKED),
        # the authority corrects the register (e.g. a revocation set aside on review)
        OrganizationAction.REINSTATE: (frozenset({OS.DEREGISTERED, OS.REVOKED}), OS.ACTIVE),
    },
    audit_kind=EventKind.ORGANIZATION_TRANSITION,
    noun="社会组织",
    actions=OrganizationAction,
    statuses=OS,
    initial=frozenset(OS.values),  # the register is imported as it stands
    named=True,
)

# The action that leads to each status (for the authority's edit of the register).
ACTION_TO = {
    OS.DEREGISTERED: OrganizationAction.DEREGISTER,
    OS.REVOKED: OrganizationAction.REVOKE,
    OS.ACTIVE: OrganizationAction.REINSTATE,
}

R = ProfileChangeRequest.Status


class ChangeRequestAction(models.TextChoices):
    APPROVE = "approve", _("批准")
    REJECT = "reject", _("驳回")


change_request_lifecycle = Lifecycle(
    name="profile_change_request",
    model="orgs.ProfileChangeRequest",
    table={
        ChangeRequestAction.APPROVE: (frozenset({R.PENDING}), R.APPROVED),
        ChangeRequestAction.REJECT: (frozenset({R.PENDING}), R.REJECTED),
    },
    audit_kind=EventKind.CHANGE_DECIDED,
    noun="变更申请",
    actions=ChangeRequestAction,
    statuses=R,
    initial=frozenset({R.PENDING}),
    audit_on="organization",
    audit_key="request",
)
