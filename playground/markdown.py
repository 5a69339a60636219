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

import bisect
import html
import re

from playground import glossary

_HEADING = re.compile(r"^(#{1,3})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\d{1,9}[.)]\s+(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE = re.compile(r"`([^`\n]+)`")
# A link's address, after "](": no spaces, at most one level of (...).
_LINK_URL = re.compile(r"((?:[^()\s]|\([^()\s]*\))+)\)")
# Emphasis is paired by one left-to-right pass over the delimiters (see _pair):
# a lazy regex such as \*\*(.+?)\*\* rescans the rest of the line from every
# unclosed opener, which made a 20,000-character lesson take seconds per render.
# **bold**: opens before a non-space, closes after one.
# *italic* opens after a space or bracket, so ARN wildcards (key/*, :*:) stay as typed.
_SPACE = re.compile(r"\s")
_WORD = re.compile(r"\w")
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
    text = _links(text, keep)
    text = glossary.RULE_RE.sub(lambda m: keep(rule_links(m.group(0))), text)
    text = _emphasis(text)
    while _TOKEN.search(text):
        text = _TOKEN.sub(lambda m: kept[int(m.group(1))], text)
    return text


def _links(text: str, keep) -> str:
    """[label](url) -> keep(link), left to right. A label runs to the first "]" on
    its line, so every "[" before that "]" shares one answer about the address:
    computed once, which keeps a line of many "[" linear."""
    out, pos, scanned = [], 0, {}
    start = text.find("[")
    while start >= 0:
        close = text.find("]", start + 1)
        line_end = text.find("\n", start)
        if close < 0:
            break
        if close == start + 1 or 0 <= line_end < close:  # empty label, or it crosses a line
            start = text.find("[", start + 1)
            continue
        if close not in scanned:
            url = _LINK_URL.match(text, close + 2) if text.startswith("](", close) else None
            scanned[close] = url
        url = scanned[close]
        if url is None:
            start = text.find("[", start + 1)
            continue
        out += [text[pos:start], keep(_link(text[start + 1 : close], url.group(1)))]
        pos = url.end()
        start = text.find("[", pos)
    return "".join(out) + text[pos:]


def _emphasis(text: str) -> str:
    text = _pair(text, "**", _bold_opens, _bold_closes, "strong")
    return _pair(text, "*", _italic_opens, _italic_closes, "em")


def _pair(text: str, mark: str, opens, closes, tag: str) -> str:
    """Wrap `mark`content`mark` in <tag>, as the leftmost-first lazy regex would
    (each opener takes the nearest closer on its line), in O(n log n)."""
    width = len(mark)
    closers = [i for i in _find_all(text, mark) if closes(text, i)]
    out, pos, start = [], 0, 0
    for p in _find_all(text, mark):
        if p < start or not opens(text, p):
            continue
        at = bisect.bisect_left(closers, p + width + 1)  # at least one character inside
        line_end = text.find("\n", p)
        if at == len(closers) or (0 <= line_end < closers[at]):
            continue
        close = closers[at]
        out += [text[pos:p], f"<{tag}>", text[p + width : close], f"</{tag}>"]
        pos = start = close + width
    return "".join(out) + text[pos:]


def _find_all(text: str, mark: str) -> list[int]:
    found, i = [], text.find(mark)
    while i >= 0:
        found.append(i)
        i = text.find(mark, i + 1)
    return found


def _bold_opens(text: str, i: int) -> bool:
    return i + 2 < len(text) and not _SPACE.match(text[i + 2])


def _bold_closes(text: str, i: int) -> bool:
    return i > 0 and not _SPACE.match(text[i - 1])


def _italic_opens(text: str, i: int) -> bool:
    before_ok = i == 0 or _SPACE.match(text[i - 1]) or text[i - 1] in "([;>"
    after = text[i + 1] if i + 1 < len(text) else ""
    return bool(before_ok) and after not in ("", "*") and not _SPACE.match(after)


def _italic_closes(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if before in ("", "*") or _SPACE.match(before):
        return False
    return after != "*" and not _WORD.match(after)


def _link(label: str, escaped_url: str) -> str:
    url = html.unescape(escaped_url)
    if not url.lower().startswith(_SAFE_SCHEMES) or len(url) <= 8:
        return _emphasis(label)
    href = html.escape(url, quote=True)
    return f'<a href="{href}" rel="noopener noreferrer" target="_blank">{_emphasis(label)}</a>'
