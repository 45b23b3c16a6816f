"""What a person reads on a page: the text of its elements and the attributes a browser shows
(title, placeholder, aria-label, alt), without scripts, styles and the code elements where
identifiers belong (<code>, <pre>, <kbd>, <samp>). Used to find raw codes — snake_case and
CamelCase identifiers, English enum values on Chinese pages — that should have gone through
the portal's label tables (issue 19 §5)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

HIDDEN = frozenset({"script", "style", "code", "pre", "kbd", "samp", "template", "svg"})
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)

SNAKE = re.compile(r"(?<![\w/.#-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/.-])")
CAMEL = re.compile(r"(?<![\w/.#-])(?:[A-Z][a-z0-9]+){2,}(?![\w/.-])|(?<![\w/.#-])[a-z]+[A-Z]\w*")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.stack: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.hidden == 0:
            for name, value in attrs:
                if name in SHOWN_ATTRIBUTES and value:
                    self.parts.append(value)
            if tag == "input":
                kinds = dict(attrs)
                if kinds.get("type") in ("submit", "button") and kinds.get("value"):
                    self.parts.append(kinds["value"] or "")
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag in HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or tag not in self.stack:
            return
        while self.stack:
            top = self.stack.pop()
            if top in HIDDEN:
                self.hidden -= 1
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.hidden == 0:
            self.parts.append(data)


def visible_text(html: str) -> str:
    p = _Text()
    p.feed(html)
    p.close()
    return "\n".join(s for s in (x.strip() for x in p.parts) if s)


def raw_codes(text: str) -> list[str]:
    """snake_case and CamelCase tokens in a page's visible text."""
    return sorted(
        {m.group(0) for m in SNAKE.finditer(text)} | {m.group(0) for m in CAMEL.finditer(text)}
    )
