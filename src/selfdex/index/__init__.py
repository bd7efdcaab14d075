"""Search indexes over the store: text embeddings (and, later, hybrid search)."""
