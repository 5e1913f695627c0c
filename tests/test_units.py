"""Units declared as data: the bundled table, a plan's own units.yaml, and the errors a bad
or missing unit gives."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from pipelines.ingest.submissions import Catalog, read_submission
from pipelines.plans.registry import (
    RegistryError,
    find_plan_folders,
    read_registry,
    registered_units,
)
from pipelines.plans.units import BUNDLED, UnitsError, UnitTable, normalize_unit
from tests.conftest import SAMPLE_RAW_DIR

PLAN_FOLDER = SAMPLE_RAW_DIR / "registry" / "zx_hqd_2021_2025"

# Units a 规划纲要's main-indicator table uses, each with its family.
PLAN_TABLE_UNITS = {
    "亿元": "money", "元/人": "money_per_person", "万元/人": "money_per_person", "%": "percent",
    "个百分点": "percentage_points", "年": "years", "岁": "years", "人": "people",
    "万人": "people", "亿吨": "weight", "万吨": "weight", "亿吨标准煤": "energy",
    "吨标准煤/万元": "energy_intensity", "件/万人": "per_ten_thousand_people",
    "人/千人": "per_thousand_people", "个/千人": "per_thousand_people", "公里": "length",
    "亿美元": "money_usd", "万千瓦": "power", "万亩": "area", "位": "rank", "是/否": "boolean",
}  # fmt: skip

units = st.sampled_from(sorted(BUNDLED.units))


def test_the_common_units_of_a_plan_table_are_bundled() -> None:
    assert {unit: BUNDLED.family(unit) for unit in PLAN_TABLE_UNITS} == PLAN_TABLE_UNITS
    assert BUNDLED.conversion_factor("亿吨标准煤", "万吨标准煤") == 1e4
    assert BUNDLED.conversion_factor("万亩", "公顷") == pytest.approx(1e4 / 15)
    assert BUNDLED.conversion_factor("（单位：亿元）", "万元") == 1e4
    # Another family, or another currency, is never converted.
    assert BUNDLED.conversion_factor("亿美元", "亿元") is None
    assert BUNDLED.conversion_factor("岁", "%") is None
    assert BUNDLED.conversion_factor("光年", "公里") is None


@given(units, units, units)
def test_conversions_within_a_family_compose_and_invert(a: str, b: str, c: str) -> None:
    ab, ba = BUNDLED.conversion_factor(a, b), BUNDLED.conversion_factor(b, a)
    if BUNDLED.family(a) != BUNDLED.family(b):
        assert ab is None and ba is None
        return
    assert math.isclose(ab * ba, 1.0, rel_tol=1e-12)
    if BUNDLED.family(b) == BUNDLED.family(c):
        assert math.isclose(
            ab * BUNDLED.conversion_factor(b, c), BUNDLED.conversion_factor(a, c), rel_tol=1e-12
        )


@given(units)
def test_every_bundled_unit_is_found_by_its_spellings(unit: str) -> None:
    assert BUNDLED.family(f" （单位：{unit}） ") == BUNDLED.family(unit)
    assert normalize_unit(unit) == unit


def plan_copy(tmp_path: Path, unit: str) -> Path:
    """The sample plan with its GDP target in `unit`."""
    folder = tmp_path / "registry" / "zx_hqd_2021_2025"
    shutil.copytree(PLAN_FOLDER, folder)
    path = folder / "plan.yaml"
    text = path.read_text(encoding="utf-8")
    definition = yaml.safe_load(text)
    for entry in definition["indicators"]:
        if entry["code"] == "gdp":
            entry["unit"] = unit
    path.write_text(
        yaml.safe_dump(definition, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return folder


def test_an_unknown_unit_is_an_error_naming_the_target_and_how_to_declare_it(
    tmp_path: Path,
) -> None:
    folder = plan_copy(tmp_path, "万标准箱")
    with pytest.raises(RegistryError) as error:
        read_registry([folder], tmp_path)
    message = str(error.value)
    assert "plan.yaml" in message and "(gdp)" in message and "'万标准箱'" in message
    assert "units.yaml" in message and "未知单位" in message


def test_a_plan_declares_its_own_units_and_departments_may_send_them(tmp_path: Path) -> None:
    folder = plan_copy(tmp_path, "万标准箱")
    (folder / "units.yaml").write_text(
        "families:\n  containers: {zh: 集装箱, en: containers (TEU), base: 标准箱, measure: flow, "
        "summable: true, sign: nonnegative}\nunits:\n  标准箱: [containers, 1]\n  万标准箱: [containers, 1.0e+4]\n",
        encoding="utf-8",
    )
    registry = read_registry([folder], tmp_path)
    gdp = registry.filter(indicator_code="gdp").row(0, named=True)
    assert (gdp["unit_family"], gdp["measure"]) == ("containers", "flow")

    catalog = Catalog(registry, registered_units(tmp_path))
    submission = tmp_path / "submissions" / "420881" / "port.csv"
    submission.parent.mkdir(parents=True)
    submission.write_text(
        "指标代码,时期,数值,单位\ngdp,2023,15000,标准箱\ngdp,2024,-1,万标准箱\n", encoding="utf-8"
    )
    result = read_submission(submission, tmp_path, catalog)
    # 15,000 标准箱 is 1.5 万标准箱; the family is non-negative, so -1 is refused.
    assert [(i.code, i.row) for i in result.issues] == [("impossible_value", 3)]
    submission.write_text("指标代码,时期,数值,单位\ngdp,2023,15000,标准箱\n", encoding="utf-8")
    result = read_submission(submission, tmp_path, catalog)
    assert result.accepted and result.observations.select("value", "unit").rows() == [
        (1.5, "万标准箱")
    ]
    # Without the plan's units the bundled table cannot convert it.
    assert not read_submission(submission, tmp_path, Catalog(registry)).accepted


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("units:\n  亿元: [money, 1.0e+9]\n", "already declared in pipelines/plans/units.yaml"),
        ("units:\n  标准箱: [containers, 1]\n", "unknown family 'containers'"),
        ("units:\n  标准箱: [count, 0]\n", "the size must be a positive number"),
        ("units:\n  标准箱: [count, .nan]\n", "the size must be a positive number"),
        ("units:\n  标准箱: count\n", "write it as [family, size]"),
        ("families:\n  money: {base: 元}\n", "the family already exists"),
        ("families:\n  teu: {zh: 箱}\n", "needs `base:`"),
        ("families:\n  teu: {base: 箱, measure: sometimes}\n", "measure"),
        ("currencies: {}\n", "only `families:` and `units:`"),
        ("units: [\n", "cannot be read"),
    ],
)
def test_a_bad_units_file_is_an_error_naming_the_file_and_entry(
    tmp_path: Path, text: str, words: str
) -> None:
    path = tmp_path / "units.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UnitsError, match="units.yaml") as error:
        BUNDLED.extended(path)
    assert words in str(error.value)


def test_a_unit_means_one_thing_across_plans(tmp_path: Path) -> None:
    for name, size in (("a", 1), ("b", 2)):
        folder = tmp_path / "registry" / name
        folder.mkdir(parents=True)
        (folder / "plan.yaml").write_text("plan: {}\n", encoding="utf-8")
        (folder / "units.yaml").write_text(f"units:\n  标准箱: [count, {size}]\n", encoding="utf-8")
    with pytest.raises(
        RegistryError, match="registry/b/units.yaml.*already declared in registry/a/units.yaml"
    ):
        registered_units(tmp_path)


def test_the_bundled_table_loads_from_its_file_alone() -> None:
    assert UnitTable().extended_by([]) == UnitTable()
    assert registered_units(SAMPLE_RAW_DIR).units == BUNDLED.units
    assert find_plan_folders(SAMPLE_RAW_DIR)
