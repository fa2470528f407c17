"""Letters in the window: compose with a live preview, send, keep and re-export."""
