"""What a figure counts (its subject) and what kind of figure it is (its measure).

The subject is the clause before the number, or the noun after its unit when the clause says little
(成立9个调研指导组 -> 成立调研指导组). It is cut at word boundaries the vocabulary knows, without the
words that open a clause (累计, 这一举措将), the actor (省民政厅), the place (江西省) or the verb leading into
the number (达到, 提高到), with its brackets and quotes balanced. The measure says whether the figure is a
level, a cumulative count (累计), an increase or a decrease (增长8.3%, 下降3.1%: the value stays as written),
a target (目标, 计划, 力争) or a rate (完成率, 占比). The words are data: ``lexicon/subject_words.tsv``.

>>> clean_subject("省民政厅开展"), balance("党员干部认领群众“微心愿"), balance("区）县处级以上")
('开展', '党员干部认领群众微心愿', '区县处级以上')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from analysis.extract.lexicon import read_table
from analysis.extract.mention import Mention
from analysis.extract.provinces import gazetteer, name_pattern

LEVEL, CUMULATIVE, INCREASE, DECREASE, TARGET, RATE = "level", "cumulative", "increase", "decrease", "target", "rate"
MEASURES = (LEVEL, CUMULATIVE, INCREASE, DECREASE, TARGET, RATE)
_SUBJECT_MAX = 24
_FOLLOW_MAX = 14  # the words after a number name what it counts only this far
_CLAUSE_DELIMS = "，,；;。！？!?：:\n\u3000"
_FOLLOW = re.compile(f"[^{_CLAUSE_DELIMS}、]*")  # the words after a number, up to the clause's end
_LAST_DELIM = re.compile(r"(?s).*[，,；;。！？!?：:\n\u3000]")  # greedy: ends after the last one
_PAIRS = {"”": "“", "’": "‘", "）": "（", ")": "(", "》": "《", "」": "「", "』": "『", "】": "【", "]": "["}
_OPENERS = frozenset(_PAIRS.values())
_STRIP = " \t、，,“”‘’"
_NEXT_LEVEL = frozenset("到至为")
_AFTER_QUALIFIERS = ("以上", "以下", "左右", "以内", "上下", "之多", "多", "余")
_LISTED_MAX = 8  # 80个县（区）、: what may stand between two figures of one list
_LIST_JOINERS = frozenset("、和及与")  # what ends the words between two figures of one list (9.2%和11.4%)
_TARGET_LIST = re.compile(r"(?:目标|预期目标|任务)(?:是|为)?[：:]")  # a sentence listing targets
_TARGETS_REACH = 200  # how far back a sentence's 目标是： is looked for
_DIGIT = re.compile(r"\d")
_SENTENCE_STOPS = "。！？!?\n"
_VERB_MAX = 4  # a short cleaned clause before the number is its verb (成立, 开展, 惠及)
_BASELINE_REACH = 24  # 29291亿元，按可比价格计算，比上年增长8.6%: how far back the changed figure may end


@dataclass(frozen=True)
class _Words:
    fillers: re.Pattern  # fillers, repeated, at a subject's start
    actor: re.Pattern  # an actor at its start
    actor_chars: re.Pattern  # a character every actor holds (厅, 局): without one there is none
    trailers: tuple[str, ...]  # cut, repeatedly, from a subject's end
    trailer_last: frozenset[str]  # the characters a trailer can end with
    boundary: re.Pattern  # where the words after a number stop
    object_verbs: tuple[str, ...]
    target: re.Pattern
    rate: re.Pattern
    increase: tuple[str, ...]
    decrease: tuple[str, ...]
    changes: tuple[str, ...]  # increase and decrease
    cumulative: tuple[str, ...]
    baseline: re.Pattern  # what a change is measured against (比上年, 同比), as a whole subject


@lru_cache(maxsize=1)
def _words() -> _Words:
    by_role: dict[str, list[str]] = {}
    for row in read_table("subject_words"):
        by_role.setdefault(row["role"], []).append(row["word"])

    def alt(*roles: str) -> str:
        return "|".join(word for role in roles for word in by_role.get(role, ()))

    trailers = tuple(sorted(by_role.get("trailer", ()), key=len, reverse=True))
    return _Words(
        fillers=re.compile(f"(?:{alt('filler')})+"),
        actor=re.compile(f"(?:{alt('actor')})(?:{alt('filler')})*"),
        actor_chars=re.compile("[厅局委办部署府联]"),
        trailers=trailers,
        trailer_last=frozenset(word[-1] for word in trailers),
        boundary=re.compile(alt("boundary")),
        object_verbs=tuple(by_role.get("object_verb", ())),
        target=re.compile(alt("target")),
        rate=re.compile(alt("rate")),
        increase=tuple(by_role.get("increase", ())),
        decrease=tuple(by_role.get("decrease", ())),
        changes=tuple(by_role.get("increase", ()) + by_role.get("decrease", ())),
        cumulative=tuple(by_role.get("cumulative", ())),
        baseline=re.compile(f"(?:{alt('baseline')})"),
    )


@lru_cache(maxsize=1)
def _place_first() -> frozenset[str]:
    """The first characters of the province names (a gate before the gazetteer's pattern)."""
    return frozenset(name[0] for p in gazetteer() for name in (p.short, p.full))


_FOOTNOTE = re.compile(r"[\[［]\d{1,2}[\]］]")  # 地区生产总值[1]: a bulletin's note marker, no part of what is counted
_BRACKETS = re.compile(r"[“”‘’（）()《》「」『』【】\[\]\"]")


def balance(text: str) -> str:
    """``text`` without the brackets and quotes that open or close no pair inside it."""
    if _BRACKETS.search(text) is None:
        return text
    keep = [True] * len(text)
    stack: list[tuple[str, int]] = []
    quote = -1  # an open straight quote
    for i, ch in enumerate(text):
        if ch in _OPENERS:
            stack.append((ch, i))
        elif ch in _PAIRS:
            if stack and stack[-1][0] == _PAIRS[ch]:
                stack.pop()
            else:
                keep[i] = False
        elif ch == '"':
            quote = -1 if quote >= 0 else i
    for _, i in stack:
        keep[i] = False
    if quote >= 0:
        keep[quote] = False
    return "".join(ch for ch, k in zip(text, keep) if k)


def top_level_item(phrase: str) -> str:
    """The last item of an enumeration (A、B、C), its 、 read only outside brackets (县（市、区）stays whole)."""
    depth, cut = 0, -1
    for i, ch in enumerate(phrase):
        if ch in _OPENERS:
            depth += 1
        elif ch in _PAIRS and depth:
            depth -= 1
        elif ch == "、" and depth == 0:
            cut = i
    return phrase[cut + 1:]


def clean_subject(phrase: str) -> str:
    """A phrase with its opening fillers, actor and place and its trailing verbs cut (see the module docstring)."""
    words = _words()
    phrase = phrase.strip(_STRIP)
    found = words.fillers.match(phrase)
    if found:
        phrase = phrase[found.end():]
    cut = False
    if words.actor_chars.search(phrase, 0, 24):
        found = words.actor.match(phrase)
        if found and len(phrase) - found.end() >= 2:
            phrase, cut = phrase[found.end():], True
    if phrase[:1] in _place_first():
        place = name_pattern().match(phrase)
        if place and len(phrase) - place.end() >= 2:
            phrase, cut = phrase[place.end():].lstrip("省市"), True
    if cut:  # 江西省人社厅联合将…, 福建共完成…: what opens the rest
        found = words.fillers.match(phrase)
        if found:
            phrase = phrase[found.end():]
    while phrase[-1:] in words.trailer_last and len(phrase) > 2 and phrase.endswith(words.trailers):
        for trailer in words.trailers:
            if phrase.endswith(trailer):
                phrase = phrase[:-len(trailer)]
                break
    return phrase.strip(_STRIP)


def measure_of(before: str, after: str, unit_kind: str, cumulative: bool, header: str = "") -> str:
    """What kind of figure it is, from the clause's words before the number and the first words after.

    ``header``: a table cell's column header and row label, which say it for the cell (年度目标, 完成率,
    比上年增长).
    """
    words = _words()
    said = header or before
    if unit_kind == "percent" and words.rate.search(said):
        return RATE
    if words.target.search(said):
        return TARGET
    if header:
        if any(word in header for word in words.decrease):
            return DECREASE
        if any(word in header for word in words.increase) or "增速" in header or "增幅" in header:
            return INCREASE
    elif after[:1] not in _NEXT_LEVEL:  # 提高到63.2%: the new level, not the change
        verb = _verb_end(before)
        if verb.endswith(words.decrease):
            return DECREASE
        if verb.endswith(words.increase):
            return INCREASE
    if cumulative or any(word in said for word in words.cumulative):
        return CUMULATIVE
    return LEVEL


class Subjects:
    """The subject, measure and cumulative flag of a figure (a mixin of the extractor's scan).

    Reads ``norm`` and ``text``; remembers where the previous figure ended and the verb its subject
    started from: a subject never reaches back across a figure, and a figure listed right after
    another shares its verb (接待参访52万余批次、1310万余人次; 惠及80个县（区）、337万人).
    """

    norm: str
    text: str
    _previous: tuple[int, str, str, str]

    def _fill_context(self, mention: Mention, q_start: int) -> None:
        norm = self.norm
        lower = q_start - 60 if q_start > 60 else 0
        last = _LAST_DELIM.match(norm, lower, q_start)
        clause_start = last.end() if last else lower
        cumulative = mention.cumulative = "累计" in norm[clause_start:q_start]
        follow_end = _FOLLOW.match(norm, mention.end, mention.end + _FOLLOW_MAX + 1).end()
        after = self.text[mention.end:follow_end]
        before = self.text[clause_start:q_start]
        mention.measure = measure_of(before, after, mention.unit_kind, cumulative)
        if mention.measure != TARGET and norm.find("标", q_start - _TARGETS_REACH if q_start > _TARGETS_REACH else 0,
                                                   q_start) >= 0:
            # 主要预期目标是：地区生产总值增长6%左右；城镇新增就业60万人以上: a list of targets
            start = _sentence_start(norm, q_start)
            if _TARGET_LIST.search(norm, start, q_start) and "的" not in before[-1:]:
                mention.measure = TARGET
        previous_end, previous_verb, previous_subject, previous_measure = self._previous
        if clause_start <= previous_end <= q_start:  # a figure earlier in the clause: its words are its own
            between = norm[previous_end:q_start]
            if len(between) <= _LISTED_MAX and previous_verb and between.rstrip()[-1:] in _LIST_JOINERS:
                before = previous_verb  # an item of a list of figures (A、B; A和B), of the same kind
                mention.measure = previous_measure
            else:
                before = self.text[previous_end:q_start]
        verb = clean_subject(before)
        subject = _subject(verb, before, after, mention.unit_kind)
        words = _words()
        if (len(subject) <= 4 and previous_subject and 0 <= q_start - previous_end <= _LISTED_MAX
                and subject.endswith(words.changes) and norm.find("。", previous_end, q_start) < 0):
            # 地区生产总值4.86万亿元，增长11.7%: the same thing's change; 由27.31%下降为17.74%: its new level
            if not previous_subject.endswith(subject) and mention.measure in (INCREASE, DECREASE):
                previous_subject += subject
            subject = _cut(previous_subject)
        elif (previous_subject and words.baseline.fullmatch(subject) and 0 <= q_start - previous_end <= _BASELINE_REACH
              and norm.find("。", previous_end, q_start) < 0):
            subject = _cut(previous_subject + _change_word(before))  # 29291亿元，比上年增长8.6%: that figure's change
        mention.subject = subject
        self._previous = (mention.end, verb, subject, mention.measure)


def _verb_end(before: str) -> str:
    """The words before a number as they end in a verb: 增长了 and 增长幅度 end in 增长."""
    return before.removesuffix("幅度").removesuffix("了")


def _change_word(before: str) -> str:
    """The change verb ``before`` ends with (比上年末提高 -> 提高), or none."""
    verb = _verb_end(before)
    return next((word for word in _words().changes if verb.endswith(word)), "")


def _sentence_start(norm: str, pos: int) -> int:
    """Where the sentence holding ``pos`` starts, looking back at most _TARGETS_REACH characters."""
    lower = pos - _TARGETS_REACH if pos > _TARGETS_REACH else 0
    last = max(norm.rfind(stop, lower, pos) for stop in _SENTENCE_STOPS)
    return last + 1 if last >= 0 else lower


def _subject(verb: str, before: str, after: str, unit_kind: str) -> str:
    """The subject from the cleaned words before the number (``verb``) and the words after it."""
    words = _words()
    noun = after
    if noun.startswith(_AFTER_QUALIFIERS):
        noun = noun[2:] if noun[:2] in _AFTER_QUALIFIERS else noun[1:]
    cut = words.boundary.search(noun)
    noun = (noun[:cut.start()] if cut else noun).strip(_STRIP).removeprefix("的")
    if 2 <= len(noun) <= _FOLLOW_MAX and not _DIGIT.search(noun):
        # 9个调研指导组, 3万户困难老年人家庭适老化改造: the noun after the unit names what is counted
        subject = verb + noun if len(verb) <= _VERB_MAX else noun
    else:
        subject = verb
    if len(subject) <= 1:
        subject = clean_subject(before)
    if unit_kind == "people" and subject.endswith(words.object_verbs):
        subject += "人数"  # 惠及527万人: the number of people reached
    return _cut(balance(_FOOTNOTE.sub("", subject)))


def _cut(subject: str) -> str:
    """The subject's last words, at most _SUBJECT_MAX characters, cut at an enumeration's comma if one allows."""
    if len(subject) <= _SUBJECT_MAX:
        return subject
    item = top_level_item(subject)
    if 2 <= len(item) <= _SUBJECT_MAX:
        return item
    return balance(subject[-_SUBJECT_MAX:].lstrip(_STRIP))
