"""One way into the indicator core: notebook 02 (and so `cchc run`, which executes it) and
`cchc indicators` load through `store.load_processed` and build through `build_quarter`."""

from __future__ import annotations

import json
from pathlib import Path

from cchc_analysis import cli, indicators, store

ROOT = Path(__file__).resolve().parents[1]


def _code(notebook: str) -> str:
    cells = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


class TestNotebook02:
    def test_loads_through_the_store_and_builds_once(self):
        code = _code("02_indicators.ipynb")
        assert "store.load_processed(processed_dir)" in code
        assert code.count("indicators.build_quarter(") == 1
        assert "clean.load_processed" not in code


class TestIndicatorsCommand:
    def test_same_loader_and_builder(self, processed_sample_dir, tmp_path, monkeypatch):
        calls = []
        load, build = store.load_processed, indicators.build_quarter

        def recording_load(path, *args, **kwargs):
            calls.append(("load", Path(path), args, kwargs))
            return load(path, *args, **kwargs)

        def recording_build(processed, quarter, **kwargs):
            calls.append(("build", type(processed.dossiers).__name__, str(quarter), kwargs))
            return build(processed, quarter, **kwargs)

        monkeypatch.setattr(store, "load_processed", recording_load)
        monkeypatch.setattr(indicators, "build_quarter", recording_build)
        code = cli.main(["indicators", "--quarter", "2024Q1", "--processed", str(processed_sample_dir),
                         "--out", str(tmp_path)])
        assert code == 0
        assert calls == [
            ("load", Path(processed_sample_dir), (), {}),
            ("build", "DossierFiles", "2024Q1", {"period": "calendar", "engine": "pandas"}),
        ]
        assert (tmp_path / "2024Q1" / "indicators.csv").exists()
