"""Entity search by label, alias and description, in Chinese, English and mixed input."""

from __future__ import annotations

import pytest
from support.search_data import SAMPLES

from kg.datadir import DataDir
from kg.errors import InputError
from kg.search import SearchService, make_index_updater, search_entities

SERVERLESS = next(p for p in SAMPLES if p.name == "serverless_2024.md")


def _slugs(q: str, **kwargs) -> list[str]:
    return [h.slug for h in search_entities(q, **kwargs)]


def test_an_alias_finds_its_entity_first():
    assert _slugs("K8s")[0] == "kubernetes"


def test_width_and_case_do_not_matter():
    assert _slugs("ｋ８ｓ")[0] == "kubernetes"


def test_an_english_label_finds_the_chinese_entity():
    hit = search_entities("Service Mesh")[0]
    assert (hit.slug, hit.label) == ("service-mesh", "服务网格")


def test_mixed_input_finds_every_entity_it_names():
    assert {"alibaba-cloud", "serverless"} <= set(_slugs("阿里云 serverless", limit=3))


def test_part_of_a_name_finds_the_entity():
    assert "kubeedge" in _slugs("KubeEd")


def test_words_of_a_description_find_the_entity():
    assert "k3s" in _slugs("轻量级Kubernetes发行版", limit=5)


def test_the_type_filter_keeps_only_that_type():
    hits = search_entities("云", type="Vendor", limit=10)
    assert hits and all(h.type == "Vendor" for h in hits)


def test_an_unknown_type_is_an_input_error():
    with pytest.raises(InputError, match="Vendor"):
        search_entities("云", type="Animal")


def test_the_service_also_finds_entities_discovered_in_the_reports(tmp_path):
    from ingest.pipeline import ingest_path

    datadir = DataDir(tmp_path / "data")
    ingest_path(SERVERLESS, datadir, index_updater=make_index_updater("use3"))
    service = SearchService(datadir)
    discovered = [e for e in service.index().entities.values() if e.slug not in service.lexicon]
    assert discovered, "the ingest pipeline discovers names the lexicon lacks (NimbusFn, 云霁科技 ...)"
    target = discovered[0]
    assert service.search_entities(target.label)[0].slug == target.slug
