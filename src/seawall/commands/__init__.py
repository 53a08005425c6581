"""One module per CLI subcommand: each defines ``add_parser(subparsers)`` and ``run(args) -> int``.

``cli.py`` imports a command module only when that command runs, so start-up stays fast.
"""
