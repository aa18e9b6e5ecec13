from __future__ import annotations

import codecs
import doctest
import io
import os
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.documents import pdf_bytes

import ingest.read
from ingest.read import SUPPORTED_SUFFIXES, read_bytes, read_path
from kg.errors import InputError, UnsupportedInputError

CHINESE = (
    "容器云是云原生生态中最基础的一环。\n预计私有云容器平台市场规模将达到15.2亿元，“增长迅速”——值得关注。"
)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _assert_one_line_naming(error: pytest.ExceptionInfo[InputError], name: str) -> None:
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(name)


def _docx_bytes() -> bytes:
    document = docx.Document()
    document.core_properties.title = "容器云报告"
    document.add_heading("市场规模", level=2)
    document.add_paragraph("容器云市场高速增长。")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("厂商", "份额"), ("甲", "20%")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_paragraph("以上为示意数据。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- plain text and Markdown --------------------------------------------------------------


def test_reads_utf8_text(tmp_path: Path) -> None:
    doc = read_path(_write(tmp_path, "report.txt", CHINESE.encode("utf-8")))
    assert (doc.text, doc.encoding, doc.media_type, doc.source) == (
        CHINESE,
        "utf-8",
        "text/plain",
        "report.txt",
    )


def test_drops_utf8_byte_order_mark(tmp_path: Path) -> None:
    doc = read_path(_write(tmp_path, "report.txt", codecs.BOM_UTF8 + CHINESE.encode("utf-8")))
    assert doc.text == CHINESE
    assert doc.encoding == "utf-8-sig"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "gb2312"])
def test_detects_gb_encodings(tmp_path: Path, encoding: str) -> None:
    text = CHINESE.replace("——", "，")  # the em dash is not in GB2312
    doc = read_path(_write(tmp_path, "report.txt", text.encode(encoding)))
    assert doc.text == text
    assert doc.encoding == "gb18030"


def test_reads_utf16_with_byte_order_mark() -> None:
    doc = read_bytes(CHINESE.encode("utf-16"), "report.txt")
    assert doc.text == CHINESE


def test_normalises_crlf_and_cr_newlines() -> None:
    assert read_bytes(b"a\r\nb\rc\n", "report.txt").text == "a\nb\nc\n"


def test_replaces_stray_control_characters() -> None:
    doc = read_bytes(("容器云" * 20 + "\x01" + "\x0c云原生\t。").encode("utf-8"), "report.txt")
    assert doc.text == "容器云" * 20 + " \n云原生\t。"


def test_reads_markdown() -> None:
    doc = read_bytes("# 容器云\n\n正文。\n".encode(), "report.md")
    assert (doc.text, doc.media_type) == ("# 容器云\n\n正文。\n", "text/markdown")


def test_suffix_is_case_insensitive() -> None:
    assert read_bytes(b"text", "REPORT.MarkDown").media_type == "text/markdown"


def test_upload_filename_only_chooses_the_format(tmp_path: Path) -> None:
    elsewhere = _write(tmp_path, "other.txt", b"file on disk")
    doc = read_bytes(b"uploaded", str(elsewhere))
    assert (doc.text, doc.source) == ("uploaded", "other.txt")


def test_upload_filename_loses_its_directories() -> None:
    assert read_bytes(b"x", "..\\..\\etc/passwd.txt").source == "passwd.txt"


@given(st.text(alphabet=st.sampled_from("容器云原生ab1 。，\n\t"), min_size=1).filter(str.strip))
def test_utf8_text_round_trips(text: str) -> None:
    assert read_bytes(text.encode("utf-8"), "report.txt").text == text


def test_supported_suffixes_are_listed() -> None:
    assert set(SUPPORTED_SUFFIXES) == {".txt", ".text", ".md", ".markdown", ".pdf", ".docx", ".html", ".htm"}


# --- HTML ---------------------------------------------------------------------------------

HTML = """<!DOCTYPE html><html><head><title>容器云 报告</title><style>p {color: red}</style></head>
<body><nav>首页 | 关于</nav><script>var secret = 1;</script>
<h1>容器云市场</h1><p>市场规模   达到
15.2亿元。<br>增长迅速。</p>
<table><tr><th>厂商</th><th>份额</th></tr><tr><td>甲</td><td>20%</td></tr></table>
<footer>版权所有</footer></body></html>"""


def test_html_drops_script_style_nav_and_footer() -> None:
    text = read_bytes(HTML.encode(), "report.html").text
    for dropped in ("secret", "color", "首页", "版权所有"):
        assert dropped not in text


def test_html_keeps_headings_as_markdown_lines_and_blocks_as_lines() -> None:
    text = read_bytes(HTML.encode(), "report.htm").text
    assert text.split("\n") == [
        "# 容器云市场",
        "",
        "市场规模 达到 15.2亿元。",
        "增长迅速。",
        "",
        "厂商\t份额",
        "甲\t20%",
    ]


def test_html_title_comes_from_title_element() -> None:
    assert read_bytes(HTML.encode(), "report.html").title == "容器云 报告"


def test_html_honours_a_declared_gbk_charset() -> None:
    page = '<html><head><meta charset="gbk"></head><body><p>容器云</p></body></html>'
    doc = read_bytes(page.encode("gbk"), "report.html")
    assert (doc.text, doc.encoding) == ("容器云", "gbk")


# --- DOCX and PDF -------------------------------------------------------------------------


def test_docx_paragraphs_headings_and_tables_in_order(tmp_path: Path) -> None:
    doc = read_path(_write(tmp_path, "report.docx", _docx_bytes()))
    assert doc.text == "## 市场规模\n\n容器云市场高速增长。\n\n厂商\t份额\n甲\t20%\n\n以上为示意数据。"
    assert doc.encoding is None


def test_docx_title_comes_from_core_properties(tmp_path: Path) -> None:
    assert read_path(_write(tmp_path, "report.docx", _docx_bytes())).title == "容器云报告"


def test_pdf_chinese_text_layer_pages_joined_by_newline(tmp_path: Path) -> None:
    # reportlab's built-in STSong-Light CID font gives a text layer pypdf can extract.
    doc = read_path(_write(tmp_path, "report.pdf", pdf_bytes("容器云市场规模15.2亿元。", "第二页")))
    assert [line for line in doc.text.split("\n") if line] == ["容器云市场规模15.2亿元。", "第二页"]
    assert (doc.media_type, doc.title) == ("application/pdf", "容器云报告")


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n  "], ids=["empty", "whitespace"])
def test_refuses_empty_file(tmp_path: Path, content: bytes) -> None:
    path = _write(tmp_path, "empty.txt", content)
    with pytest.raises(InputError, match="is empty") as error:
        read_path(path)
    _assert_one_line_naming(error, str(path))


def test_refuses_binary_file_with_text_suffix(tmp_path: Path) -> None:
    path = _write(tmp_path, "data.txt", os.urandom(4096) + b"\0\0")
    with pytest.raises(InputError, match="looks like a binary file, not text") as error:
        read_path(path)
    _assert_one_line_naming(error, str(path))


def test_refuses_text_full_of_control_bytes() -> None:
    with pytest.raises(InputError, match="binary"):
        read_bytes(b"abc\x01\x02" * 100, "data.md")


def test_refuses_unsupported_suffix(tmp_path: Path) -> None:
    path = _write(tmp_path, "table.xlsx", b"PK\x03\x04")
    with pytest.raises(UnsupportedInputError, match=r"\.docx.*\.txt") as error:
        read_path(path)
    _assert_one_line_naming(error, str(path))


def test_refuses_file_without_suffix() -> None:
    with pytest.raises(UnsupportedInputError, match="no extension"):
        read_bytes(b"text", "README")


def test_refuses_truncated_pdf(tmp_path: Path) -> None:
    path = _write(tmp_path, "cut.pdf", pdf_bytes("容器云")[:300])
    with pytest.raises(InputError, match="could not be read as PDF: ") as error:
        read_path(path)
    _assert_one_line_naming(error, str(path))


def test_refuses_pdf_without_text_layer(tmp_path: Path) -> None:
    path = _write(tmp_path, "scan.pdf", pdf_bytes(""))
    with pytest.raises(InputError, match=r"has no text layer \(scanned PDF\?\)") as error:
        read_path(path)
    _assert_one_line_naming(error, str(path))


def test_refuses_corrupt_docx(tmp_path: Path) -> None:
    path = _write(tmp_path, "broken.docx", _docx_bytes()[:200])
    with pytest.raises(InputError, match="could not be read as DOCX: ") as error:
        read_path(path)
    _assert_one_line_naming(error, str(path))


def test_refuses_zip_that_is_not_a_word_document() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a document")
    with pytest.raises(InputError, match="could not be read as DOCX"):
        read_bytes(buffer.getvalue(), "other.docx")


def test_refuses_docx_zip_bomb() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * 50_000)
    data = buffer.getvalue()
    with pytest.raises(InputError, match="zip bomb") as error:
        read_bytes(data, "bomb.docx", max_bytes=2_000)
    _assert_one_line_naming(error, "bomb.docx")


def test_refuses_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory") as error:
        read_path(tmp_path)
    _assert_one_line_naming(error, str(tmp_path))


def test_refuses_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.txt"
    with pytest.raises(InputError, match="no such file") as error:
        read_path(path)
    _assert_one_line_naming(error, str(path))


def test_refuses_file_over_max_bytes(tmp_path: Path) -> None:
    path = _write(tmp_path, "big.txt", b"x" * 101)
    with pytest.raises(InputError, match="larger than the limit of 100 bytes") as error:
        read_path(path, max_bytes=100)
    _assert_one_line_naming(error, str(path))


def test_refuses_upload_over_max_bytes() -> None:
    with pytest.raises(InputError, match="larger than"):
        read_bytes(b"x" * 101, "big.md", max_bytes=100)


def test_refuses_invalid_utf8_after_a_byte_order_mark() -> None:
    with pytest.raises(InputError, match="byte-order mark") as error:
        read_bytes(codecs.BOM_UTF8 + "容器".encode("gbk"), "mixed.txt")
    _assert_one_line_naming(error, "mixed.txt")


# --- the real report and the docstrings ---------------------------------------------------


def test_reads_the_corpus_report(corpus_path: Path) -> None:
    doc = read_path(corpus_path)
    assert len(doc.text) == 23_626  # characters; the file is 63,681 bytes of UTF-8
    assert doc.text.lstrip().startswith("中国容器云市场研究报告")


def test_docstring_examples_run() -> None:
    assert doctest.testmod(ingest.read).failed == 0
