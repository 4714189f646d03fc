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
MIN_SHINGLES = 4  # descriptions shorter than this say too little to compare ("路灯坏了")


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
    `places` (one per text, "" when unknown) keeps texts at two known, different places apart."""
    where = [bare_text(place) for place in places] if places is not None else [""] * len(texts)
    from datasketch import MinHash, MinHashLSH  # imported here: numpy and scipy load only when the centre asks

    sets = [shingles(text) for text in texts]
    usable = [i for i, s in enumerate(sets) if len(s) >= MIN_SHINGLES]
    if len(usable) < 2:
        return []
    hashes = MinHash.bulk([[s.encode() for s in sorted(sets[i])] for i in usable], num_perm=NUM_PERM, seed=SEED)
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    for i, minhash in zip(usable, hashes, strict=True):
        lsh.insert(i, minhash)
    parent = {i: i for i in usable}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    edges: dict[int, list[float]] = {}
    for i, minhash in zip(usable, hashes, strict=True):
        for j in lsh.query(minhash):
            if j <= i or (where[i] and where[j] and where[i] != where[j]):
                continue
            similarity = jaccard(sets[i], sets[j])  # LSH proposes; the exact sets decide
            if similarity < threshold:
                continue
            a, b = root(i), root(j)
            parent[max(a, b)] = min(a, b)
            edges.setdefault(i, []).append(similarity)
    groups: dict[int, list[int]] = {}
    for i in usable:
        groups.setdefault(root(i), []).append(i)
    clusters = []
    for members in groups.values():
        if len(members) < 2:
            continue
        similarities = [s for i in members for s in edges.get(i, [])]
        clusters.append(TextCluster(tuple(sorted(members)), min(similarities), max(similarities)))
    return sorted(clusters, key=lambda c: (-len(c.members), c.members))
