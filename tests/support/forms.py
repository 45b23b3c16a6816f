"""The forms of a rendered page, as a browser would submit them: each `<form method="post">`
with its action, encoding and fields (inputs with their values, checked boxes, selected
options, text areas), so tests can submit what a page offers instead of guessing its fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

TEXT_TYPES = {"text", "email", "search", "tel", "url", "password", "number", "date", ""}


@dataclass
class Field:
    name: str
    kind: str  # an input type, "textarea" or "select"
    value: str
    checked: bool = False
    required: bool = False

    @property
    def typed(self) -> bool:
        """A field a person types into."""
        return self.kind == "textarea" or (self.kind in TEXT_TYPES and self.kind != "number")


@dataclass
class Form:
    action: str
    multipart: bool
    fields: list[Field] = field(default_factory=list)

    def data(self) -> list[tuple[str, str]]:
        """What the browser sends as it stands (files apart)."""
        out = []
        for f in self.fields:
            if f.kind in ("checkbox", "radio") and not f.checked:
                continue
            if f.kind in ("file", "submit", "button", "reset", "image"):
                continue
            out.append((f.name, f.value))
        return out

    def files(self) -> list[Field]:
        return [f for f in self.fields if f.kind == "file"]


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                multipart = a.get("enctype", "") == "multipart/form-data"
                self._form = Form(a.get("action", ""), multipart)
                self.forms.append(self._form)
            return
        if self._form is None or "name" not in a:
            if tag == "option" and self._select is not None:
                self._option(a)
            return
        required = "required" in a
        if tag == "input":
            kind = a.get("type", "text").lower()
            self._form.fields.append(
                Field(a["name"], kind, a.get("value", ""), "checked" in a, required)
            )
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea", "", required=required)
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = Field(a["name"], "select", "", required=required)
            self._first_option = None
            self._form.fields.append(self._select)

    def _option(self, a: dict[str, str]) -> None:
        assert self._select is not None
        value = a.get("value", "")
        if self._first_option is None:
            self._first_option = value
            self._select.value = value
        if "selected" in a:
            self._select.value = value

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def post_forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms
