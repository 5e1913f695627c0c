"""Units of the same family, converted to an indicator's canonical unit."""

from __future__ import annotations

import functools
import unicodedata

# unit -> (family, size in the family's base unit)
UNITS: dict[str, tuple[str, float]] = {
    "元": ("money", 1.0),
    "万元": ("money", 1e4),
    "亿元": ("money", 1e8),
    "亩": ("area", 1 / 15),  # in hectares: 15 mu = 1 ha
    "万亩": ("area", 1e4 / 15),
    "公顷": ("area", 1.0),
    "平方公里": ("area", 100.0),
    "平方千米": ("area", 100.0),
    "km2": ("area", 100.0),
    "km²": ("area", 100.0),
    "斤": ("weight", 0.5),  # in kilograms
    "万斤": ("weight", 0.5e4),
    "亿斤": ("weight", 0.5e8),
    "公斤": ("weight", 1.0),
    "吨": ("weight", 1e3),
    "万吨": ("weight", 1e7),
    "千瓦": ("power", 1.0),
    "万千瓦": ("power", 1e4),
    "个": ("count", 1.0),
    "家": ("count", 1.0),
    "件": ("count", 1.0),
    "项": ("count", 1.0),
    "所": ("count", 1.0),
    "名": ("count", 1.0),
    "位": ("rank", 1.0),
    "名次": ("rank", 1.0),
    "%": ("percent", 1.0),
    "％": ("percent", 1.0),
    "百分比": ("percent", 1.0),
    "是/否": ("boolean", 1.0),
    "吨标准煤/万元": ("energy_intensity", 1.0),
}


@functools.lru_cache(maxsize=4096)  # a few dozen spellings, met on every row of every file
def normalize_unit(text: str | None) -> str | None:
    """NFKC, no spaces, no 单位： prefix or brackets: `（单位：亿元）` -> `亿元`."""
    if text is None:
        return None
    cleaned = unicodedata.normalize("NFKC", str(text)).strip()
    for prefix in ("单位:", "单位", "计量单位:"):
        if cleaned.startswith(prefix):
            cleaned = cleaned[len(prefix) :]
    return cleaned.strip("()[] ").replace(" ", "") or None


def family(unit: str | None) -> str | None:
    found = UNITS.get(normalize_unit(unit) or "")
    return found[0] if found else None


def conversion_factor(from_unit: str | None, to_unit: str) -> float | None:
    """Multiply a value in `from_unit` by this to get it in `to_unit`; None if not convertible."""
    source = UNITS.get(normalize_unit(from_unit) or "")
    target = UNITS.get(normalize_unit(to_unit) or "")
    if normalize_unit(from_unit) == normalize_unit(to_unit):
        return 1.0
    if source is None or target is None or source[0] != target[0]:
        return None
    return source[1] / target[1]
