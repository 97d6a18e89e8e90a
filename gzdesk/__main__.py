import multiprocessing

# The frozen program starts its spreadsheet-reading child process (gzdesk.exchange.safe_read)
# by running itself again; freeze_support() turns that run into the child.
multiprocessing.freeze_support()

from gzdesk.cli import main  # noqa: E402

raise SystemExit(main())
