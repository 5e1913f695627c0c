"""The plan registry: every quantified target of each plan, traced to its clause.

Each plan is a folder under `raw/registry/` holding `plan.yaml` (the plan, its departments
and its targets), `plan.txt` (the plan's full text) and `exclusions.yaml` (numbers in the
text that are not targets). Reading a plan checks that every quote is verbatim at its span
and derives the chapter and clause from the text; the flattened table is then validated by
the `raw_plan_indicators` Great Expectations suite like any other input.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from pipelines.ingest.readers.base import read_reviewed_csv
from pipelines.plans.outline import PlanOutline
from pipelines.plans.scanner import numbers_in
from pipelines.plans.units import BUNDLED, UNITS_FILE, Family, UnitsError, UnitTable
from pipelines.vocabulary import (
    CHANGE_BASES,
    COMPARATORS,
    DIRECTIONS,
    KINDS,
    REPORTED_AS,
    TARGET_SOURCES,
    Term,
    by_code,
    codes,
)

REGISTRY_SUBDIR = "registry"
PLAN_FILE = "plan.yaml"
EXCLUSIONS_FILE = "exclusions.yaml"

REGISTRY_SCHEMA: dict[str, pl.DataType] = {
    "plan_id": pl.String(),
    "plan_title_zh": pl.String(),
    "plan_adopted_on": pl.Date(),
    "region_code": pl.String(),
    "region_name_zh": pl.String(),
    "indicator_code": pl.String(),
    "name_zh": pl.String(),
    "name_en": pl.String(),
    "chapter": pl.String(),
    "chapter_title": pl.String(),
    "clause": pl.String(),
    "clause_title": pl.String(),
    "pillar_zh": pl.String(),
    "pillar_en": pl.String(),
    "department_code": pl.String(),
    "department_zh": pl.String(),
    "department_en": pl.String(),
    "department_source": pl.String(),
    "unit": pl.String(),
    "unit_family": pl.String(),
    "measure": pl.String(),
    "kind": pl.String(),
    "comparator": pl.String(),
    "target_value": pl.Float64(),
    "target_upper": pl.Float64(),
    "target_source": pl.String(),
    "plan_base_value": pl.Float64(),
    "change_basis": pl.String(),
    "change_direction": pl.String(),
    "reported_as": pl.String(),
    "tolerance": pl.Float64(),
    "plausible_max": pl.Float64(),
    "each_year": pl.Boolean(),
    "base_year": pl.Int64(),
    "target_year": pl.Int64(),
    "cadence": pl.String(),
    "path": pl.String(),
    "nature": pl.String(),
    "reference_indicator_code": pl.String(),
    "notes": pl.String(),
    "source_quote": pl.String(),
    "source_start": pl.Int64(),
    "source_end": pl.Int64(),
    "source_file": pl.String(),
}

INDICATOR_KEYS = frozenset(
    {
        "code", "name_zh", "name_en", "pillar", "department", "unit", "kind", "comparator",
        "target", "upper", "tolerance", "max_value", "each_year", "base_year", "target_year", "cadence",
        "path", "nature", "reference", "notes", "quote", "span", "measure", "derived", "base",
        "target_source", "change_basis", "direction", "reported_as",
    }
)  # fmt: skip


class RegistryError(ValueError):
    """A plan's registry cannot be read; the message names the file, the entry and the field."""


@dataclass(frozen=True)
class Plan:
    folder: Path
    definition: dict[str, Any]
    text: str

    @property
    def plan_id(self) -> str:
        return str(self.definition["plan"]["plan_id"])

    def regions(self) -> list[tuple[str, str | None]]:
        """(region_code, region_name_zh) of every region the plan sets targets for.

        A county's plan names its own region (`plan.region_code`). A plan adopted for many
        regions, such as a province's targets set for each of its counties, names a CSV
        beside `plan.yaml` instead (`plan.regions: regions.csv`, with the columns
        `region_code` and `region_name_zh`): its targets are registered for each region.
        """
        meta = self.definition["plan"]
        if not meta.get("regions"):
            return [(str(meta["region_code"]), meta.get("region_name_zh"))]
        path = self.folder / str(meta["regions"])
        try:
            table = pl.read_csv(path, schema_overrides={"region_code": pl.String})
        except (OSError, pl.exceptions.PolarsError) as error:
            raise RegistryError(
                f"{path}: 地区表无法读取 / cannot read the regions: {error}"
            ) from error
        missing = {"region_code", "region_name_zh"} - set(table.columns)
        if missing:
            raise RegistryError(f"{path}: 缺少列 / missing columns {sorted(missing)}")
        if table["region_code"].is_duplicated().any() or table["region_code"].is_null().any():
            raise RegistryError(f"{path}: 地区代码重复或为空 / region codes repeated or empty")
        return list(table.select("region_code", "region_name_zh").iter_rows())

    @functools.cached_property
    def units(self) -> UnitTable:
        """The bundled units plus those of the plan's own `units.yaml`, if it has one."""
        try:
            return BUNDLED.extended_by([self.folder])
        except UnitsError as error:
            raise RegistryError(str(error)) from None

    def quote_spans(self) -> dict[str, tuple[int, int]]:
        return {
            str(entry["code"]): (int(entry["span"][0]), int(entry["span"][1]))
            for entry in self.definition.get("indicators") or []
        }


def find_plan_folders(raw_dir: Path) -> list[Path]:
    """Folders under `raw_dir/registry` that hold a `plan.yaml`, in a stable order."""
    root = raw_dir / REGISTRY_SUBDIR
    return sorted(path.parent for path in root.glob(f"*/{PLAN_FILE}")) if root.is_dir() else []


def registered_units(raw_dir: Path) -> UnitTable:
    """The bundled units and those of every plan's `units.yaml` (a unit means one thing
    across plans: one declared differently twice is an error)."""
    try:
        return BUNDLED.extended_by(find_plan_folders(raw_dir), raw_dir)
    except UnitsError as error:
        raise RegistryError(str(error)) from None


def load_plan(folder: Path) -> Plan:
    """Read a plan folder's `plan.yaml` and the text it names."""
    path = folder / PLAN_FILE
    try:
        definition = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise RegistryError(f"{path}: YAML 格式错误 / invalid YAML: {error}") from error
    if not isinstance(definition, dict) or "plan" not in definition:
        raise RegistryError(f"{path}: 缺少 plan 段 / the `plan` section is missing")
    text_path = folder / str(definition["plan"].get("text", "plan.txt"))
    if not text_path.exists():
        raise RegistryError(f"{path}: 找不到规划全文 / plan text not found: {text_path.name}")
    return Plan(folder=folder, definition=definition, text=text_path.read_text(encoding="utf-8"))


# Kinds whose target is a yes (1) or no number at all: nothing to find in the quote.
UNQUOTED_KINDS = frozenset({"milestone", "qualitative", "relational"})


def _check_values_are_quoted(
    path: Path, index: int, code: object, entry: dict[str, Any], quote: str
) -> None:
    """A target's value (and a range's upper end) must be a number its quote states, so that
    a slip (65000 for "＞6.5" 亿吨) cannot pass; `derived:` says why one is not."""
    if entry.get("kind") in UNQUOTED_KINDS or entry.get("derived"):
        return
    stated = numbers_in(quote)
    for field_name in ("target", "upper", "base"):
        value = entry.get(field_name)
        if value is None or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if not any(math.isclose(float(value), number, rel_tol=1e-9) for number in stated):
            shown = ", ".join(f"{n:g}" for n in stated) or "none"
            raise _entry_error(
                path, index, code,
                f"{field_name} {value!r} 不在引文中 / is not a number its quote states "
                f"({quote!r} states {shown}); correct it, or say why with `derived:`",
            )  # fmt: skip


def _one_of(
    path: Path, index: int, code: object, entry: dict[str, Any], name: str,
    terms: tuple[Term, ...], default: str | None = None,
) -> str | None:  # fmt: skip
    value = entry.get(name, default)
    if value is not None and value not in codes(terms):
        raise _entry_error(
            path, index, code, f"{name} {value!r} 无效 / must be one of {', '.join(codes(terms))}"
        )
    return value


def _target_form(
    path: Path, index: int, code: object, entry: dict[str, Any], unit_family: Family
) -> dict[str, Any]:
    """The columns that say what form a target takes beyond its kind and comparator, each
    checked: where its value comes from, the plan's own base value, and for growth and
    change targets how they are measured and what departments send."""
    kind = _one_of(path, index, code, entry, "kind", KINDS)
    if kind is None:
        raise _entry_error(
            path, index, code, f"需要 kind / needs `kind`: one of {', '.join(codes(KINDS))}"
        )
    _one_of(path, index, code, entry, "comparator", COMPARATORS)
    source = _one_of(path, index, code, entry, "target_source", TARGET_SOURCES, "plan")
    if source != "plan" and entry.get("target") is not None:
        raise _entry_error(
            path, index, code,
            f"target_source {source} 的目标值由审核文件给出 / a target assigned later has no "
            "`target` in plan.yaml: its value comes from the plan folder's assignments.csv",
        )  # fmt: skip
    needs_value = kind in {"average_growth", "change", "level", "count", "annual", "cumulative",
                           "range", "approximate", "rank"}  # fmt: skip
    if source == "plan" and needs_value and entry.get("target") is None:
        raise _entry_error(
            path, index, code,
            "需要 target，或 target_source: higher_level / yearly / needs `target`, or "
            "`target_source: higher_level` (完成上级下达任务) or `yearly` (各年度视情提出)",
        )  # fmt: skip
    base = entry.get("base")
    if base is not None and (isinstance(base, bool) or not isinstance(base, int | float)):
        raise _entry_error(path, index, code, f"base 应为数值 / `base` must be a number: {base!r}")
    basis = direction = reported_as = None
    if kind == "change":
        basis = _one_of(path, index, code, entry, "change_basis", CHANGE_BASES)
        direction = _one_of(path, index, code, entry, "direction", DIRECTIONS)
        if basis is None or direction is None:
            raise _entry_error(
                path, index, code,
                "change 需要 change_basis 和 direction / a change target needs `change_basis` "
                "(percent: 累计降低13.5%; absolute: 提高1岁, 下降2个百分点) and `direction` (up or down)",
            )  # fmt: skip
    elif "change_basis" in entry or "direction" in entry:
        raise _entry_error(
            path,
            index,
            code,
            "change_basis 和 direction 只用于 kind: change / only for `kind: change`",
        )
    if kind in {"average_growth", "change"}:
        rates = unit_family.code == "percent" and (kind == "average_growth" or basis == "percent")
        reported_as = _one_of(path, index, code, entry, "reported_as", REPORTED_AS,
                              "yearly_rate" if rates else "level")  # fmt: skip
        if reported_as == "yearly_rate" and unit_family.code != "percent":
            raise _entry_error(
                path, index, code, "reported_as: yearly_rate 的单位应为 % / needs unit %"
            )
        if kind == "change" and basis == "absolute" and reported_as == "yearly_rate":
            raise _entry_error(
                path, index, code,
                "按绝对量的变化由水平值计算 / an absolute change is measured on levels: reported_as: level",
            )  # fmt: skip
    elif "reported_as" in entry:
        raise _entry_error(
            path, index, code, "reported_as 只用于 average_growth 和 change / only for those kinds"
        )
    return {
        "target_source": source,
        "plan_base_value": float(base) if base is not None else None,
        "change_basis": basis,
        "change_direction": direction,
        "reported_as": reported_as,
    }


def _entry_error(path: Path, index: int, code: object, message: str) -> RegistryError:
    return RegistryError(f"{path}: indicators[{index}] ({code}): {message}")


def plan_rows(plan: Plan, source_file: str) -> list[dict[str, Any]]:
    """One row per target of `plan`, with chapter, clause, pillar and department resolved."""
    path = plan.folder / PLAN_FILE
    meta = plan.definition["plan"]
    defaults = plan.definition.get("defaults") or {}
    pillars = plan.definition.get("pillars") or {}
    departments = plan.definition.get("departments") or {}
    outline = PlanOutline.of(plan.text)
    rows = []
    for index, entry in enumerate(plan.definition.get("indicators") or []):
        code = entry.get("code")
        unknown = sorted(set(entry) - INDICATOR_KEYS)
        if unknown:
            raise _entry_error(path, index, code, f"未知字段 / unknown fields {unknown}")
        quote, span = entry.get("quote"), entry.get("span")
        if not quote or not isinstance(span, list) or len(span) != 2:
            raise _entry_error(
                path, index, code, "需要 quote 和 span / needs `quote` and `span: [start, end]`"
            )
        start, end = int(span[0]), int(span[1])
        if plan.text[start:end] != quote:
            found = plan.text.find(quote)
            hint = f"; the quote is at [{found}, {found + len(quote)}]" if found >= 0 else ""
            raise _entry_error(
                path, index, code,
                f"引文与原文不符 / quote is not verbatim at span [{start}, {end}]: "
                f"text there is {plan.text[start:end]!r}{hint}",
            )  # fmt: skip
        _check_values_are_quoted(path, index, code, entry, quote)
        part = outline.part_at(start)
        chapter = outline.chapter_at(start)
        clause = outline.clause_at(start)
        # A plan in parts (第一篇) groups its pillars by part; a shorter one by chapter.
        heading = part or chapter
        pillar_key = entry.get("pillar") or (heading.number if heading else None)
        pillar = pillars.get(pillar_key)
        if pillar is None:
            raise _entry_error(
                path, index, code,
                f"无法确定所属板块 / no pillar for chapter {pillar_key!r}; set `pillar`",
            )  # fmt: skip
        department = departments.get(entry.get("department"))
        if department is None:
            raise _entry_error(
                path, index, code,
                f"未知责任部门 / unknown department {entry.get('department')!r}",
            )  # fmt: skip

        unit_family = plan.units.family_of(entry.get("unit"))
        if unit_family is None:
            raise _entry_error(
                path, index, code,
                f"未知单位 / unknown unit {entry.get('unit')!r}: declare it in {UNITS_FILE} "
                f"beside {PLAN_FILE} (`units: {{{entry.get('unit')}: [family, size]}}`; "
                f"families: {', '.join(sorted(plan.units.families))})",
            )  # fmt: skip

        form = _target_form(path, index, code, entry, unit_family)

        bound = entry.get("max_value")
        if bound is not None and (
            isinstance(bound, bool) or not isinstance(bound, int | float) or not bound > 0
        ):
            raise _entry_error(
                path,
                index,
                code,
                f"max_value 应为正数 / max_value must be a positive number: {bound!r}",
            )

        def field(name: str, default: Any = None, entry: dict = entry) -> Any:
            return entry.get(name, defaults.get(name, default))

        rows.append(
            {
                "plan_id": str(meta["plan_id"]),
                "plan_title_zh": meta.get("title_zh"),
                "plan_adopted_on": meta.get("adopted_on"),
                "region_code": None,  # set per region by read_registry
                "region_name_zh": None,
                "indicator_code": code,
                "name_zh": entry.get("name_zh"),
                "name_en": entry.get("name_en"),
                "chapter": chapter.number if chapter else None,
                "chapter_title": chapter.title if chapter else None,
                "clause": clause.number if clause else None,
                "clause_title": clause.title if clause else None,
                "pillar_zh": pillar.get("zh"),
                "pillar_en": pillar.get("en"),
                "department_code": entry.get("department"),
                "department_zh": department.get("zh"),
                "department_en": department.get("en"),
                "department_source": "assigned",
                "unit": entry.get("unit"),
                "unit_family": unit_family.code,
                "measure": entry.get("measure") or default_measure(entry.get("kind"), unit_family),
                "kind": entry.get("kind"),
                "comparator": entry.get("comparator"),
                "target_value": entry.get("target"),
                "target_upper": entry.get("upper"),
                **form,
                "tolerance": field("tolerance")
                if entry.get("kind") == "approximate" or entry.get("comparator") == "about"
                else None,
                "plausible_max": bound
                if bound is not None
                else plausible_max(unit_family.code, *_scale_of(entry, form)),
                "each_year": bool(entry.get("each_year", entry.get("kind") == "annual")),
                "base_year": field("base_year"),
                "target_year": field("target_year"),
                "cadence": field("cadence"),
                "path": entry.get("path"),
                "nature": field("nature"),
                "reference_indicator_code": entry.get("reference"),
                "notes": entry.get("notes"),
                "source_quote": quote,
                "source_start": start,
                "source_end": end,
                "source_file": source_file,
            }
        )
    return rows


# A reported figure more than this many times the target is a slip (a unit, a misplaced
# decimal point, 万元 typed as 亿元), not a statistic.
PLAUSIBLE_FACTOR = 100
# Bounds where the target gives none: a percentage (growth included) and a rank.
PLAUSIBLE_PERCENT = 1000
PLAUSIBLE_RANK_FLOOR = 1000


def plausible_max(
    unit_family: str | None, target: float | None, upper: float | None
) -> float | None:
    """The largest magnitude a department may report for a target, in its unit: 100 times the
    target (or the range's upper end), at least 1,000 for a rank and 1,000 for a percentage;
    None for a yes/no target or one with no number to scale. `max_value` in plan.yaml sets
    it instead."""
    if unit_family == "boolean":
        return None
    scale = max((abs(float(v)) for v in (target, upper) if v is not None), default=0.0)
    if unit_family == "percent":
        return max(PLAUSIBLE_PERCENT, PLAUSIBLE_FACTOR * scale)
    if unit_family == "rank":
        return max(PLAUSIBLE_RANK_FLOOR, PLAUSIBLE_FACTOR * scale)
    return PLAUSIBLE_FACTOR * scale if scale > 0 else None


def _scale_of(entry: dict[str, Any], form: dict[str, Any]) -> tuple[Any, Any]:
    """The numbers a target's figures are on the scale of: its target and upper end, or for a
    growth or change sent as levels the plan's base (the target is a rate, not a level)."""
    if entry.get("kind") in {"average_growth", "change"} and form["reported_as"] == "level":
        return form["plan_base_value"], None
    return entry.get("target"), entry.get("upper")


def default_measure(kind: str | None, unit_family: Family) -> str:
    """How a year's figure follows from sub-annual ones, unless `measure` says otherwise.

    `flow`: what happens during a period (output, projects signed): quarters add up to the
    year. `stock`: a state at a moment (enterprises on a list, a rate, a rank): the year's
    figure is the one at its end. `event`: a milestone, reached in whichever period says so.
    The unit's family says which by default (units.yaml); a total over years of a summable
    family is a flow.
    """
    if kind == "milestone":
        return "event"
    if kind in {"cumulative", "annual"} and unit_family.summable:
        return "flow"
    return unit_family.measure


def read_registry(folders: list[Path], raw_dir: Path) -> pl.DataFrame:
    """Every plan's targets as one table (the `raw.plan_indicators` contract)."""
    rows = []
    for folder in folders:
        plan = load_plan(folder)
        targets = plan_rows(plan, (folder / PLAN_FILE).relative_to(raw_dir).as_posix())
        for region_code, region_name_zh in plan.regions():
            rows.extend(
                {**row, "region_code": region_code, "region_name_zh": region_name_zh}
                for row in targets
            )
    return (
        pl.DataFrame(rows, schema=REGISTRY_SCHEMA, orient="row")
        if rows
        else pl.DataFrame(schema=REGISTRY_SCHEMA)
    )


ASSIGNMENTS_FILE = "assignments.csv"
ASSIGNMENT_COLUMNS = ("region_code", "indicator_code", "year", "target_value", "document",
                      "reviewed_by", "reviewed_on")  # fmt: skip
ASSIGNMENT_SCHEMA: dict[str, pl.DataType] = {
    "plan_id": pl.String(),
    "region_code": pl.String(),
    "indicator_code": pl.String(),
    "target_year": pl.Int64(),
    "target_value": pl.Float64(),
    "document": pl.String(),
    "reviewed_by": pl.String(),
    "reviewed_on": pl.Date(),
    "source_file": pl.String(),
    "source_row": pl.Int64(),
}


def read_assignments(folders: list[Path], raw_dir: Path, registry: pl.DataFrame) -> pl.DataFrame:
    """The reviewed values of targets the plan leaves to later (the `raw.target_assignments`
    table): each plan folder's `assignments.csv`, one row per target assigned by the level
    above (`year` empty: the value for the whole period) or per year of a target set year by
    year. Every row is checked against the registry; an error names the file, row, column
    and value."""
    targets: dict[tuple, dict] | None = None
    records = []
    for folder in folders:
        path = folder / ASSIGNMENTS_FILE
        if not path.is_file():
            continue
        if targets is None:
            # Built only when a plan has assignments: a province's registry is 168,000 rows.
            key_columns = ["plan_id", "region_code", "indicator_code"]
            targets = {
                tuple(row[c] for c in key_columns): row
                for row in registry.select(
                    *key_columns, "target_source", "base_year", "target_year"
                ).iter_rows(named=True)
            }
        plan_id = load_plan(folder).plan_id
        name = path.relative_to(raw_dir).as_posix()
        frame = read_reviewed_csv(path, name, ASSIGNMENT_COLUMNS, RegistryError)
        seen: set[tuple] = set()
        for row_number, row in enumerate(frame.iter_rows(named=True), start=2):

            def error(
                column: str,
                zh: str,
                en: str,
                row: dict = row,
                at: int = row_number,
                name: str = name,
            ) -> RegistryError:
                return RegistryError(
                    f"{name} 第{at}行 列「{column}」：值「{row.get(column)}」，{zh} / "
                    f"{name} row {at}, column '{column}': value {row.get(column)!r}: {en}"
                )

            key = (
                plan_id,
                (row["region_code"] or "").strip(),
                (row["indicator_code"] or "").strip(),
            )
            target = targets.get(key)
            if target is None:
                raise error("indicator_code", "不是本规划该地区已登记的指标",
                            f"not a registered target of {plan_id} for that region")  # fmt: skip
            if target["target_source"] == "plan":
                raise error("indicator_code", "规划已明确目标值，无需下达",
                            "the plan states this target's value; only targets with "
                            "target_source higher_level or yearly are assigned")  # fmt: skip
            year_text = (row["year"] or "").strip()
            if target["target_source"] == "higher_level" and year_text:
                raise error("year", "上级下达的目标适用于整个规划期，年份应为空",
                            "a target assigned by the level above holds for the whole period: leave year empty")  # fmt: skip
            year = None
            if target["target_source"] == "yearly":
                if not year_text.isdigit() or not (
                    target["base_year"] < int(year_text) <= target["target_year"]
                ):
                    raise error("year", f"应为 {target['base_year'] + 1}–{target['target_year']} 年之一",
                                f"a year of the plan period, {target['base_year'] + 1} to {target['target_year']}")  # fmt: skip
                year = int(year_text)
            try:
                value = float(row["target_value"] or "")
            except ValueError:
                raise error(
                    "target_value", "目标值应为数字", "the target value must be a number"
                ) from None
            if not math.isfinite(value):
                raise error("target_value", "目标值应为有限数", "the target value must be finite")
            for column in ("document", "reviewed_by"):
                if not (row[column] or "").strip():
                    raise error(column, "不能为空", "must not be empty")
            try:
                reviewed_on = dt.date.fromisoformat((row["reviewed_on"] or "").strip())
            except ValueError:
                raise error(
                    "reviewed_on", "日期应写作 YYYY-MM-DD", "a date as YYYY-MM-DD"
                ) from None
            if (*key, year) in seen:
                raise error("indicator_code", "重复", "assigned twice for the same year")
            seen.add((*key, year))
            records.append(
                {"plan_id": plan_id, "region_code": key[1], "indicator_code": key[2],
                 "target_year": year, "target_value": value, "document": row["document"].strip(),
                 "reviewed_by": row["reviewed_by"].strip(), "reviewed_on": reviewed_on,
                 "source_file": name, "source_row": row_number}
            )  # fmt: skip
    return (
        pl.DataFrame(records, schema=ASSIGNMENT_SCHEMA, orient="row")
        if records
        else pl.DataFrame(schema=ASSIGNMENT_SCHEMA)
    )


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def describe_target(row: dict[str, Any]) -> str:
    """A target as a reader would write it: ≥860, ≤100, 4–5, ≈176 (±5%), yes."""
    kind, comparator, value = row["kind"], row["comparator"], row["target_value"]
    if kind == "qualitative":
        return "not set (qualitative)"
    if kind == "relational":
        return f"in step with {row['reference_indicator_code']}"
    if kind == "milestone":
        return "achieved (yes/no)"
    if value is None:
        return {"higher_level": "assigned by the level above", "yearly": "set year by year"}.get(
            row.get("target_source") or "", "not set"
        )
    if comparator == "within":
        text = f"{_number(value)}–{_number(row['target_upper'])}"
    elif comparator == "about":
        text = f"≈{_number(value)} (±{row['tolerance'] * 100:g}%)"
    else:
        text = (by_code(COMPARATORS)[comparator].symbol or "") + _number(value)
    if kind == "average_growth":
        return f"{text}% a year on average"
    if kind == "change":
        unit = "%" if row.get("change_basis") == "percent" else f" {row.get('unit') or ''}".rstrip()
        return f"{'fall' if row.get('change_direction') == 'down' else 'rise'} {text}{unit}"
    return f"{text} each year" if row["each_year"] else text


def markdown_table(frame: pl.DataFrame) -> str:
    """The registry as a Markdown table (code, name, kind, target, unit, clause)."""
    lines = [
        "| plan | code | 指标 | indicator | kind | target | unit | by | clause |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in frame.sort("plan_id", "source_start", "indicator_code").iter_rows(named=True):
        clause = f"{row['chapter']}({row['clause']}) {row['clause_title']}" if row["clause"] else ""
        lines.append(
            f"| {row['plan_id']} | `{row['indicator_code']}` | {row['name_zh']} | {row['name_en']} "
            f"| {row['kind']} | {describe_target(row)} | {row['unit']} | {row['target_year']} "
            f"| {clause} |"
        )
    return "\n".join(lines)
