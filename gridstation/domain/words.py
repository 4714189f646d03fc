"""Words of a complaint, as the similar-case engine compares them (issue 17): "电梯停运" and "电梯又不动了" share words.

A synonym group joins words for one thing or one state (电瓶车 = 电动车; 停运 = 坏了 = 不动 → 故障), never a whole
phrase of thing and state together ("电梯坏了"): the thing and the state are compared as two words, so a text that
names them apart ("电梯又不动了") still matches.

Chinese has no spaces, so a text is segmented with jieba (its general dictionary, plus this field's terms such as
飞线充电, 僵尸车, 群租, 楼道堆物 that it would otherwise split), and every word of a synonym group becomes the group's
first word (电瓶车, 电驴 → 电动车; 坏了, 不动, 停运 → 故障). Function words (的, 了, 又, 请) and the parts of an
address (3号楼, 1201室), which the engine compares on their own, are left out. The terms and the synonym groups are
plain text files in `resources/similarity/` that an administrator may edit; `WordList.fingerprint` changes with
them, and the station then indexes its cases again.

jieba takes most of a second to load its dictionary, so a `Segmenter` loads it on first use, which the desk does
off the GUI thread.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# Words that carry no meaning of their own in a complaint (kept short: a two-character word such as 噪声 must count).
_STOP_WORD_LINES = (
    "的 了 又 在 是 我 我们 你 你们 他 他们 她 它 有 和 与 及 也 都 就 还 很 太 请 希望 要求 反映 麻烦 一下",
    "一直 经常 总是 现在 已经 今天 昨天 前天 最近 这个 那个 这些 那些 这里 那里 这边 那边 有人 什么 怎么",
    "为什么 能否 能不能 可以 可不可以 帮忙 帮助 解决 处理 问题 情况 事情 一个 一些 没有 不 没 被 把 给 让",
    "对 到 从 向 吧 吗 呢 啊 呀 哦 嘛 啦 着 过 里 上 下 中 后 前 时 时候 每天 天天 好几 几 次 多 个 说 讲",
    "看 人 家 住户 居民 业主 该 其 并 而 但 但是 因为 所以 如果 影响 严重 已 再 仍 仍然 还是 依然 一样 大家",
    "本人 自己 目前 非常 特别 比较 之前 以前 不了 起来 出来 下来 一点 有点 那么 这么 怎么办 好像",
    "那棵 这棵 棵 那辆 这辆 辆 那家 这家 那位 这位 那边儿 整天 老是",
)
STOP_WORDS = frozenset(word for line in _STOP_WORD_LINES for word in line.split())
# An address part: 3号楼, 2单元, 1201室, 5栋, 12号 — compared by the engine's address match, not as words.
_ADDRESS_PART = re.compile(
    r"^(?:[0-9０-９]+|[0-9０-９a-z一二三四五六七八九十百零]*(?:号楼|号|栋|幢|单元|室|层|楼|弄|号院|户))$"
)
_WORD_CHARACTER = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True, slots=True)
class WordList:
    """The editable lists: the field's terms, and synonym groups (first word of each group is its canonical one)."""

    terms: tuple[str, ...] = ()
    synonym_groups: tuple[tuple[str, ...], ...] = ()
    # A field term compared as the words it is made of (楼道堆物 = 楼道 堆物): kept whole by the segmenter, so it is
    # not split wrongly, yet it matches a text that names the corridor and the clutter apart.
    expansions: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, hash=False)
    canonical: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def parse(cls, terms_text: str, synonyms_text: str) -> WordList:
        """One term per line; one synonym group per line, words separated by spaces, "/" or "、"; a line
        "词 = 词 词" says what a term is made of; `#` comments."""
        terms = tuple(word for line in _lines(terms_text) for word in line.split())
        groups: list[tuple[str, ...]] = []
        expansions: dict[str, tuple[str, ...]] = {}
        for line in _lines(synonyms_text):
            if "=" in line:
                whole, parts = line.split("=", 1)
                expansions[whole.strip()] = tuple(_split_words(parts))
                continue
            group = tuple(_split_words(line))
            if len(group) > 1:
                groups.append(group)
        canonical = {word: group[0] for group in groups for word in group}
        return cls(terms, tuple(groups), expansions, canonical)

    @property
    def dictionary_words(self) -> list[str]:
        """Every word the segmenter must know whole."""
        return [*self.terms, *(word for group in self.synonym_groups for word in group), *self.expansions]

    @property
    def fingerprint(self) -> str:
        """Changes whenever a term or a synonym changes: an index built with other lists must be built again."""
        made_of = "\n".join(f"{whole}={' '.join(parts)}" for whole, parts in sorted(self.expansions.items()))
        text = "\n".join(self.terms) + "\n--\n" + "\n".join(" ".join(group) for group in self.synonym_groups)
        text += "\n--\n" + made_of
        return hashlib.sha256(f"{SEGMENTER_VERSION}\n{text}".encode()).hexdigest()[:16]


# Bump when the segmenting itself changes (stop words, rules): the stations' indexes are then built again.
SEGMENTER_VERSION = 1


def _split_words(text: str) -> list[str]:
    return [word for word in re.split(r"[\s/、,，]+", text) if word]


def _lines(text: str) -> Iterable[str]:
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            yield line


class Segmenter:
    """Turns a text into the words the engine compares (`words`). Thread-safe; loads jieba on first use."""

    def __init__(self, word_list: WordList, after_load: Callable[[], None] = lambda: None) -> None:
        self.word_list = word_list
        self._after_load = after_load
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def _jieba(self) -> Any:
        with self._lock:
            if self._tokenizer is None:
                import jieba  # type: ignore[import-untyped]  # ~0.8 s to load: only when the first text is segmented

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                for word in self.word_list.dictionary_words:
                    if len(word) > 1:
                        tokenizer.add_word(word, freq=100_000)
                tokenizer.initialize()
                self._tokenizer = tokenizer
                self._after_load()
            return self._tokenizer

    @property
    def is_loaded(self) -> bool:
        return self._tokenizer is not None

    def load(self) -> None:
        """Load the dictionary now (the desk does this in the background after start)."""
        self._jieba()

    def words(self, text: str) -> list[str]:
        """The text's words in order, canonical, without function words or address parts. Each word is the longest
        the dictionary knows (飞线充电 stays one word, not 飞线 + 充电), so that two texts about the same thing share
        their words whichever way they were put; the synonym groups join the different ways."""
        tokenizer = self._jieba()
        canonical, expansions = self.word_list.canonical, self.word_list.expansions
        found: list[str] = []
        for raw in tokenizer.cut(text.lower(), HMM=True):
            word = raw.strip()
            if not word or not _WORD_CHARACTER.search(word) or word in STOP_WORDS or _ADDRESS_PART.match(word):
                continue
            for part in expansions.get(word, (word,)):
                meant: str = canonical.get(part) or part
                if meant not in STOP_WORDS:
                    found.append(meant)
        return found

    def index_text(self, text: str) -> str:
        """The words as the index stores them: space-separated, each once."""
        return " ".join(dict.fromkeys(self.words(text)))


def distinct(words: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(words))
