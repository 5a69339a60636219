"""`manage.py loadexamples`: examples/*.json -> the gallery, all or nothing."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from playground.models import Scenario


def _load(folder: Path) -> str:
    out = StringIO()
    call_command("loadexamples", "--dir", str(folder), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_loadexamples_missing_or_empty_folder(tmp_path):
    assert "nothing loaded" in _load(tmp_path / "missing")
    assert "nothing loaded" in _load(tmp_path)
    assert Scenario.objects.count() == 0


@pytest.mark.django_db
def test_loadexamples_is_idempotent(tmp_path):
    (tmp_path / "cross-account.json").write_text(
        json.dumps({"format": 1, "title": "Cross account", "accounts": []})
    )
    (tmp_path / "no_title.json").write_text(json.dumps({"format": 1, "accounts": []}))
    (tmp_path / "notes.txt").write_text("not an example")
    assert "2 new, 0 updated" in _load(tmp_path)

    (tmp_path / "cross-account.json").write_text(
        json.dumps({"format": 1, "title": "Cross account, v2", "accounts": []})
    )
    assert "0 new, 2 updated" in _load(tmp_path)

    rows = {s.example_slug: s for s in Scenario.objects.all()}
    assert set(rows) == {"cross-account", "no_title"}
    assert rows["cross-account"].title == "Cross account, v2"
    assert rows["cross-account"].document["title"] == "Cross account, v2"
    assert rows["no_title"].title == "no title"
    assert all(s.is_example for s in rows.values())


@pytest.mark.django_db
def test_loadexamples_rejects_bad_json(tmp_path):
    (tmp_path / "good.json").write_text(json.dumps({"format": 1, "title": "Good"}))
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(CommandError, match=r"broken\.json"):
        _load(tmp_path)
    assert Scenario.objects.count() == 0  # all or nothing


@pytest.mark.django_db
def test_loadexamples_default_folder_runs():
    # examples/ at the project root may be empty or missing; either way it works.
    out = StringIO()
    call_command("loadexamples", stdout=out)
    assert "example" in out.getvalue().lower()
