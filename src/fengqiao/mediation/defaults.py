"""The rows a city starts with: dispute types, the eight kinds of mediation, a subsidy schedule.  They are
installed once (after migrate, idempotently, by code) and then belong to the administrators, who edit
them in the admin; a row they changed or deactivated is never overwritten."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

# (code, name, legal basis) — the 13 dispute types of the ProMediConv cases, in their order of frequency
DISPUTE_TYPES: list[tuple[str, str, str]] = [
    ("family", "家庭婚姻纠纷", "《中华人民共和国民法典》婚姻家庭编；《中华人民共和国反家庭暴力法》"),
    ("neighbour", "社区邻里纠纷", "《中华人民共和国民法典》第二百八十八条至第二百九十六条（相邻关系）"),
    ("environment", "环境污染纠纷", "《中华人民共和国民法典》侵权责任编第七章；《中华人民共和国环境保护法》"),
    ("debt", "经济债务纠纷", "《中华人民共和国民法典》合同编（借款合同）"),
    ("public_order", "治安刑事纠纷", "《中华人民共和国治安管理处罚法》第九条（可调解的治安案件）"),
    ("traffic", "交通事故纠纷", "《中华人民共和国道路交通安全法》第七十四条、第七十六条"),
    ("property", "房产土地纠纷", "《中华人民共和国民法典》物权编；《中华人民共和国土地管理法》"),
    ("labour", "劳资劳动纠纷", "《中华人民共和国劳动合同法》；《中华人民共和国劳动争议调解仲裁法》；《工伤保险条例》"),
    ("school", "校园教育纠纷", "《中华人民共和国民法典》第一千一百九十九条至第一千二百零一条；"
     "《学生伤害事故处理办法》"),
    ("company", "公司经营纠纷", "《中华人民共和国公司法》；《中华人民共和国民法典》合同编"),
    ("consumer", "消费旅游纠纷", "《中华人民共和国消费者权益保护法》；《中华人民共和国旅游法》"),
    ("inheritance", "遗产继承纠纷", "《中华人民共和国民法典》继承编"),
    ("medical", "医疗健康纠纷", "《医疗纠纷预防和处理条例》；《中华人民共和国民法典》侵权责任编第六章"),
]

ALL_STEPS = ["schedule", "confirm", "follow_up", "refer"]
# (code, name, participants, steps, mediator kinds ([] = any), document, working days, duties)
KINDS: list[tuple[str, str, list[str], list[str], list[str], str, int, str]] = [
    ("peoples", "人民调解", ["人民调解员"], ALL_STEPS, [], "人民调解协议书", 30,
     "人民调解委员会依照《中华人民共和国人民调解法》，在当事人自愿、平等的基础上，免费调解民间纠纷；"
     "调解不收费，不影响当事人依法通过仲裁、行政、司法等途径维护权利。"),
    ("administrative", "行政调解", ["行政机关工作人员", "人民调解员"], ["schedule", "follow_up", "refer"],
     ["official", "peoples", "gold_medal"], "行政调解协议书", 30,
     "行政机关对与其职责相关的民事纠纷，依当事人申请进行调解，调解协议由当事人自觉履行。"),
    ("lawyer", "律师调解", ["律师"], ALL_STEPS, ["lawyer", "legal_worker"], "律师调解协议书", 30,
     "律师调解工作室由执业律师以中立第三方身份主持调解，协议可以申请司法确认。"),
    ("pre_litigation", "诉前调解", ["特邀调解员", "法官"], ALL_STEPS,
     ["judge_assistant", "peoples", "gold_medal", "lawyer", "named_room"], "诉前调解协议书", 30,
     "人民法院对起诉到法院、适宜调解的纠纷，在立案前委派特邀调解员调解；调解不成的依法登记立案。"),
    ("labour_arbitration", "劳动仲裁调解", ["仲裁员", "书记员"], ["schedule", "follow_up", "refer"],
     ["arbitrator"], "劳动争议仲裁调解书", 45,
     "劳动人事争议仲裁委员会在仲裁前和仲裁中先行调解；调解书经双方签收即发生法律效力。"),
    ("notarisation", "公证调解", ["公证员"], ["schedule", "follow_up", "refer"], ["legal_worker", "lawyer"],
     "公证调解协议书", 20, "公证机构在办理公证事务中对当事人之间的纠纷进行调解，可依法赋予债权文书强制执行效力。"),
    ("adjudication", "行政裁决", ["行政机关工作人员"], ["schedule", "refer"], ["official"], "行政裁决书", 60,
     "行政机关依法对与行政管理活动密切相关的特定民事纠纷（如自然资源权属、知识产权侵权赔偿）居中裁决。"),
    ("petition", "信访接待调解", ["信访接待人员", "人民调解员"], ["schedule", "follow_up", "refer"], [],
     "信访事项调解协议书", 60, "信访部门对来访群众反映的矛盾纠纷，引导通过调解化解，依法分类处理信访诉求。"),
]

# yuan per concluded case: kind → (simple, normal, complex, major); a failed mediation earns FAILED_SHARE
SUBSIDY: dict[str, tuple[int, int, int, int]] = {
    "peoples": (100, 200, 400, 800), "administrative": (100, 200, 400, 800), "lawyer": (200, 300, 600, 1000),
    "pre_litigation": (150, 300, 500, 1000), "labour_arbitration": (100, 200, 400, 600),
    "notarisation": (100, 200, 300, 500), "adjudication": (100, 200, 400, 600), "petition": (150, 300, 600, 1200),
}
FAILED_SHARE = Decimal("0.30")


@transaction.atomic
def install(**_: Any) -> None:
    """Create the default rows that are missing (by code); leave existing rows as the administrators left
    them.  Connected to post_migrate: a fresh database (and every flushed test database) has them."""
    from fengqiao.mediation.models import Difficulty, DisputeType, MediationKind, SubsidyRate

    for order, (code, name, basis) in enumerate(DISPUTE_TYPES):
        DisputeType.objects.get_or_create(code=code, defaults={"name": name, "legal_basis": basis, "order": order})
    for order, (code, name, participants, steps, mediator_kinds, document, days, duties) in enumerate(KINDS):
        kind, created = MediationKind.objects.get_or_create(code=code, defaults={
            "name": name, "participants": participants, "steps": steps, "mediator_kinds": mediator_kinds,
            "document_title": document, "deadline_days": days, "duties": duties, "order": order})
        if created:
            SubsidyRate.objects.bulk_create([
                SubsidyRate(kind=kind, difficulty=d, amount=Decimal(a), failed_share=FAILED_SHARE)
                for d, a in zip(Difficulty.values, SUBSIDY[code], strict=True)
            ])
