"""Runs on workers: jobs on an existing durable queue engine (DBOS Transact), worker pools, endpoint limits.

``open_orchestrator(settings, mode=...)`` gives a process its Orchestrator: ``inline`` (runs advance in the
caller), ``embedded`` (start and decide enqueue; a worker pool runs in this process) or ``external``
(``humangate worker`` processes run the jobs). ``WorkerPool`` runs jobs; ``JobClient`` enqueues them;
``EndpointLimiter`` keeps a model endpoint within its limits.
"""

from humangate.runtime.engine import JobClient, JobsDatabase, jobs_database
from humangate.runtime.limits import EndpointLimiter, EndpointLimits, limited_clients
from humangate.runtime.pool import WorkerPool
from humangate.runtime.session import Mode, limited_deps, open_orchestrator

__all__ = [
    "EndpointLimiter",
    "EndpointLimits",
    "JobClient",
    "JobsDatabase",
    "Mode",
    "WorkerPool",
    "jobs_database",
    "limited_clients",
    "limited_deps",
    "open_orchestrator",
]
