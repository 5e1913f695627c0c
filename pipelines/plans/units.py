"""Units of measurement, declared as data: `units.yaml` beside this module holds the common
statistical units of Chinese plans, grouped in families; a plan folder's own `units.yaml` adds
more. A figure in one unit of a family converts to another by the ratio of their sizes."""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

UNITS_FILE = "units.yaml"
BUNDLED_FILE = Path(__file__).with_name(UNITS_FILE)
MEASURES = ("flow", "stock")


class UnitsError(ValueError):
    """A units file that cannot be used: the message names the file and the entry."""


@dataclass(frozen=True)
class Family:
    code: str
    zh: str
    en: str
    base: str
    measure: str = "stock"
    summable: bool = False
    nonnegative: bool = False


@functools.lru_cache(maxsize=4096)  # a few dozen spellings, met on every row of every file
def normalize_unit(text: str | None) -> str | None:
    """NFKC, no spaces, no 单位： prefix or brackets: `（单位：亿元）` -> `亿元`."""
    if text is None:
        return None
    cleaned = unicodedata.normalize("NFKC", str(text)).strip().strip("()[] ")
    for prefix in ("计量单位:", "单位:", "单位"):
        if cleaned.startswith(prefix):
            cleaned = cleaned[len(prefix) :]
            break
    return cleaned.strip("()[] ").replace(" ", "") or None


@dataclass(frozen=True)
class UnitTable:
    """Families and units, each unit with the file that declared it."""

    families: Mapping[str, Family] = field(default_factory=dict)
    units: Mapping[str, tuple[str, float]] = field(default_factory=dict)
    declared_in: Mapping[str, str] = field(default_factory=dict)

    def extended(self, path: Path, label: str | None = None) -> UnitTable:
        """This table plus the families and units of `path` (a units.yaml); a unit already
        declared with another family or size is an error, as is anything malformed."""
        label = label or str(path)
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise UnitsError(f"{label}: 无法读取 / cannot be read ({error})") from None
        if not isinstance(document, dict) or set(document) - {"families", "units"}:
            raise UnitsError(f"{label}: 只能有 families 和 units / only `families:` and `units:`")
        families = dict(self.families)
        for code, spec in (document.get("families") or {}).items():
            families[str(code)] = _family(label, str(code), spec, families)
        units, declared_in = dict(self.units), dict(self.declared_in)
        for name, spec in (document.get("units") or {}).items():
            unit = normalize_unit(str(name))
            if unit is None:
                raise UnitsError(f"{label}: 空的单位名 / an empty unit name")
            entry = _unit(label, unit, spec, families)
            known = units.get(unit)
            if known is not None and (known[0] != entry[0] or not math.isclose(known[1], entry[1])):
                raise UnitsError(
                    f"{label}: 单位「{unit}」已在 {declared_in[unit]} 定义为 {known[0]} ×{known[1]:g}"
                    f" / unit {unit!r} is already declared in {declared_in[unit]} as "
                    f"{known[0]} x{known[1]:g}; a unit means one thing everywhere"
                )
            units[unit] = entry
            declared_in.setdefault(unit, label)
        return UnitTable(families, units, declared_in)

    def extended_by(self, folders: Iterable[Path], root: Path | None = None) -> UnitTable:
        """This table plus the `units.yaml` of each folder that has one."""
        table = self
        for folder in folders:
            path = folder / UNITS_FILE
            if path.is_file():
                label = path.relative_to(root).as_posix() if root else str(path)
                table = table.extended(path, label)
        return table

    def family(self, unit: str | None) -> str | None:
        found = self.units.get(normalize_unit(unit) or "")
        return found[0] if found else None

    def family_of(self, unit: str | None) -> Family | None:
        code = self.family(unit)
        return self.families.get(code) if code else None

    def conversion_factor(self, from_unit: str | None, to_unit: str) -> float | None:
        """Multiply a value in `from_unit` by this to get it in `to_unit`; None if not
        convertible (an unknown unit, or another family)."""
        if normalize_unit(from_unit) == normalize_unit(to_unit):
            return 1.0
        source = self.units.get(normalize_unit(from_unit) or "")
        target = self.units.get(normalize_unit(to_unit) or "")
        if source is None or target is None or source[0] != target[0]:
            return None
        return source[1] / target[1]

    def units_of(self, family: str) -> list[str]:
        return sorted(unit for unit, (code, _) in self.units.items() if code == family)


def _family(label: str, code: str, spec: Any, families: Mapping[str, Family]) -> Family:  # noqa: ANN401
    where = f"{label}: families.{code}"
    if code in families:
        raise UnitsError(f"{where}: 单位族已存在 / the family already exists")
    if not isinstance(spec, dict) or not spec.get("base"):
        raise UnitsError(f"{where}: 需要 base / needs `base:` (its base unit)")
    unknown = set(spec) - {"zh", "en", "base", "measure", "summable", "sign"}
    if unknown:
        raise UnitsError(f"{where}: 未知字段 / unknown fields {sorted(unknown)}")
    measure = spec.get("measure", "stock")
    if measure not in MEASURES:
        raise UnitsError(
            f"{where}: measure 应为 {' 或 '.join(MEASURES)} / must be one of {MEASURES}"
        )
    if spec.get("sign") not in (None, "nonnegative"):
        raise UnitsError(f"{where}: sign 只能为 nonnegative / sign can only be `nonnegative`")
    return Family(
        code, str(spec.get("zh") or code), str(spec.get("en") or code), str(spec["base"]),
        measure, bool(spec.get("summable", False)), spec.get("sign") == "nonnegative",
    )  # fmt: skip


def _unit(label: str, unit: str, spec: Any, families: Mapping[str, Family]) -> tuple[str, float]:  # noqa: ANN401
    where = f"{label}: units.{unit}"
    if not isinstance(spec, list) or len(spec) != 2:
        raise UnitsError(f"{where}: 应写作 [单位族, 大小] / write it as [family, size]")
    family, size = str(spec[0]), spec[1]
    if family not in families:
        raise UnitsError(
            f"{where}: 未知单位族 / unknown family {family!r}; the families are "
            f"{', '.join(sorted(families))}, or declare one under `families:`"
        )
    if (
        isinstance(size, bool)
        or not isinstance(size, int | float)
        or not (math.isfinite(size) and size > 0)
    ):
        raise UnitsError(
            f"{where}: 大小应为正数 / the size must be a positive number, not {size!r}"
        )
    return family, float(size)


BUNDLED = UnitTable().extended(BUNDLED_FILE, "pipelines/plans/units.yaml")
