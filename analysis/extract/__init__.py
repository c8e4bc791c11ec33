"""Text -> segments -> mentions: the number grammar, dates, the lexicon and the extractor."""
