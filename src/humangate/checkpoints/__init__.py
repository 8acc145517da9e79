"""Storage: LangGraph checkpointers and the project's own tables, from one database URL."""

from humangate.checkpoints.database import Database
from humangate.checkpoints.savers import open_checkpointer

__all__ = ["Database", "open_checkpointer"]
