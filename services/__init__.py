"""The office's rules and workflows. No Qt here: every function takes a session
and a clock and returns plain data objects."""
