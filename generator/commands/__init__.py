"""One module per `qingdan` sub-command; each defines register(subparsers)."""
