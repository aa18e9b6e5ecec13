"""Hostile input to ingest: property-based fuzzing of the readers and the extraction line, and nasty files
(generated here, never committed) through ``cnkg ingest`` and ``POST /reports``. Every case: accepted, or
refused with a one-line CLI error / a 4xx problem — no traceback, no 5xx, stored data unchanged."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import hypothesis.strategies as st
import pytest
from support.documents import pdf_bytes
from support.faults import assert_consistent, assert_one_line_error, run_cnkg, snapshot
from support.server import AUTH, LiveServer, serve, server_settings

from ingest.pipeline import extract
from ingest.read import SUPPORTED_SUFFIXES, read_bytes
from kg.datadir import DataDir
from kg.errors import InputError

SMALL_LIMIT = 2_000_000  # upload/file limit of the CLI and server under test

# -- property-based: the readers and the extraction line ------------------------------------------


@hypothesis.settings(max_examples=150, deadline=None)
@hypothesis.given(data=st.binary(max_size=4096), suffix=st.sampled_from(SUPPORTED_SUFFIXES))
def test_any_bytes_are_read_or_refused_with_one_line(data, suffix):
    try:
        doc = read_bytes(data, "fuzz" + suffix)
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("fuzz" + suffix)
    else:
        assert doc.text.strip()


_PIECES = st.sampled_from(
    ["容器云", "Kubernetes", "市场规模达到", "15.2亿元", "。", "\n", "## 标题\n", "阿里云推出"]
)
_ANY_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=400
)


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(parts=st.lists(st.one_of(_PIECES, _ANY_TEXT), min_size=1, max_size=30))
def test_any_text_goes_through_extraction_with_offsets_that_hold(parts):
    text = "".join(parts)
    try:
        doc = read_bytes(text.encode("utf-8"), "fuzz.md")
    except InputError:
        return
    ex = extract(doc)
    stored = ex.source.text  # the text cnkg stores: the read text without markup residue (<A>, ** …)
    for passage in ex.passages:
        assert stored[passage.start : passage.end] == passage.text
    for mention in ex.mentions:
        assert 0 <= mention.start < mention.end <= len(stored)


# -- nasty files ----------------------------------------------------------------------------------


def _zip_bomb(unpacked: int) -> bytes:
    """A .docx-shaped zip whose document part unpacks to ``unpacked`` bytes of zeros (~1000:1)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * 1_048_576
            for _ in range(unpacked // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def _nasty_refused() -> dict[str, bytes]:
    """Files that must be refused: name -> content."""
    pdf = pdf_bytes("容器云市场规模达到15.2亿元。", "第二页")
    rng = random.Random(7)
    return {
        "empty.txt": b"",
        "blank.md": b" \n\t\n" * 100,
        "binary.txt": bytes(rng.randrange(256) for _ in range(50_000)),
        "elf.md": b"\x7fELF\x02\x01\x01\0" + bytes(rng.randrange(256) for _ in range(5000)),
        "truncated.pdf": pdf[: len(pdf) // 2],
        "header-only.pdf": b"%PDF-1.7\n",
        "bomb.docx": _zip_bomb(60 * 1_048_576),  # 60 MiB unpacked > 20 x the 2 MB limit
        "not-a-zip.docx": b"PK\x03\x04 this is not a zip file" * 10,
        "invalid-utf8.txt": "容器云市场。".encode() * 200 + b"\xff\xfe\xc3\x28" + "边缘计算。".encode() * 200,
        "too-big.txt": b"a" * (SMALL_LIMIT + 1),
        "report.exe": "容器云".encode(),
    }


def _nasty_accepted() -> dict[str, bytes]:
    samples = Path(__file__).resolve().parent.parent / "samples"
    sample = (samples / "finops_2025.md").read_text(encoding="utf-8")
    mixed = "容器云 Kubernetes مرحبا بالعالم Привет мир 🚀☸️ e\u0301 \u202eRTL\u202c 한국어 日本語。\n"
    return {"gbk.txt": sample[:3000].encode("gbk"), "mixed-scripts.md": (sample[:1500] + mixed * 20).encode()}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, sample_paths: list[Path]) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "data"
    assert run_cnkg("ingest", "--data", str(root), str(sample_paths[0])).returncode == 0
    return root


@pytest.fixture(scope="module")
def nasty_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nasty")
    for name, content in {**_nasty_refused(), **_nasty_accepted()}.items():
        (folder / name).write_bytes(content)
    return folder


@pytest.mark.parametrize("name", sorted(_nasty_refused()))
def test_a_nasty_file_gets_one_line_from_the_cli_and_changes_nothing(name, base, nasty_dir):
    before = snapshot(base)
    proc = run_cnkg(
        "ingest", "--data", str(base), str(nasty_dir / name), env={"CNKG_MAX_UPLOAD_BYTES": str(SMALL_LIMIT)}
    )
    assert_one_line_error(proc, name)
    assert snapshot(base) == before


@pytest.mark.parametrize("name", sorted(_nasty_accepted()))
def test_legitimate_odd_files_are_ingested(name, base, nasty_dir, tmp_path):
    import shutil

    root = tmp_path / "data"
    shutil.copytree(base, root)
    proc = run_cnkg("ingest", "--no-index", "--data", str(root), str(nasty_dir / name))
    assert proc.returncode == 0, proc.stderr
    datadir = DataDir(root)
    stored = [r for r in datadir.read_manifest().reports.values() if r.source == name]
    assert len(stored) == 1 and "\ufffd" not in datadir.path(stored[0].text_file).read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_file_of_a_million_lines_is_handled(base, tmp_path):
    import shutil

    root = tmp_path / "data"
    shutil.copytree(base, root)
    lines = tmp_path / "lines.txt"
    lines.write_bytes(b"".join(b"%d\n" % i for i in range(1_000_000)))
    proc = run_cnkg("ingest", "--no-index", "--data", str(root), str(lines), timeout=600)
    if proc.returncode != 0:
        assert_one_line_error(proc, "lines.txt")
    assert_consistent(DataDir(root), all_indexed=False)


def test_a_100_mb_text_file_is_refused_before_it_is_read_whole(base, tmp_path):
    big = tmp_path / "huge.txt"
    with big.open("wb") as fh:
        fh.truncate(100 * 1_048_576)  # 100 MiB (sparse: zeros cost no disk)
    before = snapshot(base)
    proc = run_cnkg("ingest", "--data", str(base), str(big))
    assert_one_line_error(proc, "larger than the limit of 50,000,000 bytes")
    assert snapshot(base) == before


# -- the same files over HTTP ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def upload_server(base: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    import shutil

    root = tmp_path_factory.mktemp("hostile-http") / "data"
    shutil.copytree(base, root)
    with serve(server_settings(root, max_upload_bytes=SMALL_LIMIT)) as server:
        yield server


@pytest.mark.parametrize("name", sorted(_nasty_refused()))
def test_a_nasty_upload_gets_a_4xx_problem_and_changes_nothing(name, upload_server, nasty_dir):
    root = upload_server.settings.data
    before = snapshot(root)
    with upload_server.client() as client:
        response = client.post(
            "/reports", files={"file": (name, (nasty_dir / name).read_bytes())}, headers=AUTH
        )
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "Traceback" not in response.text and "\n" not in response.json()["detail"]
    assert snapshot(root) == before


def test_a_100_mb_upload_is_refused_with_413(upload_server):
    before = snapshot(upload_server.settings.data)
    with upload_server.client() as client:
        response = client.post("/reports", files={"file": ("huge.txt", b"a" * 100 * 1_048_576)}, headers=AUTH)
    assert response.status_code == 413
    assert snapshot(upload_server.settings.data) == before


@pytest.mark.parametrize(
    "filename", ["../../../../tmp/cnkg-escape.md", "..\\..\\cnkg-escape.md", "/etc/cnkg-escape.md"]
)
def test_a_path_traversal_file_name_is_reduced_to_a_bare_name(filename, upload_server, tmp_path):
    root = Path(upload_server.settings.data)
    text = f"# 路径测试 {filename}\n\n容器云平台市场规模达到15.2亿元，阿里云推出了ACK。\n".encode()
    with upload_server.client() as client:
        response = client.post("/reports", files={"file": (filename, text)}, headers=AUTH)
    assert response.status_code == 201, response.text
    assert response.json()["source"] == "cnkg-escape.md"
    assert not Path("/tmp/cnkg-escape.md").exists() and not Path("/etc/cnkg-escape.md").exists()
    assert not (root.parent / "cnkg-escape.md").exists()
    assert_consistent(DataDir(root))


@pytest.mark.parametrize("filename", ["..", "/", "", "../"])
def test_an_upload_without_a_usable_name_is_refused(filename, upload_server):
    with upload_server.client() as client:
        response = client.post("/reports", files={"file": (filename, b"text")}, headers=AUTH)
    assert 400 <= response.status_code < 500


def test_offsets_point_into_the_stored_text_when_markup_is_removed():
    # found by the property above: an HTML-like tag is markup residue, removed from the stored text
    doc = read_bytes("<A>:\n\n容器云市场规模达到15.2亿元。".encode(), "fuzz.md")
    ex = extract(doc)
    assert "<A>" not in ex.source.text
    assert ex.passages and all(ex.source.text[p.start : p.end] == p.text for p in ex.passages)
