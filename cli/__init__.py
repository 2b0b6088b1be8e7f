"""Command-line subcommands of ``main.py`` (no Qt): each module offers
``add_parser(subparsers)`` and ``run(args, ...) -> int``."""
