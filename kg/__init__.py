"""tip-kg: a knowledge graph of human-trafficking facts, curated from cited sources.

The library works without the command line:

    from kg import validate, build
    report = validate("seeds", sources_dir="../shared/seeds")
    result = build("seeds", "exports", sources_dir="../shared/seeds")
"""

__version__ = "0.1.0"

from kg.pipeline import BuildResult, build, compare, load_graph, stats, validate

__all__ = ["BuildResult", "__version__", "build", "compare", "load_graph", "stats", "validate"]
