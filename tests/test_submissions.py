"""Reading submission files: encodings, header spellings, sheets and provenance."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from pipelines.submissions import (
    OBSERVATION_SCHEMA,
    SubmissionError,
    find_submission_files,
    read_submission,
    read_submissions,
)
from tests.conftest import SAMPLE_RAW_DIR

CHINESE_HEADER = "地区代码,指标代码,时期,数值,单位\n"


def write(raw_dir: Path, relative: str, data: bytes) -> Path:
    path = raw_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_give_the_same_rows(tmp_path: Path, encoding: str) -> None:
    text = CHINESE_HEADER + '420881,gdp,2023,"1,712.4",亿元\n'
    path = write(tmp_path, "submissions/420881/stats.csv", text.encode(encoding))

    frame = read_submission(path, tmp_path)

    assert frame.to_dicts() == [
        {
            "region_code": "420881",
            "indicator_code": "gdp",
            "period": "2023",
            "value": 1712.4,
            "value_text": "1,712.4",
            "unit": "亿元",
            "source_file": "submissions/420881/stats.csv",
            "source_sheet": "csv",
            "source_row": 2,
        }
    ]


def test_region_is_taken_from_the_folder_when_the_file_has_no_column(tmp_path: Path) -> None:
    text = "indicator_code,period,value,unit\ngdp,2023,712.4,亿元\n"
    path = write(tmp_path, "submissions/420881/stats.csv", text.encode())

    assert read_submission(path, tmp_path)["region_code"].to_list() == ["420881"]


def test_value_that_is_not_a_number_is_kept_as_written(tmp_path: Path) -> None:
    text = CHINESE_HEADER + "420881,gdp,2023,abc,亿元\n"
    path = write(tmp_path, "submissions/420881/stats.csv", text.encode())

    row = read_submission(path, tmp_path).row(0, named=True)

    assert row["value"] is None
    assert row["value_text"] == "abc"


def test_missing_required_column_names_file_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path, "submissions/420881/stats.csv", "指标代码,时期,单位\ngdp,2023,亿元\n".encode()
    )

    with pytest.raises(SubmissionError) as error:
        read_submission(path, tmp_path)

    message = str(error.value)
    assert "submissions/420881/stats.csv" in message
    assert "缺少必需的列" in message and "missing required columns" in message
    assert "value (数值/指标值)" in message


def test_undecodable_csv_is_rejected_with_the_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "submissions/420881/bad.csv", b"\xff\xfe\x00\x81\x00" * 10)

    with pytest.raises(SubmissionError, match="submissions/420881/bad.csv"):
        read_submission(path, tmp_path)


def test_workbook_sheets_are_read_with_sheet_name_and_row(tmp_path: Path) -> None:
    path = tmp_path / "submissions" / "420881" / "science.xlsx"
    path.parent.mkdir(parents=True)
    workbook = xlsxwriter.Workbook(str(path))
    for name, code in (("专利", "patents_granted"), ("企业", "new_high_tech_enterprises")):
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, ["地区代码", "指标代码", "时期", "数值", "单位"])
        sheet.write_row(1, 0, ["420881", code, "2022", 205, "件"])
        sheet.write_row(2, 0, ["420881", code, "2023", 214, "件"])
    workbook.close()

    frame = read_submission(path, tmp_path)

    assert frame.select("source_sheet", "source_row", "indicator_code", "value").rows() == [
        ("专利", 2, "patents_granted", 205.0),
        ("专利", 3, "patents_granted", 214.0),
        ("企业", 2, "new_high_tech_enterprises", 205.0),
        ("企业", 3, "new_high_tech_enterprises", 214.0),
    ]


def test_corrupt_workbook_is_rejected_with_the_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "submissions/420881/broken.xlsx", b"PK\x03\x04 not really a zip")

    with pytest.raises(SubmissionError, match="submissions/420881/broken.xlsx"):
        read_submission(path, tmp_path)


def test_sample_data_reads_into_the_long_table() -> None:
    files = find_submission_files(SAMPLE_RAW_DIR)
    frame = read_submissions(files, SAMPLE_RAW_DIR)

    assert frame.schema == pl.Schema(OBSERVATION_SCHEMA)
    assert frame.height == 50
    assert frame.filter(pl.col("value").is_null()).height == 0
    by_file = dict(frame.group_by("source_file").len().rows())
    assert by_file == {
        "submissions/420881/development_reform_bureau_2020-2025.csv": 6,
        "submissions/420881/housing_bureau_2020-2025.csv": 6,
        "submissions/420881/science_bureau_2020-2025.xlsx": 17,
        "submissions/420881/stats_bureau_2020-2025.csv": 21,
    }
