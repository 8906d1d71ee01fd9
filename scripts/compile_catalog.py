"""Compile the interface's translations: every ``povtor.po`` to the ``povtor.mo`` beside it.

    .venv/bin/python scripts/compile_catalog.py [--check]

The ``.po`` files (``src/povtor/locale/LANG/LC_MESSAGES/povtor.po``) are the source,
written by hand; the ``.mo`` files are what gettext reads at run time and are committed,
so that ``pip install .`` needs nothing to build them. Run this after every change to a
``.po``; ``--check`` only says whether a ``.mo`` is out of date (the tests check it too).
Fuzzy entries are left out, as msgfmt leaves them out.
"""

from __future__ import annotations

import argparse
import ast
import json
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[1] / "src/povtor/locale"


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False
    line: int = 0


def parse_po(text: str) -> list[Entry]:
    """The entries of a ``.po`` file, the header (msgid "") first."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None
    fuzzy = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            if entry is None or target is None:
                raise ValueError(f"line {number}: a string outside an entry")
            _append(entry, target, ast.literal_eval(line))
            continue
        if keyword == "msgid":
            entry = Entry(fuzzy=fuzzy, line=number)
            entries.append(entry)
            fuzzy = False
            target = ("msgid", 0)
        elif keyword == "msgid_plural" and entry is not None:
            entry.msgid_plural = ""
            target = ("msgid_plural", 0)
        elif keyword == "msgstr" and entry is not None:
            target = ("msgstr", 0)
            entry.msgstr[0] = ""
        elif keyword.startswith("msgstr[") and entry is not None:
            index = int(keyword[len("msgstr[") : -1])
            target = ("msgstr", index)
            entry.msgstr[index] = ""
        else:
            raise ValueError(f"line {number}: cannot read {line!r}")
        _append(entry, target, ast.literal_eval(rest.strip()))
    return entries


def _append(entry: Entry, target: tuple[str, int], text: str) -> None:
    name, index = target
    if name == "msgid":
        entry.msgid += text
    elif name == "msgid_plural":
        entry.msgid_plural = (entry.msgid_plural or "") + text
    else:
        entry.msgstr[index] += text


def compile_mo(entries: list[Entry]) -> bytes:
    """The ``.mo`` bytes of the entries (GNU format, little-endian, no hash table)."""
    pairs: dict[bytes, bytes] = {}
    for entry in entries:
        if entry.fuzzy and entry.msgid:
            continue
        if entry.msgid_plural is not None:
            key = f"{entry.msgid}\0{entry.msgid_plural}"
            value = "\0".join(entry.msgstr[i] for i in sorted(entry.msgstr))
        else:
            key, value = entry.msgid, entry.msgstr.get(0, "")
        if entry.msgid and not value.replace("\0", ""):
            continue  # untranslated: gettext falls back to the English
        pairs[key.encode()] = value.encode()
    keys = sorted(pairs)
    count = len(keys)
    header_size = 7 * 4
    originals_at = header_size
    translations_at = originals_at + count * 8
    data_at = translations_at + count * 8
    originals = b""
    translations = b""
    data = b""
    for key in keys:
        originals += struct.pack("<2I", len(key), data_at + len(data))
        data += key + b"\0"
    for key in keys:
        value = pairs[key]
        translations += struct.pack("<2I", len(value), data_at + len(data))
        data += value + b"\0"
    header = struct.pack(
        "<7I", 0x950412DE, 0, count, originals_at, translations_at, 0, data_at + len(data)
    )
    return header + originals + translations + data


SOURCE = LOCALE.parent
MARKERS = {"_": 1, "N_": 1, "ngettext": 2}  # the marking functions, and their text arguments


def extract(source: Path = SOURCE) -> dict[tuple[str, str | None], str]:
    """Every text marked for translation in the package: (msgid, msgid_plural) -> where."""
    found: dict[tuple[str, str | None], str] = {}
    for path in sorted(source.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else None
            texts = MARKERS.get(name or "")
            if texts is None:
                continue
            args = node.args[:texts]
            if len(args) != texts or not all(
                isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args
            ):
                continue  # _(CONSTANT): a text marked with N_() where it is kept
            values = [a.value for a in args]  # type: ignore[attr-defined]
            key = (values[0], values[1] if texts == 2 else None)
            found.setdefault(key, f"{path.relative_to(source.parent)}:{node.lineno}")
    return found


def help_texts() -> dict[tuple[str, None], str]:
    """The help of every command as the CLI shows it: each paragraph of a command's help,
    each option's help (the texts :func:`povtor.cli.group.speak` translates)."""
    import typer.main

    from povtor.cli.group import ENGLISH_HELP
    from povtor.cli.main import app

    root = typer.main.get_command(app)
    found: dict[tuple[str, None], str] = {}

    def collect(command: object, path: str, deep: bool) -> None:
        texts = [getattr(command, ENGLISH_HELP, None) or getattr(command, "help", None)]
        paragraphs = [part for text in texts if text for part in text.split("\n\n")]
        params = [
            getattr(p, ENGLISH_HELP, None) or getattr(p, "help", None)
            for p in getattr(command, "params", ())
        ]
        for text in [*paragraphs, *params]:
            if text:
                found.setdefault((text, None), f"help of {path}")
        if deep:
            for name, sub in sorted(getattr(command, "commands", {}).items()):
                collect(sub, f"{path} {name}", True)

    collect(root, "povtor", False)
    for name in root.list_commands(None):  # type: ignore[attr-defined]
        collect(root.get_command(None, name), f"povtor {name}", True)  # type: ignore[attr-defined]
    return found


def po_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def stubs(missing: dict[tuple[str, str | None], str]) -> str:
    """The ``.po`` entries to fill in for the marked texts a catalog lacks."""
    out = []
    for (msgid, plural), where in missing.items():
        lines = [f"#: {where}", f"msgid {po_string(msgid)}"]
        if plural is None:
            lines.append('msgstr ""')
        else:
            lines += [f"msgid_plural {po_string(plural)}"]
            lines += [f'msgstr[{i}] ""' for i in range(3)]
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def catalogs() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    parser.add_argument(
        "--missing", action="store_true", help="print entries to fill in for new marked texts"
    )
    args = parser.parse_args()
    if args.missing:
        marked = {**extract(), **help_texts()}
        for po in catalogs():
            have = {(e.msgid, e.msgid_plural) for e in parse_po(po.read_text(encoding="utf-8"))}
            print(stubs({k: v for k, v in marked.items() if k not in have}), end="")
            for key in have - set(marked) - {("", None)}:
                print(f"# stale: {key[0]!r}", file=sys.stderr)
        return 0
    stale = []
    for po in catalogs():
        mo = po.with_suffix(".mo")
        compiled = compile_mo(parse_po(po.read_text(encoding="utf-8")))
        if mo.exists() and mo.read_bytes() == compiled:
            continue
        stale.append(mo)
        if not args.check:
            mo.write_bytes(compiled)
            print(f"wrote {mo}")
    if args.check and stale:
        print("out of date: " + ", ".join(map(str, stale)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
