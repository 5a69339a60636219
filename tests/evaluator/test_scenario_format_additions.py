"""The optional fields docs/scenario-format.md adds to format 1: key `tags`, alias
operations' `alias`, tagging calls' `tags`/`tag_keys`, and the session `tags`,
`transitive_tag_keys` and `source_identity` of assume steps. The loader and the
JSON Schema accept them, and report a wrong one at its JSON path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluator.core import model
from tests.evaluator.test_scenario_loader import KEY_ID, B, base, load_text, place_of, with_change

jsonschema = pytest.importorskip("jsonschema")
SCHEMA = json.loads(
    (Path(model.__file__).parent / "schema" / "scenario-v1.schema.json").read_text()
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
ROLE = f"arn:aws:iam::{B}:role/app"


def with_additions() -> dict:
    def add(d: dict) -> None:
        d["keys"][0]["tags"] = {"Project": "Alpha"}
        d["attempts"] += [
            {
                "id": "tag",
                "principal": f"arn:aws:iam::{B}:user/alice",
                "action": "kms:TagResource",
                "resource": KEY_ID,
                "tags": {"Owner": "alice"},
            },
            {
                "id": "untag",
                "principal": f"arn:aws:iam::{B}:user/alice",
                "action": "kms:UntagResource",
                "resource": KEY_ID,
                "tag_keys": ["Owner"],
            },
            {
                "id": "alias",
                "principal": f"arn:aws:iam::{B}:user/alice",
                "action": "kms:CreateAlias",
                "alias": "alias/new",
                "resource": KEY_ID,
            },
            {
                "id": "unalias",
                "principal": f"arn:aws:iam::{B}:user/alice",
                "action": "kms:DeleteAlias",
                "alias": "alias/app",
            },
            {
                "id": "tagged-session",
                "principal": f"arn:aws:iam::{B}:user/alice",
                "assume": [
                    {
                        "role": ROLE,
                        "tags": {"project": "alpha", "team": "red"},
                        "transitive_tag_keys": ["project"],
                        "source_identity": "alice@example.com",
                    }
                ],
                "action": "kms:Encrypt",
                "resource": KEY_ID,
            },
        ]

    return with_change(add)


def test_every_addition_loads_into_the_model_without_problems():
    loaded, _ = load_text(with_additions())
    assert loaded.ok and not loaded.problems, [str(p) for p in loaded.problems]
    sc = loaded.scenario
    assert sc is not None
    assert sc.keys[0].tags == {"Project": "Alpha"}
    tag, untag, alias, unalias, session = sc.attempts[2:]
    assert tag.tags == {"Owner": "alice"} and untag.tag_keys == ("Owner",)
    assert alias.alias == "alias/new" and unalias.alias == "alias/app"
    assert unalias.resource is None
    step = session.assume[0]
    assert step.tags == {"project": "alpha", "team": "red"}
    assert step.transitive_tag_keys == ("project",)
    assert step.source_identity == "alice@example.com"


def test_every_addition_passes_the_schema():
    assert not list(VALIDATOR.iter_errors(with_additions()))


def test_a_document_without_additions_gets_empty_defaults():
    loaded, _ = load_text(base())
    sc = loaded.scenario
    assert sc is not None
    assert sc.keys[0].tags == {}
    assert all(a.tags is None and a.tag_keys == () and a.alias is None for a in sc.attempts)


def _attempt(i: int) -> str:
    return f"/attempts/{i}"


# (change to the document with additions, pointer, code, fragment the editor points at)
PROBLEMS = [
    pytest.param(
        lambda d: d["keys"][0].update(tags={"Project": 7}),
        "/keys/0/tags/Project",
        "scenario.type",
        '"Project": 7',
        id="key-tag-value-not-a-string",
    ),
    pytest.param(
        lambda d: d["keys"][0].update(tags=["Project"]),
        "/keys/0/tags",
        "scenario.type",
        '"tags": [',
        id="key-tags-not-an-object",
    ),
    pytest.param(
        lambda d: d["attempts"][2].update(tags={"Owner": None}),
        _attempt(2) + "/tags/Owner",
        "scenario.type",
        '"Owner": null',
        id="request-tag-value-not-a-string",
    ),
    pytest.param(
        lambda d: d["attempts"][3].update(tag_keys="Owner"),
        _attempt(3) + "/tag_keys",
        "scenario.type",
        '"tag_keys": "Owner"',
        id="tag-keys-not-a-list",
    ),
    pytest.param(
        lambda d: d["attempts"][4].update(alias="new"),
        _attempt(4) + "/alias",
        "scenario.value",
        '"alias": "new"',
        id="alias-without-prefix",
    ),
    pytest.param(
        lambda d: d["attempts"][5].pop("alias"),
        _attempt(5) + "/alias",
        "scenario.required",
        '{\n      "id": "unalias"',  # a missing member is placed at its object
        id="alias-operation-without-alias",
    ),
    pytest.param(
        lambda d: d["attempts"][6]["assume"][0].update(tags={"project": 1}),
        _attempt(6) + "/assume/0/tags/project",
        "scenario.type",
        '"project": 1',
        id="session-tag-value-not-a-string",
    ),
    pytest.param(
        lambda d: d["attempts"][6]["assume"][0].update(transitive_tag_keys=["cost"]),
        _attempt(6) + "/assume/0/transitive_tag_keys/0",
        "scenario.reference",
        '"cost"',
        id="transitive-key-not-a-session-tag",
    ),
    pytest.param(
        lambda d: d["attempts"][6]["assume"][0].update(source_identity=["alice"]),
        _attempt(6) + "/assume/0/source_identity",
        "scenario.type",
        '"source_identity": [',
        id="source-identity-not-a-string",
    ),
]


@pytest.mark.parametrize(("change", "pointer", "code", "fragment"), PROBLEMS)
def test_a_wrong_addition_is_reported_at_its_path_and_line(change, pointer, code, fragment):
    doc = with_additions()
    change(doc)
    loaded, text = load_text(doc)
    found = [p for p in loaded.problems if p.pointer == pointer]
    assert found, [f"{p.pointer} {p.code}" for p in loaded.problems]
    problem = found[0]
    assert problem.code == code
    assert problem.line == place_of(text, fragment)[0]


STRUCTURAL = [p for p in PROBLEMS if p.id != "transitive-key-not-a-session-tag"]


@pytest.mark.parametrize(("change", "pointer", "code", "fragment"), STRUCTURAL)
def test_the_schema_rejects_the_same_structural_errors(change, pointer, code, fragment):
    doc = with_additions()
    change(doc)
    assert list(VALIDATOR.iter_errors(doc)), f"schema accepts {pointer}"
