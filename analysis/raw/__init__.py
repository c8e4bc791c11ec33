"""Raw reports: bytes on disk -> one decoded text with its provenance."""
