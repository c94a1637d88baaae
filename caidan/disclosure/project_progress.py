"""An approved project's OCDS record id for its page (``caidan/projects/progress.py``)."""

from __future__ import annotations

from caidan.projects.progress import register_progress

from .ocds import ocid_for


def approved_project_ocid(proposal) -> str:
    return ocid_for(proposal) if proposal.is_public else ""


register_progress("ocid", approved_project_ocid)
