"""Small reusable widgets: the countdown ring, badges, the offline banner."""
