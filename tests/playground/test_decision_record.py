"""One decision record per attempt: shown once, as the stepper's last step,
with the statements it rests on as data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "09-explicit-deny-wins.json"


def test_the_decision_is_shown_once_with_the_deny_that_decided_it(copy):
    copy.post("import/", {"text": EXAMPLE.read_text()})
    html = copy.post("attempts/run/", {"attempt": "contractor-decrypts-through-vpce"}).content
    html = html.decode().split("</section>")[0]  # the result, not the attempts list after it
    assert html.count('class="step decision-step') == 1
    assert '<span class="step-kind">decision</span>' not in html
    reason = "Explicit deny: statement &#x27;DenyDecryptToContractors&#x27; of the SCP"
    assert html.count(reason) == 1  # in the record, not again in a rule or decision step
    doc = json.loads(EXAMPLE.read_text())
    scp = next(p for p in doc["organization"]["scps"] if p["name"].startswith("DenyKms"))
    assert scp["policy"]["Statement"][0]["Effect"] == "Deny"
    assert 'data-pointer="/organization/scps/1/policy/Statement/0"' in html
    assert "DenyDecryptToContractors" in html.split('id="determining"')[1]


def test_an_allow_through_a_grant_is_decided_by_that_grant(copy):
    example = EXAMPLE.parent / "16-aws-service-needs-a-grant.json"
    copy.post("import/", {"text": example.read_text()})
    html = copy.post("attempts/run/", {"attempt": "asg-ops-volume"}).content.decode()
    record = html.split('id="determining"')[1].split("</table>")[0]
    assert "grant &#x27;g-asg-ops&#x27;" in record and "autoscaling-ebs" in record
    assert 'data-pointer="/keys/0/grants/0"' in record
