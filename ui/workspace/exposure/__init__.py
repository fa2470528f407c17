"""Graded exposure in the client record: fear ladders, their steps, trials and charts."""
