"""Tables <-> files: atomic writes, the batched write pipeline, the typed reader."""
