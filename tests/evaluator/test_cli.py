"""`python manage.py evaluate`: the command-line contract of scenario-format.md.

The tests call the command's entry point, `evaluator.cli.run`, in this process
with captured standard streams, and look only at what a user sees: the exit
code, standard output and standard error. A few contract tests at the end run
the real `manage.py evaluate` in a subprocess, so the hand-over in manage.py,
the exit status of the process and the bytes on its streams are checked too.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator import cli

REPO = Path(__file__).resolve().parents[2]

OWNER = "111122223333"
PARTNER = "444455556666"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:us-east-1:{OWNER}:key/{KEY_ID}"
WRITER = f"arn:aws:iam::{OWNER}:role/writer"
READER = f"arn:aws:iam::{PARTNER}:role/reader"

ATTEMPT_FIELDS = {"id", "authorization", "outcome", "passed", "warnings", "trace"}


# ----------------------------------------------------------------------------- helpers


def allow_all_kms() -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}],
    }


def scenario(*attempts: dict) -> dict:
    """Two accounts; the key trusts only its own account (so `reader` is refused)."""
    return {
        "format": 1,
        "accounts": [{"id": OWNER, "name": "Owner"}, {"id": PARTNER, "name": "Partner"}],
        "principals": [
            {
                "type": "role",
                "account": OWNER,
                "name": "writer",
                "policies": [{"name": "kms", "policy": allow_all_kms()}],
            },
            {
                "type": "role",
                "account": PARTNER,
                "name": "reader",
                "policies": [{"name": "kms", "policy": allow_all_kms()}],
            },
        ],
        "keys": [
            {
                "id": KEY_ID,
                "account": OWNER,
                "policy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "EnableIAM",
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{OWNER}:root"},
                            "Action": "kms:*",
                            "Resource": "*",
                        }
                    ],
                },
            }
        ],
        "attempts": list(attempts),
    }


def attempt(id_: str, principal: str = WRITER, action: str = "kms:Encrypt", **extra) -> dict:
    out = {"id": id_, "principal": principal, "action": action, "resource": KEY_ARN}
    out.update(extra)
    return out


def allowed(id_: str, **extra) -> dict:
    """An attempt the scenario allows."""
    return attempt(id_, WRITER, "kms:Encrypt", **extra)


def refused(id_: str, **extra) -> dict:
    """An attempt the scenario refuses (cross account, the key policy says nothing)."""
    return attempt(id_, READER, "kms:Decrypt", **extra)


@dataclass(frozen=True)
class Ran:
    """What a user sees of one run of the command."""

    returncode: int
    stdout: str
    stderr: str


def run(*args: str, stdin: str | None = None) -> Ran:
    """The command, in this process: the same entry manage.py hands over to."""
    out, err = io.StringIO(), io.StringIO()
    inp = io.TextIOWrapper(io.BytesIO((stdin or "").encode()), encoding="utf-8")
    code = cli.run(list(args), out, err, inp)
    return Ran(code, out.getvalue(), err.getvalue())


def run_process(*args: str, stdin: str | None = None) -> Ran:
    """The real `python manage.py evaluate`, in its own process."""
    proc = subprocess.run(
        [sys.executable, "manage.py", "evaluate", *args],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return Ran(proc.returncode, proc.stdout, proc.stderr)


def write(tmp_path: Path, document: dict | str, name: str = "scenario.json") -> str:
    text = document if isinstance(document, str) else json.dumps(document, indent=2)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def as_json(proc: Ran) -> dict:
    """stdout must be exactly one JSON object, nothing before or after it."""
    return json.loads(proc.stdout)


def line_col_of(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column where `needle` first starts in `text`."""
    index = text.index(needle)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def assert_no_traceback(proc: Ran) -> None:
    for stream in (proc.stdout, proc.stderr):
        assert "Traceback" not in stream
        assert 'File "' not in stream


# ----------------------------------------------------------------------------- exit codes


@pytest.mark.parametrize(
    ("attempts", "code"),
    [
        pytest.param([allowed("a", expect="allow")], 0, id="one-expectation-holds"),
        pytest.param(
            [allowed("a", expect="allow"), refused("b", expect="implicit_deny")],
            0,
            id="every-expectation-holds",
        ),
        pytest.param([refused("b", expect="deny")], 0, id="deny-holds-for-implicit-deny"),
        pytest.param(
            [refused("b", expect="AccessDeniedException")], 0, id="outcome-code-expectation-holds"
        ),
        pytest.param([allowed("a"), refused("b")], 0, id="no-expectations-at-all"),
        pytest.param([], 0, id="no-attempts"),
        pytest.param([allowed("a", expect="deny")], 1, id="allowed-but-deny-expected"),
        pytest.param(
            [allowed("a", expect="allow"), refused("b", expect="allow")],
            1,
            id="one-of-two-fails",
        ),
        pytest.param(
            [refused("b", expect="explicit_deny")], 1, id="implicit-deny-is-not-explicit-deny"
        ),
        pytest.param([allowed("a", expect="DisabledException")], 1, id="outcome-code-differs"),
    ],
)
def test_exit_code_says_whether_every_expectation_held(tmp_path, attempts, code):
    proc = run(write(tmp_path, scenario(*attempts)))
    assert proc.returncode == code, proc.stderr
    assert_no_traceback(proc)


def test_a_failed_expectation_still_prints_every_result(tmp_path):
    proc = run(write(tmp_path, scenario(refused("b", expect="allow"), allowed("a"))), "--json")
    assert proc.returncode == 1
    assert [a["id"] for a in as_json(proc)["attempts"]] == ["b", "a"]


def test_readable_output_names_each_attempt_and_its_result(tmp_path):
    proc = run(write(tmp_path, scenario(allowed("enc", expect="allow"), refused("dec"))))
    assert proc.returncode == 0
    assert "enc" in proc.stdout and "dec" in proc.stdout
    assert "allow / Success" in proc.stdout
    assert "implicit_deny / AccessDeniedException" in proc.stdout


# ----------------------------------------------------------------------------- invalid input


def invalid_documents() -> list:
    """(document text, JSON pointer of the error, text the error's position points at)."""
    good = scenario(allowed("a"))

    bad_account = json.loads(json.dumps(good))
    bad_account["accounts"][1]["id"] = "4444"

    bad_effect = json.loads(json.dumps(good))
    bad_effect["keys"][0]["policy"]["Statement"][0]["Effect"] = "Alow"

    no_format = {k: v for k, v in good.items() if k != "format"}

    bad_principal_type = json.loads(json.dumps(good))
    bad_principal_type["principals"][0]["type"] = "group"

    return [
        pytest.param(
            json.dumps(bad_account, indent=2), "/accounts/1/id", '"id": "4444"', id="bad-account-id"
        ),
        pytest.param(
            json.dumps(bad_effect, indent=2),
            "/keys/0/policy/Statement/0/Effect",
            '"Effect": "Alow"',
            id="bad-effect-in-key-policy",
        ),
        pytest.param(
            json.dumps(bad_principal_type, indent=2),
            "/principals/0/type",
            '"type": "group"',
            id="bad-principal-type",
        ),
        pytest.param(json.dumps(no_format, indent=2), None, "{", id="missing-format"),
    ]


@pytest.mark.parametrize(("text", "pointer", "at"), invalid_documents())
def test_invalid_document_exits_2_with_path_and_line_column_on_stderr(tmp_path, text, pointer, at):
    proc = run(write(tmp_path, text))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert_no_traceback(proc)
    if pointer is not None:
        assert pointer in proc.stderr
    line, column = line_col_of(text, at)
    assert f"line {line}, column {column}" in proc.stderr


@pytest.mark.parametrize(
    ("text", "at"),
    [
        pytest.param(
            '{"format": 1,\n "accounts": [{"id": "111122223333",}]}', ",}]}", id="trailing-comma"
        ),
        pytest.param('{"format": 1,\n  "accounts": [\n', None, id="truncated"),
        pytest.param("{'format': 1}", "'", id="single-quotes"),
        pytest.param('{"format": 1 "accounts": []}', '"accounts"', id="missing-comma"),
    ],
)
def test_invalid_json_exits_2_with_line_and_column(tmp_path, text, at):
    proc = run(write(tmp_path, text))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert_no_traceback(proc)
    assert "line " in proc.stderr and "column " in proc.stderr
    if at is not None:
        line, column = line_col_of(text, at)
        assert f"line {line}, column {column}" in proc.stderr


@pytest.mark.parametrize(
    "stdin",
    [
        pytest.param("", id="empty"),
        pytest.param("[1, 2]", id="array-not-object"),
        pytest.param("null", id="null"),
    ],
)
def test_non_scenario_on_stdin_exits_2_without_traceback(stdin):
    proc = run("-", stdin=stdin)
    assert proc.returncode == 2
    assert proc.stderr.strip()
    assert_no_traceback(proc)


def test_missing_file_exits_2_with_a_message_naming_it(tmp_path):
    missing = str(tmp_path / "no-such-scenario.json")
    proc = run(missing)
    assert proc.returncode == 2
    assert "no-such-scenario.json" in proc.stderr
    assert "cannot read" in proc.stderr or "No such file" in proc.stderr
    assert_no_traceback(proc)


# ----------------------------------------------------------------------------- stdin, --attempt


def test_dash_reads_the_scenario_from_standard_input():
    doc = scenario(allowed("from-stdin", expect="allow"))
    proc = run("-", "--json", stdin=json.dumps(doc))
    assert proc.returncode == 0, proc.stderr
    assert [a["id"] for a in as_json(proc)["attempts"]] == ["from-stdin"]


def test_dash_with_a_failing_expectation_exits_1():
    proc = run("-", stdin=json.dumps(scenario(refused("x", expect="allow"))))
    assert proc.returncode == 1


def test_attempt_option_selects_only_that_attempt(tmp_path):
    path = write(tmp_path, scenario(allowed("a"), refused("b"), allowed("c")))
    proc = run(path, "--json", "--attempt", "b")
    assert proc.returncode == 0, proc.stderr
    attempts = as_json(proc)["attempts"]
    assert [a["id"] for a in attempts] == ["b"]
    assert attempts[0]["authorization"] == "implicit_deny"


def test_attempt_option_ignores_expectations_of_unselected_attempts(tmp_path):
    path = write(
        tmp_path, scenario(refused("bad", expect="allow"), allowed("good", expect="allow"))
    )
    assert run(path, "--attempt", "good").returncode == 0
    assert run(path, "--attempt", "bad").returncode == 1


def test_unknown_attempt_id_exits_2_with_a_message_naming_it(tmp_path):
    proc = run(write(tmp_path, scenario(allowed("a"))), "--attempt", "nonexistent-id")
    assert proc.returncode == 2
    assert "nonexistent-id" in proc.stderr
    assert proc.stdout == ""
    assert_no_traceback(proc)


# ----------------------------------------------------------------------------- --json


def test_json_prints_one_object_with_every_contract_field(tmp_path):
    path = write(tmp_path, scenario(allowed("a", expect="allow"), refused("b", expect="deny")))
    proc = run(path, "--json")
    assert proc.returncode == 0
    payload = as_json(proc)
    assert isinstance(payload, dict)
    assert list(payload) == ["attempts"]
    first, second = payload["attempts"]
    for entry in (first, second):
        assert set(entry) >= ATTEMPT_FIELDS
        assert isinstance(entry["warnings"], list)
        assert isinstance(entry["trace"], list) and entry["trace"]
    assert (first["id"], first["authorization"], first["outcome"], first["passed"]) == (
        "a",
        "allow",
        "Success",
        True,
    )
    assert (second["id"], second["authorization"], second["outcome"], second["passed"]) == (
        "b",
        "implicit_deny",
        "AccessDeniedException",
        True,
    )


def test_json_leaves_passed_out_when_there_is_no_expect(tmp_path):
    proc = run(
        write(tmp_path, scenario(allowed("free"), allowed("checked", expect="deny"))), "--json"
    )
    assert proc.returncode == 1
    free, checked = as_json(proc)["attempts"]
    assert "passed" not in free
    assert checked["passed"] is False


def test_json_outcome_is_access_denied_for_a_refused_cross_account_call(tmp_path):
    proc = run(write(tmp_path, scenario(refused("x"))), "--json")
    (entry,) = as_json(proc)["attempts"]
    assert entry["authorization"] == "implicit_deny"
    assert entry["outcome"] == "AccessDeniedException"


# ----------------------------------------------------------------------------- --no-trace


def test_no_trace_gives_empty_traces_and_the_same_answers(tmp_path):
    path = write(tmp_path, scenario(allowed("a", expect="allow"), refused("b", expect="deny")))
    full = as_json(run(path, "--json"))["attempts"]
    bare = as_json(run(path, "--json", "--no-trace"))["attempts"]
    assert all(entry["trace"] == [] for entry in bare)
    assert [
        (e["id"], e["authorization"], e["outcome"], e["passed"], e["warnings"]) for e in bare
    ] == [(e["id"], e["authorization"], e["outcome"], e["passed"], e["warnings"]) for e in full]


def test_no_trace_readable_output_keeps_results_and_exit_code(tmp_path):
    proc = run(write(tmp_path, scenario(refused("b", expect="allow"))), "--no-trace")
    assert proc.returncode == 1
    assert "implicit_deny / AccessDeniedException" in proc.stdout
    assert "Key policy" not in proc.stdout  # no trace step is printed


# ----------------------------------------------------------------------------- document order


def encrypt_then_decrypt(*, decrypt_as: str = WRITER) -> dict:
    return scenario(
        allowed("enc", plaintext="attack at dawn", expect="allow"),
        {
            "id": "dec",
            "principal": decrypt_as,
            "action": "kms:Decrypt",
            "ciphertext": {"from_attempt": "enc"},
        },
    )


def test_decrypt_of_an_earlier_encrypt_gives_back_the_plaintext(tmp_path):
    doc = encrypt_then_decrypt()
    doc["attempts"][1]["expect"] = "allow"
    proc = run(write(tmp_path, doc), "--json")
    assert proc.returncode == 0, proc.stderr
    enc, dec = as_json(proc)["attempts"]
    assert enc["outcome"] == "Success" and dec["outcome"] == "Success"
    assert dec["authorization"] == "allow"
    assert "attack at dawn" in json.dumps(dec)
    assert "attack at dawn" not in json.dumps(enc.get("output", {}).get("ciphertext", ""))


def test_decrypt_of_an_earlier_encrypt_works_when_only_the_decrypt_is_selected(tmp_path):
    proc = run(write(tmp_path, encrypt_then_decrypt()), "--json", "--attempt", "dec")
    assert proc.returncode == 0, proc.stderr
    (dec,) = as_json(proc)["attempts"]
    assert (dec["authorization"], dec["outcome"]) == ("allow", "Success")
    assert "attack at dawn" in json.dumps(dec)


def test_decrypt_by_a_caller_the_key_does_not_trust_is_denied_and_reveals_nothing(tmp_path):
    proc = run(write(tmp_path, encrypt_then_decrypt(decrypt_as=READER)), "--json")
    enc, dec = as_json(proc)["attempts"]
    assert enc["outcome"] == "Success"
    assert (dec["authorization"], dec["outcome"]) == ("implicit_deny", "AccessDeniedException")
    assert "attack at dawn" not in json.dumps(dec)


def test_results_come_back_in_document_order(tmp_path):
    ids = ["z-last-alphabetically", "a-first", "m-middle"]
    proc = run(write(tmp_path, scenario(*(allowed(i) for i in ids))), "--json")
    assert [a["id"] for a in as_json(proc)["attempts"]] == ids


# ----------------------------------------------------------------------------- the real process


@pytest.mark.parametrize(
    ("attempts", "code"),
    [
        pytest.param([allowed("a", expect="allow")], 0, id="expectations-hold"),
        pytest.param([allowed("a", expect="deny")], 1, id="an-expectation-fails"),
    ],
)
def test_the_process_exit_status_says_whether_every_expectation_held(tmp_path, attempts, code):
    proc = run_process(write(tmp_path, scenario(*attempts)))
    assert proc.returncode == code, proc.stderr
    assert "allow / Success" in proc.stdout
    assert_no_traceback(proc)


def test_the_process_prints_exactly_one_json_object_with_the_contract_fields(tmp_path):
    path = write(tmp_path, scenario(allowed("a", expect="allow"), refused("b", expect="deny")))
    for flags in (["--json"], ["--json", "--no-trace"]):
        proc = run_process(path, *flags)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.endswith("}\n") and proc.stderr == ""
        payload = as_json(proc)
        assert [(a["id"], a["authorization"]) for a in payload["attempts"]] == [
            ("a", "allow"),
            ("b", "implicit_deny"),
        ]
        assert all(set(a) >= ATTEMPT_FIELDS for a in payload["attempts"])


def test_the_process_reads_standard_input_for_a_dash():
    doc = scenario(refused("x", expect="allow"))
    proc = run_process("-", "--json", stdin=json.dumps(doc))
    assert proc.returncode == 1
    assert [a["id"] for a in as_json(proc)["attempts"]] == ["x"]


def test_the_process_reports_an_invalid_document_on_stderr_and_exits_2(tmp_path):
    (text, pointer, at) = invalid_documents()[0].values
    proc = run_process(write(tmp_path, text))
    assert (proc.returncode, proc.stdout) == (2, "")
    line, column = line_col_of(text, at)
    assert pointer in proc.stderr and f"line {line}, column {column}" in proc.stderr
    assert_no_traceback(proc)
