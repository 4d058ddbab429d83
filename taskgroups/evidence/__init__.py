"""Each group's evidence library: documents and links behind its drafts, with who may see
them, what they are linked to, and withdrawal that keeps the record."""
