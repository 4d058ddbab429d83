"""Reports of recommendations and the government's response to them.

A task group drafts a report resting on an agreed definition and on its evidence, with
numbered recommendations each addressed to a body; the member organisations sign it off
through the definitions' own sign-off (`definitions.signoff`, with the report as its
subject); the chair publishes it; the observers of each addressed department record
that department's response; the public tracker follows every recommendation.
"""
