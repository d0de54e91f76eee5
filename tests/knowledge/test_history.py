import json
import math
from pathlib import Path

import numpy as np
import pytest

from knowledge.history import (
    HistoryError,
    calibrate_file,
    default_profile,
    load_profile,
    parse_history,
    read_history,
    save_profile,
)
from tools.calibration import CalibrationProfile, calibrate

SIP_HEADER = (
    "TaskNumber,Summary,Priority,ProjectCode,Category,SubCategory,HoursEstimate,HoursActual"
)


def sip(*rows: str) -> str:
    return "\n".join([SIP_HEADER, *rows]) + "\n"


def test_reads_sip_rows_into_records() -> None:
    h = parse_history(
        sip(
            '1,"Fix, then test",1,PC2,Development,Bug,2,3.5',
            "2,Weekly meeting,3,PC18,Management,Progress Meeting,1,1",
        )
    )
    assert h.format == "sip"
    first = h.records[0]
    assert (first.estimate_hours, first.actual_hours) == (2.0, 3.5)
    assert (first.category, first.subcategory, first.project) == ("Development", "Bug", "PC2")
    assert first.text == "Fix, then test"
    assert h.skipped == ()


def test_reads_the_generic_layout_in_any_order_and_case() -> None:
    h = parse_history("Actual, ESTIMATE ,project,notes\n5,4,alpha,x\n2,2,,y\n")
    assert h.format == "generic"
    assert [(r.estimate_hours, r.actual_hours, r.project) for r in h.records] == [
        (4.0, 5.0, "alpha"),
        (2.0, 2.0, None),
    ]
    assert h.records[0].category is None


def test_a_missing_column_is_reported_on_the_header_line() -> None:
    with pytest.raises(HistoryError) as err:
        parse_history("TaskNumber,HoursEstimate,Category\n1,2,Development\n", source="h.csv")
    (issue,) = err.value.issues
    assert issue.line == 1
    assert "HoursActual" in issue.message
    assert "h.csv" in str(err.value)


def test_bad_values_are_reported_with_line_and_column() -> None:
    text = sip(
        "1,ok,1,PC1,Development,Bug,2,3",
        "2,words,1,PC1,Development,Bug,two,3",
        "3,negative,1,PC1,Development,Bug,2,-1",
        "4,empty,1,PC1,Development,Bug,,3",
        "5,infinite,1,PC1,Development,Bug,inf,3",
    )
    with pytest.raises(HistoryError) as err:
        parse_history(text)
    found = [(i.line, i.column) for i in err.value.issues]
    assert found == [
        (3, "HoursEstimate"),
        (4, "HoursActual"),
        (5, "HoursEstimate"),
        (6, "HoursEstimate"),
    ]
    messages = [i.message for i in err.value.issues]
    assert "not a number: 'two'" in messages[0]
    assert "negative" in messages[1]
    assert "missing" in messages[2]
    assert "finite" in messages[3]


def test_line_numbers_count_physical_lines_of_multiline_fields() -> None:
    text = sip('1,"two\nlines",1,PC1,Development,Bug,2,3', "2,next,1,PC1,Development,Bug,x,3")
    with pytest.raises(HistoryError) as err:
        parse_history(text)
    assert [i.line for i in err.value.issues] == [4]


def test_zero_hours_rows_are_skipped_and_listed_not_dropped_silently() -> None:
    h = parse_history(
        sip(
            "1,a,1,PC1,Development,Bug,2,3",
            "2,cancelled,1,PC1,Development,Bug,2,0",
            "",
            "3,b,1,PC1,Development,Bug,1,1",
        )
    )
    assert len(h.records) == 2
    assert [(s.line, s.column) for s in h.skipped] == [(3, "HoursActual")]


def test_a_file_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(sip("1,caf\xe9,1,PC1,Development,Bug,2,3").encode("latin-1"))
    with pytest.raises(HistoryError) as err:
        read_history(path)
    assert [i.line for i in err.value.issues] == [2]
    assert "UTF-8" in str(err.value)


def test_an_empty_or_rowless_file_is_an_error() -> None:
    with pytest.raises(HistoryError, match="empty"):
        parse_history("")
    with pytest.raises(HistoryError, match="no usable rows"):
        parse_history(sip("1,a,1,PC1,Development,Bug,0,3"))


def test_error_messages_list_a_bounded_number_of_rows() -> None:
    text = sip(*(f"{i},a,1,PC1,D,B,x,1" for i in range(30)))
    with pytest.raises(HistoryError) as err:
        parse_history(text)
    assert len(err.value.issues) == 30
    assert "and 10 more" in str(err.value)


def test_the_default_profile_ships_cited_small_and_usable() -> None:
    profile = default_profile()
    assert "arXiv:1901.01621" in profile.source
    assert profile.n_records == 9694
    assert profile.validation == "leave-project-out"
    c = calibrate(profile, 8.0, category="Development", subcategory="Enhancement")
    assert c.p90 > c.p80 > c.p50 > 0
    assert c.level == "subcategory"
    shipped = Path(__file__).resolve().parents[2] / "knowledge" / "profiles" / "default.json"
    assert shipped.stat().st_size < 50_000
    # Parameters only: no task text or per-task numbers ship.
    assert "Summary" not in shipped.read_text()


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "profile.json"
    save_profile(default_profile(), path)
    assert load_profile(path) == default_profile()
    assert json.loads(path.read_text())["version"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["profile.json"]


def test_calibrate_file_fits_and_reports(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    lines = ["estimate,actual,category,project"]
    for i in range(240):
        est = float(rng.choice([1, 2, 4, 8, 16]))
        actual = est * math.exp(0.2 + rng.normal(0, 0.5))
        lines.append(f"{est},{actual:.2f},{'build' if i % 2 else 'test'},P{i % 4}")
    lines.append("3,0,build,P1")
    path = tmp_path / "history.csv"
    path.write_text("\n".join(lines) + "\n")
    profile, report = calibrate_file(path)
    assert isinstance(profile, CalibrationProfile)
    assert profile.n_records == 240
    assert profile.source == "fitted by pmpilot on history.csv"
    assert (report.records, report.skipped, report.skipped_lines) == (240, 1, (242,))
    assert report.validation == "leave-project-out"
    assert {s.level for s in report.levels} == {"global", "category"}
    assert "240 tasks from 4 projects" in report.summary()


def test_reads_the_real_sip_file(shared_data: Path) -> None:
    h = read_history(shared_data / "estimation" / "sip_tasks_train.csv")
    assert h.format == "sip"
    assert len(h.records) == 9694
    assert h.skipped == ()
    assert len({r.project for r in h.records}) == 16
