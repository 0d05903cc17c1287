"""Hot issues, the pure part: group messages about the same problem, and rank the groups by heat.

No database here: the same functions group the TipDM 2020 messages (``fengqiao hot_issues --csv``,
``bench/hot_issues.py``) and the cases of a city (``hot_issues.refresh_city``).

Grouping (``group``):

1. text = subject (twice: it names the problem) + detail, normalised and cut into words by rjieba; words
   that say nothing of the matter (greetings, "反映", "问题", "希望" …) are dropped;
2. TF-IDF over words (sublinear tf, L2 rows), the subject also as its own block, so two short subjects
   that agree weigh as much as two long details;
3. a cosine-similarity graph: an edge where similarity ≥ ``threshold`` and the two places agree
   (``places_agree``); built by sparse products in row chunks, so memory grows with the edges only;
4. groups = connected components of that graph, except that a component whose members are not all close
   to its centroid (chaining: A~B~C but A≁C) is split again with a raised threshold.

Heat (``heat``), one documented formula (docs/hot_issues.md):

    heat = (users + ln(1 + messages − users) + 2·ln(1 + likes + 0.5·dislikes)) × (0.5 + 0.5·c) × (0.5 + 0.5·r)

users = distinct authors (one person writing again and again adds only logarithmically),
likes/dislikes = 点赞/反对 summed over the group,
c = share of the group's messages inside its busiest 30-day window (time concentration),
r = 0.5 ** (days since the group's last message / 30) (recency, against the reference time).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import rjieba
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

THRESHOLD = 0.20  # cosine similarity of two messages about the same problem (chosen on half the labelled pairs)
STRONG = 0.30  # similarity enough when the messages' places say nothing either way
PROBLEM_MIN = 0.20  # same place: the texts without the place names must still be this alike
SPLIT_STEP = 0.05  # raise of the threshold when a component is split again
CENTROID_MIN = 0.25  # every member of an accepted group is at least this close to the group's centroid
SUBJECT_WEIGHT = 1.0  # weight of the subject block beside the whole-text block
WINDOW_DAYS = 30  # time concentration: the busiest window of this length
HALF_LIFE_DAYS = 30.0  # recency: heat halves every 30 days since the group's last message
CHUNK = 2000  # rows per sparse product
MAX_DF, MAX_DF_MIN_DOCS = 0.05, 20

# words that appear in complaints about anything; they would make unrelated messages look alike
def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS = _wordset("""
的 了 是 在 和 与 及 或 也 都 就 还 又 而 但 并 等 把 被 对 向 从 为 给 让 要 会 能 可 可以 没有 不 无 有
我 我们 你 你们 他 他们 她 它 本人 大家 自己 这 那 这个 那个 这些 那些 这里 那里 什么 怎么 如何 为什么 哪里
一 一个 一些 很 非常 特别 十分 太 最 更 已经 已 正在 一直 现在 目前 今年 去年 今天 每天 时候 时间 情况
问题 反映 反应 投诉 举报 咨询 建议 关于 请问 请求 恳请 希望 要求 强烈 呼吁 相关 部门 领导 政府 有关 尽快
解决 处理 落实 关注 重视 谢谢 感谢 您好 你好 尊敬 市长 书记 局长 留言 百姓 群众 居民 市民 老百姓 严重
诉求 其他 其它
""")
_RUN = re.compile(r"[\u4e00-\u9fff0-9]{2,}")
_STOP_RUN = re.compile("|".join(sorted((w for w in STOP_WORDS if len(w) > 1), key=len, reverse=True)))
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[\u4e00-\u9fff]")  # a word worth counting has a Chinese character
_ADMIN = _wordset("市 区 县 省 镇 乡 村")  # alone, after the anonymised "A市", "A3区": no meaning
_ANON = re.compile(r"[A-Z]\d{0,2}[市区县]")  # anonymised place names: kept by extract_place, not by the text

# places written in the messages: the anonymised district (A市 A3区, A7县) and named places before a suffix
_DISTRICT = re.compile(r"[A-Z]\d{1,2}[区县市]")
# kinds of named places: two names of one kind that are not alike are two places; a road and an estate are not
_KINDS = {
    "estate": ("小区", "花园", "公寓", "家园", "新城", "新村", "大厦", "苑", "府", "湾", "城", "庄园"),
    "road": ("大道", "路", "街", "巷"),
    "area": ("社区", "村", "镇", "乡", "街道"),
    "facility": ("广场", "公园", "学校", "学院", "大学", "中学", "小学", "幼儿园", "医院", "市场", "工业园", "园区",
                 "车站"),
}
_SUFFIXES = tuple(s for suffixes in _KINDS.values() for s in suffixes)
_KIND_OF = sorted(((s, k) for k, suffixes in _KINDS.items() for s in suffixes), key=lambda sk: -len(sk[0]))
_NAMED = re.compile(r"([\u4e00-\u9fa5A-Za-z0-9]{2,8}?(?:" + "|".join(sorted(_SUFFIXES, key=len, reverse=True)) + "))")
_CITY = re.compile(r"[A-Z]市|西地省")
_OPENING = 80  # characters of the detail read for a district when the subject names none
# a place name does not run across these: verbs and particles that end the words before it
_CHUNK_BREAK = re.compile(r"[^\u4e00-\u9fa5A-Za-z0-9]|的|在|是|了|到|和|与|及|对|从|往|向|把|被|给|为|将|于|由|至"
                          r"|旁|近|后|前|关于|反映|反应|投诉|举报|咨询|建议|请问|请求|恳请|希望|要求|申请|解决|问题|何时|什么|为何|为什么|能否"
                          r"|加快|常年|严重|附近|周边|相关|一个|多年")
_NOT_ROADS = ("跑路", "出路", "思路", "走路", "马路", "道路", "公路", "一路", "线路", "门路", "套路", "退路", "网路")
_NOT_NAMES = frozenset({"政府", "市政府", "县政府", "区政府", "省政府", "家乡", "旧城", "县城", "小区", "社区"})
_NOT_PLACE = re.compile(r"^(这个|那个|我们|我的|本|该|此|小|大|同|全|附近|周边|各|每|有的|一条|一个|条|所|农村"
                        r"|城市|马路|道路|公路|城区|本村|全市|全省|全国|省城|县城|市区|乡镇|街|路)")


@dataclass(frozen=True)
class Message:
    """One message (or case): its text, author, time, reactions and place."""

    id: str
    subject: str
    detail: str
    at: dt.datetime
    author: str = ""
    likes: int = 0
    dislikes: int = 0
    # in the system: the case's community (or grid) — an exact place; None when unknown
    place_key: str | None = None
    # in the system: the names of the case's own areas (district, street, community, grid), taken out of the
    # text — where a matter is says nothing of what it is, and the place is compared through place_key
    place_names: tuple[str, ...] = ()


@dataclass
class Group:
    """Messages about one problem, with their heat."""

    members: list[int]  # indexes into the message list
    heat: float = 0.0
    users: int = 0
    likes: int = 0
    dislikes: int = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    representative: int = -1  # the member closest to the group's centroid
    places: list[str] = field(default_factory=list)  # most named places first


@dataclass(frozen=True)
class Place:
    """Where a message is: its district (A3区) and the named places (小区, 路 …) it mentions."""

    districts: frozenset[str]
    named: frozenset[str]
    exact: str | None = None  # the system's community/grid key: when both have one they must be equal


def normalise(text: str) -> str:
    """NFKC, anonymised place names ("A市", "A3区") out, lower case, collapsed white space."""
    text = _ANON.sub(" ", unicodedata.normalize("NFKC", text or ""))
    return _SPACE.sub(" ", text.lower()).strip()


def tokens(text: str) -> list[str]:
    """rjieba words of normalised text that hold a Chinese character, without stop words."""
    return [t for t in rjieba.cut(normalise(text)) if t not in STOP_WORDS and t not in _ADMIN and _WORD.search(t)]


def bigrams(text: str) -> list[str]:
    """Character bigrams of the normalised text's runs of Chinese characters and digits (robust where rjieba
    cuts one name two ways: "58车贷案" / "58车贷 案件"), the stop words (关于, 诉求, 反映 …) taken out first."""
    out: list[str] = []
    for run in _RUN.findall(_STOP_RUN.sub(" ", normalise(text))):
        out.extend(run[k:k + 2] for k in range(len(run) - 1))
    return out


def extract_place(subject: str, detail: str = "", exact: str | None = None) -> Place:
    """Where a message says it is.  The subject names the place when the writer names one, so districts and
    named places are read from it; only when the subject has no district is the detail's opening read for
    one (the detail mentions other places in passing: "离XX路不远", "和XX小区一样")."""
    subject = unicodedata.normalize("NFKC", subject or "")
    districts = frozenset(_DISTRICT.findall(subject))
    if not districts:
        districts = frozenset(_DISTRICT.findall(unicodedata.normalize("NFKC", detail or "")[:_OPENING]))
    named: set[str] = set()
    for chunk in _CHUNK_BREAK.split(_DISTRICT.sub(" ", _CITY.sub(" ", subject))):
        for m in _NAMED.findall(chunk):
            name = m
            if (len(name) >= 3 and not _NOT_PLACE.match(name) and name not in _NOT_NAMES
                    and not name.endswith(_NOT_ROADS)):
                named.add(name)
    return Place(districts=districts, named=frozenset(named), exact=exact)


def _alike(a: str, b: str) -> bool:
    """Two place names are one place when one holds the other or they share 3 characters in a row
    (伊景园滨河苑 / 伊景园滨河院, 丽发新城 / 丽发新城小区)."""
    if a in b or b in a:
        return True
    if any(a[k:k + 3] in b for k in range(len(a) - 2)):
        return True
    core_a, core_b = _core(a), _core(b)  # 丽发小区 / 丽发新城: the names before the suffix begin alike
    return len(core_a) >= 2 and len(core_b) >= 2 and core_a[:2] == core_b[:2]


def _core(name: str) -> str:
    for suffix, _kind in _KIND_OF:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def kind_of(name: str) -> str:
    return next((k for s, k in _KIND_OF if name.endswith(s)), "")


def place_evidence(a: Place, b: Place) -> int:
    """+1 the same place (exact keys equal, or two named places alike), -1 two places (exact keys differ; no
    district in common when both name districts; both name places of one kind — two estates, two roads — and
    none alike), 0 nothing either way."""
    if a.exact is not None and b.exact is not None:
        return 1 if a.exact == b.exact else -1
    if a.districts and b.districts and not (a.districts & b.districts):
        return -1
    if not (a.named and b.named):
        return 0
    if any(_alike(x, y) for x in a.named for y in b.named):
        return 1
    return -1 if {kind_of(x) for x in a.named} & {kind_of(y) for y in b.named} else 0


def places_agree(a: Place, b: Place) -> bool:
    return place_evidence(a, b) >= 0


@dataclass(frozen=True)
class Features:
    """The messages' vectors, computed once: ``x`` (words of the whole text beside the subject's character
    bigrams, L2 rows) and the word lists that ``problem`` vectors are made from."""

    x: sp.csr_matrix
    docs: list[list[str]]


def features(messages: Sequence[Message]) -> Features:
    docs = [tokens(strip_names(f"{m.subject} {m.subject} {m.detail}", m.place_names)) for m in messages]
    subjects = [bigrams(strip_names(m.subject, m.place_names)) for m in messages]
    blocks = [normalize(_tfidf(docs))]
    if any(subjects):
        blocks.append(normalize(_tfidf(subjects)) * SUBJECT_WEIGHT)
    return Features(normalize(sp.hstack(blocks, format="csr", dtype=np.float32)), docs)


def strip_names(text: str, names: Sequence[str]) -> str:
    for name in names:  # longest first (the caller's order): 和头社区 before 和头
        text = text.replace(name, " ")
    return text


def vectorise(messages: Sequence[Message]) -> sp.csr_matrix:
    return features(messages).x


def vectorise_problem(f: Features, places: Sequence[Place]) -> sp.csr_matrix:
    """Word TF-IDF of the text without the message's own place names: how alike the problems are, apart
    from where they are (two matters in one estate share its name, not their problem)."""
    docs = []
    for words, p in zip(f.docs, places, strict=True):
        names = [n for n in p.named] + [_core(n) for n in p.named if len(_core(n)) >= 2]
        docs.append([w for w in words if not any(w in n for n in names)])
    return normalize(_tfidf(docs))


def _rowdots(x: sp.csr_matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Cosine of rows i[k] and j[k] of an L2-normalised matrix, for each k."""
    if not len(i):
        return np.array([], dtype=np.float32)
    return np.asarray(x[i].multiply(x[j]).sum(axis=1)).ravel()


def _tfidf(docs: list[list[str]]) -> sp.csr_matrix:
    if not any(docs):
        return sp.csr_matrix((len(docs), 1), dtype=np.float32)
    # a word in more than 5 % of the texts (and more than 20 of them) says nothing of any one problem: it is a
    # generic word (小区, 物业) or the boilerplate of a form or an operator's template (由来已久, 长效机制)
    max_docs = max(int(MAX_DF * len(docs)), MAX_DF_MIN_DOCS)
    vec = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True, max_df=max_docs, dtype=np.float32)
    return vec.fit_transform(docs)


def similar_pairs(x: sp.csr_matrix, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, similarity) for i < j with cosine ≥ threshold, by sparse products of ``CHUNK`` rows at a time."""
    xt = x.T.tocsc()
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for start in range(0, x.shape[0], CHUNK):
        block = (x[start:start + CHUNK] @ xt).tocoo()
        keep = (block.data >= threshold) & (block.row + start < block.col)
        rows.append(block.row[keep] + start)
        cols.append(block.col[keep])
        vals.append(block.data[keep])
    if not rows:
        empty = np.array([], dtype=np.int64)
        return empty, empty, np.array([], dtype=np.float32)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)


def blocked_pairs(x: sp.csr_matrix, threshold: float, keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``similar_pairs`` within each block of equal keys (a community): 100,000 cases in a few hundred
    communities cost the sum of the blocks' squares, not the square of the sum."""
    blocks: dict[str, list[int]] = {}
    for k, key in enumerate(keys):
        blocks.setdefault(key, []).append(k)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for members in blocks.values():
        if len(members) < 2:
            continue
        idx = np.array(members)
        bi, bj, bs = similar_pairs(x[idx], threshold)
        parts.append((idx[bi], idx[bj], bs))
    if not parts:
        empty = np.array([], dtype=np.int64)
        return empty, empty, np.array([], dtype=np.float32)
    return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]))


def group(messages: Sequence[Message], *, threshold: float = THRESHOLD, strong: float | None = None,
          use_places: bool = True, f: Features | None = None) -> list[list[int]]:
    """Groups of message indexes (every message is in exactly one group; a lone message is a group of one)."""
    n = len(messages)
    if n == 0:
        return []
    f = f or features(messages)
    x = f.x
    strong = STRONG if strong is None else strong
    keys = [m.place_key for m in messages]
    if use_places and all(k is not None for k in keys):
        i, j, s = blocked_pairs(x, threshold, [str(k) for k in keys])  # exact places: compare within each only
    else:
        i, j, s = similar_pairs(x, threshold)
    if use_places and len(i):
        # an edge needs the same place (then ``threshold``), or no evidence either way and ``strong`` similarity
        places = [extract_place(m.subject, m.detail, m.place_key) for m in messages]
        evidence = np.fromiter((place_evidence(places[a], places[b]) for a, b in zip(i, j, strict=True)), np.int8,
                               len(i))
        problem = _rowdots(vectorise_problem(f, places), i, j)
        ok = ((evidence > 0) & (problem >= PROBLEM_MIN)) | ((evidence == 0) & (s >= strong))
        i, j, s = i[ok], j[ok], s[ok]
    groups: list[list[int]] = []
    _components(x, np.arange(n), i, j, s, threshold, groups)
    return groups


def _components(x: sp.csr_matrix, nodes: np.ndarray, i: np.ndarray, j: np.ndarray, s: np.ndarray,
                threshold: float, out: list[list[int]]) -> None:
    """Connected components of the edges (i, j, s) over ``nodes``; a loose component is split again."""
    local = {int(v): k for k, v in enumerate(nodes)}
    li = np.fromiter((local[int(a)] for a in i), np.int64, len(i))
    lj = np.fromiter((local[int(b)] for b in j), np.int64, len(j))
    graph = sp.coo_matrix((np.ones(len(li)), (li, lj)), shape=(len(nodes), len(nodes)))
    count, labels = connected_components(graph, directed=False)
    for label in range(count):
        members = nodes[labels == label]
        if len(members) <= 2 or threshold >= 0.95 or _tight(x, members):
            out.append(sorted(int(m) for m in members))
            continue
        inside = np.isin(i, members) & np.isin(j, members) & (s >= threshold + SPLIT_STEP)
        _components(x, members, i[inside], j[inside], s[inside], threshold + SPLIT_STEP, out)


def _tight(x: sp.csr_matrix, members: np.ndarray) -> bool:
    rows = x[members]
    centroid = normalize(np.asarray(rows.mean(axis=0)))
    return bool((rows @ centroid.T).min() >= CENTROID_MIN)


def heat(messages: Sequence[Message], members: Sequence[int], reference: dt.datetime) -> Group:
    """The group of ``members`` with its heat (formula in the module's docstring) and its figures."""
    ms = [messages[k] for k in members]
    authors = {m.author or f"#{m.id}" for m in ms}  # no author known: each message its own
    likes = sum(max(m.likes, 0) for m in ms)
    dislikes = sum(max(m.dislikes, 0) for m in ms)
    times = sorted(m.at for m in ms)
    users = len(authors)
    base = users + math.log1p(len(ms) - users) + 2.0 * math.log1p(likes + 0.5 * dislikes)
    busiest = max(_in_window(times, k) for k in range(len(times)))
    concentration = busiest / len(times)
    age_days = max((reference - times[-1]).total_seconds() / 86400.0, 0.0)
    recency = 0.5 ** (age_days / HALF_LIFE_DAYS)
    value = base * (0.5 + 0.5 * concentration) * (0.5 + 0.5 * recency)
    return Group(members=list(members), heat=round(value, 3), users=users, likes=likes, dislikes=dislikes,
                 first=times[0], last=times[-1])


def _in_window(times: list[dt.datetime], start: int) -> int:
    end = times[start] + dt.timedelta(days=WINDOW_DAYS)
    count = 0
    for t in times[start:]:
        if t > end:
            break
        count += 1
    return count


def describe(messages: Sequence[Message], x: sp.csr_matrix, g: Group) -> Group:
    """Fill the group's representative (member closest to the centroid) and its most named places."""
    rows = x[g.members]
    centroid = normalize(np.asarray(rows.mean(axis=0)))
    g.representative = g.members[int(np.argmax(np.asarray(rows @ centroid.T).ravel()))]
    named: Counter[str] = Counter()
    districts: Counter[str] = Counter()
    for k in g.members:
        p = extract_place(messages[k].subject, messages[k].detail)
        named.update(p.named)
        districts.update(p.districts)
    top_district = [d for d, _n in districts.most_common(1)]
    g.places = top_district + [name for name, _n in named.most_common(2)]
    return g


def rank(messages: Sequence[Message], groups: Sequence[Sequence[int]], reference: dt.datetime | None = None,
         f: Features | None = None, min_size: int = 1, describe_top: int | None = None) -> list[Group]:
    """Groups with their heat, hottest first (ties: more messages, then the later last message)."""
    if not messages:
        return []
    if reference is None:
        reference = max(m.at for m in messages)
    f = f or features(messages)
    out = [heat(messages, g, reference) for g in groups if len(g) >= min_size]
    out.sort(key=lambda g: (-g.heat, -len(g.members), -(g.last.timestamp() if g.last else 0)))
    for g in out[:describe_top]:  # representative and places: for the groups that will be shown
        describe(messages, f.x, g)
    return out


def baseline_groups(messages: Sequence[Message], f: Features | None = None,
                    threshold: float = THRESHOLD) -> list[list[int]]:
    """The baseline measured beside ours: the same TF-IDF cosine graph, plain connected components, no place
    constraint and no splitting of loose components."""
    n = len(messages)
    i, j, _s = similar_pairs((f or features(messages)).x, threshold)
    graph = sp.coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n))
    count, labels = connected_components(graph, directed=False)
    out: list[list[int]] = [[] for _ in range(count)]
    for k, label in enumerate(labels):
        out[int(label)].append(k)
    return out
