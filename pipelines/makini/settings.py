"""Defaults of the Makini source; every one can be overridden by the caller's settings."""

DEFAULT_BASE_URL = "https://api.makini.io"
# Orders per page: large pages amortise request overhead; the API caps per_page at 1000.
DEFAULT_PER_PAGE = 500
# Rows updated within this many seconds before the last watermark are fetched again, so a row
# edited in the same second as the last load, or committed late by the back end, is not missed.
DEFAULT_LOOKBACK_S = 3600
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_BACKOFF_S = 1.0
DEFAULT_MAX_DELAY_S = 60.0
