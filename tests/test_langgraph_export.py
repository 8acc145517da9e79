"""Graphs listed in langgraph.json load by path and carry no checkpointer."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_langgraph_json_graphs_load_without_a_checkpointer() -> None:
    config = json.loads((ROOT / "langgraph.json").read_text())
    assert set(config["graphs"]) == {"notify", "research", "drafting", "outreach", "support"}
    gates = {
        "notify": {"review"},
        "research": {"review_brief"},
        "drafting": {"review_send"},
        "outreach": {"review_brief", "review_send"},
        "support": {"review_reply"},
    }
    for name, ref in config["graphs"].items():
        path, _, attr = ref.partition(":")
        spec = importlib.util.spec_from_file_location(f"exported_{name}", ROOT / path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        graph = getattr(module, attr)()
        assert graph.checkpointer is None
        assert gates[name] <= set(graph.get_graph().nodes)
