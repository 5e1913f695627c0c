"""Great Expectations checks on ingested tables, as blocking Dagster asset checks.

Each ingest asset validates the table it parsed before anything is written to the
warehouse: a failing suite records the check as failed (ERROR severity, with each
failed expectation, its counts, sample values and the file, sheet and row of the
offending values) and stops the step, so neither the `raw` schema nor anything
downstream of it changes.
"""

from __future__ import annotations

import dagster as dg

from pipelines.validation import ValidationReport

SUITE_DOCS = "Great Expectations suite expectations/{suite}.json"


def contract_check_spec(asset_key: dg.AssetKey, suite: str, **kwargs: object) -> dg.AssetCheckSpec:
    """The blocking check that `suite` runs on the table of `asset_key`."""
    return dg.AssetCheckSpec(
        name=f"gx_{suite}",
        asset=asset_key,
        blocking=True,
        description=SUITE_DOCS.format(suite=suite),
        **kwargs,
    )


def contract_check_result(asset_key: dg.AssetKey, report: ValidationReport) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=f"gx_{report.suite}",
        passed=report.success,
        severity=dg.AssetCheckSeverity.ERROR,
        description=None if report.success else "; ".join(f.describe() for f in report.failed),
        metadata=report.metadata(),
    )


def raise_if_failed(report: ValidationReport) -> None:
    """Stop the step (nothing written, nothing downstream run) when the suite failed."""
    if report.success:
        return
    lines = "\n".join(f"- {failure.describe()}" for failure in report.failed)
    raise dg.Failure(
        description=(
            f"输入未通过校验，未写入仓库 / the input failed validation and was not loaded "
            f"({report.suite}, {len(report.failed)} of {report.evaluated} expectations failed):\n"
            f"{lines}"
        ),
        metadata=report.metadata(),
    )
