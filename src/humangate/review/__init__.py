"""Review: the contract, the queue and the Orchestrator service."""
