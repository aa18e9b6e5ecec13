"""Latin-script names by the noun beside them (ingest/discover.py): parts, techniques, protocols."""

from __future__ import annotations

from ingest.document import SourceDocument
from ingest.pipeline import extract


def _labels(markdown: str) -> dict[str, str]:
    extraction = extract(SourceDocument("# 标题\n\n" + markdown + "\n", "t.md", "text/markdown"))
    return {e.label: e.type for e in extraction.entities.values()}


def test_a_plugin_named_by_a_common_word_keeps_its_cue() -> None:
    found = _labels("Kubernetes 集群中启用 priority插件 后，调度器会先处理高优先级的作业。")
    assert found.get("priority插件") == "Technology"
    assert "priority" not in found


def test_a_name_that_is_not_a_common_word_stands_alone_before_the_cue() -> None:
    found = _labels("Kubernetes 集群中启用 kueuectl插件 后可以查看队列。")
    assert "kueuectl" in found and "kueuectl插件" not in found


def test_a_project_named_by_a_common_word_is_not_joined_to_its_cue() -> None:
    # 项目 names what the word is, not a part: the word alone is the name (left to the cued rule)
    found = _labels("Kubernetes 社区的 harbor项目 提供镜像仓库。")
    assert "harbor项目" not in found


def test_a_technique_named_before_its_kind_is_a_technology() -> None:
    found = _labels("Kubernetes 调度器默认采用 Least-Connection算法，也支持 Page Cache 感知 的打分。")
    assert found.get("Least-Connection") == "Technology"
    assert found.get("Page Cache") == "Technology"


def test_a_protocol_named_by_its_latin_name_is_a_technology() -> None:
    found = _labels("边缘节点通过 Kubernetes 接入，设备侧使用 zenoh协议 上报数据。")
    assert found.get("zenoh") == "Technology"


def test_an_executive_title_after_a_brand_is_not_its_product() -> None:
    found = _labels("华为云 CTO 张宇昕表示，华为云 Astro 已支持 Kubernetes 的最新版本。")
    assert found.get("华为云") == "Vendor"
    assert "华为云 CTO" not in found
    assert found.get("华为云 Astro") == "Product"  # a name after the brand still is


def test_a_foundations_project_level_is_not_a_new_name() -> None:
    found = _labels(
        "KubeEdge 是一个基于 Kubernetes 的项目。2019 年，它被接受为 CNCF Sandbox 项目，"
        "2020 年晋升为 Incubating 阶段项目。"
    )
    assert found.get("云原生计算基金会") == "Organization"  # CNCF, by its preferred label
    assert "CNCF Sandbox" not in found and "Incubating" not in found
