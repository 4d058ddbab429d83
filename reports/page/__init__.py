"""A report's own page: its text, evidence and recommendations, and once published each
recommendation's response. It sits above drafting and responses, as consultations' page
sits above their parts."""
