"""Following and notifications, the ground's part: who follows what, the notifications
themselves, each person's choices of what to get by email and when, and the jobs that
fan notices out, email them at once and send digests. Features say what produces a
notification through the hooks (`notification_kinds`, `notification_sources`,
`follow_targets`); see docs/notifications.md."""
