"""Small reusable widgets of the counter window."""
