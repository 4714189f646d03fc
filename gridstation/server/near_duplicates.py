"""Near-duplicate descriptions (issue 17): the same problem told at several stations — a loose manhole cover on the
road between two neighbourhoods, a tree shading three compounds — found by MinHash LSH (datasketch).

A description's shingles are its character 2-grams and 3-grams once spaces and punctuation are removed (Chinese has
no spaces between words, so characters are the unit). MinHash LSH proposes pairs whose shingle sets likely overlap
by `THRESHOLD` (Jaccard) or more; each proposed pair is checked on the exact sets, and pairs that pass are joined
into clusters (a cluster is connected by such pairs, not necessarily similar all round). Two cases whose places are
both known and differ (another compound or building) are not one problem even when told alike — "楼道堆物，存在消防
隐患" at two buildings is a class of problem, which the rising hotspots count — so such a pair is never joined.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

THRESHOLD = 0.5
NUM_PERM = 128
SEED = 17  # fixed: the same cases give the same clusters on every run
MIN_CHARACTERS = 6  # shorter descriptions say too little to tell one problem from another ("路灯坏了")


def bare_text(text: str) -> str:
    """The description without spaces, punctuation and symbols, in one case: “楼道堆物！” and “楼道 堆物” read alike."""
    return "".join(ch for ch in text.casefold() if unicodedata.category(ch)[0] not in "PZSC")


def shingles(text: str) -> frozenset[str]:
    """Character 2-grams and 3-grams of the bare text."""
    bare = bare_text(text)
    return frozenset(bare[i : i + n] for n in (2, 3) for i in range(len(bare) - n + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


@dataclass(frozen=True, slots=True)
class TextCluster:
    """Indexes into the texts given, in order, and the lowest and highest similarity of the pairs that joined them."""

    members: tuple[int, ...]
    lowest: float
    highest: float


def cluster_texts(
    texts: Sequence[str], places: Sequence[str] | None = None, threshold: float = THRESHOLD
) -> list[TextCluster]:
    """Clusters of two or more texts whose shingles overlap by `threshold` or more (Jaccard), largest first.
    `places` (one per text, "" when unknown) keeps texts at two known, different places apart.

    Texts with the same shingles (a hotline's stock phrases) are hashed and looked up once, as one group."""
    from datasketch import MinHash, MinHashLSH  # imported here: numpy and scipy load only when the centre asks

    where = [bare_text(place) for place in places] if places is not None else [""] * len(texts)
    groups: dict[frozenset[str], list[int]] = {}
    for i, text in enumerate(texts):
        if len(bare_text(text)) >= MIN_CHARACTERS:
            groups.setdefault(shingles(text), []).append(i)
    keys = list(groups)
    if sum(len(members) for members in groups.values()) < 2:
        return []
    links = _Links(where)
    for members in groups.values():
        links.join(members, [], 1.0)
    hashes = MinHash.bulk([[s.encode() for s in sorted(key)] for key in keys], num_perm=NUM_PERM, seed=SEED)
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    for k, minhash in enumerate(hashes):
        lsh.insert(k, minhash)
    for k, minhash in enumerate(hashes):
        for other in lsh.query(minhash):
            if other <= k:
                continue
            similarity = jaccard(keys[k], keys[other])  # LSH proposes; the exact sets decide
            if similarity >= threshold:
                links.join(groups[keys[k]], groups[keys[other]], similarity)
    return links.clusters()


class _Links:
    """Union-find over the texts, joining only texts whose places allow it, with the similarity of each join."""

    def __init__(self, where: list[str]) -> None:
        self.where = where
        self.parent: dict[int, int] = {}
        self.similarities: dict[int, list[float]] = {}

    def root(self, i: int) -> int:
        self.parent.setdefault(i, i)
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, first: list[int], second: list[int], similarity: float) -> None:
        """Join the texts of `first` with those of `second` (every pair alike): a text without a place joins all
        of them, texts with one place join each other."""
        members = first + second
        unplaced = [i for i in members if not self.where[i]]
        by_place: dict[str, list[int]] = {}
        for i in members:
            if self.where[i]:
                by_place.setdefault(self.where[i], []).append(i)
        chains = [unplaced + [i for chain in by_place.values() for i in chain]] if unplaced else list(by_place.values())
        both = set(second)
        for chain in chains:
            if len(chain) < 2 or (second and not (both & set(chain) and set(chain) - both)):
                continue  # one text alone, or texts of one group only (joined as identical already)
            head = self.root(chain[0])
            for i in chain[1:]:
                other = self.root(i)
                if other != head:
                    self.parent[max(head, other)] = min(head, other)
                    head = min(head, other)
            for i in chain:
                self.similarities.setdefault(i, []).append(similarity)

    def clusters(self) -> list[TextCluster]:
        grouped: dict[int, list[int]] = {}
        for i in list(self.parent):
            grouped.setdefault(self.root(i), []).append(i)
        found = []
        for members in grouped.values():
            if len(members) < 2:
                continue
            similarities = [s for i in members for s in self.similarities.get(i, [])]
            found.append(TextCluster(tuple(sorted(members)), min(similarities), max(similarities)))
        return sorted(found, key=lambda c: (-len(c.members), c.members))
