"""A strict HTML check for generated pages: every element that is not void is closed by
its own end tag, in order; no id is used twice. Stricter than browsers (they close a
``<p>`` or a ``<td>`` for you), so a page that passes means what it says."""

from __future__ import annotations

from html.parser import HTMLParser

# HTML's void elements: no end tag
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    | {"track", "wbr"}
)


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int]] = []
        self.problems: list[str] = []
        self.ids: set[str] = set()
        self.doctype = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def _id(self, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value is not None:
                if value in self.ids:
                    self.problems.append(f"line {self.getpos()[0]}: id {value!r} used twice")
                self.ids.add(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._id(attrs)
        if tag not in VOID:
            self.stack.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._id(attrs)  # <rect .../> in SVG (foreign content may close itself)

    def handle_endtag(self, tag: str) -> None:
        line = self.getpos()[0]
        if tag in VOID:
            self.problems.append(f"line {line}: </{tag}> closes a void element")
            return
        if not self.stack:
            self.problems.append(f"line {line}: </{tag}> closes nothing")
            return
        open_tag, opened = self.stack[-1]
        if open_tag != tag:
            self.problems.append(
                f"line {line}: </{tag}> while <{open_tag}> (line {opened}) is still open"
            )
            # recover: close up to the matching element, if there is one
            names = [name for name, _ in self.stack]
            if tag in names:
                del self.stack[len(names) - 1 - names[::-1].index(tag) :]
            return
        self.stack.pop()


def problems(html: str) -> list[str]:
    """What is wrong with ``html`` (empty: nothing)."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    found = list(checker.problems)
    if not checker.doctype:
        found.insert(0, "no <!DOCTYPE html>")
    found += [f"<{tag}> opened on line {line} is never closed" for tag, line in checker.stack]
    return found
