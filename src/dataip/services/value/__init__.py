"""Use cases of the value capability: quality assessments, valuations, signals, the hotness
ranking, statistics and the annual report (formulas in `dataip.value`)."""
