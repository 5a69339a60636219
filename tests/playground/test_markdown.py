"""The lesson renderer: a small Markdown subset, with every bit of HTML escaped."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground import markdown
from playground.markdown import render
from tests.playground.conftest import HX, announced

EVIL = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def test_html_in_the_source_is_shown_as_text():
    out = render(f"Hello {EVIL}\n\n- item {EVIL}\n\n# head {EVIL}")
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "onerror=&quot;alert(2)&quot;" in out


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html,<b>x</b>",
        "vbscript:x",
        "/relative/path",
        "//evil.example/",
        "http://",
    ],
)
def test_links_other_than_http_and_https_are_not_links(url):
    out = render(f"see [the docs]({url}) now")
    assert "<a" not in out and "href" not in out
    assert "the docs" in out


def test_http_and_https_links_open_with_noopener_and_quotes_cannot_break_out():
    out = render('[AWS](https://docs.aws.amazon.com/kms/?a=1&b="x") and [p](http://example.org/)')
    assert (
        '<a href="https://docs.aws.amazon.com/kms/?a=1&amp;b=&quot;x&quot;" '
        'rel="noopener noreferrer" target="_blank">AWS</a>'
    ) in out
    assert '<a href="http://example.org/"' in out


def test_a_link_may_hold_one_level_of_parentheses():
    out = render("[w](https://en.wikipedia.org/wiki/Key_(cryptography))")
    assert 'href="https://en.wikipedia.org/wiki/Key_(cryptography)"' in out


def test_paragraphs_are_separated_by_blank_lines_and_lines_within_are_joined():
    assert render("one\ntwo\n\nthree") == "<p>one\ntwo</p>\n<p>three</p>"


def test_headings_start_below_the_pages_own_h1_and_h2():
    assert render("# A\n## B\n### C") == "<h3>A</h3>\n<h4>B</h4>\n<h5>C</h5>"
    assert render("#### not a heading") == "<p>#### not a heading</p>"
    assert render("#hashtag") == "<p>#hashtag</p>"


def test_bold_italic_and_code():
    out = render("**bold** and *italic* and `kms:Decrypt` and **a *b* c**")
    assert out == (
        "<p><strong>bold</strong> and <em>italic</em> and <code>kms:Decrypt</code> and "
        "<strong>a <em>b</em> c</strong></p>"
    )


def test_markup_inside_code_spans_stays_literal():
    assert render("`**not bold** <b>`") == "<p><code>**not bold** &lt;b&gt;</code></p>"


def test_arn_wildcards_are_not_taken_for_italics():
    out = render("Resource arn:aws:kms:*:111122223333:key/* and arn:aws:s3:::b/*, `x/*`")
    assert "<em>" not in out


def test_fenced_code_blocks_keep_their_text_unformatted():
    out = render('Before\n```json\n{"Effect": "**Allow**", "x": "<y>"}\n```\nAfter')
    assert out == (
        "<p>Before</p>\n"
        "<pre><code>{&quot;Effect&quot;: &quot;**Allow**&quot;, "
        "&quot;x&quot;: &quot;&lt;y&gt;&quot;}"
        "</code></pre>\n<p>After</p>"
    )


def test_an_unclosed_fence_runs_to_the_end():
    assert render("```\ncode") == "<pre><code>code</code></pre>"


def test_bullet_and_numbered_lists():
    out = render("- a\n* b\n+ c\n\n1. one\n2) two\n   continued")
    assert out == (
        "<ul><li>a</li><li>b</li><li>c</li></ul>\n<ol><li>one</li><li>two\ncontinued</li></ol>"
    )


def test_a_list_directly_after_a_paragraph_starts_a_list():
    assert render("**Try it**\n- x") == "<p><strong>Try it</strong></p>\n<ul><li>x</li></ul>"


# ----------------------------------------------------------------------------- on the page


@pytest.mark.django_db
def test_the_lesson_is_rendered_on_the_working_copy_and_the_share_page(copy):
    description = (
        f"**Why.** A grant {EVIL}\n\n[bad](javascript:alert(1)) [ok](https://aws.amazon.com/kms/)"
    )
    copy.post("scenario/", {"title": "T", "description": description})
    snapshot = copy.client.post(copy.base + "share/")["Location"]
    for url in (copy.base, snapshot):
        html = copy.client.get(url).content.decode()
        assert 'id="lesson"' in html and '<summary><h2 id="lesson-heading">Lesson</h2>' in html
        assert "<strong>Why.</strong>" in html
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
        assert 'href="javascript' not in html
        assert '<a href="https://aws.amazon.com/kms/" rel="noopener noreferrer"' in html


@pytest.mark.django_db
def test_saving_the_description_tells_the_lesson_to_refresh(copy):
    response = copy.post("scenario/", {"description": "# New lesson"})
    assert "lesson-changed" in announced(response)
    html = copy.client.get(copy.base + "lesson/", **HX).content.decode()
    assert "<h3>New lesson</h3>" in html and 'hx-trigger="lesson-changed from:body' in html


@pytest.mark.django_db
def test_without_a_description_the_lesson_panel_is_empty(copy):
    html = copy.client.get(copy.base + "lesson/").content.decode()
    assert "<details" not in html and 'id="lesson"' in html


# The regexes the renderer used before its emphasis and links were paired in one
# pass: the reference the pass must agree with (they rescanned each unclosed
# opener's line, so a long hostile lesson took seconds).
REF_LINK = re.compile(r"\[([^\]\n]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)")
REF_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
REF_ITALIC = re.compile(r"(?:(?<=^)|(?<=[\s(\[;>]))\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![*\w])")


def reference_emphasis(text: str) -> str:
    return REF_ITALIC.sub(r"<em>\1</em>", REF_BOLD.sub(r"<strong>\1</strong>", text))


def reference_links(text: str) -> str:
    return REF_LINK.sub(lambda m: f"<{m.group(1)}|{m.group(2)}>", text)


@settings(max_examples=1500, deadline=None)
@given(st.text(st.sampled_from(["*", "*", "a", " ", "\n", "(", "_", ";"]), max_size=16))
def test_emphasis_pairs_as_the_lazy_regexes_did(text):
    assert markdown._emphasis(text) == reference_emphasis(text)


@settings(max_examples=1500, deadline=None)
@given(st.text(st.sampled_from(["[", "]", "(", ")", "a", " ", "\n", "h"]), max_size=18))
def test_links_pair_as_the_regex_did(text):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(markdown, "_link", lambda label, url: f"<{label}|{url}>")
        mine = markdown._links(text, lambda fragment: fragment)
    assert mine == reference_links(text)


HOSTILE_LESSONS = [
    # (id, text of 20,000 characters, a fragment the output must hold)
    ("unclosed-bold", "**a " * 5000, "**a **a"),
    ("unclosed-italic", " *a" * 6666, "*a *a"),
    ("unclosed-links", "[a](" * 5000, "[a]("),
    ("brackets", "[" * 19999 + "]", "[[["),
    ("mixed", "**[*`" * 4000, "**[*"),
    ("closed-at-the-end", "**" + "a " * 9998 + "a**", "<strong>a a"),
]


@pytest.mark.parametrize(
    ("text", "fragment"), [c[1:] for c in HOSTILE_LESSONS], ids=[c[0] for c in HOSTILE_LESSONS]
)
def test_a_long_hostile_lesson_renders_as_written(text, fragment):
    # Correctness on the inputs that used to take seconds; bench/web.py is where time lives.
    assert fragment in render(text)
