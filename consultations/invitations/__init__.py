"""Invited (small-group) consultations: who is invited, their single-use links, reminders
and delegation. Who may read what is still decided in `workspace.permissions` (`can_in`);
this package only says who is in an invited consultation's audience."""
