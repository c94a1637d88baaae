"""The default title of a contract, from what it buys (the tender's title)."""

from __future__ import annotations

SERVICE = "服务"


def contract_title(subject: str) -> str:
    """``<subject>服务合同``, without doubling 服务: a subject that already names a service
    ("社区睦邻点运营服务") becomes "社区睦邻点运营服务合同", one that does not ("老年人助餐")
    "老年人助餐服务合同". Surrounding spaces are dropped."""
    subject = (subject or "").strip()
    if subject.endswith(SERVICE):
        return f"{subject}合同"
    return f"{subject}{SERVICE}合同"
