"""Many portals at once: running them all (runner.py) and the fleet view (copy.py, page.py)."""
