"""Reading lesson files: every format, line-numbered errors, ids derived from content."""

from __future__ import annotations

import json
from datetime import date

import pytest

from knowledge.ingest import IngestError, decode, derive_id, detect_format, parse_lessons

TODAY = date(2026, 1, 15)
TEXT = "The vendor shipped the appliances six weeks after the agreed date."
REC = "Order long-lead hardware at design start."


def read(text: str, fmt: str, **kw: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {"tenant": "acme", "today": TODAY, "source": "import:f", **kw}
    return parse_lessons(text, fmt, **args)  # type: ignore[arg-type]


def issues(text: str, fmt: str, **kw: object) -> list[str]:
    with pytest.raises(IngestError) as info:
        read(text, fmt, **kw)
    return [str(i) for i in info.value.issues]


CSV = (
    "title,text,archetype,phase,category,recommendation,tags\n"
    f'Hardware late,"{TEXT}",network_infrastructure_upgrade,build,vendor,{REC},"firewall; vendor"\n'
    f'"Multi-line\ntitle here","{TEXT}\nSecond line.",erp_rollout,test,people,{REC},\n'
)


def test_csv() -> None:
    rows = read(CSV, "csv")
    assert [r.line for r in rows] == [2, 3]
    first = rows[0].lesson
    assert first.tags == ["firewall", "vendor"]
    assert first.tenant == "acme" and first.created == TODAY and first.source == "import:f"
    assert first.id == derive_id("Hardware late", TEXT)
    assert rows[1].lesson.title == "Multi-line\ntitle here"


def test_csv_errors_name_lines_and_fields() -> None:
    # The second row of CSV spans lines 3-5 (quoted newlines): the next row starts on line 6.
    bad = (
        CSV
        + f"Wrong archetype,{TEXT},mainframe,build,vendor,{REC},\n"
        + "\n"
        + f"Too short,short,erp_rollout,build,vendor,{REC},\n"
        + "only,three,cells\n"
    )
    found = issues(bad, "csv")
    assert any(i.startswith("line 6: archetype:") for i in found)
    assert any(i.startswith("line 8: text:") for i in found)
    assert "line 9: 3 cells, the header has 7" in found
    assert issues("title,text,colour\nx,y,z\n", "csv") == ["line 1: unknown column(s): colour"]


def test_json_array_and_object_with_element_lines() -> None:
    good = {
        "title": "Hardware late",
        "text": TEXT,
        "archetype": "network_infrastructure_upgrade",
        "phase": "build",
        "category": "vendor",
        "recommendation": REC,
        "id": "L-0142",
        "created": "2024-05-01",
    }
    doc = json.dumps([good, {**good, "id": "L-0143", "phase": "someday"}], indent=2)
    second = doc.splitlines().index("  {", 2) + 1  # the line the second object opens on
    found = issues(doc, "json")
    assert len(found) == 1 and found[0].startswith(f"line {second}: phase: Input should be")
    rows = read(json.dumps({"lessons": [good]}, indent=1), "json")
    assert rows[0].lesson.id == "L-0142" and rows[0].lesson.created == date(2024, 5, 1)
    assert rows[0].line == 3
    assert issues('[{"title": "x",\n  oops}]', "json")[0].startswith("line 2: invalid JSON")
    assert issues('{"rows": []}', "json") == ['line 1: expected a JSON array or {"lessons": [...]}']


def test_jsonl_with_defaults_from_the_command_line() -> None:
    row = {"title": "Hardware late", "text": TEXT, "recommendation": REC}
    text = json.dumps(row) + "\n\n" + json.dumps({**row, "title": "Other title"}) + "\nnot json\n"
    defaults = {"archetype": "erp_rollout", "phase": "build", "category": "vendor"}
    assert issues(text, "jsonl", defaults=defaults) == ["line 4: invalid JSON: Expecting value"]
    rows = read(text.replace("not json\n", ""), "jsonl", defaults=defaults)
    assert [r.line for r in rows] == [1, 3]
    assert rows[0].lesson.archetype == "erp_rollout"


MARKDOWN = f"""---
archetype: database_migration
phase: cutover
impact: high
---
# Lessons from the billing database migration

## Replication lag blew the cutover window
category: technical
tags: postgres, replication

{TEXT}

It cost three hours.

**Recommendation:** Add primary keys weeks before cutover.
Rehearse the final sync.

## Key users were busy with month-end
- category: people
- phase: test
- impact: medium

{TEXT}

Recommendation: agree key-user release in writing.
"""


def test_markdown_one_lesson_per_heading() -> None:
    rows = read(MARKDOWN, "md")
    assert [r.line for r in rows] == [8, 19]
    a, b = rows[0].lesson, rows[1].lesson
    assert a.title == "Replication lag blew the cutover window"
    assert a.text == f"{TEXT}\n\nIt cost three hours."
    assert a.recommendation == "Add primary keys weeks before cutover.\nRehearse the final sync."
    assert (a.archetype, a.phase, a.category, a.impact) == (
        "database_migration",
        "cutover",
        "technical",
        "high",
    )
    assert a.tags == ["postgres", "replication"]
    assert (b.phase, b.category, b.impact) == ("test", "people", "medium")


def test_markdown_errors_point_at_the_heading() -> None:
    bad = MARKDOWN.replace("Recommendation: agree key-user release in writing.", "")
    assert issues(bad, "md") == ["line 19: recommendation: Field required"]
    assert issues("just text\n", "md")[0] == "line 1: no '## ' heading: one lesson per '##' section"
    assert "line 1: front matter: no closing '---'" in issues("---\nphase: build\n## T\n", "md")


def test_the_file_does_not_choose_the_tenant() -> None:
    row = {"title": "Hardware late", "text": TEXT, "recommendation": REC, "tenant": "beta"}
    defaults = {"archetype": "erp_rollout", "phase": "build", "category": "vendor"}
    assert issues(json.dumps(row), "jsonl", defaults=defaults) == [
        "line 1: tenant: 'beta' differs from the import's tenant 'acme'"
    ]
    with pytest.raises(ValueError, match="invalid tenant"):
        read("", "jsonl", tenant="Not A Tenant")


def test_one_id_for_two_different_lessons_is_an_error() -> None:
    row = {"id": "L-1", "title": "Hardware late", "text": TEXT, "recommendation": REC}
    defaults = {"archetype": "erp_rollout", "phase": "build", "category": "vendor"}
    text = json.dumps(row) + "\n" + json.dumps({**row, "title": "Another"}) + "\n"
    assert issues(text, "jsonl", defaults=defaults) == [
        "line 2: id: L-1 is also used by line 1 for another lesson"
    ]
    same_twice = json.dumps(row) + "\n" + json.dumps(row) + "\n"
    assert len(read(same_twice, "jsonl", defaults=defaults)) == 2


def test_every_problem_is_listed_not_just_the_first() -> None:
    rows = "\n".join(json.dumps({"title": f"Row {i}"}) for i in range(30))
    with pytest.raises(IngestError) as info:
        read(rows, "jsonl")
    assert len(info.value.issues) >= 30 * 5
    assert "nothing imported" in str(info.value) and "more" in str(info.value)


def test_format_from_the_file_name() -> None:
    assert detect_format("lessons.CSV") == "csv"
    assert detect_format("a.ndjson") == "jsonl"
    assert detect_format("x.txt", "md") == "md"
    with pytest.raises(ValueError, match="--format"):
        detect_format("x.txt")


@pytest.mark.parametrize(
    ("text", "fmt"), [("", "jsonl"), ("[]", "json"), (CSV.splitlines()[0] + "\n", "csv")]
)
def test_a_file_without_lessons_is_an_error(text: str, fmt: str) -> None:
    assert issues(text, fmt) == ["line 1: no lessons in the file"]


def test_bytes_that_are_not_utf8_name_their_line() -> None:
    with pytest.raises(IngestError, match="line 2: not UTF-8"):
        decode(b"title,text\n\xff\xfe bad,bytes\n", "latin.csv")
    assert decode("\ufefftitle".encode(), "bom.csv") == "title"


def test_a_repeated_csv_column_is_refused_not_silently_overwritten() -> None:
    header, *rows = CSV.splitlines(keepends=True)
    doubled = header.replace("title,", "title,title,", 1) + "".join(
        row.replace("Hardware late,", "Hardware late,Other,", 1) for row in rows[:1]
    )
    assert issues(doubled, "csv") == ["line 1: repeated column(s): title"]
