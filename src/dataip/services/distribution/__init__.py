"""Use cases of benefit distribution: declared upstream sources, their confirmation, and
penetrating distributions of income (formulas in `dataip.distribution`)."""
