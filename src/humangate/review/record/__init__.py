"""Record: what is written before a run moves. Who may decide, decisions by compare-and-set, tasks of runs."""
