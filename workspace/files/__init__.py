"""Uploaded files: detected by their content, stored by their content's hash under
`DATA_DIR/files/`, streamed in and out, and their text extracted for search.

The ground knows files, not what they are for: the evidence library (`taskgroups.evidence`)
and anything later keep their own records pointing at a `StoredFile`.
"""
