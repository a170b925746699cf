"""Reference-file hashes in clean_meta.json: editing the calendar or the catalogue makes the
processed tables stale (``clean.reference_changed``)."""

from __future__ import annotations

import hashlib
import json

from cchc_analysis import clean, config


class TestReferenceDigests:
    def test_hashes_of_the_files_in_use(self):
        digests = clean.reference_digests()
        assert set(digests) == set(clean.REFERENCE_FILES)
        path = config.reference_path("procedures.csv")
        assert digests["procedures.csv"] == hashlib.sha256(path.read_bytes()).hexdigest()

    def test_user_override_is_hashed(self, tmp_path, monkeypatch):
        monkeypatch.setattr(config, "USER_REFERENCE_DIR", tmp_path)
        (tmp_path / "calendar_overrides.csv").write_text("date,kind\n", encoding="utf-8")
        assert clean.reference_digests()["calendar_overrides.csv"] == hashlib.sha256(b"date,kind\n").hexdigest()


class TestReferenceChanged:
    def test_clean_records_them(self, processed_sample_dir):
        meta = json.loads((processed_sample_dir / "clean_meta.json").read_text(encoding="utf-8"))
        assert meta["reference"] == clean.reference_digests()
        assert clean.reference_changed(processed_sample_dir) is False

    def test_edited_calendar_or_catalogue_is_a_change(self, processed_sample_dir, tmp_path, monkeypatch):
        monkeypatch.setattr(config, "USER_REFERENCE_DIR", tmp_path)
        assert clean.reference_changed(processed_sample_dir) is False  # no override yet
        shipped = config.PACKAGE_REFERENCE_DIR / "procedures.csv"
        (tmp_path / "procedures.csv").write_bytes(shipped.read_bytes() + b"\n# edited\n")
        assert clean.reference_changed(processed_sample_dir) is True

    def test_nothing_recorded_is_a_change(self, tmp_path):
        assert clean.reference_changed(tmp_path) is True
        (tmp_path / "clean_meta.json").write_text(json.dumps({"files": {}}), encoding="utf-8")
        assert clean.reference_changed(tmp_path) is True
