"""Printing from the window: the print preview, the Qt print path that sends a
PDF made by ``printing/`` to a printer, and the batch-notice progress dialog."""
