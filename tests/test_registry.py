"""The plan registry: quotes verbatim at their spans, every number accounted for, several plans."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.plans.registry import (
    RegistryError,
    find_plan_folders,
    load_plan,
    markdown_table,
    read_registry,
)
from pipelines.plans.scanner import load_exclusions, scan, unused_exclusions
from tests.conftest import REPO_ROOT, SAMPLE_RAW_DIR

ZX = SAMPLE_RAW_DIR / "registry" / "zx_hqd_2021_2025"
DEMO = REPO_ROOT / "tests" / "fixtures" / "demo_county_2026_2030"
SEED = REPO_ROOT.parent / "shared" / "seeds" / "000_b712444e53f6b2ea.txt"


@pytest.fixture(scope="module")
def registry() -> pl.DataFrame:
    return read_registry(find_plan_folders(SAMPLE_RAW_DIR), SAMPLE_RAW_DIR)


def by_code(registry: pl.DataFrame) -> dict[str, dict]:
    return {row["indicator_code"]: row for row in registry.iter_rows(named=True)}


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed is not beside this clone")
def test_bundled_text_is_the_plan_as_published() -> None:
    assert (ZX / "plan.txt").read_bytes() == SEED.read_bytes()


def test_every_quote_is_verbatim_at_its_span() -> None:
    plan = load_plan(ZX)
    entries = plan.definition["indicators"]
    assert len(entries) == 59
    for entry in entries:
        start, end = entry["span"]
        assert plan.text[start:end] == entry["quote"], entry["code"]


def test_no_number_in_the_plan_is_uncovered() -> None:
    plan = load_plan(ZX)
    exclusions = load_exclusions(ZX / "exclusions.yaml")
    mentions = scan(plan.text, plan.quote_spans(), exclusions)

    uncovered = [(m.start, m.text, m.context) for m in mentions if m.status == "uncovered"]
    assert uncovered == []
    assert unused_exclusions(plan.text, exclusions) == []
    assert len(mentions) == 115
    found = {(m.text, m.start): (m.status, m.by) for m in mentions}
    assert found[("860亿元", 1130)] == ("covered", "gdp")
    assert found[("2.5%", 1242)] == ("covered", "rd_spending_share_gdp")
    assert found[("百强", 1170)] == ("covered", "county_economy_top100")
    assert found[("零的突破", 2005)] == ("covered", "first_local_listed_company")
    assert found[("三甲", 8287)] == ("covered", "tertiary_hospital")
    assert found[("4-5个", 2149)] == ("covered", "reserve_a_scenic_areas")
    assert found[("2025年", 1104)] == ("excluded", "year: /(?:19|20)\\d{2}年/")
    assert found[("558", 8998)] == ("excluded", "programme_name: “558”工作机制")
    assert found[("12号", 76)] == ("excluded", "document_number: /〔\\d{4}〕\\d+号/")


def test_a_new_number_in_the_text_is_reported_uncovered() -> None:
    plan = load_plan(ZX)
    addition = "新增目标:建成智慧社区30个,新建学校2-3所,实现五A景区零的突破。"
    text = plan.text + addition
    mentions = scan(text, plan.quote_spans(), load_exclusions(ZX / "exclusions.yaml"))

    uncovered = [(m.text, m.start - len(plan.text)) for m in mentions if m.status == "uncovered"]
    assert uncovered == [
        ("30个", addition.index("30个")),
        ("2-3所", addition.index("2-3所")),
        ("零的突破", addition.index("零的突破")),
    ]


def test_plan_scan_command_exit_codes(tmp_path: Path) -> None:
    def run(path: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pipelines", "plan", "scan", str(path)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    clean = run(ZX / "plan.txt")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "115 numeric mentions: 59 covered by a target, 56 excluded, 0 uncovered" in clean.stdout

    folder = tmp_path / "edited"
    shutil.copytree(ZX, folder)
    (folder / "plan.txt").write_text(
        (ZX / "plan.txt").read_text(encoding="utf-8") + "建成智慧社区30个。", encoding="utf-8"
    )
    edited = run(folder / "plan.txt")
    assert edited.returncode == 1
    assert "UNCOVERED" in edited.stdout and "建成智慧社区30个" in edited.stdout


def test_registry_holds_every_kind_of_target(registry: pl.DataFrame) -> None:
    rows = by_code(registry)

    def target(code: str) -> tuple:
        r = rows[code]
        return (r["kind"], r["comparator"], r["target_value"], r["target_upper"], r["unit"])

    assert target("gdp") == ("level", "at_least", 860.0, None, "亿元")
    assert target("patent_applications") == ("cumulative", "at_least", 2000.0, None, "件")
    assert target("projects_over_100m") == ("annual", "at_least", 100.0, None, "个")
    assert rows["projects_over_100m"]["each_year"] is True
    assert target("hidden_champions") == ("count", "at_least", 70.0, None, "家")
    assert target("reserve_a_scenic_areas") == ("range", "within", 4.0, 5.0, "个")
    assert target("grain_output") == ("approximate", "about", 20.0, None, "亿斤")
    assert (rows["grain_output"]["each_year"], rows["grain_output"]["tolerance"]) == (True, 0.05)
    assert target("farm_machinery_power")[:3] == ("approximate", "about", 176.0)
    assert rows["farm_machinery_power"]["each_year"] is False
    assert target("county_economy_top100") == ("rank", "at_most", 100.0, None, "位")
    assert target("scenic_area_5a")[:3] == ("milestone", "equals", 1.0)
    assert rows["urban_disposable_income"]["kind"] == "relational"
    assert rows["urban_disposable_income"]["reference_indicator_code"] == "gdp"
    assert target("energy_intensity_gdp")[:3] == ("qualitative", "at_most", None)
    assert rows["tech_upgrade_projects_3yr"]["target_year"] == 2023
    assert set(registry["kind"]) == {
        "level", "cumulative", "annual", "count", "range", "approximate", "rank",
        "milestone", "relational", "qualitative",
    }  # fmt: skip
    four_top100s = {c for c, r in rows.items() if r["kind"] == "rank" and r["target_value"] == 100}
    assert four_top100s == {
        "county_economy_top100",
        "industry_top100",
        "business_environment_top100",
        "county_tourism_top100",
    }


def test_kinds_and_comparators_agree(registry: pl.DataFrame) -> None:
    expected = {
        "range": {"within"},
        "approximate": {"about"},
        "milestone": {"equals"},
        "rank": {"at_most"},
    }
    for row in registry.iter_rows(named=True):
        if row["kind"] in expected:
            assert row["comparator"] in expected[row["kind"]], row["indicator_code"]
        if row["kind"] in {"level", "count", "cumulative"} and row["target_value"] is not None:
            assert row["path"] in {"geometric", "linear"}, row["indicator_code"]


def test_chapter_clause_and_pillar_come_from_the_text(registry: pl.DataFrame) -> None:
    rows = by_code(registry)

    def where(code: str) -> tuple:
        r = rows[code]
        return (r["chapter"], r["clause"], r["clause_title"], r["pillar_zh"])

    assert where("gdp") == ("一", "三", "主要目标", "实力钟祥")
    assert where("afforestation") == ("四", "十九", "加强生态保护和环境治理", "大美钟祥")
    assert where("projects_over_1bn") == ("三", "九", "全力扩大有效投资", "活力钟祥")
    assert where("tertiary_hospital") == ("五", "二十一", "提升全民健康水平", "幸福钟祥")
    assert rows["gdp"]["chapter_title"] == "总体要求"
    # Outside chapter 一, the pillar is always the chapter's.
    chapter_pillars = {"二": "实力钟祥", "三": "活力钟祥", "四": "大美钟祥", "五": "幸福钟祥"}
    for row in registry.iter_rows(named=True):
        if row["chapter"] in chapter_pillars:
            assert row["pillar_zh"] == chapter_pillars[row["chapter"]], row["indicator_code"]
    assert set(registry["department_source"]) == {"assigned"}
    assert registry["department_zh"].null_count() == 0


def test_a_quote_off_its_span_is_rejected_with_where_it_is(tmp_path: Path) -> None:
    folder = tmp_path / "zx"
    shutil.copytree(ZX, folder)
    plan_yaml = folder / "plan.yaml"
    plan_yaml.write_text(
        plan_yaml.read_text(encoding="utf-8").replace("span: [1120, 1135]", "span: [1121, 1136]"),
        encoding="utf-8",
    )

    with pytest.raises(RegistryError) as error:
        read_registry([folder], tmp_path)

    message = str(error.value)
    assert "plan.yaml: indicators[0] (gdp)" in message
    assert "引文与原文不符 / quote is not verbatim at span [1121, 1136]" in message
    assert "the quote is at [1120, 1135]" in message


def test_an_unknown_department_is_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "zx"
    shutil.copytree(ZX, folder)
    plan_yaml = folder / "plan.yaml"
    plan_yaml.write_text(
        plan_yaml.read_text(encoding="utf-8").replace(
            "department: forestry", "department: forestry_bureau", 1
        ),
        encoding="utf-8",
    )

    with pytest.raises(
        RegistryError, match=r"\(afforestation\): 未知责任部门 / unknown department"
    ):
        read_registry([folder], tmp_path)


def test_a_second_plan_loads_beside_the_first(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE_RAW_DIR / "registry", raw / "registry")
    shutil.copytree(DEMO, raw / "registry" / DEMO.name)

    registry = read_registry(find_plan_folders(raw), raw)

    counts = dict(
        registry.group_by("plan_id", "region_code")
        .len()
        .select(pl.concat_str("plan_id", "region_code", separator="/"), "len")
        .rows()
    )
    assert counts == {"zx_hqd_2021_2025/420881": 59, "demo_county_2026_2030/990001": 6}
    demo = registry.filter(pl.col("plan_id") == "demo_county_2026_2030")
    assert set(demo["base_year"]) == {2025} and set(demo["target_year"]) == {2030}
    plan = load_plan(DEMO)
    mentions = scan(plan.text, plan.quote_spans(), load_exclusions(DEMO / "exclusions.yaml"))
    assert [m for m in mentions if m.status == "uncovered"] == []


def test_readme_lists_every_registered_target(registry: pl.DataFrame) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- indicators:start -->\n") + len("<!-- indicators:start -->\n")
    end = readme.index("\n<!-- indicators:end -->")
    assert readme[start:end] == markdown_table(registry), (
        "README's indicator table is out of date: paste `python -m pipelines plan table`"
    )


def test_a_plan_sets_its_targets_for_every_region_it_lists(tmp_path: Path) -> None:
    folder = tmp_path / "registry" / "province"
    shutil.copytree(ZX, folder)
    plan_yaml = folder / "plan.yaml"
    plan_yaml.write_text(
        plan_yaml.read_text(encoding="utf-8").replace(
            "plan_id: zx_hqd_2021_2025", "plan_id: province\n  regions: regions.csv", 1
        ),
        encoding="utf-8",
    )
    (folder / "regions.csv").write_text(
        "region_code,region_name_zh\n420881,钟祥市\n420802,东宝区\n", encoding="utf-8"
    )

    registry = read_registry([folder], tmp_path)

    assert registry.group_by("region_code", "region_name_zh").len().sort("region_code").rows() == [
        ("420802", "东宝区", 59),
        ("420881", "钟祥市", 59),
    ]
    assert registry.filter(pl.col("indicator_code") == "gdp")["target_value"].to_list() == [
        860.0,
        860.0,
    ]

    (folder / "regions.csv").write_text(
        "region_code,region_name_zh\n420881,钟祥市\n420881,钟祥\n", encoding="utf-8"
    )
    with pytest.raises(RegistryError, match="regions.csv: 地区代码重复或为空 / region codes"):
        read_registry([folder], tmp_path)


def test_every_target_with_a_number_has_a_plausible_bound(registry: pl.DataFrame) -> None:
    targets = by_code(registry)

    assert targets["gdp"]["plausible_max"] == 86_000  # 100 x 860 亿元
    assert targets["county_economy_top100"]["plausible_max"] == 10_000  # 100 x the 100th
    assert targets["urbanization_rate"]["plausible_max"] == 6_000  # 100 x 60 %
    assert targets["rd_spending_share_gdp"]["plausible_max"] == 1_000  # a percentage: 1,000
    assert targets["scenic_area_5a"]["plausible_max"] is None  # yes / no
    for row in registry.iter_rows(named=True):
        if row["target_value"] is not None and row["unit_family"] != "boolean":
            assert row["plausible_max"] >= 100 * abs(row["target_value"]), row["indicator_code"]


def test_max_value_in_the_plan_sets_the_bound_and_is_checked(tmp_path: Path) -> None:
    folder = tmp_path / "zx"
    shutil.copytree(ZX, folder)
    plan_yaml = folder / "plan.yaml"
    original = plan_yaml.read_text(encoding="utf-8")
    plan_yaml.write_text(
        original.replace("    target: 860\n", "    target: 860\n    max_value: 5000\n", 1),
        encoding="utf-8",
    )
    assert by_code(read_registry([folder], tmp_path))["gdp"]["plausible_max"] == 5000

    plan_yaml.write_text(
        original.replace("    target: 860\n", "    target: 860\n    max_value: -1\n", 1),
        encoding="utf-8",
    )
    with pytest.raises(RegistryError, match=r"\(gdp\): max_value 应为正数 / .* -1"):
        read_registry([folder], tmp_path)


def test_targets_are_described_with_their_comparators_sign() -> None:
    from pipelines.plans.registry import describe_target

    def row(comparator: str, each_year: bool = False, **more: object) -> dict:
        return {"kind": "level", "comparator": comparator, "target_value": 5.5,
                "each_year": each_year, "target_upper": None, "tolerance": None, **more}  # fmt: skip

    assert describe_target(row("below", each_year=True)) == "<5.5 each year"
    assert describe_target(row("above")) == ">5.5"
    assert describe_target(row("at_most")) == "≤5.5"
    assert describe_target(row("at_least")) == "≥5.5"
    assert describe_target(row("about", tolerance=0.05)) == "≈5.5 (±5%)"
    assert describe_target(row("within", target_upper=7)) == "5.5–7"


def test_a_target_must_be_a_number_its_quote_states(tmp_path: Path) -> None:
    folder = plan_with_gdp(tmp_path, target=8600)
    with pytest.raises(RegistryError, match=r"\(gdp\): target 8600 不在引文中.*states 860\b"):
        read_registry([folder], tmp_path)
    # A derived target says why, and passes.
    folder = plan_with_gdp(tmp_path, target=8600, derived="万元 for 亿元")
    assert by_code(read_registry([folder], tmp_path))["gdp"]["target_value"] == 8600


def test_numbers_in_a_quote_are_read_as_written() -> None:
    from pipelines.plans.scanner import numbers_in

    assert numbers_in("城镇调查失业率＜5.5%") == [5.5]
    assert numbers_in("新增4-5家国家A级景区") == [4.0, 5.0]
    assert numbers_in("〔13.5〕") == [13.5]
    assert numbers_in("进入全国县域经济百强") == [100.0]
    assert numbers_in("新增三甲医院") == [3.0]
    assert numbers_in("实现零的突破") == [0.0]
    assert numbers_in("二十五项") == [25.0]
    # 万 and 亿 after a number, or alone, are units of it; 百分点 and 十分 are words.
    assert numbers_in("全市地区生产总值达到860亿元") == [860.0]
    assert numbers_in("新增1.5万亩，两万人") == [1.5, 20000.0]
    assert numbers_in("提高2个百分点，百分之五，十分重要") == [2.0, 5.0]


def plan_with_gdp(tmp_path: Path, **fields: object) -> Path:
    """The sample plan with its GDP entry changed (a field set to None is removed)."""
    import yaml

    folder = tmp_path / "zx"
    shutil.copytree(ZX, folder, dirs_exist_ok=True)
    definition = yaml.safe_load((ZX / "plan.yaml").read_text(encoding="utf-8"))
    entry = next(e for e in definition["indicators"] if e["code"] == "gdp")
    for name, value in fields.items():
        if value is None:
            entry.pop(name, None)
        else:
            entry[name] = value
    (folder / "plan.yaml").write_text(
        yaml.safe_dump(definition, allow_unicode=True), encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"kind": "growth"}, "kind 'growth' 无效"),
        ({"comparator": "more_than"}, "comparator 'more_than' 无效"),
        ({"kind": "change"}, "a change target needs `change_basis`"),
        (
            {"kind": "change", "change_basis": "percent", "direction": "sideways"},
            "direction 'sideways' 无效",
        ),
        ({"direction": "up"}, "only for `kind: change`"),
        ({"reported_as": "level"}, "only for those kinds"),
        ({"kind": "average_growth", "reported_as": "yearly_rate"}, "needs unit %"),
        ({"target_source": "higher_level"}, "a target assigned later has no `target`"),
        ({"target": None}, "needs `target`, or `target_source: higher_level`"),
        ({"base": "about 800"}, "`base` must be a number"),
        ({"base": 700}, "base 700 不在引文中"),
    ],
)
def test_the_form_of_a_target_is_checked(tmp_path: Path, fields: dict, words: str) -> None:
    with pytest.raises(RegistryError, match=r"\(gdp\)") as error:
        read_registry([plan_with_gdp(tmp_path, **fields)], tmp_path)
    assert words in str(error.value)


def test_growth_change_and_assigned_forms_are_registered(tmp_path: Path) -> None:
    grow = by_code(
        read_registry([plan_with_gdp(tmp_path, kind="average_growth", target=860)], tmp_path)
    )
    assert (grow["gdp"]["kind"], grow["gdp"]["reported_as"], grow["gdp"]["target_source"]) == (
        "average_growth", "level", "plan",
    )  # fmt: skip
    change = by_code(read_registry([plan_with_gdp(
        tmp_path, kind="change", change_basis="percent", direction="down")], tmp_path))["gdp"]  # fmt: skip
    assert (change["change_basis"], change["change_direction"], change["reported_as"]) == (
        "percent", "down", "level",
    )  # fmt: skip
    assigned = by_code(read_registry([plan_with_gdp(
        tmp_path, target=None, target_source="higher_level")], tmp_path))["gdp"]  # fmt: skip
    assert (assigned["target_value"], assigned["target_source"]) == (None, "higher_level")


def test_assignments_give_later_values_and_are_checked_row_by_row(tmp_path: Path) -> None:
    from pipelines.plans.registry import read_assignments

    folder = plan_with_gdp(tmp_path, target=None, target_source="higher_level")
    registry = read_registry([folder], tmp_path)
    header = "region_code,indicator_code,year,target_value,document,reviewed_by,reviewed_on\n"
    good = "420881,gdp,,900,示例下达文件（虚构）,规划科,2026-03-01\n"
    (folder / "assignments.csv").write_text(header + good, encoding="utf-8")
    table = read_assignments([folder], tmp_path, registry)
    assert table.select("indicator_code", "target_year", "target_value", "source_row").rows() == [
        ("gdp", None, 900.0, 2)
    ]
    cases = {
        "420881,gdp,2026,900,文件,规划科,2026-03-01\n": "column 'year': value '2026'",
        "420881,gdp,,九百,文件,规划科,2026-03-01\n": "column 'target_value': value '九百'",
        "420881,gdp,,900,,规划科,2026-03-01\n": "column 'document'",
        "420881,gdp,,900,文件,规划科,2026/3/1\n": "column 'reviewed_on'",
        "420881,urbanization_rate,,61,文件,规划科,2026-03-01\n": "the plan states this target's value",
        "420882,gdp,,900,文件,规划科,2026-03-01\n": "not a registered target",
        good: "assigned twice",
    }
    for row, words in cases.items():
        text = header + good + row if row == good else header + row
        (folder / "assignments.csv").write_text(text, encoding="utf-8")
        with pytest.raises(RegistryError, match="assignments.csv") as error:
            read_assignments([folder], tmp_path, registry)
        assert words in str(error.value), (row, str(error.value))
        assert "row 2" in str(error.value) or "row 3" in str(error.value)


@settings(max_examples=200, deadline=None)
@given(
    number=st.decimals("0.01", 99999, places=2),
    full_width=st.booleans(),
    before=st.sampled_from(["全市地区生产总值达到", "控制在", "年均增长", "＞", "〔", "不低于"]),
    after=st.sampled_from(["亿元", "%以上", "左右", "〕", "个百分点", "家"]),
)
def test_a_quoted_number_is_read_whatever_its_writing(
    number, full_width: bool, before: str, after: str
) -> None:
    """Any number in any usual wording, half- or full-width, is the number the quote states;
    ten times it is not."""
    from pipelines.plans.scanner import numbers_in

    written = str(number)
    if full_width:
        written = written.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    stated = numbers_in(f"{before}{written}{after}")
    assert stated == [pytest.approx(float(number))]
    assert not any(abs(n - float(number) * 10) < 1e-9 for n in stated)


def test_reviewed_csv_files_are_read_in_gbk_and_name_a_missing_column(tmp_path: Path) -> None:
    from pipelines.plans.registry import read_assignments

    folder = plan_with_gdp(tmp_path, target=None, target_source="higher_level")
    registry = read_registry([folder], tmp_path)
    header = "region_code,indicator_code,year,target_value,document,reviewed_by,reviewed_on\n"
    row = "420881,gdp,,900,示例下达文件（虚构）,规划科,2026-03-01\n"
    (folder / "assignments.csv").write_bytes((header + row).encode("gbk"))
    assert read_assignments([folder], tmp_path, registry)["document"].to_list() == [
        "示例下达文件（虚构）"
    ]
    (folder / "assignments.csv").write_text(
        header.replace(",document", "") + row.replace(",示例下达文件（虚构）", ""), encoding="utf-8"
    )
    with pytest.raises(
        RegistryError, match=r"zx/assignments.csv：缺少列 / missing columns \['document'\]"
    ):
        read_assignments([folder], tmp_path, registry)
    # A ragged line is a clear error naming the file, not a parser's traceback.
    (folder / "assignments.csv").write_text(
        header + row + "420881,gdp,,1,2,3,4,5,6\n", encoding="utf-8"
    )
    with pytest.raises(
        RegistryError, match=r"zx/assignments.csv：不是有效的 CSV / not a valid CSV"
    ):
        read_assignments([folder], tmp_path, registry)
