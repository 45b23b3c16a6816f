"""Evidence (存证): data-set fingerprints, sample proofs (pure: no framework, no database)."""
