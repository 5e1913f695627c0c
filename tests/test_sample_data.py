"""The bundled sample data is what its generator writes, byte for byte."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SAMPLE_RAW_DIR
from tests.tools.sample_data import write_sample_data


def test_generator_reproduces_the_bundled_files(tmp_path: Path) -> None:
    written = write_sample_data(tmp_path)

    assert written, "the generator wrote nothing"
    for path in written:
        bundled = SAMPLE_RAW_DIR / path.relative_to(tmp_path)
        assert bundled.read_bytes() == path.read_bytes(), f"{bundled} differs from the generator"
