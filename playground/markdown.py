"""A small, safe Markdown subset for lesson text (a scenario's `description`).

All HTML in the source is escaped first, so nothing typed can become markup;
only the constructs below produce tags:

  blocks   paragraphs (blank-line separated), # / ## / ### headings,
           ``` fenced code blocks, bullet lists (-, *, +), numbered lists (1.)
  inline   `code`, **bold**, *italic*, [text](https://...) links

Links are kept only for http and https addresses (opened with rel=noopener);
any other scheme (javascript:, data:, ...) leaves just the link text.
Headings start at <h3> (`heading_level`) since the page owns h1 and h2.
"""

from __future__ import annotations

import html
import re

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

    for line in source.split("\n"):
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
    flush_paragraph()
    flush_list()
    return "\n".join(out)


def inline(escaped: str) -> str:
    """Inline markup on already-escaped text: code spans and links first, then emphasis."""
    kept: list[str] = []

    def keep(fragment: str) -> str:
        kept.append(fragment)
        return f"\x00{len(kept) - 1}\x00"

    text = _CODE.sub(lambda m: keep(f"<code>{m.group(1)}</code>"), escaped)
    text = _LINK.sub(lambda m: keep(_link(m.group(1), m.group(2))), text)
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
