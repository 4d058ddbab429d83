"""The public tracker of every published recommendation and its response, with CSV and
JSON exports and an Atom feed."""
