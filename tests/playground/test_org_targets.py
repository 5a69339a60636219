"""SCPs and RCPs: their targets (root, units, member accounts) are edited in their panel."""

from __future__ import annotations

import json

import pytest

from tests.playground.conftest import ACCOUNT, announced

pytestmark = pytest.mark.django_db

DENY_KMS = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "NoKms", "Effect": "Deny", "Action": "kms:*", "Resource": "*"}],
}


def _organization(copy):
    """An organization with a unit and two member accounts, and an SCP on the second."""
    copy.post("nodes/add/", {"kind": "unit", "name": "Prod"})  # also creates the root
    unit = copy.doc["organization"]["units"][0]["id"]
    other = copy.add("account", "Other")
    copy.post("org-policies/add/", {"which": "scp", "name": "NoKms", "target": other})
    return unit, other


def test_the_panel_of_a_target_offers_every_root_unit_and_member_account(copy):
    unit, other = _organization(copy)
    html = copy.client.get(copy.base + f"panel/?node={other}").content.decode()
    assert 'action="' + copy.base + 'org-policies/targets/"' in html
    assert "<legend>Attach NoKms to</legend>" in html
    for target in ("r-root", unit, ACCOUNT, other):
        assert f'name="targets" value="{target}"' in html
    assert f'value="{other}" id="targets-1-4" checked' in html
    assert f'value="{ACCOUNT}" id="targets-1-3">' in html


def test_targets_are_replaced_in_the_organizations_order(copy):
    unit, other = _organization(copy)
    response = copy.post(
        "org-policies/targets/",
        {"ref": "scp:NoKms", "targets": [ACCOUNT, unit], "back": other},
    )
    assert response.status_code == 200 and announced(response) == {"scenario-changed"}
    assert "NoKms: targets saved." in response.content.decode()
    assert copy.doc["organization"]["scps"][0]["targets"] == [unit, ACCOUNT]


def test_setting_targets_without_javascript_redirects_back_to_the_panel(copy):
    _, other = _organization(copy)
    response = copy.client.post(
        copy.base + "org-policies/targets/",
        {"ref": "scp:NoKms", "targets": ["r-root"], "back": other},
    )
    assert response.status_code == 302 and response["Location"] == copy.base + f"?node={other}"
    assert copy.doc["organization"]["scps"][0]["targets"] == ["r-root"]


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ([], "Attach the policy somewhere, or delete it."),
        (["999999999999"], "Select a valid choice."),
    ],
)
def test_empty_or_unknown_targets_are_refused_and_nothing_changes(copy, targets, message):
    _, other = _organization(copy)
    before = copy.doc
    html = copy.post(
        "org-policies/targets/", {"ref": "scp:NoKms", "targets": targets, "back": other}
    ).content.decode()
    assert message in html and copy.doc == before


def test_an_account_outside_the_organization_is_not_a_target(copy):
    _, other = _organization(copy)
    copy.post("nodes/props/", {"ref": ACCOUNT, "name": "Main", "in_organization": ""})
    html = copy.client.get(copy.base + f"panel/?node={other}").content.decode()
    assert f'name="targets" value="{ACCOUNT}"' not in html
    response = copy.post("org-policies/targets/", {"ref": "scp:NoKms", "targets": [ACCOUNT]})
    assert "Select a valid choice" in response.content.decode()


def test_unknown_policy_is_refused(copy):
    _, other = _organization(copy)
    html = copy.post("org-policies/targets/", {"ref": "scp:Nope", "targets": [other]}).content
    assert "No such SCP or RCP." in html.decode()


def test_moving_a_deny_scp_onto_the_callers_account_changes_the_decision(copy):
    unit, other = _organization(copy)  # the caller lives in `other`, not the management account
    copy.post("org-policies/targets/", {"ref": "scp:NoKms", "targets": [unit]})
    copy.post(
        "policies/save/", {"ref": "scp:NoKms", "path": "/policy", "text": json.dumps(DENY_KMS)}
    )
    role = copy.add("role", "app", account=other)
    key = copy.add("key", "data", account=other)
    copy.post("policies/add/", {"ref": role, "which": "identity", "name": "Use"})
    allow = {**DENY_KMS, "Statement": [{**DENY_KMS["Statement"][0], "Effect": "Allow"}]}
    copy.post(
        "policies/save/", {"ref": role, "path": "/policies/0/policy", "text": json.dumps(allow)}
    )
    copy.post("attempts/save/", {"principal": role, "action": "kms:Encrypt", "resource": key})
    assert copy.shown()["encrypt-1"]["authorization"] == "allow"
    copy.post("org-policies/targets/", {"ref": "scp:NoKms", "targets": [unit, other]})
    # The badge follows the edit without running the attempt again by hand.
    assert copy.shown()["encrypt-1"]["authorization"] == "explicit_deny"
