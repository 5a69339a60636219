"""playground/envconf.py: settings read from the environment, the secret key file."""

from __future__ import annotations

import stat

from playground.envconf import env_bool, env_list, secret_key_from_file


def test_secret_key_file_is_generated_once(tmp_path):
    path = tmp_path / ".secret_key"
    first = secret_key_from_file(path)
    assert len(first) >= 50
    assert path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key_from_file(path) == first


def test_secret_key_empty_file_is_filled(tmp_path):
    path = tmp_path / ".secret_key"
    path.write_text("\n")
    key = secret_key_from_file(path)
    assert key and path.read_text().strip() == key


def test_env_helpers(monkeypatch):
    for word in ("1", "true", "TRUE", "yes", "on"):
        monkeypatch.setenv("X_FLAG", word)
        assert env_bool("X_FLAG") is True
    for word in ("0", "false", "", "no", "2"):
        monkeypatch.setenv("X_FLAG", word)
        assert env_bool("X_FLAG") is False
    monkeypatch.delenv("X_FLAG")
    assert env_bool("X_FLAG") is False
    monkeypatch.setenv("X_LIST", " a.example , ,b.example")
    assert env_list("X_LIST", "z") == ["a.example", "b.example"]
    monkeypatch.delenv("X_LIST")
    assert env_list("X_LIST", "x,y") == ["x", "y"]
