"""The ``humangate`` command: run graphs, work the review queue, verify the audit trail."""

from importlib import import_module

from humangate.cli._common import app

__all__ = ["app", "main"]

# Importing a module registers its commands; --help lists them in this order.
for _module in (
    "tasks",
    "review",
    "runs",
    "jobs",
    "memory",
    "calibrate",
    "admin",
    "outbox",
    "doctor",
    "tokens",
):
    import_module(f"humangate.cli.{_module}")


def main() -> None:
    """Run the command line."""
    app(prog_name="humangate")
