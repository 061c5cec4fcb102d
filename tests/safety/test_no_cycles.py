"""No import cycles among the modules of toolkit/model, toolkit/ops/audit and toolkit/ops/merge (grimp's graph;
imports only for type checking do not count: they never run)."""

from __future__ import annotations

import grimp
import pytest

PACKAGES = ("toolkit.model", "toolkit.ops.audit", "toolkit.ops.merge", "toolkit.ops")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("toolkit", exclude_type_checking_imports=True)


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycle_inside(graph, package):
    modules = {m for m in graph.modules if m == package or m.startswith(package + ".")}
    cycles = []
    for importer in sorted(modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & modules):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                cycles.append(" -> ".join((importer, *back)))
    assert not cycles, cycles
