"""What the demo's mediations ask for and end with: demands and amounts by dispute type, agreement terms,
the case's reply, and the reasons of declines, withdrawals, refusals of judicial confirmation and
referrals — templates filled with each mediation's people, sums and dates."""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal

# dispute type code → (low, high) yuan in dispute, and the share of such disputes that name a sum
AMOUNTS: dict[str, tuple[int, int, float]] = {
    "family": (5_000, 60_000, 0.35), "neighbour": (500, 20_000, 0.6), "environment": (2_000, 200_000, 0.7),
    "debt": (5_000, 300_000, 1.0), "public_order": (500, 30_000, 0.8), "traffic": (5_000, 400_000, 1.0),
    "property": (10_000, 500_000, 0.45), "labour": (3_000, 80_000, 0.95), "school": (2_000, 100_000, 0.8),
    "company": (10_000, 1_000_000, 0.95), "consumer": (200, 30_000, 1.0), "inheritance": (20_000, 800_000, 0.7),
    "medical": (10_000, 500_000, 1.0),
}
DEMANDS: dict[str, tuple[str, ...]] = {
    "family": ("要求对方履行扶养义务，每月支付生活费，共计{amount}元。",
               "要求依法分割夫妻共同财产，并由对方支付补偿款{amount}元。", "要求对方停止家庭暴力并书面道歉。"),
    "neighbour": ("要求对方停止侵害、恢复原状，并赔偿损失{amount}元。", "要求对方拆除妨碍通行、采光的搭建物。"),
    "environment": ("要求对方停止排放污染物，并赔偿损失{amount}元。", "要求对方采取降噪措施，夜间停止施工。"),
    "debt": ("要求对方归还借款{amount}元及利息。", "要求对方支付拖欠的货款{amount}元。"),
    "public_order": ("要求对方赔礼道歉，并赔偿医疗费、误工费等损失{amount}元。",),
    "traffic": ("要求对方赔偿医疗费、误工费、护理费、车辆维修费等各项损失共计{amount}元。",),
    "property": ("要求确认宅基地界址，对方停止占用并恢复原状。", "要求对方支付房屋租金及违约金共计{amount}元。"),
    "labour": ("要求支付拖欠工资{amount}元及经济补偿金。",
               "要求按工伤标准赔偿医疗费、停工留薪期工资等共计{amount}元。"),
    "school": ("要求学校承担相应责任，赔偿医疗费等损失{amount}元。",),
    "company": ("要求对方支付合同款{amount}元及违约金。", "要求退还入股资金{amount}元。"),
    "consumer": ("要求商家退款{amount}元，并按法律规定赔偿。", "要求旅行社退还团费{amount}元并赔礼道歉。"),
    "inheritance": ("要求依法分割遗产，确认本人继承份额（约{amount}元）。", "要求依照遗嘱继承房产一处。"),
    "medical": ("要求医院赔偿医疗费、误工费、护理费等各项损失共计{amount}元。",),
}
ITEMS: dict[str, str] = {
    "family": "生活费、子女抚养费", "neighbour": "修复费用及损失", "environment": "损失补偿款", "debt": "借款本金",
    "public_order": "医疗费、误工费", "traffic": "医疗费、误工费、护理费、车辆损失等各项费用",
    "property": "补偿款", "labour": "工资、经济补偿金", "school": "医疗费等费用", "company": "合同款",
    "consumer": "退款及赔偿款", "inheritance": "遗产折价款", "medical": "医疗费、误工费、护理费等各项损失",
}
CONFIRM_REFUSALS = (
    "经审查，调解协议约定的内容涉及案外人合法权益，依照《中华人民共和国民事诉讼法》第二百零六条的规定，裁定不予确认。",
    "经审查，一方当事人在审查期间对协议内容反悔，明确表示不同意确认，裁定驳回申请。",
    "经审查，协议约定的违约金明显过高，内容不明确、无法执行，裁定驳回申请；当事人可以通过调解变更原协议或者另行起诉。",
)
DECLINES = (
    "该纠纷已由人民法院立案受理，依照《中华人民共和国人民调解法》第十八条的规定不再受理调解，已告知申请人。",
    "被申请人明确表示拒绝调解，依法不予受理；已告知申请人可以通过诉讼等途径解决。",
    "申请事项不属于民间纠纷的调解范围，已告知申请人向有关部门反映。",
)
WITHDRAWALS = ("双方已自行和解，申请人撤回调解申请。", "申请人决定直接向人民法院起诉，撤回调解申请。",
               "申请人称对方已履行，撤回调解申请。")
FAILURES = ("双方对赔偿数额分歧较大，经多次调解仍未能达成一致。", "被申请人拒不到场参加调解，调解终止。",
            "一方当事人坚持原有诉求，不接受调解方案，调解不成。")
CLOSINGS = ("双方分歧较大，本次调解未能达成一致意见。调解员告知双方可以依法通过诉讼等途径解决。",)
RATING_COMMENTS = {
    5: ("调解员很耐心，事情解决得很好。", "非常感谢调解员，公平公正。", "", "", "效率高，专业。"),
    4: ("总体满意，就是等的时间长了点。", "", "调解员讲法讲理，满意。"),
    3: ("结果还可以，过程有点慢。", ""),
    2: ("调解员偏向对方。", "跑了好几趟，问题没解决。"),
    1: ("完全没有解决问题。", "态度敷衍。"),
}


def amount(rng: random.Random, code: str) -> Decimal | None:
    low, high, share = AMOUNTS.get(code, (1_000, 50_000, 0.5))
    if rng.random() > share:
        return None
    value = low * (high / low) ** (rng.random() ** 1.6)  # most sums small, a few large
    return Decimal(int(value / 100) * 100 or 100)


def demand(rng: random.Random, code: str, sum_: Decimal | None) -> str:
    options = DEMANDS.get(code, ("要求依法调解处理。",))
    with_sum = [d for d in options if "{amount}" in d]
    without = [d for d in options if "{amount}" not in d]
    pool = (with_sum or options) if sum_ is not None else (without or ["要求对方依法承担责任，妥善解决纠纷。"])
    return rng.choice(pool).format(amount=f"{sum_:,.0f}" if sum_ is not None else "")


def terms(rng: random.Random, code: str, *, applicant: str, respondent: str, unit: str, sum_: Decimal | None,
          perform_by: dt.date, told: str) -> str:
    """The agreement's terms: the dialogue's own when it lists them, else a payment (or a stop to the
    harm) from the sum in dispute; always closed by the standard clauses, numbered on."""
    lines: list[str] = []
    first = 1
    if told:
        found = [int(x) for x in re.findall(r"(\d+)[.、．]", told) if len(x) < 3]
        first = (max(found) if found else 1) + 1
    elif sum_ is not None:
        agreed = Decimal(int(sum_ * Decimal(rng.uniform(0.45, 0.95)) / 100) * 100 or 100)
        item = ITEMS.get(code, "补偿款")
        if rng.random() < 0.7:
            lines.append(f"{respondent}于{perform_by:%Y年%-m月%-d日}前一次性向{applicant}支付{item}共计人民币"
                         f"{agreed:,.0f}元。")
        else:
            lines.append(f"{respondent}分{rng.randint(2, 6)}期向{applicant}支付{item}共计人民币{agreed:,.0f}元，"
                         f"最后一期于{perform_by:%Y年%-m月%-d日}前付清。")
    else:
        lines.append(f"{respondent}于{perform_by:%Y年%-m月%-d日}前停止侵害、恢复原状，双方今后友好相处。")
    lines.append("本协议履行完毕后，双方就本纠纷再无其他争议。")
    lines.append(f"本协议自双方签字之日起生效，一式三份，双方各执一份，{unit}存档一份。")
    numbered = [f"{n}. {line}" for n, line in enumerate(lines, start=first)]
    return "\n".join([told, *numbered] if told else numbered)


def rating_comment(rng: random.Random, rating: int) -> str:
    return rng.choice(RATING_COMMENTS[rating])
