"""Risk and what-if assessments of one athlete's log, the checks a log passes first, and the stored log."""
