"""A small, safe Markdown subset for lesson text (a scenario's `description`).

All HTML in the source is escaped first, so nothing typed can become markup;
only the constructs below produce tags:

  blocks   paragraphs (blank-line separated), # / ## / ### headings,
           ``` fenced code blocks, bullet lists (-, *, +), numbered lists (1.),
           tables (| a | b | over a | --- | :---: | row), --- rules
  inline   `code`, **bold**, *italic*, [text](https://...) links, and rule
           numbers (R2.12) linked to their line in the glossary

Links are kept only for http and https addresses (opened with rel=noopener);
any other scheme (javascript:, data:, ...) leaves just the link text.
Headings start at <h3> (`heading_level`) since the page owns h1 and h2.
"""

from __future__ import annotations

import html
import re

from playground import glossary

_HEADING = re.compile(r"^(#{1,3})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\d{1,9}[.)]\s+(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\[([^\]\n]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)")  # one level of (...)
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
# *italic* opens after a space or bracket, so ARN wildcards (key/*, :*:) stay as typed.
_ITALIC = re.compile(r"(?:(?<=^)|(?<=[\s(\[;>]))\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![*\w])")
_TOKEN = re.compile("\x00(\\d+)\x00")
_RULE_LINE = re.compile(r"^(?:-{3,}|\*{3,}|_{3,})$")
_TABLE_ROW = re.compile(r"^\|.*\|$")
_TABLE_RULE = re.compile(r"^\|(?:\s*:?-{3,}:?\s*\|)+$")
_SAFE_SCHEMES = ("http://", "https://")


def render(text: str, *, heading_level: int = 3) -> str:
    """Markdown source -> HTML (a string safe to insert into a page)."""
    source = html.escape(text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", ""))
    out: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""
    fence: list[str] | None = None

    def flush_paragraph() -> None:
        if paragraph:
            out.append(f"<p>{inline(chr(10).join(paragraph))}</p>")
            paragraph.clear()

    def flush_list() -> None:
        nonlocal list_tag
        if items:
            body = "".join(f"<li>{inline(item)}</li>" for item in items)
            out.append(f"<{list_tag}>{body}</{list_tag}>")
            items.clear()
        list_tag = ""

    table: list[str] = []

    def flush_table() -> None:
        if table:
            out.append(_table(table))
            table.clear()

    for line in source.split("\n"):
        if table and not _TABLE_ROW.match(line.strip()):
            flush_table()
        if fence is not None:
            if _FENCE.match(line):
                out.append(f"<pre><code>{chr(10).join(fence)}</code></pre>")
                fence = None
            else:
                fence.append(line)
            continue
        stripped = line.strip()
        if _FENCE.match(line):
            flush_paragraph()
            flush_list()
            fence = []
        elif not stripped:
            flush_paragraph()
            flush_list()
        elif _RULE_LINE.match(stripped):
            flush_paragraph()
            flush_list()
            out.append("<hr>")
        elif _TABLE_ROW.match(stripped) and (table or not paragraph):
            flush_list()
            table.append(stripped)
        elif heading := _HEADING.match(stripped):
            flush_paragraph()
            flush_list()
            level = min(6, heading_level + len(heading.group(1)) - 1)
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif (bullet := _BULLET.match(stripped)) or (number := _NUMBERED.match(stripped)):
            tag = "ul" if bullet else "ol"
            flush_paragraph()
            if tag != list_tag:
                flush_list()
                list_tag = tag
            items.append((bullet or number).group(1))
        elif items and line[:1].isspace():
            items[-1] += "\n" + stripped  # an indented line continues the list item
        else:
            flush_list()
            paragraph.append(stripped)
    if fence is not None:  # an unclosed fence runs to the end
        out.append(f"<pre><code>{chr(10).join(fence)}</code></pre>")
    flush_table()
    flush_paragraph()
    flush_list()
    return "\n".join(out)


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip("|").split("|")]


def _table(rows: list[str]) -> str:
    """A header row over a | --- | rule, then body rows; without the rule, plain text."""
    if len(rows) < 2 or not _TABLE_RULE.match(rows[1].replace(" ", "")):
        return "<p>" + "<br>".join(inline(r) for r in rows) + "</p>"
    aligns = []
    for cell in _cells(rows[1]):
        left, right = cell.startswith(":"), cell.endswith(":")
        aligns.append("center" if left and right else "right" if right else "")
    width = len(aligns)

    def row(cells: list[str], tag: str) -> str:
        cells = (cells + [""] * width)[:width]
        parts = []
        for cell, align in zip(cells, aligns, strict=True):
            cls = f' class="align-{align}"' if align else ""
            scope = ' scope="col"' if tag == "th" else ""
            parts.append(f"<{tag}{cls}{scope}>{inline(cell)}</{tag}>")
        return "<tr>" + "".join(parts) + "</tr>"

    head = row(_cells(rows[0]), "th")
    body = "".join(row(_cells(r), "td") for r in rows[2:])
    return f'<table class="lesson-table"><thead>{head}</thead><tbody>{body}</tbody></table>'


def rule_links(escaped: str) -> str:
    """Rule numbers in already-escaped text, linked to the glossary with their line."""

    def link(m: re.Match) -> str:
        rule = m.group(0)
        text = glossary.line(rule)
        if not text:
            return rule
        title = html.escape(text, quote=True)
        return f'<a class="rule-ref" href="/glossary/#{rule}" title="{title}">{rule}</a>'

    return glossary.RULE_RE.sub(link, escaped)


def inline(escaped: str) -> str:
    """Inline markup on already-escaped text: code spans and links first, then emphasis."""
    kept: list[str] = []

    def keep(fragment: str) -> str:
        kept.append(fragment)
        return f"\x00{len(kept) - 1}\x00"

    text = _CODE.sub(lambda m: keep(f"<code>{m.group(1)}</code>"), escaped)
    text = _LINK.sub(lambda m: keep(_link(m.group(1), m.group(2))), text)
    text = glossary.RULE_RE.sub(lambda m: keep(rule_links(m.group(0))), text)
    text = _emphasis(text)
    while _TOKEN.search(text):
        text = _TOKEN.sub(lambda m: kept[int(m.group(1))], text)
    return text


def _emphasis(text: str) -> str:
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    return _ITALIC.sub(r"<em>\1</em>", text)


def _link(label: str, escaped_url: str) -> str:
    url = html.unescape(escaped_url)
    if not url.lower().startswith(_SAFE_SCHEMES) or len(url) <= 8:
        return _emphasis(label)
    href = html.escape(url, quote=True)
    return f'<a href="{href}" rel="noopener noreferrer" target="_blank">{_emphasis(label)}</a>'
