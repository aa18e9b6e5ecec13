"""The lexicon built from the CNCF landscape and glossary snapshots, merged under the curated entries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib

from kg.lexicon import Lexicon
from kg.lexicon_build import GENERATED_FILE, build, latest_snapshot, main
from kg.lexicon_snapshot import split_abbreviation
from kg.namespaces import normalize_name
from kg.store import ontology_path
from kg.surface_matcher import SurfaceMatcher

pytest.importorskip("spellchecker")  # the build (not the loader) needs pyspellchecker's word list


@pytest.fixture(scope="module")
def snapshots() -> tuple[dict, dict]:
    glossary = json.loads(latest_snapshot("glossary").read_text(encoding="utf-8"))
    landscape = json.loads(latest_snapshot("landscape").read_text(encoding="utf-8"))
    return glossary, landscape


@pytest.fixture(scope="module")
def curated() -> Lexicon:
    graph = rdflib.Graph()
    graph.parse(ontology_path("lexicon.ttl"), format="turtle")
    return Lexicon.from_graph(graph)


@pytest.fixture(scope="module")
def built(curated, snapshots):
    return build(curated, *snapshots)


def _lexicon_from(text: str) -> Lexicon:
    graph = rdflib.Graph()
    graph.parse(ontology_path("lexicon.ttl"), format="turtle")
    graph.parse(data=text, format="turtle")
    return Lexicon.from_graph(graph)


def test_snapshots_record_their_commit_and_licence(snapshots):
    glossary, landscape = snapshots
    assert len(glossary["commit"]) == len(landscape["commit"]) == 40
    assert glossary["licence"] == "CC-BY-4.0" and landscape["licence"] == "Apache-2.0"
    assert len(landscape["items"]) > 2000 and len(glossary["terms"]) > 80
    readme = (ontology_path("sources") / "README.md").read_text(encoding="utf-8")
    assert glossary["commit"] in readme and landscape["commit"] in readme


def test_the_shipped_generated_file_is_what_the_build_makes(built):
    text, _report = built
    assert ontology_path(GENERATED_FILE).read_text(encoding="utf-8") == text


def test_each_source_adds_entries(built):
    _text, report = built
    assert report.new_entries["landscape"] > 1500 and report.new_entries["glossary"] > 30
    assert report.merged["landscape"] > 0 and report.merged["glossary"] > 0


def test_curated_entries_keep_their_iri_type_and_labels(built, curated):
    lexicon = _lexicon_from(built[0])
    for slug, entry in curated.entries.items():
        merged = lexicon.entries[slug]
        assert (merged.type, merged.pref_zh, merged.pref_en) == (entry.type, entry.pref_zh, entry.pref_en)
        assert set(entry.aliases) <= set(merged.aliases)
    # a landscape project the curated lexicon has is that entry, not a second one
    assert lexicon.resolve("Kubernetes").slug == "kubernetes"
    assert lexicon.resolve("Istio").slug == curated.resolve("Istio").slug


def test_no_new_alias_names_two_entries(built):
    lexicon = _lexicon_from(built[0])
    owners: dict[str, set[str]] = {}
    for entry in lexicon.entries.values():
        for name in entry.aliases:
            owners.setdefault(normalize_name(name), set()).add(entry.slug)
    shared = {name: slugs for name, slugs in owners.items() if len(slugs) > 1}
    curated_shared = {  # only clashes the curated file itself has may remain
        name
        for name, slugs in shared.items()
        if all(ontology_path("lexicon.ttl").read_text(encoding="utf-8").count(f'"{name}') for _ in slugs)
    }
    assert set(shared) <= curated_shared


def test_landscape_types_follow_the_category():
    lexicon = Lexicon.load()
    assert lexicon.resolve("Sigstore").type == "Technology"  # a CNCF project with a repository
    assert lexicon.resolve("Giant Swarm").type == "Vendor"  # a certified service provider
    assert lexicon.resolve("Spotify").type == "Organization"  # an end-user member ("Spotify (member)")
    assert lexicon.resolve("CECloud").type == "Vendor"  # a member that sells cloud
    assert lexicon.resolve("member") is None  # the landscape's marker is not a name


def test_new_entries_carry_links_and_definitions():
    graph = rdflib.Graph()
    graph.parse(ontology_path(GENERATED_FILE), format="turtle")
    sigstore = rdflib.URIRef("https://w3id.org/cnkg/id/entity/sigstore")
    assert (sigstore, rdflib.URIRef("http://usefulinc.com/ns/doap#repository"), None) in graph
    assert (sigstore, rdflib.URIRef("http://xmlns.com/foaf/0.1/homepage"), None) in graph
    canary = Lexicon.load().resolve("金丝雀部署")
    assert canary is not None and canary.pref_en == "Canary Deployment" and "流量" in canary.definition


def test_common_word_names_match_only_in_their_exact_case():
    lexicon = Lexicon.load()
    backstage = lexicon.resolve("Backstage")
    assert backstage is not None and "Backstage" in backstage.exact_labels
    assert lexicon.resolve("backstage") is None
    matcher = SurfaceMatcher.from_lexicon(lexicon)
    assert [m.slug for m in matcher.find("团队用Backstage搭建开发者门户")] == ["backstage"]
    assert matcher.find("团队用backstage搭建开发者门户") == []
    # an all-lower-case common word (the landscape's "kind") is never a mention
    assert all(m.surface != "kind" for m in matcher.find("kind: Job"))


def test_glossary_terms_are_known_to_questions_not_matched_in_reports():
    lexicon = Lexicon.load()
    canary = lexicon.resolve("金丝雀部署")
    assert canary is not None and canary.match_in_text is False
    assert lexicon.query_forms()["金丝雀部署"] == canary.slug
    assert "金丝雀部署" not in lexicon.surface_forms()
    matcher = SurfaceMatcher.from_lexicon(lexicon)
    assert matcher.find("以 4,000 个 Pod、200 个节点运行金丝雀部署") == []


def test_split_abbreviation_keeps_the_name():
    assert split_abbreviation("Infrastructure as Code (IaC)") == ("Infrastructure as Code", "IaC")


def test_rebuild_command_fails_with_one_line_without_snapshots(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setattr("kg.lexicon_build.ontology_path", lambda name: tmp_path / name)
    assert main(["rebuild"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("lexicon build failed:")
