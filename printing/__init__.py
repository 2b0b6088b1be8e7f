"""Printed documents of the counter: a frozen data object in, PDF bytes out.

One module per document (``notice``, ``receipt``, ``ledger``, ``day_close``,
``deposits``, ``batch``); the data objects live in ``data``. Nothing here
imports Qt: sending a PDF to a printer is the job of ``ui.printing``.
"""
