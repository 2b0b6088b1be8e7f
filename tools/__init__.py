"""Tooling around the product, not part of it: the demo office
(``tools.demo``), sample documents (``python -m tools.samples DIR``) and the
screenshots (``python -m tools.screenshots``).

Nothing in services/, db/, printing/ or ui/ imports this package (a test
checks); ``main.py demo-data`` reaches the demo through cli/demo.py. The
installed program (pyproject's packages, the PyInstaller bundle, the .deb)
does not carry it. The demo writes through the services; only its routine
visits go through ``services.demo_bulk``, which test_demo.py proves equal to
the services row for row.
"""
