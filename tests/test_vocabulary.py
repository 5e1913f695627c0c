"""One vocabulary: dbt's accepted values, its label macros and the GX suites agree with
`pipelines/vocabulary.py`, so that none of them can drift from it alone."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from pipelines import vocabulary as v
from tests.conftest import REPO_ROOT

DBT_MODELS = REPO_ROOT / "dbt" / "models"
# Which vocabulary a column holds: by (model, column), else by column.
COLUMN_TERMS = {
    "status": v.STATUSES,
    "calculated_status": v.CALCULATED_STATUSES,
    "grade": v.GRADES,
    "final_verdict": v.FINAL_VERDICTS,
    "kind": v.KINDS,
    "comparator": v.COMPARATORS,
    "measure": v.MEASURES,
    "cadence": v.CADENCES,
    "path": v.PATHS,
    "nature": v.NATURES,
    "period_type": v.PERIOD_TYPES,
    "estimate_stage": v.ESTIMATE_STAGES,
    "target_source": v.TARGET_SOURCES,
    "change_basis": v.CHANGE_BASES,
    "change_direction": v.DIRECTIONS,
    "reported_as": v.REPORTED_AS,
}
MODEL_COLUMN_TERMS = {
    ("stg_submission_log", "status"): v.FILE_STATUSES,
    ("mart_data_quality", "status"): v.FILE_STATUSES,
}


def accepted_values() -> list[tuple[str, str, str, list]]:
    """(file, model, column, values) of every accepted-values rule in the dbt project: the
    `column_rules` test of a model, or dbt's own accepted_values on a column."""
    found = []
    for path in sorted(DBT_MODELS.rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models") or []:
            for test in model.get("data_tests") or []:
                if isinstance(test, dict) and "column_rules" in test:
                    rules = test["column_rules"]["arguments"].get("accepted_values") or {}
                    for column, values in rules.items():
                        found.append((path.name, model["name"], column, values))
            for column in model.get("columns") or []:
                for test in column.get("data_tests") or []:
                    if isinstance(test, dict) and "accepted_values" in test:
                        spec = test["accepted_values"]
                        values = (spec.get("arguments") or spec)["values"]
                        found.append((path.name, model["name"], column["name"], values))
    return found


def terms_for(model: str, column: str) -> tuple[v.Term, ...] | None:
    return MODEL_COLUMN_TERMS.get((model, column), COLUMN_TERMS.get(column))


def test_dbt_accepted_values_are_the_vocabulary() -> None:
    checked = set()
    for file, model, column, values in accepted_values():
        terms = terms_for(model, column)
        if terms is None:
            continue
        assert list(values) == list(v.codes(terms)), f"{file}: {model}.{column}"
        checked.add(terms)
    # Every vocabulary that dbt tests is checked here (a renamed column cannot hide one).
    assert {v.STATUSES, v.GRADES, v.FINAL_VERDICTS, v.KINDS, v.COMPARATORS, v.MEASURES,
            v.PERIOD_TYPES, v.FILE_STATUSES, v.CALCULATED_STATUSES} <= checked  # fmt: skip


def macro_labels(name: str) -> dict[str, str]:
    text = (REPO_ROOT / "dbt" / "macros" / "grade_zh.sql").read_text(encoding="utf-8")
    body = re.search(r"\{% macro " + name + r"\(.*?\{%- endmacro %\}", text, re.S)
    assert body, name
    return dict(re.findall(r"when '(\w+)' then '([^']+)'", body.group(0)))


@pytest.mark.parametrize(
    ("macro", "terms"), [("grade_zh", v.GRADES), ("verdict_zh", v.FINAL_VERDICTS)]
)
def test_dbt_label_macros_are_the_vocabulary(macro: str, terms: tuple[v.Term, ...]) -> None:
    assert macro_labels(macro) == {term.code: term.zh for term in terms}


def test_gx_suites_use_the_vocabulary() -> None:
    checked = 0
    for path in sorted((REPO_ROOT / "expectations").glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        for expectation in suite["expectations"]:
            kwargs = expectation["kwargs"]
            if expectation["type"] != "expect_column_values_to_be_in_set":
                continue
            terms = COLUMN_TERMS.get(kwargs["column"])
            if terms is None or not isinstance(kwargs["value_set"], list):
                continue
            assert kwargs["value_set"] == list(v.codes(terms)), f"{path.name}: {kwargs['column']}"
            checked += 1
    assert checked >= 9


def test_python_reads_the_vocabulary() -> None:
    from pipelines import cli
    from pipelines.ingest import overrides
    from pipelines.outputs import report

    assert report.STATUSES == {t.code: (t.zh, t.en, t.colour) for t in v.STATUSES}
    assert cli.STATUSES == overrides.STATUSES == v.codes(v.STATUSES)
    assert set(report.COMPARATORS) == set(v.codes(v.COMPARATORS))


def test_every_term_has_both_labels_and_unique_codes() -> None:
    for name in dir(v):
        terms = getattr(v, name)
        if isinstance(terms, tuple) and terms and isinstance(terms[0], v.Term):
            assert len(set(v.codes(terms))) == len(terms), name
            assert all(t.code and t.zh and t.en for t in terms), name
    assert all(t.colour for t in v.STATUSES)
    assert all(t.symbol is not None for t in v.COMPARATORS)
