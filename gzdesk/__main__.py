from gzdesk.cli import main

raise SystemExit(main())
