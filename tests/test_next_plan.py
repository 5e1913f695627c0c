"""The next plan: a (fictional) city's 2026-2030 纲要 with a standard main-indicator table,
drafted with `plan draft`, reviewed, registered with every form it uses, and loaded end to
end with synthetic submissions into a mid-term and a final evaluation table."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
import yaml

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
