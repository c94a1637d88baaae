"""Who may do what in the project library."""

from caidan.accounts.models import Role
from caidan.accounts.permissions import register
from caidan.common.perms import Perm
from caidan.documents.targets import register_target


def owns_proposal(actor, proposal) -> bool:
    """Purchasers own their unit's proposals; organizations the ones they drafted."""
    if actor.has_role(Role.PLATFORM_ADMIN):
        return proposal.created_by_id is not None and proposal.created_by_id == actor.user.pk
    if actor.has_role(Role.PURCHASER):
        return actor.covers_unit(proposal.unit)
    if actor.has_role(Role.PROVIDER, Role.HUB):
        org = proposal.proposing_organization or proposal.lead_organization
        return bool(org) and actor.covers_organization(org)
    return False


def openable_proposals(actor, ids: set[int]) -> set[int]:
    """Which of the proposals ``ids`` ``actor`` may open (for the audit log's links)."""
    from .models import Proposal

    rows = Proposal.objects.filter(pk__in=ids).select_related(
        "unit", "proposing_organization", "lead_organization"
    )
    return {p.pk for p in rows if can_see_proposal(actor, p)}


def can_see_proposal(actor, proposal) -> bool:
    """Approved projects are public; drafts only for their owners; submitted and later
    proposals also for the committee, platform admin and auditors; a hub sees its
    affiliates' proposals (to package them)."""
    if proposal.status == "approved":
        return True
    if owns_proposal(actor, proposal):
        return True
    if actor.has_role(Role.HUB):
        org = proposal.proposing_organization
        return bool(org) and org.hub_id is not None and actor.covers_organization(org.hub)
    if proposal.status == "draft":
        return False
    return actor.has_role(Role.COMMITTEE_MEMBER, Role.AUDITOR, Role.PLATFORM_ADMIN)


register(
    Perm.PROJECTS_DRAFT_FOR_UNIT,
    [Role.PURCHASER, Role.PLATFORM_ADMIN],
    scope=lambda actor, unit: actor.has_role(Role.PLATFORM_ADMIN) or actor.covers_unit(unit),
    description="为本单位起草项目申报",
)
register(
    Perm.PROJECTS_DRAFT_AS_ORGANIZATION,
    [Role.PROVIDER, Role.HUB],
    scope=lambda actor, org: actor.covers_organization(org),
    description="社会组织起草项目申报（公益创投等）",
)
register(
    Perm.PROJECTS_EDIT,
    [Role.PURCHASER, Role.PROVIDER, Role.HUB, Role.PLATFORM_ADMIN],
    scope=owns_proposal,
    description="修改、申报、撤回项目",
)
register(
    Perm.PROJECTS_VIEW,
    [
        Role.PURCHASER,
        Role.PROVIDER,
        Role.HUB,
        Role.PLATFORM_ADMIN,
        Role.COMMITTEE_MEMBER,
        Role.AUDITOR,
        Role.REGISTRATION_AUTHORITY,
        Role.EXPERT,
        Role.EVALUATOR,
        Role.RESIDENT,
    ],
    scope=can_see_proposal,
    description="查看项目申报",
)


def in_session(actor, session) -> bool:
    """The platform admin, or a member of this session."""
    if actor.has_role(Role.PLATFORM_ADMIN):
        return True
    return session.members.filter(pk=actor.user.pk).exists()


register(
    Perm.PROJECTS_ORGANIZE_REVIEW,
    [Role.COMMITTEE_MEMBER, Role.PLATFORM_ADMIN],
    scope=in_session,
    description="组织审定会议、安排议程",
)
register(
    Perm.PROJECTS_VOTE,
    [Role.COMMITTEE_MEMBER],
    scope=lambda actor, session: session.members.filter(pk=actor.user.pk).exists(),
    description="在审定会议上表决",
)
register(Perm.PROJECTS_SET_CEILING, [Role.PLATFORM_ADMIN], description="设置预算控制数")
register(
    Perm.PROJECTS_PACKAGE,
    [Role.HUB],
    scope=lambda actor, org: actor.covers_organization(org),
    description="枢纽组织打包基层组织的项目申报",
)

# Supporting files of a proposal, through the generic upload: its owners only.
register_target(
    "projects.proposal",
    model="projects.Proposal",
    perm=Perm.PROJECTS_EDIT,
    publish_perm=Perm.PROJECTS_EDIT,
    label="项目申报",
)
