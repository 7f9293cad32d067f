"""Ops section views: `policy` (draft, publish, versions) and `tuning` (the simulator)."""
