"""Write benchmarks/data/similar_eval.json, the labelled evaluation set of the similar-case search (issue 17).

    .venv/bin/python benchmarks/data/make_similar_eval.py           # write the JSON, check it, print the counts
    .venv/bin/python benchmarks/data/make_similar_eval.py --check   # only check the JSON that is there

Every description and complaint is written by hand in similar_eval_cases_*.py (literal strings, one per record);
this script only numbers them, adds the labels that follow from them (kind, open_duplicate) and checks the result.
Nothing is produced by substituting words into templates. The ids are shuffled with a fixed seed, so neither the
order of the ids nor their numbers give away which earlier case a query repeats.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import similar_eval_cases_1
import similar_eval_cases_2
import similar_eval_cases_3
from similar_eval_book import PROBLEMS, Book

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUTPUT = HERE / "similar_eval.json"
CATEGORIES = ROOT / "resources" / "seed" / "categories.csv"
DEMO_TEMPLATES = ROOT / "resources" / "seed" / "demo" / "templates.toml"
SEED = 17

# The groups of words the paraphrases rely on: the same thing said differently by the clerk and by the resident.
# Each word appears in the set at least once (checked), so an engine's synonym list can be compared with them.
SYNONYMS_USED = [
    ["电梯停运", "电梯又坏了", "电梯又不动了", "电梯又停了", "电梯停用", "电梯又不能用"],
    ["电瓶车", "电动车", "电驴", "电动自行车"],
    ["煤气罐", "液化气罐", "液化气钢瓶", "煤气瓶"],
    ["窨井盖", "井盖", "下水道盖子"],
    ["飞线充电", "拉电线", "吊电线", "拉线", "插线板", "吊插座", "甩线", "扔电线"],
    ["天花板渗水", "顶上滴水", "顶上渗水", "吊顶滴水", "天花板又在滴水", "顶上又湿了"],
    ["遮挡采光", "挡光", "晒不到太阳", "把光全挡了", "屋里暗", "白天要开灯", "黑乎乎"],
    ["楼道", "楼梯", "走廊", "走道", "过道", "楼梯间", "消防楼梯"],
    ["堆放", "堆着", "堆满", "摆着", "放着"],
    ["搭建", "搭棚子", "搭的", "盖玻璃房", "围起来", "圈进来"],
    ["群租", "隔成小间", "住了一大帮人", "住满了人"],
    ["僵尸车", "停了三年没动", "停了大半年没动", "破桑塔纳", "烂自行车", "破自行车"],
    ["共享单车", "小黄车", "小蓝车", "单车"],
    ["路灯不亮", "路灯坏了", "灯还是不亮", "黑灯瞎火", "黑漆漆"],
    ["鸣笛", "按喇叭", "喇叭"],
    ["广场舞", "跳舞"],
    ["遛狗不牵绳", "不拴绳", "不牵绳"],
    ["消防通道", "消防车道"],
    ["没人收", "没人来收", "没人来拉", "没清运"],
    ["污水", "脏水", "黑水"],
    ["下水道堵塞", "地漏就冒水", "返黑水", "往外冒脏水"],
    ["高空抛物", "往下扔", "往下丢"],
    ["水压低", "水上不来", "出水细", "水流小"],
    ["困人", "把人关在里面"],
    ["液化气", "煤气"],
    ["物业费", "收费"],
]


def build_book() -> Book:
    book = Book()
    for part in (similar_eval_cases_1, similar_eval_cases_2, similar_eval_cases_3):
        part.add(book)
    return book


def build_dataset(book: Book) -> dict[str, Any]:
    earlier = list(book.earlier)
    queries = list(book.queries)
    shuffle = random.Random(SEED)
    shuffle.shuffle(earlier)
    shuffle.shuffle(queries)
    ids = {case.key: f"E{number:03d}" for number, case in enumerate(earlier, 1)}
    earlier_rows = [
        {
            "id": ids[case.key],
            "category": case.category,
            "problem": case.problem,
            "compound": case.compound,
            "building": case.building,
            "door": case.door,
            "phone": case.phone,
            "description": case.description,
            "status": case.status,
            "closed_days_ago": case.closed_days_ago,
            "result": case.result,
        }
        for case in earlier
    ]
    query_rows = []
    for number, query in enumerate(queries, 1):
        truth = book.case(query.truth) if query.truth else None
        query_rows.append(
            {
                "id": f"Q{number:03d}",
                "category": query.category,
                "problem": query.problem,
                "compound": query.compound,
                "building": query.building,
                "door": query.door,
                "phone": query.phone,
                "text": query.text,
                "truth": ids[query.truth] if query.truth else None,
                "kind": "paraphrase" if truth else "new",
                "distractors": [ids[key] for key in query.lookalikes],
                "open_duplicate": truth is not None and truth.status == "open",
                "note": query.note,
            }
        )
    data: dict[str, Any] = {
        "README": "benchmarks/data/README_similar_eval.md: how the set was made, its counts and labelling rules.",
        "version": 1,
        "counts": {},
        "problems": PROBLEMS,
        "synonyms_used": SYNONYMS_USED,
        "earlier": earlier_rows,
        "queries": query_rows,
        "duplicate_labels": {row["id"]: row["open_duplicate"] for row in query_rows},
    }
    data["counts"] = count(data)
    return data


def count(data: dict[str, Any]) -> dict[str, int]:
    earlier = data["earlier"]
    queries = data["queries"]
    by_id = {row["id"]: row for row in earlier}
    repeats = [row for row in queries if row["truth"]]
    return {
        "earlier": len(earlier),
        "earlier_open": sum(row["status"] == "open" for row in earlier),
        "earlier_closed": sum(row["status"] == "closed" for row in earlier),
        "queries": len(queries),
        "queries_with_truth": len(repeats),
        "queries_new": len(queries) - len(repeats),
        "truth_closed": sum(by_id[row["truth"]]["status"] == "closed" for row in repeats),
        "truth_open": sum(by_id[row["truth"]]["status"] == "open" for row in repeats),
        "truth_with_distractors": sum(bool(row["distractors"]) for row in repeats),
        "new_at_an_address_with_cases": sum(
            not row["truth"]
            and any(e["compound"] == row["compound"] and e["building"] == row["building"] for e in earlier)
            for row in queries
        ),
        "compounds": len({row["compound"] for row in earlier} | {row["compound"] for row in queries}),
        "addresses": len({(row["compound"], row["building"]) for row in earlier}),
        "problem_types": len({row["problem"] for row in earlier} | {row["problem"] for row in queries}),
        "categories": len({row["category"] for row in earlier} | {row["category"] for row in queries}),
    }


def leaf_categories() -> set[str]:
    with CATEGORIES.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    parents = {row["parent_code"] for row in rows}
    return {row["code"] for row in rows if row["code"] not in parents}


def demo_texts() -> list[str]:
    """The demo generator's complaint and result sentences, placeholders removed: the set must not reuse them."""
    templates = tomllib.loads(DEMO_TEMPLATES.read_text(encoding="utf-8"))["template"]
    texts = []
    for template in templates:
        for key in ("text", "disposal", "plan", "answer"):
            if key in template:
                texts.append(template[key].replace("{p}", "").replace("{c}", "").replace("{b}", ""))
    return texts


def longest_common_run(a: str, b: str) -> int:
    best = 0
    previous = [0] * (len(b) + 1)
    for char in a:
        current = [0] * (len(b) + 1)
        for j, other in enumerate(b, 1):
            if char == other:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def check(data: dict[str, Any]) -> list[str]:
    """Every rule of the README that can be checked; returns the problems found."""
    problems: list[str] = []
    earlier = data["earlier"]
    queries = data["queries"]
    leaves = leaf_categories()
    by_id = {row["id"]: row for row in earlier}
    if len(by_id) != len(earlier):
        problems.append("earlier ids are not unique")
    if len({row["id"] for row in queries}) != len(queries):
        problems.append("query ids are not unique")
    for row in earlier:
        where = row["id"]
        if row["category"] not in leaves:
            problems.append(f"{where}: category {row['category']} is not a leaf of categories.csv")
        if not 15 <= len(row["description"]) <= 80:
            problems.append(f"{where}: description has {len(row['description'])} characters, not 15–80")
        if row["phone"] and not (len(row["phone"]) == 11 and row["phone"].isdigit()):
            problems.append(f"{where}: phone {row['phone']} is not 11 digits")
        if row["status"] == "closed":
            if not isinstance(row["closed_days_ago"], int) or row["closed_days_ago"] < 1 or not row["result"]:
                problems.append(f"{where}: a closed case needs closed_days_ago and result")
        elif row["status"] == "open":
            if row["closed_days_ago"] is not None or row["result"]:
                problems.append(f"{where}: an open case has no closed_days_ago or result")
        else:
            problems.append(f"{where}: status {row['status']}")
    for row in queries:
        where = row["id"]
        if row["category"] not in leaves:
            problems.append(f"{where}: category {row['category']} is not a leaf of categories.csv")
        if row["phone"] and not (len(row["phone"]) == 11 and row["phone"].isdigit()):
            problems.append(f"{where}: phone {row['phone']} is not 11 digits")
        if not 8 <= len(row["text"]) <= 80:
            problems.append(f"{where}: text has {len(row['text'])} characters")
        address = (row["compound"], row["building"])
        truth = by_id.get(row["truth"]) if row["truth"] else None
        if row["truth"] and truth is None:
            problems.append(f"{where}: truth {row['truth']} does not exist")
        if truth is not None:
            if (truth["compound"], truth["building"]) != address:
                problems.append(f"{where}: truth {truth['id']} is at another address")
            if row["text"] == truth["description"]:
                problems.append(f"{where}: text is the truth's description word for word")
        if row["kind"] != ("paraphrase" if truth else "new"):
            problems.append(f"{where}: kind {row['kind']}")
        if row["open_duplicate"] != (truth is not None and truth["status"] == "open"):
            problems.append(f"{where}: open_duplicate is not 'truth is open'")
        if data["duplicate_labels"][where] != row["open_duplicate"]:
            problems.append(f"{where}: duplicate_labels disagrees with open_duplicate")
        for distractor in row["distractors"]:
            case = by_id.get(distractor)
            if case is None:
                problems.append(f"{where}: distractor {distractor} does not exist")
            elif (case["compound"], case["building"]) != address:
                problems.append(f"{where}: distractor {distractor} is at another address")
            elif distractor == row["truth"]:
                problems.append(f"{where}: distractor {distractor} is its truth")
        if len(row["distractors"]) > 3:
            problems.append(f"{where}: more than 3 distractors")
    # One earlier case per problem and address (door too, for a flat's own problem): otherwise a truth is ambiguous,
    # unless the query names the other one as a distractor (the same kind of problem somewhere else in the building).
    for row in queries:
        if row["truth"]:
            truth = by_id[row["truth"]]
            rivals = [
                e["id"] for e in earlier
                if e["id"] != truth["id"] and e["problem"] == truth["problem"]
                and (e["compound"], e["building"]) == (truth["compound"], truth["building"])
                and e["door"] == truth["door"] and e["id"] not in row["distractors"]
            ]  # fmt: skip
            if rivals:
                problems.append(f"{row['id']}: {rivals} are the same problem at the same place as its truth")
    demo = demo_texts()
    written = [row["description"] for row in earlier] + [row["result"] for row in earlier]
    for text in written + [row["text"] for row in queries]:
        for sentence in demo:
            if longest_common_run(text, sentence) >= 8:
                problems.append(f"reuses the demo templates: {text} / {sentence}")
    everything = "".join(row["description"] for row in earlier) + "".join(row["text"] for row in queries)
    for group in data["synonyms_used"]:
        for word in group:
            if word not in everything:
                problems.append(f"synonyms_used: {word} appears in no record")
    counts = data["counts"]
    minimums = {"earlier": 240, "queries": 160, "queries_with_truth": 120, "compounds": 25, "problem_types": 40}
    for name, minimum in minimums.items():
        if counts[name] < minimum:
            problems.append(f"{name}: {counts[name]} < {minimum}")
    if abs(counts["truth_closed"] - counts["truth_open"]) > counts["queries_with_truth"] // 10:
        problems.append(f"truths are not about half closed: {counts['truth_closed']} / {counts['truth_open']}")
    if counts["truth_with_distractors"] < 0.75 * counts["queries_with_truth"]:
        problems.append("fewer than three quarters of the repeats have distractors")
    return problems


def summary(data: dict[str, Any]) -> str:
    lines = [f"{name}: {value}" for name, value in data["counts"].items()]
    problems_seen = Counter(row["problem"] for row in data["earlier"])
    compounds_per_problem = {
        problem: len({row["compound"] for row in data["earlier"] if row["problem"] == problem})
        for problem in problems_seen
    }
    repeated = [row for row in data["queries"] if row["truth"]]
    elsewhere = sum(compounds_per_problem[row["problem"]] > 1 for row in repeated)
    lines.append(f"repeats whose problem also occurs in another compound: {elsewhere} of {len(repeated)}")
    phones = Counter(row["phone"] for row in data["earlier"] if row["phone"])
    lines.append(f"phones on more than one earlier case: {sum(n > 1 for n in phones.values())}")
    same_phone = sum(
        bool(row["phone"]) and row["phone"] == next(e for e in data["earlier"] if e["id"] == row["truth"])["phone"]
        for row in repeated
    )
    lines.append(f"repeats from the truth's phone: {same_phone}, empty phone: {sum(not r['phone'] for r in repeated)}")
    return "\n".join(lines)


def bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the character bigrams: a reference point with no segmentation and no synonyms."""
    first, second = bigrams(a), bigrams(b)
    return len(first & second) / max(1, len(first | second))


def baseline(data: dict[str, Any]) -> list[str]:
    """How a plain character-bigram ranking does, over all cases and over the query's own address only."""
    earlier = data["earlier"]
    by_id = {row["id"]: row for row in earlier}
    repeats = [row for row in data["queries"] if row["truth"]]
    lines = []
    for scope in ("all cases", "same address"):
        at_3 = first = 0
        for query in repeats:
            pool = [
                e for e in earlier
                if scope == "all cases" or (e["compound"], e["building"]) == (query["compound"], query["building"])
            ]  # fmt: skip
            ranked = sorted(pool, key=lambda e: -similarity(query["text"], e["description"]))[:3]
            at_3 += query["truth"] in [e["id"] for e in ranked]
            first += ranked[0]["id"] == query["truth"]
        lines.append(
            f"bigram baseline, {scope}: recall@3 {at_3 / len(repeats):.3f}, truth first {first / len(repeats):.3f}"
        )
    closer = sum(
        max(similarity(q["text"], by_id[d]["description"]) for d in q["distractors"])
        >= similarity(q["text"], by_id[q["truth"]]["description"])
        for q in repeats
        if q["distractors"]
    )
    with_distractors = sum(bool(q["distractors"]) for q in repeats)
    lines.append(f"repeats with a distractor at least as close as the truth (bigrams): {closer} of {with_distractors}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description="Write and check the similar-case evaluation set.")
    parser.add_argument("--check", action="store_true", help="only check the JSON file that is there")
    args = parser.parse_args()
    if args.check:
        data = json.loads(OUTPUT.read_text(encoding="utf-8"))
    else:
        data = build_dataset(build_book())
        OUTPUT.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(summary(data))
    print("\n".join(baseline(data)))
    problems = check(data)
    for problem in problems:
        print("PROBLEM:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
