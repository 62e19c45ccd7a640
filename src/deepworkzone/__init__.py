"""Deep Work Zone: timed deep-work sessions that block distractions and snooze chat."""

__version__ = "0.1.0"
