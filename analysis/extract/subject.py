"""What a figure counts: its subject (a few words before or after it) and whether it is cumulative."""

from __future__ import annotations

import re

from analysis.extract.mention import Mention

_CLAUSE_DELIMS = "，,；;。！？!?：:\n\u3000"
_FOLLOW = re.compile(f"[^{_CLAUSE_DELIMS}、]*")  # the words after a number, up to the clause's end
_LAST_DELIM = re.compile(r"(?s).*[，,；;。！？!?：:\n\u3000]")  # greedy: ends after the last one
# words (or patterns) opening a clause that say nothing of what is counted; each starts with one character
_FILLER_WORDS = (r"截[至止]到?(?:目前|当前|现在)?", "目前", "累计", "共计", "总计", "共", "全省", "全市", "全区", "已经",
                 "已", "其中", "同比", "先后", "还")
_SUBJECT_FILLERS = re.compile("^(?:" + "|".join(_FILLER_WORDS) + ")+")
_FILLER_FIRST = "".join(word[0] for word in _FILLER_WORDS)  # a phrase opening otherwise has none
_SUBJECT_TRAILERS = ("达到", "达", "为", "是", "有", "共", "超过", "超", "约", "近", "逾", "不到", "不足", "突破", "到", "至", "了")
_TRAILER_LAST = "".join(trailer[-1] for trailer in _SUBJECT_TRAILERS)  # a phrase ending otherwise has none


class Subjects:
    """The subject and the cumulative flag of a figure (a mixin of the extractor's scan): reads ``norm`` and ``text``."""

    norm: str
    text: str

    def _fill_context(self, mention: Mention, q_start: int) -> None:
        norm = self.norm
        lower = q_start - 60 if q_start > 60 else 0
        last = _LAST_DELIM.match(norm, lower, q_start)
        clause_start = last.end() if last else lower
        before = self.text[clause_start:q_start]
        mention.cumulative = "累计" in norm[clause_start:q_start]
        # what is counted: the clause before the number, or the noun after its classifier
        subject = _clean_subject(before[before.rfind("、") + 1:])
        if len(subject) <= 3:
            end = mention.end
            follow_end = _FOLLOW.match(norm, end, end + 12).end()
            subject = (subject + self.text[end:follow_end]).strip()
        if len(subject) <= 1:
            subject = _clean_subject(before)
        mention.subject = subject[-24:]


def _clean_subject(phrase: str) -> str:
    phrase = phrase.strip(" 、“”（）()")
    if phrase[:1] in _FILLER_FIRST:  # phrase[:1] is "" for an empty phrase: the match then finds nothing
        filler = _SUBJECT_FILLERS.match(phrase)
        if filler:
            phrase = phrase[filler.end():]
    while phrase[-1:] in _TRAILER_LAST and phrase.endswith(_SUBJECT_TRAILERS):  # verbs that lead into the number: 达到, 超过
        for trailer in _SUBJECT_TRAILERS:
            if phrase.endswith(trailer):
                phrase = phrase[: -len(trailer)]
                break
    return phrase
