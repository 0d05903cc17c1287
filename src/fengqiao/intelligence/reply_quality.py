"""Reply quality (答复质量): relevance, completeness and explanation of a department's reply, in [0, 1],
with reasons a clerk understands, and a weak flag when any score is under the threshold.

* relevance — does the reply talk about what the message is about: IDF-weighted share of the message's
  key terms (places, objects, times) that the reply takes up, and the character-bigram cosine of the two.
* completeness — does it answer every demand (sentences with 希望 / 要求 / 能否 / ？ …) and are the
  structural parts there: acknowledgement, findings, action or basis, result, contact or next step.
  Rules; blended with a logistic regression on the same features where labels exist (rollbear_完整性).
* explanation (可解释性) — does it say why (law, policy, reasons): rules without a model; with a model a
  logistic regression on character n-grams of the reply and the rule features, learned from syu_可解释性.

``score(message, reply)`` works with no model installed (rules, uniform IDF).  The installed model lives in
``DATA_DIR/models/reply_quality.joblib``, loaded once per process and reloaded when the file changes.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import threading
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import rjieba
from django.conf import settings
from django.utils.translation import gettext, gettext_noop

MODEL_FILE = "reply_quality.joblib"
DEFAULT_THRESHOLD = 0.4  # about a quarter of the board's real replies fall under it (docs/reply_quality.md)
MAX_KEY_TERMS = 8

_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
_WORDY = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_DIGITS = re.compile(r"^[0-9０-９.%:/-]+$")
_PLACE_CODE = re.compile(r"[A-Z][0-9]{0,2}[市区县]")  # anonymised places in tipdm2020: A市, A2区, C3县
_PLACE_SUFFIX = re.compile(r"(小区|花园|家园|路口|大道|路|街道|街|镇|乡|村|社区|学校|医院|公司|市场|广场|工地)$")
_DEMAND = re.compile(r"希望|要求|请求|恳请|请问|建议|能否|能不能|可否|是否|何时|什么时候|为什么|为何|怎么办|如何|"
                     r"[?？]|请.{0,8}(解决|处理|查处|整改|取缔|落实|赔偿|退还)")
STOPWORDS = frozenset({
    "我们", "你们", "他们", "她们", "自己", "这个", "那个", "这些", "那些", "什么", "怎么", "如何", "为什么", "没有",
    "不是", "就是", "还是", "但是", "而且", "因为", "所以", "已经", "现在", "目前", "时候", "问题", "情况", "反映",
    "领导", "请问", "希望", "要求", "相关", "部门", "有关", "进行", "一个", "一直", "可以", "不能", "能否", "是否",
    "您好", "你好", "感谢", "谢谢", "网友", "留言", "来信", "收悉", "答复", "回复", "如下", "现将", "关于", "对于",
    "以及", "或者", "这样", "那么", "非常", "特别", "严重", "市民", "居民", "群众", "尊敬", "恳请", "请求", "帮助",
    "解决", "处理", "工作", "支持", "关心", "理解", "监督", "我们的", "您的", "本人",
})

# Structural parts of a reply (completeness), each a pattern and the reason given when it is missing.
PARTS: dict[str, tuple[re.Pattern[str], str]] = {
    "acknowledgement": (re.compile(r"收悉|您好|你好|感谢|来信|留言|来电|反映的"),
                        gettext_noop("缺少对来信的回应（如“您的留言已收悉”）")),
    "findings": (re.compile(r"经调查|经核实|经了解|经查|核查|核实|调查|现场|走访|了解到|查明|勘察"),
                 gettext_noop("未说明调查核实情况")),
    "action": (re.compile(r"依据|根据|按照|依照|规定|责令|要求|督促|安排|组织|协调|约谈|整改|处罚|已将|联合"),
               gettext_noop("未说明采取的措施或依据")),
    "result": (re.compile(r"已解决|已完成|已整改|已修复|已清理|已拆除|已恢复|已处理|已落实|已办理|已发放|已退还|已支付|"
                          r"现已|目前|已经|已于|修复|恢复|办结|结果|不符合|符合|不予|同意|完成"),
               gettext_noop("未说明办理结果")),
    "contact": (re.compile(r"电话|联系|咨询|如有|下一步|后续|继续|将于|跟踪|监督|欢迎|及时"),
                gettext_noop("缺少联系方式或下一步安排")),
}

# The reasons are kept in Chinese (stored with the review and in the case's internal note); reason_text()
# shows one in the reader's language.
OFF_TOPIC = gettext_noop("答复与诉求关联不足")
OFF_TOPIC_MISSING = gettext_noop("答复与诉求关联不足，未提及：%(terms)s")
UNANSWERED = gettext_noop("未回应诉求中的“%(ask)s”")
TOO_SHORT = gettext_noop("答复过于简短")
INCOMPLETE = gettext_noop("答复不够完整（完整性 %(score)s，低于 %(cut)s）")
NO_BASIS = gettext_noop("缺少法律政策依据或原因说明")
_PARAMETRISED = [
    (re.compile(r"答复与诉求关联不足，未提及：(?P<terms>.+)", re.S), OFF_TOPIC_MISSING),
    (re.compile(r"未回应诉求中的“(?P<ask>.*)”", re.S), UNANSWERED),
    (re.compile(r"答复不够完整（完整性 (?P<score>\S+)，低于 (?P<cut>\S+)）"), INCOMPLETE),
]


def reason_text(reason: str) -> str:
    """A stored reason in the current language (the quoted terms and demands stay as the citizen wrote them)."""
    for pattern, msgid in _PARAMETRISED:
        found = pattern.fullmatch(reason)
        if found:
            return gettext(msgid) % found.groupdict()
    return gettext(reason) if reason else reason
PART_WEIGHTS = {"acknowledgement": 0.1, "findings": 0.25, "action": 0.25, "result": 0.25, "contact": 0.15}

# Explanation: the reply names a law or policy, or gives reasons.
BASIS = {
    "law": re.compile(r"《[^》]{2,40}》|法律|法规|条例|第[0-9一二三四五六七八九十百]+条|规章"),
    "policy": re.compile(r"政策|规定|文件|办法|标准|规划|方案|通知|细则|意见"),
    "reason": re.compile(r"因为|由于|原因|鉴于|因此|所以|故|为此|以便|目的"),
    "according": re.compile(r"依据|根据|按照|依照|依法|符合|不符合"),
}


def normalise(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


def terms(text: str) -> list[str]:
    """Content words of a text: rjieba tokens of two or more characters, not stop words, not numbers."""
    return [t for t in rjieba.cut(text) if len(t) >= 2 and t not in STOPWORDS and _WORDY.search(t)
            and not _DIGITS.match(t)]


def bigrams(text: str) -> dict[str, int]:
    chars = [c for c in text if _WORDY.match(c)]
    counts: dict[str, int] = {}
    for a, b in itertools.pairwise(chars):
        counts[a + b] = counts.get(a + b, 0) + 1
    return counts


@dataclass
class ReplyQualityModel:
    """The trained artefact: term IDF (relevance, demand terms), the explanation classifier (character
    n-gram TF-IDF + rule features → logistic regression) and, where labels existed, the completeness one."""

    idf: dict[str, float]
    default_idf: float
    explanation_vectorizer: Any
    explanation_clf: Any
    completeness_clf: Any | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReplyScores:
    relevance: float
    completeness: float
    explanation: float
    weak: bool
    reasons: list[str]
    parts: dict[str, bool]
    missing_terms: list[str]
    unanswered: list[str]
    threshold: float
    learned: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def threshold() -> float:
    raw = os.environ.get("FENGQIAO_REPLY_QUALITY_THRESHOLD") or getattr(settings, "REPLY_QUALITY_THRESHOLD", None)
    try:
        value = float(raw) if raw is not None else DEFAULT_THRESHOLD
    except ValueError:
        return DEFAULT_THRESHOLD
    return min(max(value, 0.0), 1.0)


# ---------------------------------------------------------------- features shared by rules and models

def key_terms(message: str, idf: dict[str, float] | None, default_idf: float = 1.0) -> list[tuple[str, float]]:
    """The message's key terms with their weights: places first, then words by IDF (first seen wins ties)."""
    weights: dict[str, float] = {}
    for t in terms(message):
        # a word seen once in the corpus is more often a typo or slang than the matter: low weight
        w = idf.get(t, 1.0) if idf else 1.0 + min(len(t), 4) * 0.1
        if _PLACE_SUFFIX.search(t) and len(t) >= 3:
            w *= 1.5  # a place named in the message should be named in the reply
        weights[t] = max(weights.get(t, 0.0), w)
    for code in _PLACE_CODE.findall(message):
        weights.setdefault(code, 0.5 * (default_idf if idf else 1.0))
    ranked = sorted(weights.items(), key=lambda kv: -kv[1])
    return ranked[:MAX_KEY_TERMS]


def _covered(term: str, reply: str) -> bool:
    if term in reply:
        return True
    # a place named in full in the message may be shortened in the reply (景蓉华苑小区 → 景蓉华苑)
    core = re.sub(r"(小区|花园|家园|社区|街道|公司)$", "", term)
    return len(core) >= 2 and core in reply


def demands(message: str) -> list[str]:
    """Sentences of the message that ask for something."""
    found = []
    for sentence in _SENTENCE.findall(message):
        clauses = re.split(r"[，,：:]", sentence)
        for i, clause in enumerate(clauses):
            if _DEMAND.search(clause) and len(clause.strip()) >= 4:
                # the asking clause, with the one before it when it is short ("对于X，能否…")
                ask = (clauses[i - 1] + "，" + clause) if i and len(clause) < 12 else clause
                found.append(ask.strip())
    return list(dict.fromkeys(found))[:6]


def cosine(a: dict[str, int], b: dict[str, int]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb)


def basis_hits(reply: str) -> dict[str, bool]:
    return {name: bool(p.search(reply)) for name, p in BASIS.items()}


def length_factor(reply: str) -> float:
    """0 for an empty reply, 1 from 150 characters; a one-line "已转相关部门" scores low."""
    n = len(reply)
    return float(min(1.0, math.log1p(n) / math.log1p(150)))


def dense_features(message: str, reply: str, idf: dict[str, float] | None = None,
                   default_idf: float = 1.0) -> dict[str, Any]:
    """Everything the rules need, computed once (also the learned models' dense inputs)."""
    message, reply = normalise(message), normalise(reply)
    keys = key_terms(message, idf, default_idf)
    total = sum(w for _t, w in keys) or 1.0
    coverage = sum(w for t, w in keys if _covered(t, reply)) / total if keys else 0.0
    asks = demands(message)
    unanswered = []
    for ask in asks:
        ask_terms = [t for t, _w in key_terms(ask, idf, default_idf)[:4] if not _PLACE_CODE.fullmatch(t)]
        if ask_terms and not any(_covered(t, reply) for t in ask_terms):
            unanswered.append(ask)
    parts = {name: bool(p.search(reply)) for name, (p, _why) in PARTS.items()}
    return {
        "coverage": coverage,
        "cosine": cosine(bigrams(message), bigrams(reply)),
        "missing_terms": [t for t, _w in keys if not _covered(t, reply)],
        "demands": len(asks),
        "unanswered": unanswered,
        "parts": parts,
        "basis": basis_hits(reply),
        "length": len(reply),
        "length_factor": length_factor(reply),
    }


def dense_vector(f: dict[str, Any]) -> list[float]:
    demand_cover = 1.0 - len(f["unanswered"]) / f["demands"] if f["demands"] else 1.0
    return [f["coverage"], f["cosine"], demand_cover, f["length_factor"], math.log1p(f["length"]) / 8,
            *(float(v) for v in f["parts"].values()), *(float(v) for v in f["basis"].values())]


# ---------------------------------------------------------------- the three scores from the features

def relevance_rule(f: dict[str, Any]) -> float:
    """Half the share of key terms taken up (full at 20 %), half the bigram cosine (full at 0.12): a reply
    to another message scores 0.05–0.25, the median reply to its own message about 0.9."""
    raw = 0.5 * min(1.0, f["coverage"] / 0.2) + 0.5 * min(1.0, f["cosine"] / 0.12)
    return round(float(raw * min(1.0, 0.4 + f["length_factor"])), 3)


def completeness_rule(f: dict[str, Any]) -> float:
    """Structural parts (40 %), demands answered (30 %), substance — full from 400 characters (30 %)."""
    parts = sum(PART_WEIGHTS[k] for k, present in f["parts"].items() if present)
    demand_cover = 1.0 - len(f["unanswered"]) / f["demands"] if f["demands"] else 1.0
    substance = min(1.0, f["length"] / 400)
    return round(float((0.4 * parts + 0.3 * demand_cover + 0.3 * substance) * f["length_factor"]), 3)


def explanation_rule(f: dict[str, Any]) -> float:
    hits = sum(f["basis"].values())
    return round(float(min(1.0, hits / 2.5) * f["length_factor"]), 3)


def _reasons(rel: float, comp: float, expl: float, f: dict[str, Any], cut: float) -> list[str]:
    reasons: list[str] = []
    if rel < cut:
        missing = "、".join(f["missing_terms"][:4])
        reasons.append(OFF_TOPIC_MISSING % {"terms": missing} if missing else OFF_TOPIC)
    if comp < cut:
        before = len(reasons)
        for ask in f["unanswered"][:3]:
            reasons.append(UNANSWERED % {"ask": f"{ask[:30]}{'…' if len(ask) > 30 else ''}"})
        reasons += [why for name, (_p, why) in PARTS.items() if not f["parts"][name]]
        if f["length"] < 60:
            reasons.append(TOO_SHORT)
        if len(reasons) == before:
            reasons.append(INCOMPLETE % {"score": f"{comp:.0%}", "cut": f"{cut:.0%}"})
    if expl < cut:
        reasons.append(NO_BASIS)
    return reasons


def score_with(model: ReplyQualityModel | None, message: str, reply: str) -> ReplyScores:
    f = dense_features(message, reply, model.idf if model else None, model.default_idf if model else 1.0)
    rel, comp, expl = relevance_rule(f), completeness_rule(f), explanation_rule(f)
    if model is not None:
        dense = np.asarray([dense_vector(f)])
        expl = round(float(_explanation_proba(model, [normalise(reply)], dense)[0]), 3)
        if model.completeness_clf is not None:
            learned = float(model.completeness_clf.predict_proba(dense)[0, 1])
            comp = round(0.5 * comp + 0.5 * learned * f["length_factor"], 3)
    cut = threshold()
    reasons = _reasons(rel, comp, expl, f, cut)
    return ReplyScores(
        relevance=rel, completeness=comp, explanation=expl, weak=min(rel, comp, expl) < cut, reasons=reasons,
        parts=f["parts"], missing_terms=f["missing_terms"], unanswered=f["unanswered"], threshold=cut,
        learned=model is not None,
    )


def _explanation_proba(model: ReplyQualityModel, replies: list[str], dense: np.ndarray) -> np.ndarray:
    import scipy.sparse as sp

    X = sp.hstack([model.explanation_vectorizer.transform(replies), sp.csr_matrix(dense)]).tocsr()
    return np.asarray(model.explanation_clf.predict_proba(X)[:, 1])


# ---------------------------------------------------------------- the installed model

@dataclass
class _Loaded:
    path: Path
    mtime: float
    model: ReplyQualityModel


_cache: dict[str, _Loaded] = {}
_lock = threading.Lock()


def model_path() -> Path:
    return Path(settings.DATA_DIR) / "models" / MODEL_FILE


def load() -> ReplyQualityModel | None:
    """The installed model, loaded once per process and again when the file's modification time changes."""
    path = model_path()
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        _cache.pop("model", None)
        return None
    with _lock:
        hit = _cache.get("model")
        if hit is not None and hit.path == path and hit.mtime == mtime:
            return hit.model
        model = joblib.load(path)
        if not isinstance(model, ReplyQualityModel):
            raise TypeError(f"{path} is not a reply quality model")
        _cache["model"] = _Loaded(path, mtime, model)
        return model


def forget() -> None:
    with _lock:
        _cache.clear()


def score(message: str, reply: str) -> ReplyScores:
    """Score ``reply`` to ``message`` with the installed model, or the rules when none is installed."""
    try:
        model = load()
    except Exception:  # a broken model file must not stop a reply: fall back to the rules
        import logging

        logging.getLogger(__name__).exception("reply quality: cannot load %s", model_path())
        model = None
    return score_with(model, message, reply)
