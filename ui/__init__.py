"""The window. Talks only to services/; no ORM queries here."""
