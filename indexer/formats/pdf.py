"""``.pdf`` reports as the Official Document System serves them → the text of a ``.txt`` report.

The PDF library (pypdfium2) only hands over characters with their position, size and weight;
everything else is read from the layout, so that what a page adds around the text never
reaches a unit: running headers (the symbol, with the page's rule) and footers (``n/N``, the
job number, the first page's job line and barcode) are dropped by their place on the page
and their form; footnotes (smaller type at the foot of the page) are kept apart; superscript
digits glued to a word are footnote calls and dropped, other superscripts (``1re``, ``5e``)
are kept. Lines are grouped into blocks by their spacing (a paragraph's lines are one
leading apart, blocks are further), a block becomes one line of text, a word hyphenated at a
line end is joined unless the hyphen is the word's own (``Trinité-et-`` / ``Tobago``), a
paragraph cut by a page break is joined again, the first page's masthead is read column by
column, the table of contents gets ``title<TAB>page`` and two-column tables (the annex's
list of documents) ``cell<TAB>cell``.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from indexer.errors import UnreadableReportError
from indexer.formats import Document
from indexer.metadata import SYMBOL

#: Running header and footer bands, as fractions of the page height (UN layouts print them
#: within the top and bottom 9 %); a line there is dropped only if it has a header's form.
HEADER_BAND, FOOTER_BAND = 0.09, 0.93
SUPERSCRIPT_RATIO = 0.8   # a character this much smaller than its line, raised, is a superscript
WORD_GAP = 0.15           # a gap wider than this many font sizes separates two words
COLUMN_GAP = 1.0          # … this many font sizes (and 3× the line’s usual gap): two columns
BLOCK_GAP = 1.35          # baselines further apart than this many font sizes: a new block
OCR_HINT = "run OCR first (e.g. `ocrmypdf in.pdf out.pdf`) and index the result"

_FOLIO = re.compile(r"^\d{1,4}/\d{1,4}$")
_JOB = re.compile(r"^[A-Z]{1,2}\.\d{2}-\d{4,6}$")  # V.25-01936, N.24-12345
_FURNITURE = re.compile(r"^(?:\(\w\)|\d{6}|\*\d{5,9}\*|Merci|de|recycler|Please|recycle)$")
_MARKER = re.compile(r"^(?:\d{1,6}\.|[a-z]\)|[IVX]+\.|[A-Z]\.|[-–—•])$")
_TOC_LEADERS = re.compile(r"^(.*?)\s*(?:\.\s*){3,}(\d{1,4})$")
_CLOSED = re.compile(r"[.;:!?»]$")
#: First parts of French compounds, always written with their hyphen (trente-troisième, lui-même,
#: vice-présidente): a line-end hyphen after one of them is the compound's own.
COMPOUND_HEADS = frozenset("""vingt trente quarante cinquante soixante quatre dix lui elle elles eux moi soi
nous vous ci là vice ex non sous demi mi semi après avant arrière grand grande porte nord sud est ouest
au peut chef""".split())
_WORDS = re.compile(r"[^\W\d_](?:[\w’'-]*\w)?")


class _Char(NamedTuple):
    text: str
    x0: float
    x1: float
    base: float   # baseline, from the top of the page
    size: float
    bold: bool


@dataclass
class _Page:
    width: float
    height: float
    chars: list[_Char]
    images: int = 0


@dataclass
class _Word:
    text: str
    x0: float
    x1: float


@dataclass
class _Line:
    words: list[_Word]
    base: float
    size: float
    bold: bool
    note_mark: str | None = None  # leading superscript digits: a footnote's own number

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    def segments(self) -> list[list[_Word]]:
        """The line cut at column gaps (much wider than its word gaps)."""
        gaps = [b.x0 - a.x1 for a, b in zip(self.words, self.words[1:])]
        if not gaps:
            return [self.words]
        small = [gap for gap in gaps if gap < COLUMN_GAP * self.size]
        usual = statistics.median(small or gaps)
        parts, current = [], [self.words[0]]
        for gap, word in zip(gaps, self.words[1:]):
            if gap >= COLUMN_GAP * self.size and gap >= 3 * usual:
                parts.append(current)
                current = []
            current.append(word)
        parts.append(current)
        return parts


@dataclass
class _Block:
    lines: list[_Line] = field(default_factory=list)

    @property
    def first(self) -> _Line:
        return self.lines[0]

    @property
    def last(self) -> _Line:
        return self.lines[-1]


def read(path: Path) -> Document:
    pages = _pdfium_pages(path)
    return assemble(pages, path)


# --- reading the file ----------------------------------------------------------------------

def _check_bytes(path: Path) -> None:
    """What can be told without a PDF library: empty, not a PDF, cut short."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as file:
            head = file.read(1024)
            file.seek(max(0, size - 2048))
            tail = file.read()
    except OSError as error:
        raise UnreadableReportError(f"{path}: cannot read ({error.strerror})") from None
    if size == 0:
        raise UnreadableReportError(f"{path}: empty file (0 bytes) — download the PDF again")
    if b"%PDF-" not in head:
        raise UnreadableReportError(f"{path}: not a PDF (no %PDF header) — check the file's type")
    if b"%%EOF" not in tail:
        raise UnreadableReportError(f"{path}: damaged PDF (truncated: no end-of-file marker) — "
                                    f"download it again")


#: Bounds of a PDF report: the longest reports of the series have about a hundred pages, and a
#: printed page holds a few thousand characters.
MAX_PAGES = 2_000
MAX_PAGE_CHARS = 50_000


def _pdfium_pages(path: Path) -> list[_Page]:
    """Characters of every page through pdfium (its own generated spaces and line ends left out)."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    _check_bytes(path)
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise UnreadableReportError(f"{path}: encrypted PDF (password protected) — save an unprotected "
                                        f"copy (e.g. `qpdf --decrypt --password=… in.pdf out.pdf`)") from None
        raise UnreadableReportError(f"{path}: damaged PDF ({error}) — download it again") from None
    if (page_count := len(document)) > MAX_PAGES:
        document.close()
        raise UnreadableReportError(f"{path}: {page_count:,} pages, more than a report of the series has "
                                    f"({MAX_PAGES:,} at most) — a damaged or hostile file?")
    pages = []
    try:
        x, y, box = ctypes.c_double(), ctypes.c_double(), raw.FS_RECTF()
        name = ctypes.create_string_buffer(128)
        for page in document:
            width, height = page.get_size()
            text_page = page.get_textpage()
            handle = text_page.raw
            chars, bold_fonts = [], {}
            count = raw.FPDFText_CountChars(handle)
            if count > MAX_PAGE_CHARS:
                raise UnreadableReportError(f"{path}: a page of {count:,} characters, more than a printed page "
                                            f"holds — a damaged or hostile file?")
            for i in range(count):
                code = raw.FPDFText_GetUnicode(handle, i)
                if code in (2, 0xFFFE):  # pdfium marks a hyphen it takes for a line-end break
                    code = 0x2D
                elif code < 32 or raw.FPDFText_IsGenerated(handle, i) == 1:
                    continue
                raw.FPDFText_GetCharOrigin(handle, i, x, y)
                raw.FPDFText_GetLooseCharBox(handle, i, box)
                size = raw.FPDFText_GetFontSize(handle, i)
                weight = raw.FPDFText_GetFontWeight(handle, i)
                if weight <= 0:  # not said: the font's name tells ("Times-Bold")
                    raw.FPDFText_GetFontInfo(handle, i, name, 128, None)
                    weight = bold_fonts.setdefault(name.value, 700 if b"Bold" in name.value else 400)
                chars.append(_Char(chr(code), box.left, box.right, height - y.value, round(size, 2), weight >= 600))
            images = sum(1 for obj in page.get_objects(max_depth=1) if obj.type == raw.FPDF_PAGEOBJ_IMAGE) \
                if not chars else 0
            pages.append(_Page(width, height, chars, images))
            text_page.close()
            page.close()
    finally:
        document.close()
    return pages


def _pdfplumber_pages(path: Path) -> list[_Page]:
    """The same characters through pdfplumber (pdfminer): slower, kept to compare (bench/extraction.py)."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    _check_bytes(path)
    pages = []
    try:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                top = page.mediabox[3]
                chars = [_Char(c["text"], c["x0"], c["x1"], top - c["matrix"][5], round(c["size"], 2),
                               "Bold" in c["fontname"]) for c in page.chars]
                pages.append(_Page(float(page.width), float(page.height), chars, 0 if chars else len(page.images)))
    except PDFPasswordIncorrect:
        raise UnreadableReportError(f"{path}: encrypted PDF (password protected) — save an unprotected copy") from None
    except Exception as error:  # pdfminer raises many kinds for a damaged file
        raise UnreadableReportError(f"{path}: damaged PDF ({type(error).__name__}) — download it again") from None
    return pages


# --- from characters to the report's text --------------------------------------------------

def assemble(pages: list[_Page], path: Path) -> Document:
    """The ``Document`` of a PDF's pages (any backend)."""
    if not any(page.chars for page in pages):
        if any(page.images for page in pages):
            raise UnreadableReportError(f"{path}: scanned PDF without a text layer — {OCR_HINT}")
        raise UnreadableReportError(f"{path}: no text in this PDF ({len(pages)} page(s)) — nothing to index")
    sizes = Counter(char.size for page in pages for char in page.chars if not char.text.isspace())
    body_size = sizes.most_common(1)[0][0]
    symbols: Counter = Counter()
    page_blocks: list[list[_Block]] = []
    footnotes: list[list[_Line]] = []
    for number, page in enumerate(pages):
        lines = _lines(page.chars)
        lines = [line for line in lines if not _is_furniture(line, page, symbols, number == 0)]
        body, notes = _split_footnotes(lines, body_size)
        footnotes.extend(notes)
        page_blocks.append(_blocks(body))
    known = _Lexicon([line for blocks in page_blocks for block in blocks for line in block.lines])
    masthead, first_blocks = _masthead(page_blocks[0], pages[0].width) if page_blocks else ([], [])
    page_blocks[0] = first_blocks
    blocks = _join_pages(page_blocks, [page.width for page in pages])
    out = list(masthead)
    for block in blocks:
        out.append(_block_text(block, known))
    symbol = symbols.most_common(1)[0][0] if symbols else next((m for m in masthead if SYMBOL.match(m)), None)
    notes = [_join_lines([line.text for line in note], known) for note in footnotes]
    return Document("\n\n".join(out) + "\n", symbol, notes, len(pages))


def _lines(chars: list[_Char]) -> list[_Line]:
    """Characters → lines: rows of one baseline, superscripts attached to the row they rise from."""
    rows: list[list[_Char]] = []
    for char in sorted(chars, key=lambda c: (c.base, c.x0)):
        if rows and char.base - rows[-1][0].base <= 1.0:
            rows[-1].append(char)
        else:
            rows.append([char])
    lines: list[_Line] = []
    pending: list[_Char] = []  # a row of small raised characters, waiting for the row below
    for row in rows:
        size = max(c.size for c in row)
        if pending:
            above = max(c.size for c in pending)
            if above <= SUPERSCRIPT_RATIO * size and 0 < row[0].base - pending[0].base <= 0.7 * size:
                lines.append(_make_line(row + pending, size, set(map(id, pending))))
                pending = []
                continue
            lines.append(_make_line(pending, above, set()))
            pending = []
        if all(not c.text.isspace() for c in row) and size < 0.9 * _neighbour_size(rows, row):
            pending = row
            continue
        lines.append(_make_line(row, size, set()))
    if pending:
        lines.append(_make_line(pending, max(c.size for c in pending), set()))
    return [line for line in lines if line.words]


def _neighbour_size(rows: list[list[_Char]], row: list[_Char]) -> float:
    """The type size of the row just below ``row`` (a superscript's line), or its own."""
    index = next(i for i, r in enumerate(rows) if r is row)
    below = rows[index + 1] if index + 1 < len(rows) else row
    if 0 < below[0].base - row[0].base <= 0.7 * max(c.size for c in below):
        return max(c.size for c in below)
    return max(c.size for c in row)


def _make_line(row: list[_Char], size: float, sup_ids: set[int]) -> _Line:
    """One row of characters → words; superscript digits glued to a word are footnote calls (dropped),
    other superscripts stay in the word (``1re``); leading ones are a footnote's number."""
    chars = sorted(row, key=lambda c: c.x0)
    words: list[_Word] = []
    note_mark = None
    text, x0, x1, last = "", 0.0, 0.0, None
    sup_run = ""

    def flush():
        nonlocal text, sup_run
        if text or sup_run:
            if sup_run and not sup_run.isdigit():
                text += sup_run
            if text:
                words.append(_Word(text, x0, x1))
        text, sup_run = "", ""

    for char in chars:
        is_sup = id(char) in sup_ids
        if char.text == " ":
            flush()
            last = char
            continue
        if last is not None and last.text != " " and char.x0 - last.x1 > WORD_GAP * min(size, max(char.size, last.size)):
            flush()
        if not text and not sup_run:
            x0 = char.x0
        if is_sup:
            if not text and not words and char.text.isdigit():
                note_mark = (note_mark or "") + char.text
                last = char
                continue
            sup_run += char.text
        else:
            if sup_run:
                if not sup_run.isdigit():
                    text += sup_run
                sup_run = ""
            text += char.text
        x1 = max(x1, char.x1) if text or sup_run else char.x1
        last = char
    flush()
    bold = sum(c.bold for c in chars) * 2 > len(chars)
    return _Line(words, min(c.base for c in chars if id(c) not in sup_ids) if len(sup_ids) < len(chars)
                 else chars[0].base, size, bold, note_mark)


def _is_furniture(line: _Line, page: _Page, symbols: Counter, first_page: bool) -> bool:
    """A running header or footer line (its place and its form); the symbol is counted."""
    in_header = line.base < HEADER_BAND * page.height
    in_footer = line.base > FOOTER_BAND * page.height
    if not (in_header or in_footer):
        return False
    words = [word.text for word in line.words]
    if all(SYMBOL.match(w) or _FOLIO.match(w) or _JOB.match(w) or _FURNITURE.match(w) for w in words):
        for w in words:
            if SYMBOL.match(w) and not _JOB.match(w) and "/" in w and not _FOLIO.match(w):
                symbols[w] += 1
        return True
    return False


def _split_footnotes(lines: list[_Line], body_size: float) -> tuple[list[_Line], list[list[_Line]]]:
    """The page's body lines, and its footnotes (the run of smaller lines at its foot, each note
    starting with its number)."""
    start = len(lines)
    while start > 0 and lines[start - 1].size < 0.95 * body_size:
        start -= 1
    while start < len(lines) and lines[start].note_mark is None and not re.match(r"^\d{1,3}$", lines[start].words[0].text):
        start += 1
    notes: list[list[_Line]] = []
    for line in lines[start:]:
        if line.note_mark is not None:
            notes.append([line])
        elif re.match(r"^\d{1,3}$", line.words[0].text) and len(line.words) > 1:
            notes.append([_Line(line.words[1:], line.base, line.size, line.bold)])
        elif notes:
            notes[-1].append(line)
    return lines[:start], notes


def _blocks(lines: list[_Line]) -> list[_Block]:
    """Lines → blocks: a new one where the spacing widens, the type changes, or a line starts with
    a paragraph number in the margin."""
    blocks: list[_Block] = []
    for line in lines:
        if blocks:
            previous = blocks[-1].last
            same = (line.base - previous.base <= BLOCK_GAP * max(line.size, previous.size)
                    and abs(line.size - previous.size) < 1 and line.bold == previous.bold
                    and not (_MARKER.match(line.words[0].text) and line.x0 < previous.x0 - 1))
            if same:
                blocks[-1].lines.append(line)
                continue
        blocks.append(_Block([line]))
    return blocks


def _masthead(blocks: list[_Block], width: float) -> tuple[list[str], list[_Block]]:
    """The first page's masthead (up to "Original : …"), read row one then column by column:
    Nations Unies / symbol / Assemblée générale / Distr. générale / date / language / original."""
    lines = [line for block in blocks for line in block.lines]
    end = next((i for i, line in enumerate(lines)
                if any(seg[0].text.startswith("Original") for seg in line.segments())), None)
    if end is None:
        return [], blocks
    head = lines[:end + 1]
    first_row = [" ".join(w.text for w in seg) for seg in head[0].segments()]
    left, right = [], []
    for line in head[1:]:
        for seg in line.segments():
            (left if seg[0].x0 < width / 2 else right).append(" ".join(w.text for w in seg))
    rest: list[_Block] = []
    used = set(map(id, head))
    for block in blocks:
        kept = [line for line in block.lines if id(line) not in used]
        if kept:
            rest.append(_Block(kept))
    return first_row + left + right, rest


def _join_pages(page_blocks: list[list[_Block]], widths: list[float]) -> list[_Block]:
    """The blocks of all pages, a paragraph cut by a page break joined again: the last line of
    the page is full (the next page's first word would not have fit) or ends with a hyphen, and
    the next page goes on with plain text (no paragraph number, no heading)."""
    out: list[_Block] = []
    right_edge = 0.0
    for blocks in page_blocks:
        if not blocks:
            continue
        head = blocks[0]
        if out and _continues(out[-1], head, right_edge):
            out[-1] = _Block(out[-1].lines + head.lines)
            blocks = blocks[1:]
        out.extend(blocks)
        right_edge = max(line.x1 for block in blocks or [head] for line in block.lines)
    return out


def _continues(previous: _Block, block: _Block, right_edge: float) -> bool:
    last, first = previous.last, block.first
    if first.bold != last.bold or abs(first.size - last.size) >= 1 or _MARKER.match(first.words[0].text):
        return False
    if "\t" in _table_row(block) or first.x0 < min(line.x0 for line in previous.lines) - 1:
        return False
    if last.words[-1].text.endswith("-") and first.words[0].text[:1].islower():
        return True
    space = 0.25 * last.size
    next_word = first.words[0].x1 - first.words[0].x0
    return last.x1 + space + next_word > right_edge + 1


def _table_row(block: _Block) -> str:
    """A block laid out in columns, as "cell<TAB>cell"; "" for running text."""
    columns = block.first.segments()
    if len(columns) < 2 or _MARKER.match(" ".join(w.text for w in columns[0])):
        return ""
    starts = [segment[0].x0 for segment in columns]
    cells: list[list[str]] = [[] for _ in starts]
    for line in block.lines:
        for segment in line.segments():
            column = min(range(len(starts)), key=lambda i: abs(starts[i] - segment[0].x0))
            cells[column].append(" ".join(w.text for w in segment))
    return "\t".join(" ".join(cell) for cell in cells)


def _block_text(block: _Block, known: _Lexicon) -> str:
    row = _table_row(block)
    if row:
        return row
    text = _join_lines([line.text for line in block.lines], known)
    if text == "Page":
        return "\tPage"
    if found := _TOC_LEADERS.match(text):
        return f"{found.group(1)}\t{found.group(2)}"
    return text


def _join_lines(lines: list[str], known: _Lexicon) -> str:
    """The lines of one block as one line: a word hyphenated at a line end joined again."""
    text = ""
    for line in lines:
        if not text:
            text = line
        elif text.endswith("-") and len(text) > 1 and text[-2].isalpha() and line[:1].isalpha():
            head = text.rsplit(" ", 1)[-1]
            tail = line.split(" ", 1)[0]
            text = text[: len(text) - len(head)] + known.join(head, tail) + line[len(tail):]
        else:
            text += " " + line
    return text


class _Lexicon:
    """The words a document prints unbroken (and the states' names), to tell a hyphen put at a
    line end (``coopé-`` / ``ration``) from a compound's own (``Trinité-et-`` / ``Tobago``)."""

    def __init__(self, lines: list[_Line]):
        from indexer.states import GAZETTEER

        self.words: set[str] = set()
        self.heads: set[str] = set()  # first parts of hyphenated words ("trente" of trente-troisième)
        names = list(GAZETTEER.names)
        for line in lines:
            for word in line.words[:-1] + ([] if line.words[-1].text.endswith("-") else line.words[-1:]):
                self._add(word.text)
        for name in names:
            self._add(name)

    def _add(self, text: str) -> None:
        for word in _WORDS.findall(text):
            word = word.lower().replace("’", "'").rsplit("'", 1)[-1]
            self.words.add(word)
            if "-" in word.strip("-"):
                parts = word.split("-")
                for i in range(1, len(parts)):
                    self.heads.add("-".join(parts[:i]))

    def join(self, head: str, tail: str) -> str:
        """``head`` (ending with its hyphen) and ``tail`` as the one word they are."""
        stem = head[:-1]
        h = _WORDS.findall(stem)[-1].lower().replace("’", "'").rsplit("'", 1)[-1] if _WORDS.findall(stem) else ""
        t = (_WORDS.findall(tail) or [""])[0].lower()
        if h + t in self.words:
            return stem + tail
        if f"{h}-{t}" in self.words or tail[:1].isupper() or "-" in h or h in self.heads \
                or h in COMPOUND_HEADS:
            return head + tail
        return stem + tail
