"""Predict mode, the glossary, lesson text and challenge links, as the server renders them."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from playground import challenges, glossary, markdown
from playground.models import Scenario, WorkingCopy
from tests.playground.conftest import HX

ROOT = Path(__file__).resolve().parents[2]
SPEC = (ROOT.parent / "shared/spec/kms-authorization.md").read_text()
# Text that would give an answer away before the reveal.
VERDICTS = re.compile(
    r"badge-(allowed|implicit|explicit|error)\b|arrow-(allowed|denied|grant|trust)\b"
    r"|Expected:|expects |implicit_deny|explicit_deny|AccessDenied|✓ as expected"
    r"|cell-(allow|implicit_deny|explicit_deny)\b|matrix-table|change-list"
)

# The same, less the choice values a prediction form offers for every attempt.
MARKS = re.compile(
    r"badge-(allowed|implicit|explicit|error)\b|arrow-(allowed|denied|grant|trust)\b"
    r"|Expected:|data-authorization|AccessDenied|✓ as expected|ExternalId: the"
)


@pytest.fixture
def examples(db):
    call_command("loadexamples", verbosity=0)
    return {s.example_slug: s for s in Scenario.objects.filter(is_example=True)}


def _open(client, example, predict=True) -> str:
    data = {"predict": "1"} if predict else {}
    response = client.post(f"/examples/{example.id}/open/", data)
    assert response.status_code == 302
    return response["Location"]


def test_opening_an_example_in_predict_mode_keeps_the_mode_in_the_url(client, examples):
    url = _open(client, examples["03-cross-account-decrypt"])
    assert url.endswith("?predict=1")


@pytest.mark.parametrize("slug", ["03-cross-account-decrypt", "10-disabled-and-pending-deletion"])
def test_predict_mode_leaves_every_answer_out_of_the_page(client, examples, slug):
    url = _open(client, examples[slug])
    wc = WorkingCopy.objects.get(pk=url.split("/")[2])
    client.post(f"/w/{wc.id}/attempts/run-all/")  # results exist, and must stay hidden
    html = client.get(url).content.decode()
    assert 'id="predict-toggle"' in html and "Predict mode: on" in html
    found = VERDICTS.search(html)
    assert not found, html[found.start() - 300 : found.end() + 50]
    for attempt in examples[slug].document["attempts"]:
        assert attempt["title"] not in html
    normal = client.get(f"/w/{wc.id}/").content.decode()
    assert VERDICTS.search(normal)  # the same page shows them when the mode is off


def _links_to(html: str, base: str) -> list[tuple[str, str]]:
    """Every link and pushed URL of the page that goes to the space at `base`."""
    found = re.findall(r'\s(href|hx-push-url)="([^"#]*)', html)
    pairs = {(attr, html_lib.unescape(url)) for attr, url in found}
    return sorted((attr, url) for attr, url in pairs if url.startswith(base))


@pytest.mark.parametrize("part", ["", "canvas/"])
def test_without_javascript_every_link_of_a_predict_page_keeps_the_mode(client, examples, part):
    url = _open(client, examples["03-cross-account-decrypt"])
    base = url.split("?")[0]
    node = examples["03-cross-account-decrypt"].document["accounts"][0]["id"]
    html = client.get(f"{base}{part}?node={node}&predict=1").content.decode()
    links = _links_to(html, base)
    assert any("node=" in u for _, u in links) and (part or any("attempt=" in u for _, u in links))
    toggle = re.search(r'id="predict-toggle" href="([^"]*)"', html)
    left = {html_lib.unescape(toggle.group(1))} if toggle else set()  # the one way out
    kept = [(attr, u) for attr, u in links if u not in left]
    assert kept and all("predict=1" in u for _, u in kept), [
        u for _, u in kept if "predict=1" not in u
    ]
    found = VERDICTS.search(html)
    assert not found, html[found.start() - 300 : found.end() + 50]


def _form_fields(html: str, action: str) -> dict[str, str]:
    """The hidden fields of the page's form that posts to `action`."""
    form = html.split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def test_without_javascript_a_form_posted_from_a_predict_page_comes_back_in_the_mode(
    client, examples
):
    url = _open(client, examples["03-cross-account-decrypt"])
    base = url.split("?")[0]
    html = client.get(url).content.decode()
    fields = _form_fields(html, f"{base}nodes/add/")
    assert fields.get("predict") == "1"
    account = examples["03-cross-account-decrypt"].document["accounts"][0]["id"]
    response = client.post(
        f"{base}nodes/add/", {**fields, "kind": "user", "account": account, "name": "carol"}
    )
    assert response.status_code == 302
    assert "predict=1" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "carol" in page
    found = VERDICTS.search(page)
    assert not found, page[found.start() - 300 : found.end() + 50]
    plain = client.get(url.replace("?predict=1", "")).content.decode()
    assert 'name="predict"' not in plain.split("nodes/add/", 1)[1].split("</form>", 1)[0]


def _predict_page(client, examples) -> tuple[str, dict[str, str]]:
    """Open example 03 in predict mode: its base URL and the hidden fields its forms carry."""
    url = _open(client, examples["03-cross-account-decrypt"])
    base = url.split("?")[0]
    return base, _form_fields(client.get(url).content.decode(), f"{base}nodes/add/")


def test_without_javascript_a_stale_write_from_a_predict_page_offers_ways_back_in_the_mode(
    client, examples
):
    base, fields = _predict_page(client, examples)
    account = examples["03-cross-account-decrypt"].document["accounts"][0]["id"]
    first = {**fields, "kind": "user", "account": account, "name": "carol"}
    assert client.post(f"{base}nodes/add/", first).status_code == 302
    # The same page, not reloaded, posts again from the version it shows.
    stale = client.post(f"{base}nodes/add/", {**first, "name": "dave"})
    assert stale.status_code == 409
    page = stale.content.decode()
    assert f'href="{base}?predict=1"' in page  # "Reload the latest version"
    assert "<dt>predict</dt>" not in page  # the mode is no field the user typed
    again = _form_fields(page, f"{base}nodes/add/")
    assert again["predict"] == "1"
    assert again["name"] == "dave"
    applied = client.post(f"{base}nodes/add/", again)
    assert applied.status_code == 302
    assert "predict=1" in applied["Location"]
    assert not VERDICTS.search(client.get(applied["Location"]).content.decode())


def test_without_javascript_fork_to_edit_from_a_predict_page_keeps_the_mode(client, examples):
    from django.test import Client

    base, fields = _predict_page(client, examples)
    other = Client()  # another browser: it has the link, not the edit cookie
    refused = other.post(f"{base}nodes/add/", {**fields, "kind": "user", "name": "eve"})
    assert refused.status_code == 403
    fork = _form_fields(refused.content.decode(), f"{base}fork/")
    assert fork["predict"] == "1"
    forked = other.post(f"{base}fork/", fork)
    assert forked.status_code == 302
    assert "predict=1" in forked["Location"]
    assert forked["Location"].split("?")[0] != base


def test_without_javascript_a_refused_policy_save_from_a_predict_page_stays_in_the_mode(
    client, examples
):
    base, fields = _predict_page(client, examples)
    key = examples["03-cross-account-decrypt"].document["keys"][0]["id"]
    too_long = json.dumps({"Version": "2012-10-17", "Sid": "x" * 40_001})
    sent = {**fields, "ref": key, "path": "/policy", "text": too_long}
    refused = client.post(f"{base}policies/save/", sent)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert _form_fields(page, f"{base}policies/save/")["predict"] == "1"
    back = re.search(r'<a class="button" href="([^"]+)">Back to the scenario', page).group(1)
    assert "predict=1" in html_lib.unescape(back)


def test_the_partials_follow_the_page_mode_through_htmx(client, examples):
    url = _open(client, examples["03-cross-account-decrypt"])
    base = url.split("?")[0]
    headers = {**HX, "HTTP_HX_CURRENT_URL": f"http://testserver{url}"}
    for part in ("canvas/", "attempts/", "lesson/"):
        html = client.get(base + part, **headers).content.decode()
        assert not VERDICTS.search(html), (part, VERDICTS.search(html).group(0))
    assert "arrow-allowed" in client.get(base + "canvas/", **HX).content.decode()


def test_a_prediction_is_asked_before_the_answer_is_shown(client, examples):
    base = _open(client, examples["03-cross-account-decrypt"]).split("?")[0]
    html = client.get(base + "trace/?attempt=frontend-decrypts&predict=1", **HX).content.decode()
    assert 'name="guess"' in html and "Reveal" in html
    assert "badge-" not in html and "data-trace" not in html
    assert "no IAM allow" not in html  # the attempt's title says why it fails


def test_reveal_shows_the_answer_the_trace_and_a_running_score(client, examples):
    base = _open(client, examples["03-cross-account-decrypt"]).split("?")[0]
    right = client.get(
        base + "trace/?attempt=frontend-decrypts&predict=1&guess=implicit_deny", **HX
    ).content.decode()
    assert "✓ Right" in right and "Your score: 1 of 1" in right
    assert "data-trace" in right and "badge-implicit" in right
    wrong = client.get(
        base + "trace/?attempt=consumer-uses-alias-name&predict=1&guess=allow", **HX
    ).content.decode()
    assert "the answer is NotFoundException" in wrong and "Your score: 1 of 2" in wrong
    again = client.get(
        base + "trace/?attempt=frontend-decrypts&predict=1&guess=allow", **HX
    ).content.decode()
    assert "Your score: 1 of 2" in again  # each attempt counts once


def test_an_error_code_can_be_predicted_without_javascript(client, examples):
    base = _open(client, examples["10-disabled-and-pending-deletion"]).split("?")[0]
    html = client.get(
        base + "?attempt=app-decrypts-disabled&predict=1&guess=error&code=DisabledException"
    ).content.decode()
    assert "✓ Right: you predicted DisabledException" in html


def test_predict_mode_shows_the_lesson_only_up_to_its_first_rule(client, db):
    call_command("loadexamples", verbosity=0)
    response = client.post("/new/")
    wc = WorkingCopy.objects.get(pk=response["Location"].split("/")[2])
    wc.document = {**wc.document, "description": "Setup here.\n\n---\n\nThe answer is deny."}
    wc.save()
    html = client.get(f"/w/{wc.id}/lesson/?predict=1").content.decode()
    assert "Setup here." in html and "The answer is deny" not in html
    assert "The answer is deny" in client.get(f"/w/{wc.id}/lesson/").content.decode()


def test_a_share_link_made_in_predict_mode_keeps_it(client, examples):
    url = _open(client, examples["03-cross-account-decrypt"])
    base = url.split("?")[0]
    html = client.post(
        base + "share/", **HX, HTTP_HX_CURRENT_URL=f"http://testserver{url}"
    ).content.decode()
    assert re.search(r"/s/[A-Za-z0-9]+/\?predict=1", html)


# ----------------------------------------------------------------------------- glossary


def test_the_glossary_has_one_line_for_every_rule_of_the_reference(client, db):
    numbers = set(re.findall(r"\*\*(R\d+\.\d+)\*\*", SPEC))
    assert set(glossary.RULES) == numbers
    html = client.get("/glossary/").content.decode()
    for rule in numbers:
        assert f'id="{rule}"' in html


def test_rule_numbers_in_a_lesson_link_to_their_line():
    html = markdown.render("Both sides must allow (R2.13), but `R1.1` in code stays.")
    title = html_lib.escape(glossary.RULES["R2.13"], quote=True)
    assert 'href="/glossary/#R2.13"' in html and f'title="{title}"' in html
    assert "<code>R1.1</code>" in html


def test_every_rule_an_example_cites_is_in_the_glossary():
    for path in (ROOT / "examples").glob("*.json"):
        text = path.read_text()
        for rule in set(glossary.RULE_RE.findall(text)):
            assert f"R{rule[0]}.{rule[1]}" in glossary.RULES, path.name


def test_a_lesson_table_renders_as_a_table():
    html = markdown.render("| side | needs |\n| --- | :---: |\n| key | **policy** |")
    assert "<table" in html and '<th class="align-center" scope="col">needs</th>' in html
    assert "<strong>policy</strong>" in html and "---" not in html


def test_no_example_lesson_shows_raw_table_rules(client, examples):
    for scenario in examples.values():
        html = markdown.render(scenario.document.get("description", ""))
        assert "| ---" not in html and "|---" not in html, scenario.example_slug


# ----------------------------------------------------------------------------- challenges


def _share_challenge(client, examples) -> tuple[str, Scenario]:
    url = _open(client, examples["01-key-policy-must-open-the-door"], predict=False)
    html = client.post(url + "share-challenge/", **HX).content.decode()
    match = re.search(r"/c/([A-Za-z0-9]+)/", html)
    assert match, html
    return match.group(0), Scenario.objects.get(pk=match.group(1))


def test_sharing_the_same_challenge_again_gives_the_same_link(client, examples):
    url = _open(client, examples["01-key-policy-must-open-the-door"], predict=False)
    links = [
        re.search(r"/c/[A-Za-z0-9]+/", client.post(url + "share-challenge/", **HX).content.decode())
        for _ in range(2)
    ]
    assert links[0].group(0) == links[1].group(0)
    fields = _form_fields(client.get(url).content.decode(), f"{url}nodes/add/")
    client.post(url + "scenario/", {**fields, "title": "Round two"}, **HX)
    changed = client.post(url + "share-challenge/", **HX).content.decode()
    assert re.search(r"/c/[A-Za-z0-9]+/", changed).group(0) != links[0].group(0)


def test_a_challenge_link_shows_tasks_but_no_answers(client, examples):
    path, challenge = _share_challenge(client, examples)
    html = client.get(path).content.decode()
    for task in challenges.tasks(challenge.document):
        assert task["task"] in html
    assert "Least privilege" in html
    for goal in challenge.document["goals"]["tasks"]:
        assert f'"{goal["expect"]}"' not in html
    assert not re.search(r"implicit_deny|explicit_deny|Expected:|\"expect\"", html)


def test_a_student_copy_and_its_export_carry_no_answers(client, examples):
    path, _ = _share_challenge(client, examples)
    start = client.post(path + "start/")
    base = start["Location"]
    page = client.get(base).content.decode()
    exported = client.get(base + "export/").content.decode()
    assert "Challenge" in page and "✔ Check" in page
    assert '"expect"' not in exported and '"goals"' not in exported
    assert "Expected:" not in page and "At the start" not in page


def test_check_says_which_task_fails_then_shows_solved(client, examples):
    path, _ = _share_challenge(client, examples)
    base = client.post(path + "start/")["Location"]
    html = client.get(base + "challenge/", **HX).content.decode()
    assert "Not solved yet" in html and "Not yet: it ends Implicit deny" in html
    wc = WorkingCopy.objects.get(pk=base.split("/")[2])
    doc = json.loads(json.dumps(wc.document))
    doc["keys"][0]["policy"]["Statement"].append(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:role/orders-api"},
            "Action": "kms:Encrypt",
            "Resource": "*",
        }
    )
    wc.document = doc
    wc.save()
    solved = client.get(base + "?check=1").content.decode()  # the plain-HTTP twin
    assert "★ Solved!" in solved


def test_only_a_scenario_with_goals_can_be_shared_as_a_challenge(client, db):
    base = client.post("/new/")["Location"]
    response = client.post(base + "share-challenge/", **HX)
    assert "Add goals to the scenario first." in response.content.decode()
    assert not Scenario.objects.filter(is_example=False).exists()


def test_the_gallery_filters_examples_by_tag(client, examples):
    html = client.get("/gallery/?tag=least-privilege").content.decode()
    shown = set(re.findall(r'data-example="([^"]+)"', html))
    expected = {s for s, e in examples.items() if "least-privilege" in e.document.get("tags", [])}
    assert shown == expected and shown
    assert 'aria-current="true"' in html


# ----------------------------------------------------------------------------- presenter


def test_the_presenter_view_in_predict_mode_has_no_answer_and_no_request_path(client, examples):
    base = _open(client, examples["05-third-party-external-id"]).split("?")[0]
    url = base + "present/?attempt=assume-with-wrong-external-id&predict=1"
    html = client.get(url).content.decode()
    assert "Attempt 3 of 5" in html and 'name="guess"' in html
    assert "request-route" not in html and not MARKS.search(html)
    revealed = client.get(url + "&guess=implicit_deny").content.decode()
    assert "✓ Right" in revealed and 'class="request-route route-implicit"' in revealed


def test_the_presenter_view_links_the_next_attempt_and_keeps_the_mode(client, examples):
    base = _open(client, examples["05-third-party-external-id"]).split("?")[0]
    html = client.get(base + "present/?predict=1").content.decode()
    assert f'href="{base}present/?attempt=assume-without-external-id&amp;predict=1"' in html
    assert "prev-attempt" not in html  # the first attempt has none


def test_a_snapshot_has_a_presenter_view_too(client, examples):
    base = _open(client, examples["03-cross-account-decrypt"], predict=False)
    snap = client.post(base + "share/")["Location"]
    html = client.get(snap + "present/?attempt=orders-encrypts").content.decode()
    assert "request-route" in html and "Attempt 1 of 6" in html


# ----------------------------------------------------------------------------- lesson sheet


def test_the_lesson_sheet_has_the_scenario_attempts_and_answers(client, examples):
    base = _open(client, examples["03-cross-account-decrypt"], predict=False)
    html = client.get(base + "sheet/").content.decode()
    assert "css/sheet.css" in html and "The scenario" in html and "<svg" in html
    for attempt in examples["03-cross-account-decrypt"].document["attempts"]:
        assert attempt["title"] in html
    assert "NotFoundException" in html and "Implicit deny" in html
    assert "orders-consumer" in html and "Let web-frontend decrypt the shared order." in html


def test_the_sheet_without_answers_leaves_a_box_to_predict_in(client, examples):
    base = _open(client, examples["01-key-policy-must-open-the-door"], predict=False)
    html = client.get(base + "sheet/?answers=0").content.decode()
    assert "Your prediction" in html and "☐ Implicit deny" in html
    assert not MARKS.search(html) and "Implicitly denied" not in html
    assert "sheet-tasks" in html and "Let orders-api encrypt" in html


REVEALING = re.compile(r"(not-granted|denied|allowed|fails|succeeds|refused|blocked)")


def test_no_example_attempt_id_gives_its_answer_away():
    """Ids stay in predict mode's URLs and markup, so they must name the request only."""
    for path in sorted((ROOT / "examples").glob("*.json")):
        for attempt in json.loads(path.read_text())["attempts"]:
            assert not REVEALING.search(attempt["id"]), (path.name, attempt["id"])


def test_rule_numbers_in_a_trace_link_to_the_glossary(client, examples):
    base = _open(client, examples["03-cross-account-decrypt"], predict=False)
    html = client.get(base + "trace/?attempt=frontend-decrypts", **HX).content.decode()
    links = set(re.findall(r'href="/glossary/#(R\d+\.\d+)"', html))
    assert links and links <= set(glossary.RULES)
    bare = re.findall(r"(?<![#>\w])R\d+\.\d+(?![\w<])", re.sub(r"<[^>]+>", " ", html))
    linked = re.findall(r">(R\d+\.\d+)</a>", html)
    assert len(linked) >= len(bare) - html.count("<code>R")  # every number shown is a link


def test_an_example_with_goals_is_offered_as_a_challenge_in_the_gallery(client, examples):
    html = client.get("/gallery/").content.decode()
    example = examples["16-aws-service-needs-a-grant"]
    assert f'href="/c/{example.id}/"' in html
    assert f'href="/c/{examples["13-least-privilege-encrypt-decrypt"].id}/"' not in html
    page = client.get(f"/c/{example.id}/").content.decode()
    assert "Let Auto Scaling create encrypted volumes with app-volumes." in page
    assert '"expect"' not in page and "implicit_deny" not in page
