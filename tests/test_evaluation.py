"""The evaluation table officials file, final and mid-term, from the same command."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import polars as pl

from pipelines.outputs.evaluation import COLUMNS
from tests.conftest import SampleRun, Workspace
from tests.test_cli import pipelines_cli

PLAN, REGION = "zx_hqd_2021_2025", "420881"


def evaluate(workspace: Workspace, *args: str) -> str:
    process = pipelines_cli(
        "evaluate", "--plan", PLAN, "--region", REGION, *args, workspace=workspace
    )
    output, _ = process.communicate(timeout=900)
    assert process.returncode == 0, output[-4000:]
    return output


def read_table(path: Path) -> tuple[list[str], dict[str, dict]]:
    """The workbook's title lines and its rows by indicator name."""
    sheet = pl.read_excel(path, read_options={"header_row": None}, infer_schema_length=0)
    cells = [[None if v is None else str(v) for v in row] for row in sheet.rows()]
    header_at = next(i for i, row in enumerate(cells) if row[0] == "序号")
    header = cells[header_at]
    rows = {}
    for row in cells[header_at + 1 :]:
        if row[0] is None or not row[0].isdigit():
            break
        record = dict(zip(header, row, strict=True))
        rows[record["指标"]] = record
    titles = [row[0] for row in cells if row[0] and not row[0].isdigit()]
    return titles, rows


def test_the_final_table_for_the_sample(sample_run: SampleRun) -> None:
    output = evaluate(sample_run.workspace)

    folder = sample_run.workspace.warehouse_dir / "evaluations"
    (xlsx,) = folder.glob(f"evaluation_{PLAN}_{REGION}_final_*.xlsx")
    (csv,) = folder.glob(f"evaluation_{PLAN}_{REGION}_final_*.csv")
    assert "59 项指标中完成 32 项，完成率 54.2%" in output
    titles, rows = read_table(xlsx)
    assert titles[0] == "关于新时代推动钟祥高质量发展的实施意见主要指标完成情况表（终期评估）"
    assert titles[-2].startswith(
        "小结：59 项指标中完成 32 项，完成率 54.2%；基本完成 2 项，未完成 14 项"
    )
    assert len(rows) == 59
    assert list(next(iter(rows.values()))) == list(COLUMNS)

    def pick(name: str, *columns: str) -> tuple:
        return tuple(rows[name][column] for column in columns)

    # A level missed on a preliminary figure: 801.5 / 860 = 93.2%.
    assert pick("地区生产总值", "属性", "基期值", "目标值", "目标年实际值", "完成情况", "完成率", "备注") == (
        "预期性", "560", "≥860", "801.5", "未完成", "0.932", "初步核算数",
    )  # fmt: skip
    # Incomes in step with GDP every year, at comparable prices: 4 of 5 years.
    urban = rows["城镇居民人均可支配收入"]
    assert urban["完成情况"] == "基本完成（4/5 年达到）"
    assert "增速 5.4%，地区生产总值增速 5.6%（可比价）" in urban["备注"]
    assert rows["农村居民人均可支配收入"]["完成情况"] == "完成"
    # A milestone reached on a day, a year early; one set by a reviewed override.
    assert pick("市人民医院建成三甲综合医院", "目标年实际值", "完成情况", "备注") == (
        "是", "完成", "于 2024-11-28 实现",
    )  # fmt: skip
    assert rows["城镇社区15分钟健身圈"]["备注"].startswith("人工核定：")
    assert pick("本土上市公司零的突破", "完成情况", "备注") == (
        "未完成",
        "基期值为 2021 年数据；逾期未实现",
    )
    # Beyond a range's upper bound; a yearly floor with no final year; qualitative.
    assert pick("后备A级景区", "目标值", "目标年实际值", "完成情况") == ("4–5", "6", "超额完成")
    assert rows["引进亿元以上项目"]["完成情况"] == "无终期数据"
    assert rows["5000万元以上市级重大技改示范项目"]["完成情况"] == "基本完成（4/5 年达到）"
    assert rows["城市绿化率"]["完成情况"] == "不可量化评估"
    # The CSV holds the same table, for Excel (BOM) and scripts.
    data = csv.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    table = pl.read_csv(data, infer_schema_length=0)
    assert table.columns == list(COLUMNS)
    gdp = table.filter(pl.col("指标") == "地区生产总值").row(0, named=True)
    assert (gdp["目标年实际值"], gdp["完成率"]) == ("801.5", "93.2%")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_mid_term_table_as_of_a_past_date_leaves_the_present_published(
    sample_run: SampleRun, workspace: Workspace
) -> None:
    workspace.copy_warehouse_from(sample_run.workspace)
    present = sha256(workspace.database)

    output = evaluate(workspace, "--as-of", "2023-12-31")

    xlsx = (
        workspace.warehouse_dir
        / "evaluations"
        / (f"evaluation_{PLAN}_{REGION}_midterm_2023-12-31.xlsx")
    )
    titles, rows = read_table(xlsx)
    assert titles[0].endswith("主要指标完成情况表（中期评估）")
    assert "评估基准日：2023-12-31" in titles[1]
    assert "最新实际值" in next(iter(rows.values()))
    # GDP as reported by the end of 2023: 2022's verified figure, 668, R = 1.0289.
    assert (rows["地区生产总值"]["最新实际值"], rows["地区生产总值"]["完成情况"]) == (
        "668",
        "基本符合预期",
    )
    assert rows["地区生产总值"]["备注"] == "数据期 2022"
    # Outside the top 100 until 2022: 未上榜, behind.
    assert (
        rows["全国县域经济百强县市排名"]["最新实际值"],
        rows["全国县域经济百强县市排名"]["完成情况"],
    ) == ("未上榜", "滞后")
    # A file with no submission date was loaded today: unknown at the end of 2023.
    assert rows["隐形冠军企业"]["完成情况"] == "暂无数据"
    assert "59 项指标中：" in output
    # The snapshot is a warehouse of its own; the present one was not touched.
    snapshot = workspace.warehouse_dir / "snapshots" / "as_of_2023-12-31" / "indicators.duckdb"
    with duckdb.connect(str(snapshot), read_only=True) as connection:
        assert connection.execute(
            "select distinct freshness_checked_on::varchar, bool_or(is_final) "
            "from marts.mart_indicator_attainment group by all"
        ).fetchall() == [("2023-12-31", False)]
    assert sha256(workspace.database) == present
