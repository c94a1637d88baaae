"""Writes for the provider registry. One module per aggregate; import from here."""

from .credit import (
    credit_list_add,
    credit_record_remove,
    grade_record,
    judgment_defaulter_set,
    penalty_record,
    provider_bar_create,
    provider_bar_lift,
    serious_removal_earliest,
)
from .directory import directory_criteria, directory_recompute
from .imports import organizations_import, organizations_template
from .registry import (
    IDENTITY_FIELDS,
    PROFILE_FIELDS,
    change_request_decide,
    change_request_submit,
    organization_create,
    organization_set_hub,
    organization_update,
    organization_update_own,
    past_project_record,
)

__all__ = [
    "IDENTITY_FIELDS",
    "PROFILE_FIELDS",
    "change_request_decide",
    "change_request_submit",
    "credit_list_add",
    "credit_record_remove",
    "directory_criteria",
    "directory_recompute",
    "grade_record",
    "judgment_defaulter_set",
    "organization_create",
    "organization_set_hub",
    "organization_update",
    "organization_update_own",
    "organizations_import",
    "organizations_template",
    "past_project_record",
    "penalty_record",
    "provider_bar_create",
    "provider_bar_lift",
    "serious_removal_earliest",
]
