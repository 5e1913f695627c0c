"""Great Expectations suites from `expectations/`, run for real on parsed tables."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.ingest.submissions import (
    Catalog,
    accepted_observations,
    find_submission_files,
    read_submissions,
)
from pipelines.plans.registry import find_plan_folders, read_registry
from pipelines.validation import load_suite_definition, narrowed_parameters, validate_frame
from tests.conftest import SAMPLE_RAW_DIR


def registry() -> pl.DataFrame:
    return read_registry(find_plan_folders(SAMPLE_RAW_DIR), SAMPLE_RAW_DIR)


def parameters() -> dict[str, list[str]]:
    frame = registry()
    return {
        "known_indicator_codes": sorted(frame["indicator_code"].unique()),
        "known_region_codes": sorted(frame["region_code"].unique()),
    }


def sample_observations() -> pl.DataFrame:
    files = find_submission_files(SAMPLE_RAW_DIR)
    return accepted_observations(read_submissions(files, SAMPLE_RAW_DIR, Catalog(registry())))


def test_sample_data_meets_both_contracts() -> None:
    assert validate_frame(registry(), "raw_plan_indicators").success
    report = validate_frame(sample_observations(), "raw_observations", parameters())
    assert report.success, [f.describe() for f in report.failed]
    assert report.evaluated == 19
    assert report.row_count == 478


def test_failures_name_expectation_counts_values_and_rows() -> None:
    frame = sample_observations()
    bad = frame.head(3).with_columns(
        indicator_code=pl.Series(["gdp", "gdp_typo", "hidden_champions"]),
        unit_family=pl.Series(["money", "money", "count"]),
        value=pl.Series([None, 1.0, -2.0]),
        missing_reason=pl.lit(None, pl.String),
        source_file=pl.lit("submissions/420881/bad.csv"),
        source_checksum=pl.lit("0" * 64),
        source_sheet=pl.lit("csv"),
        source_row=pl.Series([2, 3, 4]),
    )

    report = validate_frame(pl.concat([frame, bad]), "raw_observations", parameters())

    assert not report.success
    failed = {(f.expectation, f.column): f for f in report.failed}
    assert set(failed) == {
        ("expect_column_values_to_be_in_set", "indicator_code"),
        ("expect_column_values_to_not_be_null", "value"),
        ("expect_column_values_to_be_between", "value"),
    }
    unknown = failed[("expect_column_values_to_be_in_set", "indicator_code")]
    assert (unknown.unexpected_count, unknown.element_count) == (1, 481)
    assert unknown.sample_values == ["gdp_typo"]
    assert unknown.sample_rows == [
        {
            "indicator_code": "gdp_typo",
            "source_file": "submissions/420881/bad.csv",
            "source_sheet": "csv",
            "source_row": 3,
        }
    ]
    assert "submissions/420881/bad.csv row 3" in unknown.describe()
    negative = failed[("expect_column_values_to_be_between", "value")]
    assert [r["source_row"] for r in negative.failing_rows] == [4]
    assert report.metadata()["expectations_failed"] == 3


def test_duplicate_period_in_one_file_fails_uniqueness() -> None:
    frame = sample_observations()
    report = validate_frame(pl.concat([frame, frame.head(1)]), "raw_observations", parameters())

    assert [f.expectation for f in report.failed] == ["expect_compound_columns_to_be_unique"]
    assert report.failed[0].unexpected_count == 2


def test_registry_contract_catches_a_bad_kind_and_duplicate_code() -> None:
    frame = registry()
    bad = pl.concat([frame, frame.head(1).with_columns(kind=pl.lit("levle"))])

    report = validate_frame(bad, "raw_plan_indicators")

    failed = {f.expectation: f for f in report.failed}
    assert failed["expect_column_values_to_be_in_set"].sample_values == ["levle"]
    assert failed["expect_compound_columns_to_be_unique"].unexpected_count == 2


def test_registry_contract_needs_bounds_for_ranges_and_numbers_for_assessable_kinds() -> None:
    frame = registry().with_columns(
        target_upper=pl.when(pl.col("indicator_code") == "cultural_industry_parks")
        .then(None)
        .otherwise(pl.col("target_upper")),
        target_value=pl.when(pl.col("indicator_code") == "gdp")
        .then(None)
        .otherwise(pl.col("target_value")),
    )

    report = validate_frame(frame, "raw_plan_indicators")

    failed = {(f.expectation, f.column): f for f in report.failed}
    assert set(failed) == {
        ("expect_column_values_to_not_be_null", "target_upper"),
        ("expect_column_values_to_not_be_null", "target_value"),
    }
    rows = failed[("expect_column_values_to_not_be_null", "target_value")].sample_rows
    assert [r["indicator_code"] for r in rows] == ["gdp"]


def test_a_large_table_is_validated_in_batches_of_whole_files_with_the_same_verdict() -> None:
    frame = sample_observations()
    first_file = frame["source_file"][0]
    bad = (
        frame.filter(pl.col("source_file") == first_file)
        .head(2)
        .with_columns(
            indicator_code=pl.Series(["gdp_typo", "gdp_typo2"]),
        )
    )
    # A duplicate row of the last file: uniqueness is checked within each file's batch.
    last_file = frame["source_file"][-1]
    duplicate = frame.filter(pl.col("source_file") == last_file).head(1)
    table = pl.concat([bad, frame, duplicate])

    whole = validate_frame(table, "raw_observations", parameters())
    # Batches of about 100 rows: about five, each made of whole files.
    batched = validate_frame(table, "raw_observations", parameters(), batch_rows=100)

    def verdict(report) -> tuple:  # noqa: ANN001
        return (
            report.success,
            report.row_count,
            report.evaluated,
            sorted(
                (f.expectation, f.column, f.unexpected_count, f.element_count,
                 sorted(sorted(r.items()) for r in f.failing_rows))
                for f in report.failed
            ),
        )  # fmt: skip

    assert not whole.success
    assert verdict(batched) == verdict(whole)
    assert {(f.expectation, f.column) for f in whole.failed} == {
        ("expect_column_values_to_be_in_set", "indicator_code"),
        ("expect_compound_columns_to_be_unique",
         "region_code,indicator_code,period,source_file,source_checksum"),
    }  # fmt: skip


def test_batches_are_not_fingerprinted_row_by_row() -> None:
    """GX would hash every row of an in-memory batch only to label it; the run does not ask
    for it (a third of a batch's validation time). If GX renames the switch, this fails."""
    from pipelines.validation import _batch_definition, _context

    _context()
    frame = sample_observations()
    batch = _batch_definition("raw_observations").get_batch(
        batch_parameters={"dataframe": frame.to_pandas()}
    )
    assert batch.batch_markers is not None
    assert "pandas_data_fingerprint" not in batch.batch_markers
    assert validate_frame(frame, "raw_observations", parameters()).success


CODES = st.sampled_from(["420881", "420802", "420804", "420822", "980001", "x", ""])


@settings(max_examples=200, deadline=None)
@given(column=st.lists(st.none() | CODES, max_size=30), known=st.lists(CODES, unique=True))
def test_a_known_list_is_cut_to_what_occurs_without_changing_any_verdict(
    column: list[str | None], known: list[str]
) -> None:
    definition = load_suite_definition("raw_observations")
    frame = pl.DataFrame({"region_code": column}, schema={"region_code": pl.String()})
    given_parameters = {"known_region_codes": known, "other": ["kept"]}
    narrowed = narrowed_parameters(definition, given_parameters, frame)
    assert narrowed["other"] == ["kept"]
    cut = narrowed["known_region_codes"]
    assert set(cut) <= set(known)
    for value in column:
        if value is not None:
            assert (value in cut) == (value in known)


@settings(max_examples=6, deadline=None)
@given(unknown=st.lists(st.sampled_from(["999999", "000000", "42088"]), min_size=0, max_size=4))
def test_gx_counts_unknown_regions_as_the_whole_list_would(unknown: list[str]) -> None:
    """GX on the cut list finds exactly the rows whose region is not registered."""
    frame = sample_observations()
    changed = frame.with_columns(
        region_code=pl.Series(unknown + frame["region_code"].to_list()[len(unknown) :])
    )
    known = parameters()["known_region_codes"] + ["980001", "980002"]
    report = validate_frame(
        changed,
        "raw_observations",
        {**parameters(), "known_region_codes": known},
    )
    failures = {(f.expectation, f.column): f for f in report.failed}
    failure = failures.get(("expect_column_values_to_be_in_set", "region_code"))
    expected = changed.filter(~pl.col("region_code").is_in(known)).height
    assert expected == len(unknown)
    assert (failure.unexpected_count if failure else 0) == expected
    if failure:
        assert sorted(failure.sample_values) == sorted(unknown)
