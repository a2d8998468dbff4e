"""Browser tests: headless Debian Chromium through Playwright (`pytest -m browser`, `make test-browser`)."""
