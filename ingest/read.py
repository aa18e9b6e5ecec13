"""Read a report file (plain text, Markdown, PDF, DOCX, HTML) into a :class:`SourceDocument`.

The first step of the ingest line. Every failure is a :class:`kg.errors.InputError` (or its
:class:`kg.errors.UnsupportedInputError` subclass) with a one-line message that starts with the
file name, so the CLI and the HTTP API can show it as it is.
"""

from __future__ import annotations

import codecs
import io
import re
import stat
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path, PureWindowsPath
from typing import NamedTuple

import docx
from bs4 import BeautifulSoup, NavigableString
from bs4.dammit import EncodingDetector
from charset_normalizer import from_bytes
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from pypdf import PdfReader

from ingest.document import SourceDocument
from kg.errors import InputError, UnsupportedInputError

__all__ = ["DEFAULT_MAX_BYTES", "SUPPORTED_SUFFIXES", "read_bytes", "read_path"]

DEFAULT_MAX_BYTES = 50_000_000
DOCX_MAX_EXPANSION = 20  # a DOCX may unpack to at most this many times max_bytes
BINARY_CONTROL_SHARE = 0.05  # text files with more control bytes than this are binary
GB_COMMON_SHARE = 0.9  # share of non-ASCII characters that must be common (GB2312) hanzi

_MEDIA_TYPES: dict[str, str] = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".html": "text/html",
    ".htm": "text/html",
}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(sorted(_MEDIA_TYPES))

# C0 controls other than \t and \n (\r is normalised separately): binary markers in raw
# text, replaced by a space in decoded text; vertical tab and form feed become line breaks.
_CONTROLS = frozenset(range(32)) - {9, 10, 13} | {127}
_CONTROL_BYTES = bytes(sorted(_CONTROLS - {12}))  # form feeds are common in extracted text
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_TEXT_FIXES = {code: " " for code in _CONTROLS} | {
    0x0B: "\n",
    0x0C: "\n",
    0x85: "\n",
    0x2028: "\n",
    0x2029: "\n",
    0xFEFF: None,
}
_HTML_DROPPED = ["head", "script", "style", "noscript", "template", "nav", "footer"]
_HTML_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_HTML_BLOCK_NAMES = (
    "address article aside blockquote caption div dl fieldset figcaption figure form header "
    "hr main ol p pre section table tbody thead tfoot ul"
)
_HTML_BLOCKS = frozenset(_HTML_BLOCK_NAMES.split())
_HTML_ROWS = frozenset(("tr", "li", "dt", "dd"))
_DOCX_HEADING = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)


class _Extracted(NamedTuple):
    text: str
    encoding: str | None = None
    title: str | None = None
    issued: str | None = None  # the file's own date of creation or publication, 'YYYY-MM-DD'


def read_path(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceDocument:
    """Read the report at ``path``; the format is decided by the file extension.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     report = Path(tmp) / "report.txt"
    ...     _ = report.write_bytes("容器云\\r\\n市场".encode("gb18030"))
    ...     doc = read_path(report)
    >>> doc.text, doc.encoding, doc.source
    ('容器云\\n市场', 'gb18030', 'report.txt')
    """
    label = str(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as exc:
        raise InputError(f"{label}: no such file") from exc
    except OSError as exc:
        raise InputError(f"{label}: cannot be read ({exc.strerror or type(exc).__name__})") from exc
    if stat.S_ISDIR(mode):
        raise InputError(f"{label}: is a directory, not a file")
    if not stat.S_ISREG(mode):
        raise InputError(f"{label}: is not a regular file")
    suffix = _suffix(path.name, label)
    try:
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"{label}: cannot be read ({exc.strerror or type(exc).__name__})") from exc
    return _read(data, label, path.name, suffix, max_bytes)


def read_bytes(data: bytes, filename: str, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceDocument:
    """Read an uploaded report; ``filename`` only decides the format and is never opened.

    >>> doc = read_bytes(b"# Title\\n\\nBody", "../notes.MD")
    >>> doc.source, doc.media_type, doc.text
    ('notes.MD', 'text/markdown', '# Title\\n\\nBody')
    """
    name = _display_name(filename)
    return _read(data, name, name, _suffix(name, name), max_bytes)


def _read(data: bytes, label: str, source: str, suffix: str, max_bytes: int) -> SourceDocument:
    if len(data) > max_bytes:
        raise InputError(f"{label}: is larger than the limit of {max_bytes:,} bytes")
    if not data.strip():
        raise InputError(f"{label}: the file is empty")
    if suffix == ".pdf":
        extracted = _pdf_text(data, label)
    elif suffix == ".docx":
        extracted = _docx_text(data, label, max_bytes)
    elif suffix in (".html", ".htm"):
        extracted = _html_text(data, label)
    else:
        extracted = _Extracted(*_decode_text(data, label))
    text = _normalise(extracted.text)
    if not text.strip():
        raise InputError(f"{label}: the file is empty (no text found)")
    title = _normalise(extracted.title).strip() if extracted.title else None
    return SourceDocument(
        text, source, _MEDIA_TYPES[suffix], extracted.encoding, title or None, extracted.issued
    )


def _display_name(filename: str) -> str:
    name = PureWindowsPath(filename).name  # drops both / and \ directory parts
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name or "upload"


def _suffix(name: str, label: str) -> str:
    suffix = "." + name.rpartition(".")[2].lower() if "." in name else ""
    if suffix not in _MEDIA_TYPES:
        shown = f"'{suffix}'" if suffix else "no extension"
        raise UnsupportedInputError(
            f"{label}: unsupported file type ({shown}); supported: {', '.join(SUPPORTED_SUFFIXES)}"
        )
    return suffix


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_TEXT_FIXES)


def _short_reason(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    reason = lines[0] if lines else type(exc).__name__
    return reason if len(reason) <= 120 else reason[:117] + "..."


# --- plain text ---------------------------------------------------------------------------


def _decode_text(data: bytes, label: str, declared: str | None = None) -> tuple[str, str]:
    """Decode text bytes: BOM, strict UTF-8, a declared encoding, GB18030, then detection."""
    for bom, marked in _BOMS:
        if data.startswith(bom):
            return _decode_marked(data, label, marked), marked
    if _looks_binary(data):
        raise InputError(f"{label}: looks like a binary file, not text")
    candidates: tuple[str | None, ...] = ("utf-8", declared)
    for encoding in candidates:
        if encoding:
            try:
                return data.decode(encoding), encoding
            except (UnicodeDecodeError, LookupError):
                pass
    try:
        text = data.decode("gb18030")
        if _mostly_common_hanzi(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise InputError(f"{label}: could not detect the text encoding (not UTF-8 or GB18030)")
    return str(best), best.encoding


def _decode_marked(data: bytes, label: str, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"{label}: starts with a {encoding} byte-order mark but is not {encoding}") from exc
    if _looks_binary(text.encode("utf-8")):
        raise InputError(f"{label}: looks like a binary file, not text")
    return text


def _looks_binary(data: bytes) -> bool:
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    return b"\0" in data or controls > BINARY_CONTROL_SHARE * len(data)


def _mostly_common_hanzi(text: str) -> bool:
    """Whether GB18030-decoded text looks like Chinese rather than mis-decoded bytes.

    Mis-decoded bytes land in the rare GBK extension areas; real text is mostly GB2312.
    """
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    if not non_ascii:
        return True
    rare = text.encode("gb2312", errors="replace").count(b"?") - text.count("?")
    return non_ascii - rare >= GB_COMMON_SHARE * non_ascii


# --- PDF ----------------------------------------------------------------------------------


def _pdf_text(data: bytes, label: str) -> _Extracted:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(f"{label}: the PDF is password-protected")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
        issued = _iso_day(reader.metadata.creation_date) if reader.metadata else None
    except (InputError, MemoryError):
        raise
    except Exception as exc:  # pypdf raises many exception types on damaged files
        raise InputError(f"{label}: could not be read as PDF: {_short_reason(exc)}") from exc
    text = "\n".join(pages)
    if not text.strip():
        raise InputError(f"{label}: the PDF has no text layer (scanned PDF?)")
    return _Extracted(text, None, title if isinstance(title, str) else None, issued)


# --- DOCX ---------------------------------------------------------------------------------


def _docx_text(data: bytes, label: str, max_bytes: int) -> _Extracted:
    _refuse_zip_bomb(data, label, max_bytes)
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = [_docx_block(item) for item in document.iter_inner_content()]
        title = document.core_properties.title
        issued = _iso_day(document.core_properties.created)
    except MemoryError:
        raise  # the sandbox's memory cap: reported as such (413), not as a damaged file
    except Exception as exc:  # python-docx and lxml raise many exception types on damaged files
        raise InputError(f"{label}: could not be read as DOCX: {_short_reason(exc)}") from exc
    return _Extracted("\n\n".join(block for block in blocks if block.strip()), None, title, issued)


def _refuse_zip_bomb(data: bytes, label: str, max_bytes: int) -> None:
    # zipfile stops reading a member at its declared size, so declared sizes bound the work.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"{label}: could not be read as DOCX: {_short_reason(exc)}") from exc
    if unpacked > DOCX_MAX_EXPANSION * max_bytes:
        raise InputError(
            f"{label}: unpacks to {unpacked:,} bytes, more than {DOCX_MAX_EXPANSION} times "
            f"the {max_bytes:,}-byte limit (zip bomb?)"
        )


def _docx_block(item: Paragraph | Table) -> str:
    if isinstance(item, Table):
        return "\n".join(_docx_row(row.cells) for row in item.rows)
    level = _docx_heading_level(getattr(item.style, "name", None) or "")
    if level and item.text.strip():
        return "#" * level + " " + " ".join(item.text.split())
    return item.text


def _docx_heading_level(style_name: str) -> int | None:
    if style_name == "Title":
        return 1
    match = _DOCX_HEADING.match(style_name)
    return int(match.group(1)) if match else None


def _docx_row(cells: Sequence[_Cell]) -> str:
    texts: list[str] = []
    previous = None
    for cell in cells:
        if cell._tc is not previous:  # a merged cell is listed once per grid column it spans
            texts.append(" ".join(cell.text.split()))
        previous = cell._tc
    return "\t".join(texts)


# --- HTML ---------------------------------------------------------------------------------


def _html_text(data: bytes, label: str) -> _Extracted:
    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    markup, encoding = _decode_text(data, label, declared)
    soup = BeautifulSoup(markup, "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    issued = _html_date(soup)
    for tag in soup.find_all(_HTML_DROPPED):
        tag.decompose()
    _collapse_html_whitespace(soup)
    _mark_html_blocks(soup)
    return _Extracted(_tidy_lines(soup.get_text()), encoding, title, issued)


_HTML_DATE_META = ("article:published_time", "date", "pubdate", "publishdate", "dc.date", "dcterms.issued")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def _html_date(soup: BeautifulSoup) -> str | None:
    """The publication date a page declares in its <meta> tags (name or property), 'YYYY-MM-DD'."""
    for meta in soup.find_all("meta"):
        key = str(meta.get("property") or meta.get("name") or "").casefold()
        if key in _HTML_DATE_META:
            day = _ISO_DAY.match(str(meta.get("content") or "").strip())
            if day:
                return "-".join(day.groups())
    return None


def _iso_day(value: object) -> str | None:
    """A datetime from file properties as 'YYYY-MM-DD' (None when absent or not a datetime)."""
    return value.strftime("%Y-%m-%d") if isinstance(value, datetime) else None


def _collapse_html_whitespace(soup: BeautifulSoup) -> None:
    for string in list(soup.find_all(string=True)):
        if type(string) is NavigableString and string.find_parent("pre") is None:
            string.replace_with(re.sub(r"\s+", " ", string))


def _mark_html_blocks(soup: BeautifulSoup) -> None:
    for tag in list(soup.find_all(True)):
        if tag.parent is None:
            continue
        if tag.name in _HTML_HEADINGS:
            text = tag.get_text(" ", strip=True)
            tag.replace_with(f"\n\n{'#' * _HTML_HEADINGS[tag.name]} {text}\n\n" if text else "\n")
        elif tag.name == "br":
            tag.replace_with("\n")
        elif tag.name in ("td", "th"):
            tag.insert_after("\t")
        elif tag.name in _HTML_ROWS:  # rows and list items: one line each, no blank line between
            tag.insert_after("\n")
        elif tag.name in _HTML_BLOCKS:
            tag.insert_before("\n")
            tag.insert_after("\n")


def _tidy_lines(text: str) -> str:
    lines = [re.sub(r" *\t *", "\t", line).strip(" \t") for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
