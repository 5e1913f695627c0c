"""The attainment report: built from the published marts, and drawn by a real browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.outputs.report import STATUSES, build_reports, page_name
from tests.conftest import SampleRun

CHROMIUM = shutil.which("chromium")
# On a developer's machine without Debian's chromium the browser tests are skipped;
# in CI (.ci/run installs it) a missing browser is a failure.
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="Debian's chromium is not installed"
)


def report_page(sample_run: SampleRun) -> Path:
    return sample_run.workspace.warehouse_dir / "reports" / page_name("zx_hqd_2021_2025", "420881")


def published_counts(sample_run: SampleRun) -> dict[str, int]:
    with duckdb.connect(str(sample_run.workspace.database), read_only=True) as connection:
        return dict(
            connection.execute(
                "select status, count(*) from marts.mart_indicator_attainment group by all"
            ).fetchall()
        )


def run_chromium(tmp_path: Path, *arguments: str) -> str:
    assert CHROMIUM is not None, "Debian's chromium package is needed: apt-get install chromium"
    completed = subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}",
            # Nothing may be fetched: every host name fails to resolve.
            "--host-resolver-rules=MAP * ~NOTFOUND", *arguments,
        ],
        capture_output=True, text=True, timeout=180, check=True,
    )  # fmt: skip
    return completed.stdout


def test_the_run_builds_an_offline_page_with_a_card_per_target(sample_run: SampleRun) -> None:
    reports = sample_run.workspace.warehouse_dir / "reports"
    page = report_page(sample_run)
    text = page.read_text(encoding="utf-8")
    index = (reports / "index.html").read_text("utf-8")
    assert page_name("zx_hqd_2021_2025", "420881") in index
    # The index links dbt's docs (`make docs`) and GX's Data Docs beside the reports.
    assert 'href="../docs/index.html"' in index and 'href="../data_docs/index.html"' in index

    counts = published_counts(sample_run)
    assert text.count('<article class="card"') == sum(counts.values()) == 59
    for status in STATUSES:
        assert text.count(f'data-status="{status}"') == counts.get(status, 0) + (
            1 if counts.get(status) else 0  # its status tile
        ), status
    assert "规划目标实现情况 <small>Plan target attainment</small>" in text
    assert "按领域 <small>By pillar</small>" in text and "按责任部门" in text
    # Every target but the milestones has a chart; links and sources point nowhere outside.
    assert text.count('<svg class="chart"') == 59 - text.count('class="milestone"') == 55
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)
    assert "default-src 'none'" in text
    # The evaluation table officials file, as `evaluate` writes it, with its sentence.
    section = text[text.index('<section class="evaluation"') :]
    section = section[: section.index("</section>")]
    assert "主要指标完成情况表（终期评估）" in section
    assert "59 项指标中完成 32 项，完成率 54.2%" in section
    assert section.count("<tr data-indicator=") == 59
    gdp = re.search(r'<tr data-indicator="gdp">(.*?)</tr>', section).group(1)
    assert re.findall(r"<td>(.*?)</td>", gdp)[5:10] == ["560", "≥860", "801.5", "未完成", "93.2%"]

    # Who owes what: a row per department, the overdue targets named.
    freshness = text[text.index('<section class="freshness"') :]
    freshness = freshness[: freshness.index("</section>")]
    assert freshness.count("<tr data-department=") == 14
    forestry = re.search(r'<tr data-department="forestry">(.*?)</tr>', freshness).group(1)
    assert re.findall(r"<td>(.*?)</td>", forestry)[:6] == [
        "市林业局", "3", "3", "0", "1 <small>森林质量提升</small>", "2026-03-31",
    ]  # fmt: skip

    materialization = next(
        event.event_specific_data.materialization
        for event in sample_run.result.get_asset_materialization_events()
        if event.asset_key.to_user_string() == "publish/report"
    )
    assert materialization.metadata["pages"].value == [page.name]


def test_the_same_marts_give_the_same_page(sample_run: SampleRun, tmp_path: Path) -> None:
    pages = build_reports(sample_run.workspace.database, tmp_path)
    assert [path.name for path in pages] == ["index.html", report_page(sample_run).name]
    assert pages[1].read_bytes() == report_page(sample_run).read_bytes()


def test_the_ui_shows_a_preview_of_the_attainment_table(sample_run: SampleRun) -> None:
    materialization = next(
        event.event_specific_data.materialization
        for event in sample_run.result.get_asset_materialization_events()
        if event.asset_key.to_user_string() == "publish/warehouse"
    )
    preview = materialization.metadata["attainment_preview"].value.splitlines()
    assert preview[0].startswith("| indicator_code | name_zh | latest_period |")
    assert len(preview) == 2 + 59
    assert any(
        line.startswith("| gdp | 地区生产总值 | 2025 | 801.5 | 860.0 | 亿元 |") for line in preview
    )


@needs_chromium
def test_chromium_draws_every_chart_and_filters_by_status(
    sample_run: SampleRun, tmp_path: Path
) -> None:
    url = report_page(sample_run).as_uri()
    dom = run_chromium(tmp_path, "--virtual-time-budget=10000", "--dump-dom", url)
    assert 'data-ready="1"' in dom
    assert 'data-charts-drawn="55"' in dom

    off_track = published_counts(sample_run)["off_track"]
    filtered = run_chromium(
        tmp_path, "--virtual-time-budget=10000", "--dump-dom", url + "#status=off_track"
    )
    assert f'data-shown="{off_track}"' in filtered
    visible = re.findall(r'<article class="card"[^>]*data-status="(\w+)"[^>]*>', filtered)
    hidden = re.findall(r'<article class="card"[^>]*hidden=""[^>]*>', filtered)
    assert len(visible) - len(hidden) == off_track


@needs_chromium
def test_a_screenshot_is_not_blank_and_shows_the_status_colours(
    sample_run: SampleRun, tmp_path: Path
) -> None:
    from PIL import Image

    screenshot = tmp_path / "report.png"
    run_chromium(
        tmp_path, "--window-size=1280,3000", f"--screenshot={screenshot}",
        report_page(sample_run).as_uri(),
    )  # fmt: skip
    with Image.open(screenshot) as image:
        pixels = image.convert("RGB")
        colours = pixels.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 200, "the page looks blank"
    present = {colour for _, colour in colours}
    # Every status the page counts has its colour (the plan period is over: no target is on
    # track or at risk any more).
    shown = {status for status, count in published_counts(sample_run).items() if count}
    assert {"achieved", "off_track"} <= shown
    for status in shown - {"not_assessable"}:
        rgb = tuple(int(STATUSES[status][2][i : i + 2], 16) for i in (1, 3, 5))
        assert rgb in present, f"no {status} colour on the page"


def test_the_report_never_fails_on_a_figure_the_warehouse_holds(
    sample_run: SampleRun, tmp_path: Path
) -> None:
    database = tmp_path / "indicators.duckdb"
    shutil.copy(sample_run.workspace.database, database)
    with duckdb.connect(str(database)) as connection:
        for table in ("mart_indicator_attainment", "mart_attainment_history"):
            connection.execute(
                f"update marts.{table} set actual_value = case indicator_code "
                "when 'gdp' then 1e308 when 'grain_output' then -1e308 "
                "when 'tourism_revenue' then 'inf'::double else actual_value end"
            )
        connection.execute(
            "update marts.mart_indicator_attainment set progress_ratio = 'nan'::double, "
            "completion_ratio = 'inf'::double, name_zh = '<script>alert(1)</script>', "
            "name_en = null where indicator_code = 'tourism_revenue'"
        )

    pages = build_reports(database, tmp_path / "reports")

    page = pages[1].read_text(encoding="utf-8")
    assert page.count("A figure is too large to draw") == 3
    assert "∞ 亿元" in page
    # Text from the warehouse is escaped by the templates; a missing one is shown as nothing.
    assert "<script>alert" not in page and "<h3>&lt;script&gt;alert(1)&lt;/script&gt;</h3>" in page
    assert "None" not in page


@given(text=st.text(max_size=40))
def test_the_report_escapes_text_as_jinja_s_autoescape_does(text: str) -> None:
    # The cards and charts are written in Python, the page around them by Jinja2 with
    # autoescape: the same text escaped the same way (MarkupSafe's five characters).
    import markupsafe

    from pipelines.outputs.report.formatting import _e

    assert _e(text) == str(markupsafe.escape(text))
    assert _e(None) == ""


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.fixed_dictionaries(
        {
            name: st.text(max_size=20)
            for name in (
                "name_zh",
                "name_en",
                "indicator_code",
                "pillar_zh",
                "department_code",
                "department_zh",
            )
        }
    )  # fmt: skip
)
def test_a_card_shows_its_row_s_text_whatever_the_text(
    sample_run: SampleRun, texts: dict[str, str]
) -> None:
    # A card's text and data attributes read back as the row's text, markup and all.
    from html.parser import HTMLParser

    from pipelines.outputs.report import ATTAINMENT, _card

    with duckdb.connect(str(sample_run.workspace.database), read_only=True) as connection:
        cursor = connection.execute(ATTAINMENT.query("true") + " limit 1")
        names = [column[0] for column in cursor.description]
        row = {**dict(zip(names, cursor.fetchone(), strict=True)), **texts}

    class Card(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.attributes: dict[str, str | None] = {}
            self.text: dict[str, str] = {}
            self.open: list[str] = []

        def handle_starttag(self, tag: str, attrs: list) -> None:
            if tag == "article":
                self.attributes = dict(attrs)
            if tag != "br":  # no end tag
                self.open.append(tag)

        def handle_endtag(self, tag: str) -> None:
            self.open.pop()

        def handle_data(self, data: str) -> None:
            key = "/".join(self.open)
            self.text[key] = self.text.get(key, "") + data

    card = Card()
    card.feed(str(_card(row, [])))
    assert card.attributes["id"] == texts["indicator_code"]
    assert card.attributes["data-pillar"] == texts["pillar_zh"]
    assert card.attributes["data-department"] == texts["department_code"]
    assert card.text.get("article/header/h3", "") == texts["name_zh"]
    assert card.text.get("article/header/p/code", "") == texts["indicator_code"]
    assert card.text["article/p"] == f"{texts['department_zh']} {row['department_en']}"
