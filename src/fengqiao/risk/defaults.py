"""The review cadence a city starts with (key 7 days, general 15, watch 30) and the screening checklist,
installed after migrate, idempotently; a row an administrator changed is never overwritten (the checklist
is installed only while the table is empty)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

CADENCE_DAYS = {"key": 7, "general": 15, "watch": 30}

# The screening checklist a city starts with: (code, name, what to look for)
CHECKLIST = [
    ("dispute", "矛盾纠纷", "邻里、物业、山林土地等苗头性矛盾"),
    ("rental", "租赁房屋", "群租、欠租、房东与租客纠纷"),
    ("family", "家庭婚姻", "家庭暴力苗头、离婚纠纷、涉未成年子女抚养"),
    ("wages", "劳资欠薪", "拖欠工资、工程款，讨薪聚集苗头"),
    ("finance", "涉众金融", "非法集资、理财爆雷、预付卡跑路"),
    ("land", "征地拆迁", "补偿安置分歧、违建拆除"),
    ("petition", "重点信访", "重复信访、越级访人员动态"),
    ("special", "特殊人群", "严重精神障碍患者、社区矫正、刑满释放人员"),
    ("safety", "安全隐患", "消防、燃气、自建房等公共安全隐患"),
]


@transaction.atomic
def install(**_: Any) -> None:
    from fengqiao.risk.models import ChecklistItem, ReviewCadence

    for grade, days in CADENCE_DAYS.items():
        ReviewCadence.objects.get_or_create(grade=grade, defaults={"days": days})
    if not ChecklistItem.objects.exists():
        ChecklistItem.objects.bulk_create([ChecklistItem(code=code, name=name, hint=hint, order=i * 10)
                                           for i, (code, name, hint) in enumerate(CHECKLIST)])
