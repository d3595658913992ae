"""Route-network analysis of the trafficking flows in the built graph (`kg flows`).

Steps, one module each: `read` (SPARQL over the built store) → `network` (filters and
the networkx graph) → `analysis` (pure functions of the graph) → `tables`,
`graphfiles`, `figures`, `report` (outputs). `commands` holds the entry points the CLI
calls.

    from kg.flows import FlowRequest, answer
    for table in answer("centrality", FlowRequest(seeds_dir="seeds")):
        print(table.title, table.rows[0])

The figures need matplotlib, which takes a second to import, so `kg.flows.report`
(`write_report`) is imported only by those who ask for it.
"""

from kg.flows.commands import COMMANDS, FlowRequest, answer, load_flow_data
from kg.flows.graphfiles import write_graph_exports

__all__ = ["COMMANDS", "FlowRequest", "answer", "load_flow_data", "write_graph_exports"]
