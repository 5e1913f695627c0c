"""Great Expectations (GX Core 1.x) validation of parsed input tables.

Suites are JSON files under `expectations/`, one per input contract. GX is
imported lazily and its context built once per process: the import alone costs
seconds, and a run validates several tables.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from pipelines import settings
from pipelines.processes import release_memory

# Rows named in a failure: enough for a clerk to find them, small enough for the UI.
SAMPLE_LIMIT = 20
# Columns that say where a failing value came from, reported with each failure.
PROVENANCE_COLUMNS = ["source_file", "source_sheet", "source_row", "indicator_code"]


@dataclass(frozen=True)
class FailedExpectation:
    expectation: str
    column: str | None
    unexpected_count: int | None
    element_count: int | None
    sample_values: list[Any]
    sample_rows: list[dict[str, Any]]
    notes: str | None = None
    # Every failing row's provenance, not only the sample: used to reject their files.
    failing_rows: list[dict[str, Any]] = field(default_factory=list)

    def describe(self) -> str:
        where = f" on {self.column}" if self.column else ""
        counts = (
            f": {self.unexpected_count} of {self.element_count} rows"
            if self.unexpected_count is not None
            else ""
        )
        located = [_location(row) for row in self.sample_rows[:5] if row.get("source_file")]
        at = f" at {', '.join(located)}" if located else ""
        return f"{self.expectation}{where}{counts}; samples {self.sample_values}{at}"


@dataclass(frozen=True)
class ValidationReport:
    suite: str
    success: bool
    row_count: int
    evaluated: int
    failed: list[FailedExpectation] = field(default_factory=list)
    seconds: float = 0.0  # wall time of the validation, Great Expectations' import included

    def metadata(self) -> dict[str, Any]:
        """Flat metadata for a Dagster asset check result."""
        return {
            "suite": self.suite,
            "rows_validated": self.row_count,
            "expectations_evaluated": self.evaluated,
            "expectations_failed": len(self.failed),
            "validation_seconds": round(self.seconds, 3),
            "failed_expectations": [
                {
                    "expectation": f.expectation,
                    "column": f.column,
                    "unexpected_count": f.unexpected_count,
                    "element_count": f.element_count,
                    "sample_values": [_jsonable(v) for v in f.sample_values],
                    "sample_rows": f.sample_rows,
                }
                for f in self.failed
            ],
        }


def _location(row: dict[str, Any]) -> str:
    if row.get("source_row") is not None and row.get("source_sheet") not in (None, "csv"):
        return f"{row['source_file']}[{row['source_sheet']}] row {row['source_row']}"
    if row.get("source_row") is not None:
        return f"{row['source_file']} row {row['source_row']}"
    if row.get("indicator_code") is not None:
        return f"{row['source_file']} ({row['indicator_code']})"
    return str(row["source_file"])


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | bool):
        return value
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float):
        return None if value != value else value  # NaN stands for a missing value
    if isinstance(value, int):
        return value
    return str(value)


def load_suite_definition(suite_name: str) -> dict[str, Any]:
    """The suite's JSON as stored under `expectations/`."""
    path = settings.EXPECTATIONS_DIR / f"{suite_name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def _context() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every in-memory batch below this size (pandas' hash of every row, then
    # MD5), only to label the batch in its result: a third of a batch's validation time, 5 s
    # for a province's 1.4 million rows. The files' own checksums say what was validated.
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.data_sources.add_pandas("parsed_inputs")
    return context


def _batch_definition(table_name: str) -> Any:
    source = _context().data_sources.get("parsed_inputs")
    try:
        asset = source.get_asset(table_name)
    except LookupError:
        asset = source.add_dataframe_asset(table_name)
    try:
        return asset.get_batch_definition("whole_table")
    except KeyError:
        return asset.add_batch_definition_whole_dataframe("whole_table")


def _data_docs_site(directory: Path) -> str:
    """A GX Data Docs site writing to `directory` (one per directory, added once)."""
    context = _context()
    name = "site_" + hashlib.sha1(str(directory).encode()).hexdigest()[:12]
    if name not in (context.get_site_names() or []):
        context.add_data_docs_site(
            site_name=name,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(directory),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    return name


# Rows per Great Expectations validation. GX validates a pandas copy of its batch (text as
# categoricals: about 0.65 KB a row with GX's own copies, measured at L), and each batch costs
# GX about a second whatever its rows: a province's 1.4 million rows are one batch (4-6 s,
# 0.9 GB), and a larger landing zone is validated in batches of this many rows.
BATCH_ROWS = 1_500_000


def validate_frame(
    frame: pl.DataFrame,
    suite_name: str,
    parameters: dict[str, Any] | None = None,
    data_docs_dir: Path | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ValidationReport:
    """Validate a Polars table against a stored suite and summarise the result.

    With `data_docs_dir`, the validation runs as a GX checkpoint that also renders the
    suite and the result into GX Data Docs (`index.html`) in that directory. A table of more
    than `batch_rows` rows with a `source_file` column is validated in batches of whole
    files (each file's rows in one batch, so a suite's checks within a file see all of
    them), and the batches' results are combined into one report.
    """
    if frame.height <= batch_rows or "source_file" not in frame.columns:
        return _validate_batch(frame, suite_name, parameters, data_docs_dir)
    files = frame["source_file"]
    # The reader appends each file's rows together: then the table is cut as it is, without
    # a sorted copy of it.
    grouped = files.rle_id().max() + 1 == files.n_unique()  # type: ignore[operator]
    ordered = frame if grouped else frame.sort("source_file", maintain_order=True)
    starts = (ordered["source_file"] != ordered["source_file"].shift(1)).fill_null(True).arg_true()
    cuts, last = [0], 0
    for start in starts.to_list():
        if start - last >= batch_rows:
            cuts.append(start)
            last = start
    cuts.append(ordered.height)
    reports = []
    for begin, end in zip(cuts, cuts[1:], strict=False):
        reports.append(_validate_batch(ordered[begin:end], suite_name, parameters, data_docs_dir))
        # The batch's pandas copy and GX's results are garbage now: hand them back before
        # the next batch, so the peak is one batch's, not the sum of them.
        release_memory()
    return combine(reports)


def combine(reports: list[ValidationReport]) -> ValidationReport:
    """One report for batches of one table: an expectation failed if it failed in any batch,
    with the counts added up and the samples and failing rows of every batch."""
    failed: dict[tuple, list[FailedExpectation]] = {}
    for report in reports:
        for failure in report.failed:
            failed.setdefault((failure.expectation, failure.column), []).append(failure)
    merged = []
    for (expectation, column), parts in failed.items():
        merged.append(
            FailedExpectation(
                expectation=expectation,
                column=column,
                unexpected_count=_total(part.unexpected_count for part in parts),
                element_count=sum(r.row_count for r in reports)
                if all(part.element_count is not None for part in parts)
                else None,
                sample_values=[v for part in parts for v in part.sample_values][:SAMPLE_LIMIT],
                sample_rows=[r for part in parts for r in part.sample_rows][:SAMPLE_LIMIT],
                notes=parts[0].notes,
                failing_rows=[r for part in parts for r in part.failing_rows],
            )
        )
    return ValidationReport(
        suite=reports[0].suite,
        success=all(report.success for report in reports),
        row_count=sum(report.row_count for report in reports),
        evaluated=reports[0].evaluated,
        failed=merged,
        seconds=sum(report.seconds for report in reports),
    )


def _total(counts: Any) -> int | None:
    counts = list(counts)
    return None if any(count is None for count in counts) else sum(counts)


def _validate_batch(
    frame: pl.DataFrame,
    suite_name: str,
    parameters: dict[str, Any] | None,
    data_docs_dir: Path | None,
) -> ValidationReport:
    started = time.perf_counter()
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    _context()
    definition = load_suite_definition(suite_name)
    suite = gx.ExpectationSuite(name=definition["name"], meta=definition.get("meta"))
    for expectation in definition["expectations"]:
        suite.add_expectation_configuration(
            ExpectationConfiguration(
                type=expectation["type"],
                kwargs=expectation["kwargs"],
                meta=expectation.get("meta"),
            )
        )
    parameters = narrowed_parameters(definition, parameters or {}, frame)
    index_columns = [c for c in PROVENANCE_COLUMNS if c in frame.columns]
    result_format: dict[str, Any] = {
        "result_format": "COMPLETE",
        "partial_unexpected_count": SAMPLE_LIMIT,
    }
    if index_columns:
        result_format["unexpected_index_column_names"] = index_columns
        result_format["return_unexpected_index_query"] = False
    # Text as pandas categoricals: GX copies the whole batch for each conditional
    # expectation's filter, and a categorical column copies its codes, not its strings (a
    # fifth of a batch's validation). The values GX reports are the same strings.
    batch_parameters = {
        "dataframe": frame.with_columns(pl.col(pl.String).cast(pl.Categorical)).to_pandas()
    }
    if data_docs_dir is None:
        batch = _batch_definition(suite_name).get_batch(batch_parameters=batch_parameters)
        result = batch.validate(
            suite, result_format=result_format, expectation_parameters=parameters
        )
    else:
        context = _context()
        site = _data_docs_site(data_docs_dir)
        suite = context.suites.add_or_update(suite)
        validation = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(
                name=suite_name, data=_batch_definition(suite_name), suite=suite
            )
        )
        checkpoint = context.checkpoints.add_or_update(
            gx.Checkpoint(
                name=suite_name,
                validation_definitions=[validation],
                actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=[site])],
                result_format=result_format,
            )
        )
        checkpoint_result = checkpoint.run(
            batch_parameters=batch_parameters, expectation_parameters=parameters
        )
        (result,) = checkpoint_result.run_results.values()
    failed = [
        _failure(r.expectation_config, r.result or {}, r.exception_info)
        for r in result.results
        if not r.success
    ]
    return ValidationReport(
        suite=suite_name,
        success=bool(result.success),
        row_count=frame.height,
        evaluated=len(result.results),
        failed=failed,
        seconds=time.perf_counter() - started,
    )


def narrowed_parameters(
    definition: dict[str, Any], parameters: dict[str, Any], frame: pl.DataFrame
) -> dict[str, Any]:
    """Each list a suite's in-set expectations read (`{"$PARAMETER": name}`), cut to the
    values that occur in the columns it is read for; other parameters as given.

    Every row gets the same verdict (a value is in the list exactly when it is in the part of
    the list that occurs), and GX copies an expectation's value set many times while it
    validates: a province's 2,850 region codes were a third of a batch's fixed cost. A list
    also read any other way is left whole."""
    columns: dict[str, set[str]] = {}
    whole: set[str] = set()
    for expectation in definition["expectations"]:
        kwargs = expectation["kwargs"]
        for key, value in kwargs.items():
            if not (isinstance(value, dict) and "$PARAMETER" in value):
                continue
            name = value["$PARAMETER"]
            if (
                expectation["type"] == "expect_column_values_to_be_in_set"
                and key == "value_set"
                and kwargs.get("column") in frame.columns
            ):
                columns.setdefault(name, set()).add(kwargs["column"])
            else:
                whole.add(name)
    narrowed = dict(parameters)
    for name, read_in in columns.items():
        values = parameters.get(name)
        if name in whole or not isinstance(values, list):
            continue
        present = {v for column in read_in for v in frame[column].unique().to_list()}
        kept = [v for v in values if v in present]
        # An empty set is no cheaper, and GX may read it differently: keep the list.
        if kept:
            narrowed[name] = kept
    return narrowed


def _failure(config: Any, result: dict[str, Any], exception_info: Any) -> FailedExpectation:
    kwargs = dict(config.kwargs)
    column = kwargs.get("column") or (
        ",".join(kwargs["column_list"]) if "column_list" in kwargs else None
    )
    samples = list(result.get("partial_unexpected_list") or [])[:SAMPLE_LIMIT]
    if not samples and "observed_value" in result:
        samples = [result["observed_value"]]
    if not samples and exception_info and exception_info.get("raised_exception"):
        samples = [exception_info.get("exception_message")]
    all_rows = [
        {k: _jsonable(v) for k, v in row.items()}
        for row in list(result.get("unexpected_index_list") or [])
        if isinstance(row, dict)
    ]
    rows = all_rows[:SAMPLE_LIMIT]
    return FailedExpectation(
        expectation=config.type,
        column=column,
        unexpected_count=result.get("unexpected_count"),
        element_count=result.get("element_count"),
        sample_values=samples,
        sample_rows=rows,
        notes=(config.meta or {}).get("notes"),
        failing_rows=all_rows,
    )
