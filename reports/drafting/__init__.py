"""Drafting a report and its numbered recommendations, signing it off and publishing it."""
