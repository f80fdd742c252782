"""adbudget: decide how a cross-border seller should spend its ad budget, and keep it right."""

__version__ = "0.1.0"


def __getattr__(name: str):
    # Lazy so that `import adbudget.attribution` does not pull in DuckDB and friends.
    if name == "Workspace":
        from adbudget.workspace import Workspace

        return Workspace
    raise AttributeError(name)


__all__ = ["Workspace", "__version__"]
