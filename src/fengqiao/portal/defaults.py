"""The eight transparency dimensions (阳光调解) a city starts with, installed after migrate (idempotently,
by key); afterwards they belong to the administrators, whose renaming, reordering and hiding is kept."""

from __future__ import annotations

from typing import Any

from django.db import transaction

# (key, label, description) in their default order
DIMENSIONS: list[tuple[str, str, str]] = [
    ("organisation", "组织", "承办调解的组织及联系方式"),
    ("personnel", "人员", "承办调解员的公开信息"),
    ("duties", "职责", "该类调解的职责、参与人员和办理时限"),
    ("demand", "诉求", "申请事项与纠纷类型；诉求内容仅当事人可见"),
    ("legal_basis", "依据", "调解适用的法律法规"),
    ("consultation", "征询", "调解安排：时间、地点、各方到场听取意见"),
    ("process", "过程", "办理过程中的每一步及时间"),
    ("result", "结果", "调解协议、司法确认、转出与履行情况"),
]


@transaction.atomic
def install(**_: Any) -> None:
    """Create the dimensions that are missing; leave existing rows as the administrators left them."""
    from fengqiao.portal.models import TransparencyDimension

    for order, (key, label, description) in enumerate(DIMENSIONS):
        TransparencyDimension.objects.get_or_create(key=key, defaults={
            "label": label, "description": description, "order": (order + 1) * 10})
