"""Road shows: events attached to a consultation (where and when, host, capacity, sign-up
with a waiting list, attendance), and the responses gathered away from the site (at an
event, by letter or email) that facilitators enter through the same questions."""
