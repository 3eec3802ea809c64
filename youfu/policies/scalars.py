"""Where each character of a YAML scalar's value sits in the file, so formula errors point at the file.

A formula's errors are counted from the start of the formula text (line 1, column 1). The same text
sits in the YAML file after a key, maybe quoted (``'…'`` with ``''`` for a quote, ``"…"`` with
backslash escapes), maybe folded over several lines (plain and quoted scalars join their lines with a
space and drop the indentation), maybe a block (``|`` keeps the lines, ``>`` folds them). ``locate``
rebuilds the value from the file's text with, for each character, its index in the file; if the
rebuilt value is not the value YAML read (a construct this module does not know), it gives up and
every position falls back to the start of the scalar, which is still the right line for a one-line
formula's first character and never a wrong file.
"""

from __future__ import annotations

from dataclasses import dataclass

_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
    "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_BLANK = " \t"


@dataclass(frozen=True)
class Mark:
    """A place in a file: line and column from 1, columns counted in characters (汉字 count one)."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


class Lines:
    """A file's text, to turn a character index into a line and column."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        for index, char in enumerate(text):
            if char == "\n":
                self.starts.append(index + 1)

    def mark(self, index: int) -> Mark:
        low, high = 0, len(self.starts) - 1
        while low < high:  # the last line start at or before index
            middle = (low + high + 1) // 2
            if self.starts[middle] <= index:
                low = middle
            else:
                high = middle - 1
        return Mark(low + 1, index - self.starts[low] + 1)


def locate(source: str, start: int, end: int, style: str | None, value: str) -> tuple[int, ...] | None:
    """The file index of each character of ``value``, read by YAML from ``source[start:end]``.

    ``style`` is the scalar's YAML style: None (plain), ``'``, ``"``, ``|`` or ``>``. None when the
    value cannot be rebuilt from the file's text (the caller then points at the scalar's start).
    """
    if style in ("|", ">"):
        built = _block(source, start, end, folded=style == ">")
        # Chomping (|-, |+) only changes trailing line breaks, which no error points at.
        if built is not None and built[0].rstrip("\n") == value.rstrip("\n"):
            return built[1][: len(value)]
        return None
    if style in ("'", '"'):
        built = _flow(source, start + 1, end - 1, quote=style)
    else:
        built = _flow(source, start, end, quote=None)
    if built is not None and built[0] == value:
        return built[1]
    return None


def _flow(source: str, begin: int, end: int, quote: str | None) -> tuple[str, tuple[int, ...]] | None:
    """Plain and quoted scalars: escapes, and line folding (one break → a space, n+1 breaks → n)."""
    chars: list[str] = []
    offsets: list[int] = []
    i = begin
    while i < end:
        char = source[i]
        if quote == "'" and char == "'" and i + 1 < end and source[i + 1] == "'":
            chars.append("'")
            offsets.append(i)
            i += 2
        elif quote == '"' and char == "\\":
            if i + 1 >= end:
                return None
            code = source[i + 1]
            if code == "\n":  # an escaped line break joins the lines with nothing between
                i += 2
                while i < end and source[i] in _BLANK:
                    i += 1
            elif code in _ESCAPES:
                chars.append(_ESCAPES[code])
                offsets.append(i)
                i += 2
            elif code in _HEX_ESCAPES:
                digits = source[i + 2 : i + 2 + _HEX_ESCAPES[code]]
                try:
                    chars.append(chr(int(digits, 16)))
                except ValueError:
                    return None
                offsets.append(i)
                i += 2 + _HEX_ESCAPES[code]
            else:
                return None
        elif char in _BLANK:
            run = i
            while run < end and source[run] in _BLANK:
                run += 1
            if run < end and source[run] == "\n":
                i = run  # blanks before a line break are dropped
            else:
                chars.extend(source[i:run])
                offsets.extend(range(i, run))
                i = run
        elif char == "\n":
            at = i
            breaks = 0
            while i < end and source[i] == "\n":
                breaks += 1
                i += 1
                while i < end and source[i] in _BLANK:  # the next line's indentation
                    i += 1
            fold = " " if breaks == 1 else "\n" * (breaks - 1)
            chars.extend(fold)
            offsets.extend([at] * len(fold))
        else:
            chars.append(char)
            offsets.append(i)
            i += 1
    return "".join(chars), tuple(offsets)


def _block(source: str, start: int, end: int, folded: bool) -> tuple[str, tuple[int, ...]] | None:
    """``|`` and ``>`` blocks: content lines after the header, less their common indentation."""
    header_end = source.find("\n", start, end)
    if header_end < 0:
        return ("", ())
    lines: list[tuple[int, str]] = []  # (file index of the line's start, the line)
    position = header_end + 1
    while position < end:
        stop = source.find("\n", position, end)
        stop = end if stop < 0 else stop
        lines.append((position, source[position:stop]))
        position = stop + 1
    indents = [len(text) - len(text.lstrip(" ")) for _, text in lines if text.strip()]
    if not indents:
        return ("", ())
    indent = indents[0]  # YAML takes the block's indentation from its first non-empty line
    chars: list[str] = []
    offsets: list[int] = []
    pending = 0  # empty lines since the last content line
    previous: str | None = None  # "normal" or "more" (more indented) for folding
    for line_start, text in lines:
        if not text.strip():
            pending += 1
            continue
        content = text[indent:]
        kind = "more" if content[:1] in (" ", "\t") else "normal"
        if previous is None:
            joint = "\n" * pending
        elif not folded:
            joint = "\n" * (pending + 1)
        elif previous == "normal" and kind == "normal":
            joint = " " if pending == 0 else "\n" * pending
        else:
            joint = "\n" * (pending + 1)
        chars.extend(joint)
        offsets.extend([line_start - 1] * len(joint))  # the line break before this line
        chars.extend(content)
        offsets.extend(range(line_start + indent, line_start + indent + len(content)))
        previous = kind
        pending = 0
    return "".join(chars), tuple(offsets)
