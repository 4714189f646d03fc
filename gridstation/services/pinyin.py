"""Pinyin keys so clerks can find 噪声扰民 by typing "zs" or "zaosheng"."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4096)
def pinyin_keys(text: str) -> tuple[str, str]:
    """(initials, full pinyin) in lower case; characters with no pinyin are kept as they are."""
    from pypinyin import Style, lazy_pinyin  # imported lazily: its dictionaries take a while to load

    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")).lower()
    full = "".join(lazy_pinyin(text, errors="default")).lower()
    return initials, full
