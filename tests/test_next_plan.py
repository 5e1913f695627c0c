"""The next plan: a (fictional) city's 2026-2030 纲要 with a standard main-indicator table,
drafted with `plan draft`, reviewed, registered with every form it uses, and loaded end to
end with synthetic submissions into a mid-term and a final evaluation table."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.plans.draft import draft_plan
from pipelines.plans.registry import read_registry
from pipelines.plans.scanner import load_exclusions, scan
from tests.conftest import REPO_ROOT

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "xiyuan_2026_2030"
FORM = ("kind", "comparator", "target", "unit", "target_source")


def reviewed() -> list[dict]:
    return yaml.safe_load((FIXTURE / "plan.yaml").read_text(encoding="utf-8"))["indicators"]


def registered(tmp_path: Path) -> pl.DataFrame:
    folder = tmp_path / "registry" / "xiyuan_2026_2030"
    shutil.copytree(FIXTURE, folder)
    return read_registry([folder], tmp_path)


def test_the_draft_proposes_most_targets_as_reviewed() -> None:
    """At least 80% of the reviewed targets are drafted with the same quote, kind, comparator,
    value, unit and source of their value."""
    draft = draft_plan((FIXTURE / "plan.txt").read_text(encoding="utf-8"))
    by_span = {tuple(t.entry["span"]): t.entry for t in draft.indicators}
    right, wrong = [], []
    for entry in reviewed():
        proposed = by_span.get(tuple(entry["span"]), {})
        expected = {k: entry.get(k, "plan" if k == "target_source" else None) for k in FORM}
        got = {k: proposed.get(k, "plan" if k == "target_source" else None) for k in FORM}
        (right if got == expected else wrong).append((entry["code"], got, expected))
    share = len(right) / (len(right) + len(wrong))
    assert share >= 0.8, wrong
    # What the reviewer changed, so a regression in the draft shows here first.
    assert wrong == [], wrong


def test_the_draft_passes_the_registry_checks_once_named(tmp_path: Path) -> None:
    """The draft's quotes and spans are verbatim, its values are in their quotes, and every
    other number of the text is drafted as an exclusion: nothing is uncovered."""
    text = (FIXTURE / "plan.txt").read_text(encoding="utf-8")
    draft = draft_plan(text)
    document = yaml.safe_load(draft.plan_yaml("draft_plan"))
    for entry in document["indicators"]:
        assert text[entry["span"][0] : entry["span"][1]] == entry["quote"]
    exclusions_path = tmp_path / "exclusions.yaml"
    exclusions_path.write_text(draft.exclusions_yaml(), encoding="utf-8")
    quotes = {e["code"]: tuple(e["span"]) for e in document["indicators"]}
    mentions = scan(text, quotes, load_exclusions(exclusions_path))
    assert [m.text for m in mentions if m.status == "uncovered"] == []


def test_the_reviewed_plan_registers_every_form_of_its_table(tmp_path: Path) -> None:
    registry = registered(tmp_path)
    assert registry.height == 27
    forms = set(registry.select("kind", "comparator").unique().iter_rows())
    assert {("average_growth", "about"), ("average_growth", "at_least"), ("average_growth", "above"),
            ("relational", "above"), ("relational", "at_least"), ("annual", "below"),
            ("change", "at_least"), ("level", "below"), ("approximate", "about"),
            ("count", "at_least")} <= forms  # fmt: skip
    rows = {row["indicator_code"]: row for row in registry.iter_rows(named=True)}
    assert (rows["energy_intensity_fall"]["change_basis"], rows["energy_intensity_fall"]["reported_as"]) == (
        "percent", "yearly_rate",
    )  # fmt: skip
    assert (rows["life_expectancy"]["change_basis"], rows["life_expectancy"]["change_direction"]) == (
        "absolute", "up",
    )  # fmt: skip
    assert rows["gdp"]["reported_as"] == "level"
    assert {rows[c]["target_source"] for c in ("farmland", "co2_intensity_fall")} == {
        "higher_level"
    }
    assert rows["new_urban_jobs"]["target_source"] == "yearly"
    assert rows["pm25"]["unit_family"] == "concentration"  # declared in the plan's units.yaml
    assert rows["urbanization_rate"]["plan_base_value"] == 58.2
    # Pillars from the table's 类别, or the 篇 a prose target stands in.
    assert rows["forest_coverage"]["pillar_zh"] == "绿色生态"
    assert (rows["industrial_enterprises"]["pillar_zh"], rows["industrial_enterprises"]["chapter"],
            rows["industrial_enterprises"]["clause_title"]) == ("现代化产业体系", "三", "培育优质企业")  # fmt: skip
    assert registry.filter(pl.col("nature") == "binding").height == 9  # 约束性 in the table


def test_every_number_of_the_plan_is_a_target_or_excluded() -> None:
    text = (FIXTURE / "plan.txt").read_text(encoding="utf-8")
    quotes = {e["code"]: tuple(e["span"]) for e in reviewed()}
    mentions = scan(text, quotes, load_exclusions(FIXTURE / "exclusions.yaml"))
    assert [m.text for m in mentions if m.status == "uncovered"] == []


@pytest.mark.parametrize("code", ["gdp", "pm25", "energy_intensity_fall"])
def test_a_reviewed_value_that_leaves_its_quote_is_refused(tmp_path: Path, code: str) -> None:
    from pipelines.plans.registry import RegistryError

    folder = tmp_path / "registry" / "xiyuan_2026_2030"
    shutil.copytree(FIXTURE, folder)
    definition = yaml.safe_load((folder / "plan.yaml").read_text(encoding="utf-8"))
    entry = next(e for e in definition["indicators"] if e["code"] == code)
    entry["target"] = entry["target"] * 10_000
    (folder / "plan.yaml").write_text(
        yaml.safe_dump(definition, allow_unicode=True), encoding="utf-8"
    )
    with pytest.raises(RegistryError, match=f"\\({code}\\): target"):
        read_registry([folder], tmp_path)


# Synthetic figures for the fictional plan (invented; the hand-computed verdicts below follow
# from them): code -> {year: value}, and comparable-price growth in % where departments send it.
FIGURES: dict[str, dict[int, float]] = {
    "gdp": {2025: 1050, 2026: 1114, 2027: 1180, 2028: 1250, 2029: 1328, 2030: 1405},
    "labour_productivity": {2025: 18.5, 2026: 19.7, 2027: 21.0, 2028: 22.4, 2029: 23.8, 2030: 25.4},
    "urbanization_rate": {2025: 58.0, 2026: 59.0, 2027: 60.1, 2028: 61.2, 2029: 62.3, 2030: 63.4},
    "digital_economy_share": {2025: 8.5, 2026: 9.0, 2027: 9.6, 2028: 10.2, 2029: 10.9, 2030: 11.5},
    "industry_growth": {2026: 7.2, 2027: 7.5, 2028: 6.8, 2029: 7.1, 2030: 7.4},
    "rd_growth": {2026: 8.0, 2027: 7.5, 2028: 6.0, 2029: 7.2, 2030: 7.0},
    "patents_per_10k": {2025: 6.2, 2026: 7.4, 2027: 8.6, 2028: 9.9, 2029: 11.2, 2030: 12.5},
    "disposable_income": {2025: 42000, 2026: 44310, 2027: 46747, 2028: 49318, 2029: 52030, 2030: 54892},
    "unemployment_rate": {2026: 5.3, 2027: 5.4, 2028: 5.5, 2029: 5.2, 2030: 5.1},
    "schooling_years": {2025: 11.2, 2026: 11.3, 2027: 11.45, 2028: 11.6, 2029: 11.75, 2030: 11.9},
    "doctors_per_1000": {2025: 3.1, 2026: 3.2, 2027: 3.25, 2028: 3.35, 2029: 3.42, 2030: 3.5},
    "childcare_places_per_1000": {2025: 3.5, 2026: 3.8, 2027: 4.0, 2028: 4.2, 2029: 4.4, 2030: 4.6},
    "life_expectancy": {2027: 79.1, 2030: 79.8},
    "pension_coverage": {2025: 95.0, 2026: 95.3, 2027: 95.5, 2028: 95.8, 2029: 96.0, 2030: 96.2},
    "engel_coefficient": {2025: 28.5, 2026: 28.2, 2027: 27.9, 2028: 27.5, 2029: 27.1, 2030: 26.8},
    "cpi_growth": {2026: 2.1, 2027: 2.8, 2028: 3.0, 2029: 3.2, 2030: 2.9},
    "energy_intensity_fall": {2026: 3.0, 2027: 2.8, 2028: 2.9, 2029: 3.1, 2030: 2.7},
    "co2_intensity_fall": {2026: 3.5, 2027: 3.6, 2028: 3.4, 2029: 3.7, 2030: 3.5},
    "surface_water_quality": {2025: 90.0, 2026: 90.5, 2027: 91.0, 2028: 91.5, 2029: 92.0, 2030: 92.5},
    "forest_coverage": {2025: 45.1, 2026: 45.3, 2027: 45.5, 2028: 45.7, 2029: 45.9, 2030: 46.0},
    "pm25": {2025: 32, 2026: 31.5, 2027: 31, 2028: 30.6, 2029: 30.2, 2030: 30.0},
    "grain_capacity": {2026: 152, 2027: 151, 2028: 153, 2029: 150.5, 2030: 151},
    "energy_capacity": {2025: 260, 2026: 270, 2027: 279, 2028: 288, 2029: 296, 2030: 305},
    "farmland": {2025: 165, 2026: 164.8, 2027: 164.6, 2028: 164.4, 2029: 164.2, 2030: 164.0},
    "new_urban_jobs": {2026: 1.3, 2027: 1.2, 2028: 1.3, 2029: 1.3, 2030: 1.3},
    "industrial_enterprises": {2025: 1200, 2026: 1260, 2027: 1320, 2028: 1390, 2029: 1450, 2030: 1520},
    "public_kindergartens": {2026: 3, 2027: 7, 2028: 11, 2029: 15, 2030: 18},
}  # fmt: skip
COMPARABLE_GROWTH = {
    "gdp": {2026: 6.1, 2027: 5.9, 2028: 6.0, 2029: 6.2, 2030: 5.8},
    "labour_productivity": {year: 6.5 for year in range(2026, 2031)},
    "disposable_income": {year: 5.5 for year in range(2026, 2031)},
}


def write_submissions(raw_dir: Path, years: range, submitted_on: str) -> None:
    """One file per department with its figures for `years` (synthetic, see FIGURES)."""
    departments = {e["code"]: e["department"] for e in reviewed()}
    units = {e["code"]: e["unit"] for e in reviewed()}
    files: dict[str, list[str]] = {}
    for code, series in FIGURES.items():
        for year in years:
            if year in series:
                growth = COMPARABLE_GROWTH.get(code, {}).get(year, "")
                files.setdefault(departments[code], []).append(
                    f"{code},{year},{series[year]},{units[code]},{growth},{submitted_on}"
                )
    for department, rows in files.items():
        folder = raw_dir / "submissions" / "990101" / department
        folder.mkdir(parents=True, exist_ok=True)
        header = "指标代码,时期,数值,单位,可比价增速,报送日期\n"
        name = f"{department}_{years.start}_{years.stop - 1}.csv"
        (folder / name).write_text(header + "\n".join(rows) + "\n", encoding="utf-8")


def evaluation(warehouse: Path) -> dict[str, dict]:
    import duckdb

    from pipelines.outputs.evaluation import evaluation_table

    with duckdb.connect(str(warehouse / "indicators.duckdb"), read_only=True) as connection:
        table = evaluation_table(connection, "xiyuan_2026_2030", "990101")
    return table, {row["indicator_code"]: row for row in table.rows}


def test_the_next_plan_loads_end_to_end_into_its_evaluation_tables(
    defs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fictional plan with synthetic submissions: the mid-term table as of mid-2028 (data
    to 2027) and the final table as of March 2031, every verdict hand-computed."""
    from tests.conftest import materialize_all

    raw = tmp_path / "raw"
    shutil.copytree(FIXTURE, raw / "registry" / "xiyuan_2026_2030")
    warehouse = tmp_path / "warehouse"
    monkeypatch.setenv("PLAN_RAW_DIR", str(raw))
    monkeypatch.setenv("PLAN_WAREHOUSE_DIR", str(warehouse))

    write_submissions(raw, range(2025, 2028), "2028-03-15")
    monkeypatch.setenv("PLAN_AS_OF", "2028-06-30")
    assert materialize_all(defs).success
    table, rows = evaluation(warehouse)
    assert not table.is_final
    midterm = {code: row["完成情况"] for code, row in rows.items()}
    # Average growth on pace: R&D 2026-27 sqrt(1.08 x 1.075) - 1 = 7.75% against >7 (R 1.107,
    # 快于预期); industry sqrt(1.072 x 1.075) - 1 = 7.34990% against ≥7 (R 1.04999, just short
    # of 1.05: 基本符合预期); GDP 6.0% at comparable prices against ≈6 (基本符合预期).
    assert midterm["rd_growth"] == "快于预期"
    assert midterm["industry_growth"] == "基本符合预期"
    assert midterm["gdp"] == "基本符合预期"
    # A fall compounded: 1 - 0.97 x 0.972 = 5.716% against 1 - 0.865^0.4 = 5.636% (R 1.014).
    assert midterm["energy_intensity_fall"] == "基本符合预期"
    # A yearly ceiling met every year so far is graded by pace, never 已实现 at mid-term.
    assert midterm["unemployment_rate"] == "基本符合预期"
    # The plan's base stands in where no department sent one (life expectancy: 78.6, +0.5 by
    # 2027 against 0.4 expected: R 1.25); a department's base wins (urbanization 58.0).
    assert midterm["life_expectancy"] == "快于预期"
    assert "基期值取自规划文本" in rows["life_expectancy"]["备注"]
    assert "相差 -0.2" in rows["urbanization_rate"]["备注"]
    # Targets set year by year: 2027's 1.25 missed (1.2) after 2026's 1.2 met (1.3): 滞后.
    assert midterm["new_urban_jobs"] == "滞后"
    # Assigned by the province: judged on the assigned value, its document in the remarks.
    assert rows["farmland"]["目标值"] == "≥163.5（上级下达）"
    assert "目标值依据" in rows["farmland"]["备注"]
    assert rows["pm25"]["目标值"] == "<30"
    assert rows["energy_intensity_fall"]["目标值"] == "累计降低≥13.5%"
    assert rows["life_expectancy"]["目标值"] == "提高≥1岁"
    assert rows["gdp"]["目标值"] == "年均增长≈6%（±5%）"
    assert rows["labour_productivity"]["目标值"] == "增速高于地区生产总值"
    # Binding targets first.
    natures = [row["属性"] for row in table.rows]
    assert natures == sorted(natures, key=lambda n: n != "约束性") and natures[0] == "约束性"

    write_submissions(raw, range(2028, 2031), "2031-02-20")
    monkeypatch.setenv("PLAN_AS_OF", "2031-03-31")
    assert materialize_all(defs).success
    table, rows = evaluation(warehouse)
    assert table.is_final
    final = {code: row["完成情况"] for code, row in rows.items()}
    assert final == {
        "gdp": "完成",  # average 5.9999% at comparable prices, within 6 ±0.3
        "labour_productivity": "完成",  # 6.5% > GDP's growth every year
        "urbanization_rate": "超额完成",  # 63.4 ≥ 63
        "digital_economy_share": "未完成",  # 11.5 < 12
        "industry_growth": "超额完成",  # average 7.1997% ≥ 7
        "rd_growth": "超额完成",  # average 7.1379% > 7
        "patents_per_10k": "超额完成",  # 12.5 ≥ 12
        "disposable_income": "完成",  # 5.5% ≥ GDP's growth - 1 point every year
        "unemployment_rate": "基本完成（4/5 年达到）",  # 5.5 in 2028 is not < 5.5
        "schooling_years": "超额完成",  # 11.9 ≥ 11.8
        "doctors_per_1000": "未完成",  # 3.5 < 3.6
        "childcare_places_per_1000": "超额完成",  # 4.6 ≥ 4.5
        "life_expectancy": "超额完成",  # +1.2 years from the plan's 78.6
        "pension_coverage": "超额完成",  # 96.2 ≥ 96
        "engel_coefficient": "未完成",  # fell 1.7 points, not 2
        "cpi_growth": "基本完成（4/5 年达到）",  # 2.1 in 2026 outside 3 ±10%
        "energy_intensity_fall": "超额完成",  # 1 - Π(1 - r) = 13.68% ≥ 13.5%
        "co2_intensity_fall": "未完成",  # 16.49% < the assigned 17%
        "surface_water_quality": "超额完成",  # 92.5 ≥ 92
        "forest_coverage": "完成",  # 46.0, exactly the target
        "pm25": "未完成",  # 30.0 is not < 30
        "grain_capacity": "超额完成",  # at least 150 every year, 151 in 2030
        "energy_capacity": "超额完成",  # 305 ≥ 300
        "farmland": "超额完成",  # 164.0 ≥ the assigned 163.5
        "new_urban_jobs": "无终期数据",  # no target set for 2030
        "industrial_enterprises": "超额完成",  # 1520 ≥ 1500
        "public_kindergartens": "未完成",  # 18 < 20
    }
    # The report draws each form: a chart on every assessed card, the forms written out.
    page = (warehouse / "reports" / "attainment_xiyuan_2026_2030_990101.html").read_text(
        encoding="utf-8"
    )
    assert page.count("<svg") >= 24, page.count("<svg")
    for words in ("年均增长 / average annual growth", "累计降低 / fall since the base", "约束性 binding",
                  "增速高于参照指标"):  # fmt: skip
        assert words in page, words


# Rows a main-indicator table may hold, each with the form a reviewer would register:
# (target column, growth column) -> (kind, comparator, source); `{n}` is the drawn number.
ROW_FORMS = {
    ("{n}", "—"): ("level", "at_least", "plan"),
    ("{n}以上", "—"): ("level", "at_least", "plan"),
    ("＜{n}", "—"): ("level", "below", "plan"),
    ("{n}以内", "—"): ("level", "at_most", "plan"),
    ("—", "年均增长{n}%左右"): ("average_growth", "about", "plan"),
    ("—", "{n}以上"): ("average_growth", "at_least", "plan"),
    ("—", "＞{n}"): ("average_growth", "above", "plan"),
    ("—", "〔{n}〕"): ("change", "at_least", "plan"),
    ("—", "提高{n}岁"): ("change", "at_least", "plan"),
    ("—", "下降{n}个百分点"): ("change", "at_least", "plan"),
    ("—", "完成省下达任务"): ("level", "at_least", "higher_level"),
    ("—", "各年度视情提出"): ("annual", "at_least", "yearly"),
}
NAMES = ["新型储能装机规模", "城市绿地率", "人均公园绿地面积", "万元产值水耗", "旅游总收入"]
UNITS = ["%", "亿元", "万千瓦", "岁", "平方米"]


@settings(max_examples=150, deadline=None)
@given(
    form=st.sampled_from(sorted(ROW_FORMS)),
    name=st.sampled_from(NAMES),
    unit=st.sampled_from(UNITS),
    base=st.one_of(st.none(), st.decimals(1, 9999, places=1)),
    number=st.decimals("0.1", 9999, places=1),
    separator=st.sampled_from([" | ", "\t", "  "]),
    nature=st.sampled_from(["预期性", "约束性"]),
)
def test_the_draft_reads_every_form_of_a_table_row(
    form: tuple[str, str], name: str, unit: str, base, number, separator: str, nature: str
) -> None:
    """A row of any form, with any cell separator, base or none, drafts as a reviewer would
    register it: kind, comparator, value (the row's number), unit and source."""
    target_cell, growth_cell = (cell.format(n=number) for cell in form)
    header = separator.join(["类别", "指标", "单位", "2025年", "2030年", "年均增长/累计", "属性"])
    row = separator.join(["经济发展", name, unit, "—" if base is None else str(base), target_cell,
                          growth_cell, nature])  # fmt: skip
    text = f"第一篇 总则\n第二章 主要目标\n{header}\n{row}\n"
    (target,) = draft_plan(text).indicators
    entry = target.entry
    kind, comparator, source = ROW_FORMS[form]
    assert (entry["kind"], entry["comparator"], entry.get("target_source", "plan")) == (
        kind, comparator, source,
    )  # fmt: skip
    assert entry.get("target") == (None if source != "plan" else pytest.approx(float(number)))
    assert (entry["unit"], entry["pillar"], entry["quote"]) == (unit, "经济发展", row)
    assert entry["nature"] == ("binding" if nature == "约束性" else "anticipatory")
    assert text[entry["span"][0] : entry["span"][1]] == row
    if base is not None:
        assert entry["base"] == pytest.approx(float(base))
