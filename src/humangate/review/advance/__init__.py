"""Advance: bring a run up to date from what is recorded, under its lock; the job body; effects due."""
