"""Mentions -> tidy typed tables: the table contract, builders, enrichment, schemas."""
