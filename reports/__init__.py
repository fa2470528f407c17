"""PDF letters, reports and charts (reportlab, matplotlib Agg). Depends on app/ only."""
