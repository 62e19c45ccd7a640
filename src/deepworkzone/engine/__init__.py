"""The focus runner (one session's life), crash recovery, the scheduler, sync."""
