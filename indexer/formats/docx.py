"""``.docx`` reports (Word 2007 and later) → the text a ``.txt`` report of the series has.

Word keeps what the page shows in several places: automatic paragraph numbers ("12.", "a)")
live in ``numbering.xml`` and are counted here as Word counts them, the symbol in the running
header, footnotes in their own part. Each body paragraph becomes one line, tables become
``cell<TAB>cell`` lines, blank lines separate blocks, so the report parser reads a Word report
as it reads a ``.txt`` one. python-docx opens the package; it is imported only when a ``.docx``
is read.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from indexer.errors import UnreadableReportError
from indexer.formats import Document, head_of

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: encrypted OOXML, or an old .doc
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_WORD_STREAM = "WordDocument".encode("utf-16-le")

#: Containers whose children are read in place (content controls, tracked insertions, links…).
_TRANSPARENT = {W + name for name in ("hyperlink", "ins", "moveTo", "smartTag", "customXml", "fldSimple", "sdtContent",
                                      "bdo", "dir")}
#: A typed label at the start of a paragraph ("12.<TAB>Les orateurs…"): its tab is the .txt's space.
_LABEL = r"(\d{1,6}\.|[a-z]\)|[IVXL]+\.|[A-Z]\.)"
_LEADING_LABEL = re.compile(rf"^{_LABEL}\t+")
_LABELLED = re.compile(rf"^{_LABEL}\s")
#: A line that continues a structured list after a line break (mirrors the parser's list lines).
_LIST_LINE = re.compile(r"^(?:[-–—•]\s*|\d{1,3}\.\s|[a-z]\)\s)|\S\s:\s")
_BREAK = "\x00"  # a w:br while a paragraph is gathered; resolved to a newline or a space


def read(path: Path) -> Document:
    return read_docx(Path(path))


def read_docx(path: Path, shown_as: Path | None = None) -> Document:
    """The report in the Word file ``path``; errors name ``shown_as`` (the file the user gave,
    when ``path`` is a conversion of it)."""
    name = shown_as or path
    package = _open(path, name)
    try:
        return _DocxReader(package).document(name)
    except UnreadableReportError:
        raise
    except (KeyError, ValueError, AttributeError) as error:
        raise UnreadableReportError(f"{name}: damaged Word document ({error}) — open it in Word and save it again")


#: What the parts of a .docx may add up to once unpacked (a report with its images is a few MB).
MAX_UNPACKED = 512 << 20


def _open(path: Path, name: Path):
    """The python-docx document of ``path``, or the reason it is not a Word document."""
    head = head_of(path, name)
    if head == OLE_MAGIC:
        data = path.read_bytes()
        if _ENCRYPTED_STREAM in data:
            raise UnreadableReportError(f"{name}: password-protected Word document — remove the password "
                                        f"(Word: File › Info › Protect Document) and save it again")
        if _WORD_STREAM in data:
            raise UnreadableReportError(f"{name}: an old Word .doc file named .docx — rename it to .doc "
                                        f"(read through LibreOffice) or save it as .docx from Word")
        raise UnreadableReportError(f"{name}: an OLE container, not a .docx — save the report as .docx from Word")
    if not zipfile.is_zipfile(path):
        raise UnreadableReportError(f"{name}: not a Word document (a .docx is a zip package; this file is not one) "
                                    f"— save the report as .docx from Word")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as error:
        raise UnreadableReportError(f"{name}: damaged zip package ({error}) — save the report again") from None
    if unpacked > MAX_UNPACKED:  # a zip bomb: a few MB that unpack to gigabytes
        raise UnreadableReportError(f"{name}: {unpacked >> 20} MB once unpacked, more than a report "
                                    f"({MAX_UNPACKED >> 20} MB at most) — a damaged or hostile file?")
    if "[Content_Types].xml" not in names:
        raise UnreadableReportError(f"{name}: a zip archive of something else, not a Word document "
                                    f"(no [Content_Types].xml) — save the report as .docx from Word")
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError:
        raise UnreadableReportError(f"{name}: python-docx is needed to read .docx files — "
                                    f"`pip install python-docx`") from None
    from lxml.etree import XMLSyntaxError
    try:
        return docx.Document(str(path))
    except ValueError as error:  # python-docx: "is not a Word file, content type is '…'"
        kind = str(error).rpartition("content type is ")[2].strip("'")
        raise UnreadableReportError(f"{name}: an Office file of another kind ({kind}), not a Word document") from None
    except (KeyError, PackageNotFoundError, XMLSyntaxError, zipfile.BadZipFile) as error:
        raise UnreadableReportError(f"{name}: a zip archive of something else or a damaged Word document "
                                    f"({type(error).__name__}: {error}) — save the report as .docx from Word") from None


# ---------------------------------------------------------------- numbering


@dataclass
class Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    restart: int | None = None  # w:lvlRestart: None = after any higher level, 0 = never
    legal: bool = False         # w:isLgl: the levels it quotes are shown as decimal numbers
    suffix: str = "tab"


@dataclass
class _Num:
    abstract: str
    starts: dict[int, int] = field(default_factory=dict)    # w:lvlOverride/w:startOverride
    levels: dict[int, Level] = field(default_factory=dict)  # w:lvlOverride/w:lvl


class NumberingResolver:
    """The printed label of each automatically numbered paragraph, counted in document order
    as Word counts: the running count belongs to the abstract definition (two ``w:num`` on one
    ``w:abstractNum`` continue each other), a ``startOverride`` restarts its level the first time
    its ``w:num`` is used, and a level restarts when a higher level advances (unless its
    ``w:lvlRestart`` says otherwise)."""

    def __init__(self, numbering=None, styles=None):
        self._abstracts: dict[str, dict[int, Level]] = {}
        self._links: dict[str, str] = {}  # abstractNum id → style it takes its levels from (numStyleLink)
        self._nums: dict[str, _Num] = {}
        self._styles: dict[str, tuple] = {}  # styleId → (numId, ilvl, basedOn, is_heading)
        self._default_style: str | None = None
        self._counts: dict[str, dict[int, int | None]] = {}
        self._seen_nums: set[str] = set()
        if numbering is not None:
            self._read_numbering(numbering)
        if styles is not None:
            self._read_styles(styles)

    @classmethod
    def from_xml(cls, numbering: str | bytes | None, styles: str | bytes | None = None) -> NumberingResolver:
        from docx.oxml.parser import parse_xml

        def parse(xml):
            return None if xml is None else parse_xml(xml.encode() if isinstance(xml, str) else xml)
        return cls(parse(numbering), parse(styles))

    def _read_numbering(self, root) -> None:
        for abstract in root.iter(W + "abstractNum"):
            key = abstract.get(W + "abstractNumId")
            self._abstracts[key] = {int(lvl.get(W + "ilvl", "0")): _level(lvl) for lvl in abstract.findall(W + "lvl")}
            link = abstract.find(W + "numStyleLink")
            if link is not None:
                self._links[key] = link.get(W + "val")
        for num in root.iter(W + "num"):
            abstract = num.find(W + "abstractNumId")
            if abstract is None:
                continue
            entry = _Num(abstract.get(W + "val"))
            for override in num.findall(W + "lvlOverride"):
                ilvl = int(override.get(W + "ilvl", "0"))
                start = override.find(W + "startOverride")
                if start is not None:
                    entry.starts[ilvl] = int(start.get(W + "val", "1"))
                lvl = override.find(W + "lvl")
                if lvl is not None:
                    entry.levels[ilvl] = _level(lvl)
            self._nums[num.get(W + "numId")] = entry

    def _read_styles(self, root) -> None:
        for style in root.iter(W + "style"):
            if style.get(W + "type", "paragraph") not in ("paragraph", "numbering"):  # numbering: list styles
                continue
            key = style.get(W + "styleId")
            num_id = ilvl = None
            numpr = style.find(f"{W}pPr/{W}numPr")
            if numpr is not None:
                num_id, ilvl = _val(numpr, "numId"), _val(numpr, "ilvl")
            based = style.find(W + "basedOn")
            name = style.find(W + "name")
            heading = (style.find(f"{W}pPr/{W}outlineLvl") is not None
                       or (name is not None and name.get(W + "val", "").lower().startswith(("heading", "titre"))))
            self._styles[key] = (num_id, ilvl, based.get(W + "val") if based is not None else None, heading)
            if style.get(W + "default") in ("1", "true", "on"):
                self._default_style = key

    def _style_chain(self, style_id: str | None):
        seen = set()
        style_id = style_id or self._default_style
        while style_id and style_id in self._styles and style_id not in seen:
            seen.add(style_id)
            yield self._styles[style_id]
            style_id = self._styles[style_id][2]

    def is_heading(self, p) -> bool:
        if p.find(f"{W}pPr/{W}outlineLvl") is not None:
            return True
        return any(entry[3] for entry in self._style_chain(_style_of(p)))

    def numbering_of(self, p) -> tuple[str, int] | None:
        """(numId, ilvl) of a paragraph: its own w:numPr, completed by its style's."""
        num_id = ilvl = None
        numpr = p.find(f"{W}pPr/{W}numPr")
        if numpr is not None:
            num_id, ilvl = _val(numpr, "numId"), _val(numpr, "ilvl")
        for style_num, style_ilvl, _, _ in self._style_chain(_style_of(p)):
            if num_id is None:
                num_id = style_num
            if ilvl is None:
                ilvl = style_ilvl
            if num_id is not None and ilvl is not None:
                break
        if num_id is None or num_id == "0" or num_id not in self._nums:
            return None
        return num_id, int(ilvl or 0)

    def _levels(self, num_id: str) -> tuple[str, dict[int, Level]]:
        num = self._nums[num_id]
        abstract = num.abstract
        link = self._links.get(abstract)
        if link:  # a list style: the levels are those of the num its style points to
            linked = next((entry[0] for entry in self._style_chain(link) if entry[0]), None)
            if linked in self._nums and linked != num_id:
                abstract = self._nums[linked].abstract
        levels = dict(self._abstracts.get(abstract, {}))
        levels.update(num.levels)
        return abstract, levels

    def label(self, p) -> str:
        """The label Word prints before the paragraph ("12.", "a)"), counting it; "" if none."""
        where = self.numbering_of(p)
        if where is None:
            return ""
        return self.count(*where)

    def count(self, num_id: str, ilvl: int) -> str:
        """Count one paragraph of list ``num_id`` at level ``ilvl``; its label."""
        abstract, levels = self._levels(num_id)
        counts = self._counts.setdefault(abstract, {})
        num = self._nums[num_id]
        if num_id not in self._seen_nums:
            self._seen_nums.add(num_id)
            for overridden in num.starts:
                counts[overridden] = None
        level = levels.get(ilvl, Level(text=f"%{ilvl + 1}."))

        def start(i: int) -> int:
            return num.starts.get(i, levels[i].start if i in levels else 1)

        previous = counts.get(ilvl)
        counts[ilvl] = start(ilvl) if previous is None else previous + 1
        for deeper, deeper_level in levels.items():
            if deeper > ilvl:
                restart = deeper_level.restart if deeper_level.restart is not None else deeper
                if ilvl < restart:
                    counts[deeper] = None
        if level.fmt == "none":
            return re.sub(r"%\d", "", level.text).strip()
        if level.fmt == "bullet":
            return level.text

        def quoted(match) -> str:
            i = int(match.group(1)) - 1
            value = counts.get(i)
            value = start(i) if value is None else value
            fmt = levels[i].fmt if i in levels else "decimal"
            return format_number(value, "decimal" if level.legal and fmt != "none" else fmt)
        return re.sub(r"%([1-9])", quoted, level.text)


def _level(lvl) -> Level:
    level = Level(text="")
    fmt, text, start, restart, suffix = (lvl.find(W + name) for name in ("numFmt", "lvlText", "start", "lvlRestart", "suff"))
    if fmt is not None:
        level.fmt = fmt.get(W + "val", "decimal")
    if text is not None:
        level.text = text.get(W + "val", "")
    if start is not None:
        level.start = int(start.get(W + "val", "1"))
    if restart is not None:
        level.restart = int(restart.get(W + "val", "0"))
    if suffix is not None:
        level.suffix = suffix.get(W + "val", "tab")
    legal = lvl.find(W + "isLgl")
    level.legal = legal is not None and legal.get(W + "val", "1") not in ("0", "false", "off")
    return level


_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def format_number(value: int, fmt: str) -> str:
    """A counter as Word prints it in ``fmt`` (w:numFmt); unknown formats print as decimal."""
    if fmt == "none":
        return ""
    if fmt in ("lowerLetter", "upperLetter"):  # Word: a…z, then aa…zz, aaa…
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1) if value > 0 else str(value)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman") and value > 0:
        roman, rest = "", value
        for amount, numeral in _ROMAN:
            while rest >= amount:
                roman, rest = roman + numeral, rest - amount
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


def _val(element, name: str) -> str | None:
    child = element.find(W + name)
    return None if child is None else child.get(W + "val")


def _style_of(p) -> str | None:
    style = p.find(f"{W}pPr/{W}pStyle")
    return None if style is None else style.get(W + "val")


# ---------------------------------------------------------------- text


class _Runs:
    """The text of runs as printed: field codes, deleted and hidden text, footnote calls left out."""

    def __init__(self):
        self.fields: list[bool] = []  # per open complex field: its result is being read
        self.parts: list[str] = []
        self.footnotes: list[str] = []  # ids of the footnotes called, in order

    def read(self, element) -> None:
        for child in element:
            tag = child.tag
            if tag == W + "r":
                self._run(child)
            elif tag in _TRANSPARENT or tag == W + "sdt":
                self.read(child)

    def _run(self, run) -> None:
        props = run.find(W + "rPr")
        hidden = props is not None and props.find(W + "vanish") is not None
        for child in run:
            tag = child.tag
            if tag == W + "fldChar":
                kind = child.get(W + "fldCharType")
                if kind == "begin":
                    self.fields.append(False)
                elif kind == "separate" and self.fields:
                    self.fields[-1] = True
                elif kind == "end" and self.fields:
                    self.fields.pop()
                continue
            if tag in (W + "footnoteReference", W + "endnoteReference"):
                self.footnotes.append(child.get(W + "id"))
                continue
            if hidden or not all(self.fields):
                continue
            if tag == W + "t":
                self.parts.append(child.text or "")
            elif tag in (W + "tab", W + "ptab"):
                self.parts.append("\t")
            elif tag in (W + "br", W + "cr"):
                self.parts.append(_BREAK if child.get(W + "type", "textWrapping") == "textWrapping" else " ")
            elif tag == W + "noBreakHyphen":
                self.parts.append("-")
            elif tag == W + "sym":
                code = int(child.get(W + "char", "20"), 16)
                self.parts.append(chr(code - 0xF000 if code >= 0xF000 else code))


class _DocxReader:
    def __init__(self, document):
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        self.part = document.part
        self.body = document.element.body
        related = {rel.reltype: rel.target_part for rel in self.part.rels.values() if not rel.is_external}
        numbering, styles = related.get(RT.NUMBERING), related.get(RT.STYLES)
        self.numbering = NumberingResolver(_xml(numbering), _xml(styles))
        self.notes = [_xml(related[kind]) for kind in (RT.FOOTNOTES, RT.ENDNOTES) if kind in related]
        self.called: list[str] = []

    def document(self, name: Path) -> Document:
        blocks: list[str] = []
        self._blocks(self.body, blocks)
        first_page, symbol = self._headers()
        text = "\n\n".join(block for block in first_page + blocks if block.strip())
        if not text.strip():
            raise UnreadableReportError(f"{name}: the Word document has no text")
        symbol = symbol or _symbol_in(line for block in blocks[:20] for line in block.split("\n"))
        return Document(text + "\n", symbol, self._footnotes(), None)

    def _blocks(self, container, blocks: list[str]) -> None:
        for child in container:
            if child.tag == W + "p":
                blocks.append(self.paragraph(child))
            elif child.tag == W + "tbl":
                blocks.append(self.table(child))
            elif child.tag in (W + "sdt", W + "sdtContent", W + "customXml"):
                self._blocks(child, blocks)

    def paragraph(self, p) -> str:
        """One paragraph as the .txt has it: its label, then its text on one line; a line break
        only where it structures a list or a block without a label (first-page block, Bureau)."""
        label = self.numbering.label(p)
        runs = _Runs()
        runs.read(p)
        self.called.extend(runs.footnotes)
        text = "".join(runs.parts).replace("\u00ad", "")
        if not text.replace(_BREAK, "").strip():
            return ""
        if label:
            text = f"{label} {text.lstrip(' ')}"
        else:
            text = _LEADING_LABEL.sub(lambda m: m.group(1) + " ", text)
        if _BREAK in text:
            text = self._breaks(text, labelled=bool(_LABELLED.match(text)), heading=self.numbering.is_heading(p))
        return text

    @staticmethod
    def _breaks(text: str, labelled: bool, heading: bool) -> str:
        lines = [line.strip(" ") for line in text.split(_BREAK)]
        out = lines[0]
        in_list = False
        for line in lines[1:]:
            if not line:
                continue
            newline = not heading and (not labelled or in_list or out.rstrip().endswith(":")
                                       or bool(_LIST_LINE.match(line)))
            in_list |= newline
            out += ("\n" if newline else " ") + line
        return out

    def table(self, tbl) -> str:
        """Rows of one-paragraph cells → ``cell<TAB>cell`` lines (the annex list of documents);
        a layout table's cells → their paragraphs, one block each."""
        lines: list[str] = []
        for row in tbl.iter(W + "tr"):
            if row.getparent() is not tbl:
                continue
            cells = []
            for cell in row.findall(W + "tc"):
                blocks: list[str] = []
                self._blocks(cell, blocks)
                cells.append([block for block in blocks if block.strip()])
            if all(len(cell) <= 1 and "\n" not in "".join(cell) for cell in cells):
                lines.append("\t".join(cell[0] if cell else "" for cell in cells).rstrip("\t"))
            else:
                lines.extend(block for cell in cells for block in cell + [""])
        return "\n".join(lines).strip("\n")

    def _headers(self) -> tuple[list[str], str | None]:
        """The symbol of the running headers, and the first page's block when the first-page
        header holds it ("Distr. générale…"): it belongs at the top of the text."""
        sections = list(self.body.iter(W + "sectPr"))
        first_page: list[str] = []
        symbol = None
        order = {"first": 0, "default": 1, "even": 2}
        for sect in sections:
            references = sorted(sect.findall(W + "headerReference"), key=lambda ref: order.get(ref.get(W + "type"), 3))
            for ref in references:
                part = self.part.related_parts.get(ref.get(R + "id"))
                if part is None:
                    continue
                saved = self.numbering._counts, self.numbering._seen_nums
                self.numbering._counts, self.numbering._seen_nums = {}, set()  # headers do not count body lists
                blocks: list[str] = []
                self._blocks(_xml(part), blocks)
                self.numbering._counts, self.numbering._seen_nums = saved
                lines = [line for block in blocks for line in re.split(r"[\t\n]+", block) if line.strip()]
                symbol = symbol or _symbol_in(lines)
                if ref.get(W + "type") == "first" and not first_page and any(line.startswith("Distr.") for line in lines):
                    first_page = [line for line in lines if not _symbol_in([line]) and not line.strip().isdigit()]
        return (["\n".join(first_page)] if first_page else []), symbol

    def _footnotes(self) -> list[str]:
        texts: dict[str, str] = {}
        for root in self.notes:
            for note in root:
                if note.get(W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                paragraphs = []
                for p in note.iter(W + "p"):
                    runs = _Runs()
                    runs.read(p)
                    paragraphs.append("".join(runs.parts).replace(_BREAK, " ").replace("\u00ad", "").strip())
                texts.setdefault(note.get(W + "id"), " ".join(part for part in paragraphs if part))
        return [texts[key] for key in dict.fromkeys(self.called) if texts.get(key)]


def _xml(part):
    """The root element of a package part (python-docx loads some parts only as bytes)."""
    if part is None:
        return None
    element = getattr(part, "element", None)
    if element is not None:
        return element
    from docx.oxml.parser import parse_xml
    return parse_xml(part.blob)


def _symbol_in(lines) -> str | None:
    from indexer.metadata import SYMBOL  # one definition of what a document symbol looks like

    return next((line.strip() for line in lines if SYMBOL.match(line.strip())), None)
