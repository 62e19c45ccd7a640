"""Item models, filled from engine results and updated from engine events; never fetching."""
