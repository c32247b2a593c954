"""Review: the renewal review pack and its renderers (Excel, HTML)."""
