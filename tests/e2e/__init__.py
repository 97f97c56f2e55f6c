"""Browser tests: the page against the real server, in Debian's chromium."""
